package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// AdoptConflict is a zone or platform that both the official data and the
// scenario changed since the scenario's base: adopting needs a choice.
type AdoptConflict struct {
	Entity     string `json:"entity"`      // zone | platform
	OfficialID int64  `json:"official_id"` // the official row
	CopyID     int64  `json:"copy_id"`     // the scenario's row
	Name       string `json:"name"`        // the scenario's name for it
	Official   string `json:"official"`    // changed | retired
	Scenario   string `json:"scenario"`    // changed | retired
}

// Key names the conflict in AdoptScenario's choices: "zone:12".
func (c AdoptConflict) Key() string { return fmt.Sprintf("%s:%d", c.Entity, c.OfficialID) }

// AdoptResult is what an adoption wrote, or the conflicts that stopped it.
type AdoptResult struct {
	Created   int             `json:"created"`
	Updated   int             `json:"updated"`
	Retired   int             `json:"retired"`
	Conflicts []AdoptConflict `json:"conflicts"`
}

// ErrUnresolved is returned with the conflicts no choice was given for;
// nothing is written.
var ErrUnresolved = errors.New("the official data and the scenario both changed some zones or platforms since the scenario's base: choose for each which to keep")

// Choices for a conflict.
const (
	KeepScenario = "scenario"
	KeepOfficial = "official"
)

// copyRow is a scenario's zone or platform with what adoption compares.
type copyRow struct {
	id, origin          int64 // origin 0: new in the scenario
	base, version       int
	retired             bool
	mergedInto          int64
	name                string
	officialVersion     int
	officialRetired     bool
	scenarioMoved       bool // changed (or retired) in the scenario since the base
	officialMovedOnSide bool // changed (or retired) in the official data since the base
}

