package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// JobRecord is a row of table job: a background job as every instance sees
// it. Its data stays with its holder (see internal/job).
type JobRecord struct {
	ID, Kind, Owner string
	State, Step     string
	Progress        float64
	Result, Error   json.RawMessage // nil when NULL
	Holder          string
	Started         time.Time
	Updated         time.Time
	// Stale is true when the job is running or waiting but its holder has
	// not heartbeated for longer than the staleAfter given to Job.
	Stale bool
}

// JobStepEnd is how a job's step ended (see FinishJobStep).
type JobStepEnd struct {
	State    string // waiting, done, failed or cancelled
	Step     string
	Progress float64
	Result   json.RawMessage
	Error    json.RawMessage
}

func secs(d time.Duration) float64 { return d.Seconds() }

// CreateJob records a new running job held by holder.
func (s *Store) CreateJob(ctx context.Context, id, kind, owner, holder string) (JobRecord, error) {
	j := JobRecord{ID: id, Kind: kind, Owner: owner, State: "running", Holder: holder}
	err := s.db.QueryRow(ctx, `INSERT INTO job (id, kind, owner, state, holder) VALUES ($1, $2, $3, 'running', $4)
		RETURNING started_at, updated_at`, id, kind, owner, holder).Scan(&j.Started, &j.Updated)
	if err != nil {
		return j, fmt.Errorf("create job: %w", err)
	}
	return j, nil
}

