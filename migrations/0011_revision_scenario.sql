-- Each revision records the scenario of the zone or platform it is about,
-- so that a planner's undo and redo in a scenario take back that scenario's
-- operations only (and the official data's outside any scenario). Set on
-- insert from the entity itself: no write path can forget it.
ALTER TABLE revision ADD COLUMN scenario_id bigint NOT NULL DEFAULT 0;

CREATE FUNCTION revision_scenario() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.entity = 'zone' THEN
        NEW.scenario_id := coalesce((SELECT scenario_id FROM zone WHERE id = NEW.entity_id), 0);
    ELSE
        NEW.scenario_id := coalesce((SELECT scenario_id FROM platform WHERE id = NEW.entity_id), 0);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER revision_scenario BEFORE INSERT ON revision
    FOR EACH ROW EXECUTE FUNCTION revision_scenario();
CREATE INDEX revision_actor_scenario_op_idx ON revision (actor, scenario_id, op);
