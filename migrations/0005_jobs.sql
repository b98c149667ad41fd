-- Background jobs (imports), shared by every instance on this database, so
-- that any instance can show, continue or cancel any job (internal/job).
-- The job's data — the uploaded file and the parsed preview, up to hundreds
-- of MB — stays on the instance that read it, the holder, which runs every
-- step; this table carries what the other instances need and their requests.
CREATE TABLE job (
    id               text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{24}$'),
    kind             text NOT NULL,   -- 'import'; selects the continuation
    owner            text NOT NULL,   -- user name: only they see the job
    state            text NOT NULL CHECK (state IN ('running', 'waiting', 'done', 'failed', 'cancelled')),
    step             text NOT NULL DEFAULT '',
    progress         double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    result           jsonb,           -- what the last step produced (an import's preview, its outcome)
    error            jsonb,           -- why it failed, as shown to the user (converted once, by the holder)
    holder           text NOT NULL,   -- id of the instance holding the data and running the steps
    heartbeat_at     timestamptz NOT NULL DEFAULT now(),
    -- The next step of a waiting job, requested on any instance: a JSON
    -- payload (an import's commit: mapping, reason, acting user) that the
    -- holder takes, and clears, when it starts the step. A cancel needs no
    -- column: any instance sets state = 'cancelled' and the holder stops.
    -- Either way the requesting instance wakes the holder with NOTIFY on
    -- channel wanmu_job, and the holder looks again at every heartbeat.
    continue_request jsonb,
    started_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (continue_request IS NULL OR state = 'running')
);

-- Heartbeats and wake-ups look up the live jobs of one holder.
CREATE INDEX job_holder_live_idx ON job (holder) WHERE state IN ('running', 'waiting');
