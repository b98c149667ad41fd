-- Constraint layers in the history. Loading a layer or switching it on or
-- off moves every platform's developable figure, so it is recorded like a
-- change to a zone or platform (and can be undone): a revision of entity
-- 'layer'. Layers belong to the official data; plans read the same ones, so
-- their revisions are scenario 0's.
ALTER TABLE revision DROP CONSTRAINT revision_entity_check;
ALTER TABLE revision ADD CONSTRAINT revision_entity_check CHECK (entity IN ('zone', 'platform', 'layer'));

CREATE OR REPLACE FUNCTION revision_scenario() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.entity = 'zone' THEN
        NEW.scenario_id := coalesce((SELECT scenario_id FROM zone WHERE id = NEW.entity_id), 0);
    ELSIF NEW.entity = 'platform' THEN
        NEW.scenario_id := coalesce((SELECT scenario_id FROM platform WHERE id = NEW.entity_id), 0);
    ELSE
        NEW.scenario_id := 0;
    END IF;
    RETURN NEW;
END $$;
