-- Scenarios (方案): alternative consolidation plans drafted beside the
-- official data. A scenario holds its own copies of the zones, platforms and
-- memberships, taken from the official data when it was created (its base),
-- so that its figures come from the same tables, queries and caches as the
-- official ones and an edit in it never touches what everyone else sees.
--
-- Scenario 0 is the official data itself: every zone and platform belongs
-- to exactly one scenario, and a query scoped by scenario_id = $n is plain
-- equality (indexable) for the official data and a draft alike.
CREATE TABLE scenario (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    -- When the copies were taken from the official data (or last rebased).
    base_at     timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text,
    adopted_at  timestamptz,
    adopted_by  text,
    retired_at  timestamptz
);
INSERT INTO scenario (id, name, description) OVERRIDING SYSTEM VALUE
    VALUES (0, '正式数据', 'The official data: what every user sees outside a scenario.');
CREATE UNIQUE INDEX scenario_name_live ON scenario (name) WHERE retired_at IS NULL;

-- origin_id is the official zone (platform) a scenario's copy stands for, and
-- base_version that official row's version when it was copied: adoption and
-- rebasing compare the three (base, official now, scenario now). A zone drawn
-- in the scenario has no origin.
ALTER TABLE zone
    ADD COLUMN scenario_id  bigint NOT NULL DEFAULT 0 REFERENCES scenario (id),
    ADD COLUMN origin_id    bigint REFERENCES zone (id),
    ADD COLUMN base_version integer;
ALTER TABLE platform
    ADD COLUMN scenario_id  bigint NOT NULL DEFAULT 0 REFERENCES scenario (id),
    ADD COLUMN origin_id    bigint REFERENCES platform (id),
    ADD COLUMN base_version integer;

CREATE INDEX zone_scenario_idx ON zone (scenario_id) WHERE retired_at IS NULL;
CREATE INDEX zone_origin_idx ON zone (origin_id) WHERE origin_id IS NOT NULL;
CREATE INDEX platform_origin_idx ON platform (origin_id) WHERE origin_id IS NOT NULL;
-- A platform's name is unique among the live platforms of its scenario.
DROP INDEX platform_name_live;
CREATE UNIQUE INDEX platform_name_live ON platform (scenario_id, name) WHERE retired_at IS NULL;

-- A zone belongs to platforms of its own scenario only.
CREATE FUNCTION platform_member_same_scenario() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT scenario_id FROM zone WHERE id = NEW.zone_id) IS DISTINCT FROM
       (SELECT scenario_id FROM platform WHERE id = NEW.platform_id) THEN
        RAISE EXCEPTION 'zone % and platform % belong to different scenarios', NEW.zone_id, NEW.platform_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER platform_member_scenario BEFORE INSERT OR UPDATE ON platform_member
    FOR EACH ROW EXECUTE FUNCTION platform_member_same_scenario();