// Job returns job id of owner. It returns ErrNotFound when there is none,
// or when it ended (or started waiting) more than keep ago. Stale is
// computed against staleAfter.
func (s *Store) Job(ctx context.Context, id, owner string, keep, staleAfter time.Duration) (JobRecord, error) {
	var j JobRecord
	err := s.db.QueryRow(ctx, `SELECT id, kind, owner, state, step, progress, result, error, holder, started_at, updated_at,
			state IN ('running', 'waiting') AND heartbeat_at < now() - make_interval(secs => $4)
		FROM job WHERE id = $1 AND owner = $2 AND (state = 'running' OR updated_at > now() - make_interval(secs => $3))`,
		id, owner, secs(keep), secs(staleAfter)).
		Scan(&j.ID, &j.Kind, &j.Owner, &j.State, &j.Step, &j.Progress, &j.Result, &j.Error, &j.Holder, &j.Started, &j.Updated, &j.Stale)
	if errors.Is(err, pgx.ErrNoRows) {
		return j, fmt.Errorf("job %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return j, fmt.Errorf("read job %s: %w", id, err)
	}
	return j, nil
}

// FailStaleJobs marks failed, with errJSON, every running or waiting job
// whose holder has not heartbeated for staleAfter (only job id when id is
// not empty), and deletes the jobs that ended more than keep ago.
func (s *Store) FailStaleJobs(ctx context.Context, id string, staleAfter, keep time.Duration, errJSON json.RawMessage) error {
	if _, err := s.db.Exec(ctx, `UPDATE job SET state = 'failed', error = $3, continue_request = NULL, updated_at = now()
		WHERE ($1 = '' OR id = $1) AND state IN ('running', 'waiting') AND heartbeat_at < now() - make_interval(secs => $2)`,
		id, secs(staleAfter), errJSON); err != nil {
		return fmt.Errorf("fail stale jobs: %w", err)
	}
	if id != "" {
		return nil
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM job WHERE state <> 'running' AND updated_at < now() - make_interval(secs => $1)`,
		secs(keep)); err != nil {
		return fmt.Errorf("delete old jobs: %w", err)
	}
	return nil
}

// SetJobProgress records the step and progress of a running job of holder.
func (s *Store) SetJobProgress(ctx context.Context, id, holder, step string, progress float64) error {
	if _, err := s.db.Exec(ctx, `UPDATE job SET step = $3, progress = $4, updated_at = now(), heartbeat_at = now()
		WHERE id = $1 AND holder = $2 AND state = 'running'`, id, holder, step, progress); err != nil {
		return fmt.Errorf("job %s progress: %w", id, err)
	}
	return nil
}

// FinishJobStep records how the running step of a job of holder ended. ok
// is false when the job was no longer running (cancelled or failed
// meanwhile, or gone): nothing is written then.
func (s *Store) FinishJobStep(ctx context.Context, id, holder string, e JobStepEnd) (ok bool, err error) {
	tag, err := s.db.Exec(ctx, `UPDATE job SET state = $3, step = $4, progress = $5, result = $6, error = $7,
			continue_request = NULL, updated_at = now(), heartbeat_at = now()
		WHERE id = $1 AND holder = $2 AND state = 'running'`, id, holder, e.State, e.Step, e.Progress, e.Result, e.Error)
	if err != nil {
		return false, fmt.Errorf("job %s: record %s: %w", id, e.State, err)
	}
	return tag.RowsAffected() == 1, nil
}

// RequestJobContinuation records request as the next step of job id of
// owner, if it is waiting, has not expired (keep) and its holder is alive
// (staleAfter), and marks it running again with its result cleared. It
// returns the holder, which takes the request up with ClaimJobContinuation;
// ok is false when the job is not in that state (or does not exist).
func (s *Store) RequestJobContinuation(ctx context.Context, id, owner string, request json.RawMessage, keep, staleAfter time.Duration) (holder string, ok bool, err error) {
	err = s.db.QueryRow(ctx, `UPDATE job SET state = 'running', step = '', progress = 0, result = NULL, error = NULL,
			continue_request = $3, updated_at = now()
		WHERE id = $1 AND owner = $2 AND state = 'waiting' AND updated_at > now() - make_interval(secs => $4)
			AND heartbeat_at >= now() - make_interval(secs => $5)
		RETURNING holder`, id, owner, request, secs(keep), secs(staleAfter)).Scan(&holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("continue job %s: %w", id, err)
	}
	return holder, true, nil
}

// ClaimJobContinuation takes (and clears) the continuation request of job
// id held by holder; ok is false when there is none.
func (s *Store) ClaimJobContinuation(ctx context.Context, id, holder string) (request json.RawMessage, ok bool, err error) {
	err = s.db.QueryRow(ctx, `UPDATE job j SET continue_request = NULL, heartbeat_at = now()
		FROM job old WHERE old.id = j.id AND j.id = $1 AND j.holder = $2 AND j.state = 'running' AND j.continue_request IS NOT NULL
		RETURNING old.continue_request`, id, holder).Scan(&request)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("claim continuation of job %s: %w", id, err)
	}
	return request, true, nil
}

// CancelJob marks job id of owner cancelled if it is running or waiting
// (and has not expired: keep) and returns its holder; ok is false when it
// was not.
func (s *Store) CancelJob(ctx context.Context, id, owner string, keep time.Duration) (holder string, ok bool, err error) {
	err = s.db.QueryRow(ctx, `UPDATE job SET state = 'cancelled', continue_request = NULL, updated_at = now()
		WHERE id = $1 AND owner = $2
			AND (state = 'running' OR (state = 'waiting' AND updated_at > now() - make_interval(secs => $3)))
		RETURNING holder`, id, owner, secs(keep)).Scan(&holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("cancel job %s: %w", id, err)
	}
	return holder, true, nil
}

// HeartbeatJobs records that holder is alive and holds jobs ids. It
// returns those of them that are still running or waiting there (and not
// expired: keep), each with whether a continuation request waits for it;
// the others were cancelled, failed, finished or forgotten.
func (s *Store) HeartbeatJobs(ctx context.Context, holder string, ids []string, keep time.Duration) (live map[string]bool, err error) {
	rows, err := s.db.Query(ctx, `UPDATE job SET heartbeat_at = now()
		WHERE holder = $1 AND id = ANY($2)
			AND (state = 'running' OR (state = 'waiting' AND updated_at > now() - make_interval(secs => $3)))
		RETURNING id, continue_request IS NOT NULL`, holder, ids, secs(keep))
	if err != nil {
		return nil, fmt.Errorf("job heartbeat: %w", err)
	}
	live = map[string]bool{}
	var id string
	var pending bool
	_, err = pgx.ForEachRow(rows, []any{&id, &pending}, func() error {
		live[id] = pending
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("job heartbeat: %w", err)
	}
	return live, nil
}

// FailJobs marks the running and waiting jobs ids of holder failed with
// errJSON: the holder is stopping and their data goes with it.
func (s *Store) FailJobs(ctx context.Context, holder string, ids []string, errJSON json.RawMessage) error {
	if _, err := s.db.Exec(ctx, `UPDATE job SET state = 'failed', error = $3, continue_request = NULL, updated_at = now()
		WHERE holder = $1 AND id = ANY($2) AND state IN ('running', 'waiting')`, holder, ids, errJSON); err != nil {
		return fmt.Errorf("fail jobs of %s: %w", holder, err)
	}
	return nil
}