// AdoptScenario makes a scenario the official data, in one transaction: what
// the scenario changed since its base is written to the official rows (new
// zones and platforms created, changed ones updated, retired ones retired,
// memberships as the scenario has them), each recorded in history as
// "adopt" with the scenario's name. Rows the official data changed since the
// base while the scenario did too are conflicts: each needs a choice in
// choices (AdoptConflict.Key → KeepScenario or KeepOfficial), else nothing
// is written and ErrUnresolved comes with the list. The scenario is then
// marked adopted and closed.
func (s *Store) AdoptScenario(ctx context.Context, id int64, version int, choices map[string]string, c Change) (AdoptResult, error) {
	var res AdoptResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		res = AdoptResult{}
		sc, err := lockLiveScenario(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if c.Reason == "" {
			c.Reason = "采纳方案「" + sc.Name + "」"
		}
		// No official write runs beside an adoption: it compares versions.
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
		zoneKeep := winners("zone", KeepScenario, zones, choices, &res)
		platformKeep := winners("platform", KeepScenario, platforms, choices, &res)
		if len(res.Conflicts) > 0 {
			return ErrUnresolved
		}

		// Zones: new ones first, so that merges and members can name them.
		official := map[int64]int64{} // scenario zone → official zone
		for _, z := range zones {
			if z.origin != 0 {
				official[z.id] = z.origin
			}
		}
		for _, z := range zones {
			if z.origin != 0 || z.retired {
				continue
			}
			var nid int64
			if err := tx.QueryRow(ctx, `INSERT INTO zone (kind, name, county_adcode, disposition, approved_area_ha, document_no,
					attributes, geom, created_by, updated_by)
				SELECT kind, name, county_adcode, disposition, approved_area_ha, document_no, attributes, geom, $2, $2
				FROM zone WHERE id = $1 RETURNING id`, z.id, nullable(c.Actor)).Scan(&nid); err != nil {
				return fmt.Errorf("adopt: new zone %s: %w", z.name, classify(err))
			}
			official[z.id] = nid
			after, err := getZone(ctx, tx, nid, false)
			if err != nil {
				return err
			}
			if err := addRevision(ctx, tx, "zone", nid, after.Version, "adopt", c, nil, zoneSnapshot(after)); err != nil {
				return err
			}
			res.Created++
		}
		for _, z := range zoneKeep {
			before, err := getZone(ctx, tx, z.origin, false)
			if err != nil {
				return err
			}
			if z.retired {
				if before.RetiredAt != nil {
					continue
				}
				var into *int64
				if o, ok := official[z.mergedInto]; ok {
					into = &o
				}
				if err := retireZone(ctx, tx, before, into, c, "adopt"); err != nil {
					return err
				}
				res.Retired++
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE zone o SET kind = cp.kind, name = cp.name, county_adcode = cp.county_adcode,
					disposition = cp.disposition, approved_area_ha = cp.approved_area_ha, document_no = cp.document_no,
					attributes = cp.attributes, geom = cp.geom, retired_at = NULL, merged_into = NULL,
					version = o.version + 1, updated_at = now(), updated_by = $3
				FROM zone cp WHERE o.id = $1 AND cp.id = $2`, z.origin, z.id, nullable(c.Actor)); err != nil {
				return fmt.Errorf("adopt: zone %s: %w", z.name, classify(err))
			}
			after, err := getZone(ctx, tx, z.origin, false)
			if err != nil {
				return err
			}
			if err := addRevision(ctx, tx, "zone", z.origin, after.Version, "adopt", c, zoneSnapshot(before), zoneSnapshot(after)); err != nil {
				return err
			}
			res.Updated++
		}

		// Platforms: fields, then members as the scenario has them.
		type target struct {
			copy, official int64
			isNew          bool
		}
		var touched []target
		for _, p := range platforms {
			if p.origin != 0 || p.retired {
				continue
			}
			var nid int64
			if err := tx.QueryRow(ctx, `INSERT INTO platform (name, role, counties, county_editable, threshold_mu, targets, indicators, note, created_by, updated_by)
				SELECT name, role, counties, county_editable, threshold_mu, targets, indicators, note, $2, $2 FROM platform WHERE id = $1 RETURNING id`,
				p.id, nullable(c.Actor)).Scan(&nid); err != nil {
				return fmt.Errorf("adopt: new platform %s: %w", p.name, classify(err))
			}
			touched = append(touched, target{p.id, nid, true})
			res.Created++
		}
		for _, p := range platformKeep {
			if p.retired {
				before, err := getPlatform(ctx, tx, p.origin, false)
				if err != nil {
					return err
				}
				if before.RetiredAt != nil {
					continue
				}
				if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE platform_id = $1`, p.origin); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `UPDATE platform SET retired_at = now(), version = version + 1, updated_at = now(), updated_by = $2
					WHERE id = $1`, p.origin, nullable(c.Actor)); err != nil {
					return err
				}
				after, err := getPlatform(ctx, tx, p.origin, false)
				if err != nil {
					return err
				}
				if err := addRevision(ctx, tx, "platform", p.origin, after.Version, "adopt", c, platformSnapshot(before), platformSnapshot(after)); err != nil {
					return err
				}
				res.Retired++
				continue
			}
			touched = append(touched, target{p.id, p.origin, false})
			res.Updated++
		}
		befores := map[int64]Platform{}
		for _, t := range touched {
			b, err := getPlatform(ctx, tx, t.official, false)
			if err != nil {
				return err
			}
			befores[t.official] = b
			if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE platform_id = $1`, t.official); err != nil {
				return err
			}
		}
		for _, t := range touched {
			if _, err := tx.Exec(ctx, `UPDATE platform o SET name = cp.name, role = cp.role, counties = cp.counties, county_editable = cp.county_editable,
					threshold_mu = cp.threshold_mu, targets = cp.targets, indicators = cp.indicators, note = cp.note,
					version = CASE WHEN $4 THEN o.version ELSE o.version + 1 END, updated_at = now(), updated_by = $3
				FROM platform cp WHERE o.id = $1 AND cp.id = $2`, t.official, t.copy, nullable(c.Actor), t.isNew); err != nil {
				return fmt.Errorf("adopt: platform %d: %w", t.official, classify(err))
			}
			var members []int64
			if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(zone_id ORDER BY zone_id), '{}') FROM platform_member WHERE platform_id = $1`,
				t.copy).Scan(&members); err != nil {
				return err
			}
			for _, m := range members {
				oz, ok := official[m]
				if !ok {
					continue // a zone whose official version was kept over the scenario's
				}
				if _, err := tx.Exec(ctx, `INSERT INTO platform_member (zone_id, platform_id, added_by) VALUES ($1, $2, $3)`,
					oz, t.official, nullable(c.Actor)); err != nil {
					return fmt.Errorf("adopt: zone %d into platform %d: it is a member of another platform the scenario did not change: %w", oz, t.official, classify(err))
				}
			}
			after, err := getPlatform(ctx, tx, t.official, false)
			if err != nil {
				return err
			}
			var before map[string]any
			if !t.isNew {
				before = platformSnapshot(befores[t.official])
			}
			if err := addRevision(ctx, tx, "platform", t.official, after.Version, "adopt", c, before, platformSnapshot(after)); err != nil {
				return err
			}
		}

		if _, err := tx.Exec(ctx, `UPDATE scenario SET adopted_at = now(), adopted_by = $2, retired_at = now(),
			version = version + 1, updated_at = now(), updated_by = $2 WHERE id = $1`, id, nullable(c.Actor)); err != nil {
			return err
		}
		// The official data changed, and the scenario ended: the other
		// scenarios' tiles stay.
		for _, sc := range []int64{Official, id} {
			if err := publishZones(ctx, tx, sc, nil); err != nil {
				return err
			}
			if err := publishPlatforms(ctx, tx, sc, nil, nil); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// lockLiveScenario locks a draft for writing and checks it is live, not the
// official data and at version.
func lockLiveScenario(ctx context.Context, tx pgx.Tx, id int64, version int) (Scenario, error) {
	if id == Official {
		return Scenario{}, fmt.Errorf("the official data is not a scenario to adopt: %w", ErrInvalid)
	}
	sc, err := scanScenario(tx.QueryRow(ctx, `SELECT `+scenarioColumns+` FROM scenario WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return sc, fmt.Errorf("scenario %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return sc, err
	}
	if sc.RetiredAt != nil {
		return sc, fmt.Errorf("scenario %d (%s) is closed: %w", id, sc.Name, ErrGone)
	}
	if sc.Version != version {
		return sc, &ConflictError{Entity: "scenario", ID: id, Expected: version, Current: sc.Version}
	}
	return sc, nil
}

// copyRows reads a scenario's zones or platforms with their official rows.
func copyRows(ctx context.Context, tx pgx.Tx, table string, scenario int64) ([]copyRow, error) {
	merged := "0::bigint"
	if table == "zone" {
		merged = "coalesce(cp.merged_into, 0)"
	}
	rows, err := tx.Query(ctx, `SELECT cp.id, coalesce(cp.origin_id, 0), coalesce(cp.base_version, 0), cp.version,
			cp.retired_at IS NOT NULL, `+merged+`, cp.name, coalesce(o.version, 0), coalesce(o.retired_at IS NOT NULL, false)
		FROM `+table+` cp LEFT JOIN `+table+` o ON o.id = cp.origin_id
		WHERE cp.scenario_id = $1 ORDER BY cp.id`, scenario)
	if err != nil {
		return nil, fmt.Errorf("adopt: read %ss: %w", table, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (copyRow, error) {
		var c copyRow
		err := r.Scan(&c.id, &c.origin, &c.base, &c.version, &c.retired, &c.mergedInto, &c.name, &c.officialVersion, &c.officialRetired)
		c.scenarioMoved = c.version != c.base || c.retired
		c.officialMovedOnSide = c.origin != 0 && c.officialVersion != c.base
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("adopt: read %ss: %w", table, err)
	}
	return out, nil
}

// winners returns the copies whose side's version is to be written — side
// KeepScenario when adopting (the scenario's over the official row),
// KeepOfficial when rebasing (the official row's over the copy): the rows
// that side changed since the base and the other did not, and those both
// changed (conflicts) that choices resolve for it. It adds the unresolved
// conflicts to res.
func winners(entity, side string, rows []copyRow, choices map[string]string, res *AdoptResult) []copyRow {
	var out []copyRow
	for _, r := range rows {
		moved, otherMoved := r.scenarioMoved, r.officialMovedOnSide
		if side == KeepOfficial {
			moved, otherMoved = otherMoved, moved
		}
		if r.origin == 0 || !moved {
			continue
		}
		if otherMoved {
			cf := AdoptConflict{Entity: entity, OfficialID: r.origin, CopyID: r.id, Name: r.name,
				Official: state(r.officialRetired), Scenario: state(r.retired)}
			switch choices[cf.Key()] {
			case side:
			case KeepScenario, KeepOfficial: // the other side's
				continue
			default:
				res.Conflicts = append(res.Conflicts, cf)
				continue
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b copyRow) int { return int(a.id - b.id) })
	return out
}

func state(retired bool) string {
	if retired {
		return "retired"
	}
	return "changed"
}
