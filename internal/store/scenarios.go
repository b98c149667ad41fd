package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Scenario is a consolidation plan (方案) drafted beside the official data:
// its own copies of the zones, platforms and memberships, taken from the
// official data at BaseAt. Scenario 0 is the official data itself.
type Scenario struct {
	ID          int64
	Name        string
	Description string
	BaseAt      time.Time
	Version     int
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
	UpdatedBy   string
	AdoptedAt   *time.Time
	AdoptedBy   string
	RetiredAt   *time.Time
	Counties    []string // a county's draft: its owners; none: the city's
}

// Official is the scenario id of the official data.
const Official int64 = 0

const scenarioColumns = `id, name, description, base_at, version, created_at, coalesce(created_by, ''),
	updated_at, coalesce(updated_by, ''), adopted_at, coalesce(adopted_by, ''), retired_at, counties`

func scanScenario(row pgx.Row) (Scenario, error) {
	var sc Scenario
	err := row.Scan(&sc.ID, &sc.Name, &sc.Description, &sc.BaseAt, &sc.Version, &sc.CreatedAt, &sc.CreatedBy,
		&sc.UpdatedAt, &sc.UpdatedBy, &sc.AdoptedAt, &sc.AdoptedBy, &sc.RetiredAt, &sc.Counties)
	return sc, err
}

// CreateScenario starts a scenario from the official data as it stands: in
// one transaction, a copy of every live official zone and platform (each
// remembering the row it stands for and that row's version) and of their
// memberships. The copies keep their versions, authors and dates, so the
// scenario's figures are the official ones until it is edited.
//
// A county-limited editor's scenario is their counties' draft (Counties);
// the copy itself is of every county.
func (s *Store) CreateScenario(ctx context.Context, name, description string, c Change) (Scenario, error) {
	var sc Scenario
	owners := append([]string{}, CountyLimit(ctx)...)
	err := s.inTx(withoutCountyLimit(ctx), func(tx pgx.Tx) error {
		var err error
		sc, err = scanScenario(tx.QueryRow(ctx, `
			INSERT INTO scenario (name, description, created_by, updated_by, counties) VALUES ($1, $2, $3, $3, $4)
			RETURNING `+scenarioColumns, name, description, nullable(c.Actor), owners))
		if err != nil {
			return fmt.Errorf("create scenario: %w", classify(err))
		}
		// A snapshot of the official rows as they are when the copy starts:
		// they are locked against writes until the copy is done.
		if _, err := tx.Exec(ctx, `LOCK TABLE zone, platform, platform_member IN SHARE MODE`); err != nil {
			return fmt.Errorf("create scenario: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO zone (scenario_id, origin_id, base_version, kind, name, county_adcode, disposition, approved_area_ha,
				document_no, attributes, geom, version, created_at, created_by, updated_at, updated_by)
			SELECT $1, id, version, kind, name, county_adcode, disposition, approved_area_ha,
				document_no, attributes, geom, version, created_at, created_by, updated_at, updated_by
			FROM zone WHERE scenario_id = 0 AND retired_at IS NULL ORDER BY id`, sc.ID); err != nil {
			return fmt.Errorf("create scenario: copy zones: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO platform (scenario_id, origin_id, base_version, name, role, counties, county_editable, threshold_mu, targets, indicators,
				note, version, created_at, created_by, updated_at, updated_by)
			SELECT $1, id, version, name, role, counties, county_editable, threshold_mu, targets, indicators,
				note, version, created_at, created_by, updated_at, updated_by
			FROM platform WHERE scenario_id = 0 AND retired_at IS NULL ORDER BY id`, sc.ID); err != nil {
			return fmt.Errorf("create scenario: copy platforms: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO platform_member (zone_id, platform_id, added_at, added_by)
			SELECT zc.id, pc.id, m.added_at, m.added_by FROM platform_member m
			JOIN zone zc ON zc.origin_id = m.zone_id AND zc.scenario_id = $1
			JOIN platform pc ON pc.origin_id = m.platform_id AND pc.scenario_id = $1`, sc.ID); err != nil {
			return fmt.Errorf("create scenario: copy memberships: %w", err)
		}
		// Tiles asked for this id before it existed were empty: drop them.
		if err := publishZones(ctx, tx, sc.ID, nil); err != nil {
			return err
		}
		return publishPlatforms(ctx, tx, sc.ID, nil, nil)
	})
	return sc, err
}

// ListScenarios returns the live drafts (not the official data), by id.
func (s *Store) ListScenarios(ctx context.Context) ([]Scenario, error) {
	rows, err := s.db.Query(ctx, `SELECT `+scenarioColumns+` FROM scenario WHERE id <> 0 AND retired_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list scenarios: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scenario, error) { return scanScenario(r) })
	if err != nil {
		return nil, fmt.Errorf("list scenarios: %w", err)
	}
	return out, nil
}

// ListAdopted returns the scenarios adopted as the official data, the
// latest first: the record of which plan became official, when and by whom.
func (s *Store) ListAdopted(ctx context.Context) ([]Scenario, error) {
	rows, err := s.db.Query(ctx, `SELECT `+scenarioColumns+` FROM scenario WHERE adopted_at IS NOT NULL ORDER BY adopted_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list adopted scenarios: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scenario, error) { return scanScenario(r) })
	if err != nil {
		return nil, fmt.Errorf("list adopted scenarios: %w", err)
	}
	return out, nil
}

// GetScenario returns one scenario (0: the official data), retired or not.
func (s *Store) GetScenario(ctx context.Context, id int64) (Scenario, error) {
	sc, err := scanScenario(s.db.QueryRow(ctx, `SELECT `+scenarioColumns+` FROM scenario WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return sc, fmt.Errorf("scenario %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return sc, fmt.Errorf("get scenario %d: %w", id, err)
	}
	return sc, nil
}

// ScenarioOf is the scenario a zone or platform belongs to (entity "zone"
// or "platform"), retired or not.
func (s *Store) ScenarioOf(ctx context.Context, entity string, id int64) (int64, error) {
	table := map[string]string{"zone": "zone", "platform": "platform"}[entity]
	if table == "" {
		return 0, fmt.Errorf("scenario of %s %d: unknown entity: %w", entity, id, ErrInvalid)
	}
	var sc int64
	err := s.db.QueryRow(ctx, `SELECT scenario_id FROM `+table+` WHERE id = $1`, id).Scan(&sc)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("%s %d: %w", entity, id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("scenario of %s %d: %w", entity, id, err)
	}
	return sc, nil
}

// RetireScenario ends a draft whose version is still version: it is no
// longer listed nor reachable; its rows stay for the record.
func (s *Store) RetireScenario(ctx context.Context, id int64, version int, c Change) error {
	if id == Official {
		return fmt.Errorf("the official data cannot be retired: %w", ErrInvalid)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		sc, err := scanScenario(tx.QueryRow(ctx, `SELECT `+scenarioColumns+` FROM scenario WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("scenario %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("retire scenario %d: %w", id, err)
		}
		if sc.RetiredAt != nil {
			return fmt.Errorf("scenario %d (%s) is retired: %w", id, sc.Name, ErrGone)
		}
		if sc.Version != version {
			return &ConflictError{Entity: "scenario", ID: id, Expected: version, Current: sc.Version}
		}
		_, err = tx.Exec(ctx, `UPDATE scenario SET retired_at = now(), version = version + 1, updated_at = now(), updated_by = $2
			WHERE id = $1`, id, nullable(c.Actor))
		return err
	})
}
