package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// RebaseResult is what bringing a scenario up to date changed in it, or the
// conflicts that stopped it.
type RebaseResult struct {
	Added     int             `json:"added"`     // official zones and platforms new since the base
	Updated   int             `json:"updated"`   // copies brought up to their official rows
	Retired   int             `json:"retired"`   // copies of official rows retired since the base
	Conflicts []AdoptConflict `json:"conflicts"` // both sides changed: choose
}

// RebaseScenario brings a scenario up to date with the official data, in one
// transaction: official rows changed since the scenario's base replace the
// scenario's copies the scenario left alone, rows new since the base are
// copied in, rows retired since the base are retired in the scenario too,
// and memberships of platforms the scenario left alone follow the official
// ones. A row both sides changed is a conflict, like in AdoptScenario:
// KeepOfficial takes the official row, KeepScenario keeps the scenario's
// (which is from then on based on the official row as it is now). The
// scenario's base becomes now.
func (s *Store) RebaseScenario(ctx context.Context, id int64, version int, choices map[string]string, c Change) (RebaseResult, error) {
	var res RebaseResult
	// The official rows come in whatever their county: a county-limited
	// editor may rebase their counties' drafts, checked here.
	owned, err := ownsScenario(ctx, s.db, id)
	if err != nil {
		return res, fmt.Errorf("scenario %d: %w", id, err)
	}
	if !owned {
		return res, &CountyError{Entity: "scenario", ID: id, Message: fmt.Sprintf("plan %d is not a draft of your counties (%s)", id, strings.Join(CountyLimit(ctx), ", "))}
	}
	err = s.inTx(withoutCountyLimit(ctx), func(tx pgx.Tx) error {
		res = RebaseResult{}
		if _, err := lockLiveScenario(ctx, tx, id, version); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE zone, platform, platform_member IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		zones, err := copyRows(ctx, tx, "zone", id)
		if err != nil {
			return err
		}
		platforms, err := copyRows(ctx, tx, "platform", id)
		if err != nil {
			return err
		}
		var adopt AdoptResult
		zoneTake := winners("zone", KeepOfficial, zones, choices, &adopt)
		platformTake := winners("platform", KeepOfficial, platforms, choices, &adopt)
		if len(adopt.Conflicts) > 0 {
			res.Conflicts = adopt.Conflicts
			return ErrUnresolved
		}
		// Rows the scenario keeps against a newer official row: based on it now.
		for _, table := range []string{"zone", "platform"} {
			rows := zones
			if table == "platform" {
				rows = platforms
			}
			for _, r := range rows {
				if r.origin != 0 && r.scenarioMoved && r.officialMovedOnSide && choices[fmt.Sprintf("%s:%d", table, r.origin)] == KeepScenario {
					// Still a change of the scenario's against its new base.
					if _, err := tx.Exec(ctx, `UPDATE `+table+` SET base_version = $2, version = greatest(version, $2) + 1 WHERE id = $1`,
						r.id, r.officialVersion); err != nil {
						return err
					}
				}
			}
		}

		// Zones: the official content over the copy (live or retired as the
		// official row is), keeping the copy's id.
		for _, z := range zoneTake {
			if _, err := tx.Exec(ctx, `UPDATE zone cp SET kind = o.kind, name = o.name, county_adcode = o.county_adcode,
					disposition = o.disposition, approved_area_ha = o.approved_area_ha, document_no = o.document_no,
					attributes = o.attributes, geom = o.geom, retired_at = o.retired_at, merged_into = NULL,
					version = o.version, base_version = o.version, updated_at = o.updated_at, updated_by = o.updated_by
				FROM zone o WHERE cp.id = $1 AND o.id = $2`, z.id, z.origin); err != nil {
				return fmt.Errorf("rebase: zone %s: %w", z.name, classify(err))
			}
			if z.officialRetired {
				if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE zone_id = $1`, z.id); err != nil {
					return err
				}
				res.Retired++
			} else {
				res.Updated++
			}
		}
		// Every official zone live at the base has a copy (live or not), so
		// a live one without a copy is new since: created, or restored.
		n, err := tx.Exec(ctx, `
			INSERT INTO zone (scenario_id, origin_id, base_version, kind, name, county_adcode, disposition, approved_area_ha,
				document_no, attributes, geom, version, created_at, created_by, updated_at, updated_by)
			SELECT $1, o.id, o.version, o.kind, o.name, o.county_adcode, o.disposition, o.approved_area_ha,
				o.document_no, o.attributes, o.geom, o.version, o.created_at, o.created_by, o.updated_at, o.updated_by
			FROM zone o WHERE o.scenario_id = 0 AND o.retired_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM zone cp WHERE cp.scenario_id = $1 AND cp.origin_id = o.id) ORDER BY o.id`, id)
		if err != nil {
			return fmt.Errorf("rebase: new zones: %w", err)
		}
		res.Added += int(n.RowsAffected())

		for _, p := range platformTake {
			if _, err := tx.Exec(ctx, `UPDATE platform cp SET name = o.name, role = o.role, counties = o.counties, county_editable = o.county_editable,
					threshold_mu = o.threshold_mu, targets = o.targets, indicators = o.indicators, note = o.note,
					retired_at = o.retired_at, version = o.version, base_version = o.version, updated_at = o.updated_at, updated_by = o.updated_by
				FROM platform o WHERE cp.id = $1 AND o.id = $2`, p.id, p.origin); err != nil {
				return fmt.Errorf("rebase: platform %s: %w", p.name, classify(err))
			}
			if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE platform_id = $1`, p.id); err != nil {
				return err
			}
			if p.officialRetired {
				res.Retired++
			} else {
				res.Updated++
			}
		}
		n, err = tx.Exec(ctx, `
			INSERT INTO platform (scenario_id, origin_id, base_version, name, role, counties, county_editable, threshold_mu, targets, indicators,
				note, version, created_at, created_by, updated_at, updated_by)
			SELECT $1, o.id, o.version, o.name, o.role, o.counties, o.county_editable, o.threshold_mu, o.targets, o.indicators,
				o.note, o.version, o.created_at, o.created_by, o.updated_at, o.updated_by
			FROM platform o WHERE o.scenario_id = 0 AND o.retired_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM platform cp WHERE cp.scenario_id = $1 AND cp.origin_id = o.id) ORDER BY o.id`, id)
		if err != nil {
			return fmt.Errorf("rebase: new platforms: %w", err)
		}
		res.Added += int(n.RowsAffected())

		// The members of the platforms taken from the official data (and of
		// the new ones), through the copies of their zones; a zone the
		// scenario moved elsewhere stays where the scenario put it.
		if _, err := tx.Exec(ctx, `
			INSERT INTO platform_member (zone_id, platform_id, added_at, added_by)
			SELECT zc.id, pc.id, m.added_at, m.added_by FROM platform_member m
			JOIN platform pc ON pc.origin_id = m.platform_id AND pc.scenario_id = $1 AND pc.retired_at IS NULL
			JOIN zone zc ON zc.origin_id = m.zone_id AND zc.scenario_id = $1 AND zc.retired_at IS NULL
			WHERE pc.version = pc.base_version
			AND NOT EXISTS (SELECT 1 FROM platform_member x WHERE x.zone_id = zc.id)`, id); err != nil {
			return fmt.Errorf("rebase: members: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE scenario SET base_at = now(), version = version + 1, updated_at = now(), updated_by = $2
			WHERE id = $1`, id, nullable(c.Actor)); err != nil {
			return err
		}
		// Only the scenario's own rows were written.
		if err := publishZones(ctx, tx, id, nil); err != nil {
			return err
		}
		return publishPlatforms(ctx, tx, id, nil, nil)
	})
	return res, err
}
