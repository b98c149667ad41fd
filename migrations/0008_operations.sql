-- Operations. The revisions that one write makes together (a merge: the new
-- zone, each source, each platform that changed) share an operation number,
-- so that a planner's undo and redo take back, or bring back, the whole
-- operation. The number is drawn once per transaction (revision_op keeps it
-- in a transaction-local setting). Revisions from before this migration
-- keep op NULL and are read as their own operation (-id).
CREATE SEQUENCE revision_op_seq;

CREATE FUNCTION revision_op() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v text := current_setting('wanmu.op', true);
BEGIN
    IF v IS NULL OR v = '' THEN
        v := nextval('revision_op_seq')::text;
        PERFORM set_config('wanmu.op', v, true);
    END IF;
    RETURN v::bigint;
END $$;

-- SET DEFAULT (not ADD COLUMN … DEFAULT) so that existing rows stay NULL.
ALTER TABLE revision ADD COLUMN op bigint;
ALTER TABLE revision ALTER COLUMN op SET DEFAULT revision_op();

-- The operation an undo (or a redo, which undoes an undo) takes back; set
-- for the transaction by the store before it writes.
ALTER TABLE revision ADD COLUMN undoes bigint;
ALTER TABLE revision ALTER COLUMN undoes SET DEFAULT nullif(current_setting('wanmu.undoes', true), '')::bigint;

CREATE INDEX revision_actor_op_idx ON revision (actor, op);
