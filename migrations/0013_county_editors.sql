-- County-scoped editors (issue 17): an editor may be limited to some
-- counties. The limit is enforced here, in the database, on every row a
-- transaction writes, so that no write path of the application (edits,
-- merges, splits, undo, restore, memberships, shortfall additions) can
-- bypass it: the application sets wanmu.counties (comma-separated adcodes)
-- for the transaction of a limited editor, and these triggers refuse a
-- row outside it with SQLSTATE WM403.

-- The counties a user edits; none: every county (the city's editors).
ALTER TABLE app_user ADD COLUMN counties text[] NOT NULL DEFAULT '{}';

-- A county's draft (方案) is owned by the counties of the editor who began
-- it; none: the city's. Limited editors write only in the official data and
-- in their counties' drafts.
ALTER TABLE scenario ADD COLUMN counties text[] NOT NULL DEFAULT '{}';

-- A platform spanning counties (跨区域) is edited by the city's editors, or,
-- when an administrator says so, by the editors of every county it spans.
ALTER TABLE platform ADD COLUMN county_editable boolean NOT NULL DEFAULT false;

CREATE FUNCTION wanmu_county_limit() RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN coalesce(current_setting('wanmu.counties', true), '') = '' THEN NULL
                ELSE string_to_array(current_setting('wanmu.counties', true), ',') END
$$;

-- wanmu_refuse raises the error the application turns into a 403, with
-- what was refused (the detail: zone|platform|scenario and its id).
CREATE FUNCTION wanmu_refuse(what text, id bigint, message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'WM403', MESSAGE = message, DETAIL = what || ':' || id;
END $$;

CREATE FUNCTION wanmu_scenario_guard(scenario bigint, lim text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    owners text[];
    name text;
BEGIN
    IF scenario = 0 THEN
        RETURN;
    END IF;
    SELECT s.counties, s.name INTO owners, name FROM scenario s WHERE s.id = scenario;
    IF NOT (owners && lim) THEN
        PERFORM wanmu_refuse('scenario', scenario, format('plan %s (%s) is not a draft of your counties (%s)',
            scenario, name, array_to_string(lim, ', ')));
    END IF;
END $$;

CREATE FUNCTION zone_county_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lim text[] := wanmu_county_limit();
BEGIN
    IF lim IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM wanmu_scenario_guard(NEW.scenario_id, lim);
    IF TG_OP = 'UPDATE' AND NOT (OLD.county_adcode = ANY (lim)) THEN
        PERFORM wanmu_refuse('zone', OLD.id, format('zone %s (%s) is in county %s; you edit %s only',
            OLD.id, OLD.name, OLD.county_adcode, array_to_string(lim, ', ')));
    END IF;
    IF NOT (NEW.county_adcode = ANY (lim)) THEN
        PERFORM wanmu_refuse('zone', NEW.id, format('zone %s (%s) would be in county %s; you edit %s only',
            NEW.id, NEW.name, NEW.county_adcode, array_to_string(lim, ', ')));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER zone_county_guard BEFORE INSERT OR UPDATE ON zone
    FOR EACH ROW EXECUTE FUNCTION zone_county_guard();

-- A platform is a limited editor's when all its counties are theirs, or it
-- is county_editable and spans one of theirs.
CREATE FUNCTION wanmu_platform_editable(counties text[], county_editable boolean, lim text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
    SELECT cardinality(counties) > 0 AND (counties <@ lim OR (county_editable AND counties && lim))
$$;

CREATE FUNCTION platform_county_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lim text[] := wanmu_county_limit();
BEGIN
    IF lim IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM wanmu_scenario_guard(NEW.scenario_id, lim);
    IF (TG_OP = 'UPDATE' AND NOT wanmu_platform_editable(OLD.counties, OLD.county_editable, lim))
        OR NOT wanmu_platform_editable(NEW.counties, NEW.county_editable, lim) THEN
        PERFORM wanmu_refuse('platform', NEW.id, format('platform %s (%s) spans counties %s; you edit %s only',
            NEW.id, NEW.name, array_to_string(CASE WHEN TG_OP = 'UPDATE' THEN OLD.counties || NEW.counties ELSE NEW.counties END, ', '),
            array_to_string(lim, ', ')));
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.county_editable IS DISTINCT FROM OLD.county_editable THEN
        PERFORM wanmu_refuse('platform', NEW.id, format('platform %s (%s): only the city''s editors decide who edits it', NEW.id, NEW.name));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER platform_county_guard BEFORE INSERT OR UPDATE ON platform
    FOR EACH ROW EXECUTE FUNCTION platform_county_guard();

-- Joining or leaving a platform changes both the zone and the platform.
CREATE FUNCTION member_county_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lim text[] := wanmu_county_limit();
    m platform_member;
    z zone;
    p platform;
BEGIN
    IF lim IS NULL THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    m := coalesce(NEW, OLD);
    SELECT * INTO z FROM zone WHERE id = m.zone_id;
    SELECT * INTO p FROM platform WHERE id = m.platform_id;
    IF NOT (z.county_adcode = ANY (lim)) THEN
        PERFORM wanmu_refuse('zone', z.id, format('zone %s (%s) is in county %s; you edit %s only',
            z.id, z.name, z.county_adcode, array_to_string(lim, ', ')));
    END IF;
    IF NOT wanmu_platform_editable(p.counties, p.county_editable, lim) THEN
        PERFORM wanmu_refuse('platform', p.id, format('platform %s (%s) spans counties %s; you edit %s only',
            p.id, p.name, array_to_string(p.counties, ', '), array_to_string(lim, ', ')));
    END IF;
    RETURN coalesce(NEW, OLD);
END $$;
CREATE TRIGGER member_county_guard BEFORE INSERT OR DELETE ON platform_member
    FOR EACH ROW EXECUTE FUNCTION member_county_guard();
