package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"wanmu/internal/change"
	"wanmu/internal/policy"
)

// Platform groups zones into one industrial platform whose developable area
// is checked against its threshold (10,000 mu by default).
type Platform struct {
	ID          int64
	Name        string
	Role        string // 一心 两翼 三片区 其他
	Counties    []string
	ThresholdMu float64
	Targets     map[string]any
	Indicators  map[string]any
	Note        string
	ZoneIDs     []int64
	Version     int
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
	UpdatedBy   string
	RetiredAt   *time.Time
	ScenarioID  int64  // 0: the official data
	OriginID    *int64 // in a scenario: the official platform this one is a copy of
	// CountyEditable: the editors of every county it spans may edit it,
	// not only the city's (an administrator decides; migration 0013).
	CountyEditable bool
}

// PlatformFields are the writable fields of a platform; nil means unchanged
// (update) or default (create).
type PlatformFields struct {
	Name        *string
	Role        *string
	Counties    []string
	ThresholdMu *float64
	Targets     map[string]any
	Indicators  map[string]any
	Note        *string
	// CountyEditable: administrators only (the API checks).
	CountyEditable *bool
}

// Without is f less the fields that hold p's values already.
func (f PlatformFields) Without(p Platform) PlatformFields {
	same := func(a, b map[string]any) bool {
		x, err1 := json.Marshal(orEmpty(a))
		y, err2 := json.Marshal(orEmpty(b))
		return err1 == nil && err2 == nil && bytes.Equal(x, y)
	}
	if f.Name != nil && *f.Name == p.Name {
		f.Name = nil
	}
	if f.Role != nil && *f.Role == p.Role {
		f.Role = nil
	}
	if f.Counties != nil && slices.Equal(f.Counties, p.Counties) {
		f.Counties = nil
	}
	if f.ThresholdMu != nil && *f.ThresholdMu == p.ThresholdMu {
		f.ThresholdMu = nil
	}
	if f.Targets != nil && same(f.Targets, p.Targets) {
		f.Targets = nil
	}
	if f.Indicators != nil && same(f.Indicators, p.Indicators) {
		f.Indicators = nil
	}
	if f.Note != nil && *f.Note == p.Note {
		f.Note = nil
	}
	if f.CountyEditable != nil && *f.CountyEditable == p.CountyEditable {
		f.CountyEditable = nil
	}
	return f
}

func (f PlatformFields) empty() bool {
	return f.Name == nil && f.Role == nil && f.Counties == nil && f.ThresholdMu == nil && f.Targets == nil &&
		f.Indicators == nil && f.Note == nil && f.CountyEditable == nil
}

const platformColumns = `p.id, p.name, p.role, p.counties, p.threshold_mu, p.targets, p.indicators, p.note,
	coalesce((SELECT array_agg(m.zone_id ORDER BY m.zone_id) FROM platform_member m WHERE m.platform_id = p.id), '{}'),
	p.version, p.created_at, coalesce(p.created_by, ''), p.updated_at, coalesce(p.updated_by, ''), p.retired_at, p.scenario_id, p.origin_id, p.county_editable`

func scanPlatform(row pgx.Row) (Platform, error) {
	var p Platform
	var targets, indicators []byte
	err := row.Scan(&p.ID, &p.Name, &p.Role, &p.Counties, &p.ThresholdMu, &targets, &indicators, &p.Note,
		&p.ZoneIDs, &p.Version, &p.CreatedAt, &p.CreatedBy, &p.UpdatedAt, &p.UpdatedBy, &p.RetiredAt, &p.ScenarioID, &p.OriginID, &p.CountyEditable)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(targets, &p.Targets); err != nil {
		return p, err
	}
	return p, json.Unmarshal(indicators, &p.Indicators)
}

// ListPlatforms returns the live platforms (and retired ones when asked), by id.
func (s *Store) ListPlatforms(ctx context.Context, retired bool) ([]Platform, error) {
	q := "SELECT " + platformColumns + " FROM platform p WHERE p.scenario_id = $1"
	if !retired {
		q += " AND p.retired_at IS NULL"
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY p.id", s.scenario)
	if err != nil {
		return nil, fmt.Errorf("list platforms: %w", err)
	}
	defer rows.Close()
	var ps []Platform
	for rows.Next() {
		p, err := scanPlatform(rows)
		if err != nil {
			return nil, fmt.Errorf("list platforms: %w", err)
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// GetPlatform returns one platform, retired or not.
func (s *Store) GetPlatform(ctx context.Context, id int64) (Platform, error) {
	return getPlatform(ctx, s.db, id, false)
}

func getPlatform(ctx context.Context, q querier, id int64, lock bool) (Platform, error) {
	sql := "SELECT " + platformColumns + " FROM platform p WHERE p.id = $1"
	if lock {
		sql += " FOR UPDATE"
	}
	p, err := scanPlatform(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("platform %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("get platform %d: %w", id, err)
	}
	return p, nil
}

// CreatePlatform stores a new platform with the given members.
func (s *Store) CreatePlatform(ctx context.Context, f PlatformFields, zoneIDs []int64, c Change) (Platform, error) {
	if f.Name == nil {
		return Platform{}, &FieldError{Field: "name", Message: "a platform needs a name"}
	}
	var p Platform
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		zones, err := lockZones(ctx, tx, zoneIDs)
		if err != nil {
			return err
		}
		role := "其他"
		if f.Role != nil {
			role = *f.Role
		}
		threshold := policy.ThresholdMu
		if f.ThresholdMu != nil {
			threshold = *f.ThresholdMu
		}
		counties := f.Counties
		if counties == nil {
			counties = []string{}
		}
		note := ""
		if f.Note != nil {
			note = *f.Note
		}
		var id int64
		err = tx.QueryRow(ctx, `
			INSERT INTO platform (name, role, counties, threshold_mu, targets, indicators, note, created_by, updated_by, scenario_id, county_editable)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, coalesce($10, false)) RETURNING id`,
			*f.Name, role, counties, threshold, orEmpty(f.Targets), orEmpty(f.Indicators), note, nullable(c.Actor), s.scenario, f.CountyEditable).Scan(&id)
		if err != nil {
			return fmt.Errorf("create platform: %w", classify(err))
		}
		bounds, err := addMembers(ctx, tx, id, zoneIDs, zones, c)
		if err != nil {
			return err
		}
		if p, err = getPlatform(ctx, tx, id, false); err != nil {
			return err
		}
		if err := addRevision(ctx, tx, "platform", id, p.Version, "create", c, nil, platformSnapshot(p)); err != nil {
			return err
		}
		return publishPlatforms(ctx, tx, p.ScenarioID, []int64{id}, bounds)
	})
	return p, err
}

// UpdatePlatform changes a live platform whose version is still version.
func (s *Store) UpdatePlatform(ctx context.Context, id int64, version int, f PlatformFields, c Change) (Platform, error) {
	var p Platform
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockLivePlatform(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if f.Without(before).empty() { // nothing changes: no version, no revision
			p = before
			return touch(ctx, tx, "platform", id)
		}
		var targets, indicators any
		if f.Targets != nil {
			targets = f.Targets
		}
		if f.Indicators != nil {
			indicators = f.Indicators
		}
		_, err = tx.Exec(ctx, `
			UPDATE platform SET name = coalesce($2, name), role = coalesce($3, role), counties = coalesce($4, counties),
				threshold_mu = coalesce($5, threshold_mu), targets = coalesce($6::jsonb, targets),
				indicators = coalesce($7::jsonb, indicators), note = coalesce($8, note),
				county_editable = coalesce($10, county_editable), version = version + 1, updated_at = now(), updated_by = $9
			WHERE id = $1`, id, f.Name, f.Role, f.Counties, f.ThresholdMu, targets, indicators, f.Note, nullable(c.Actor), f.CountyEditable)
		if err != nil {
			return fmt.Errorf("update platform %d: %w", id, classify(err))
		}
		if p, err = getPlatform(ctx, tx, id, false); err != nil {
			return err
		}
		if err := addRevision(ctx, tx, "platform", id, p.Version, "update", c, platformSnapshot(before), platformSnapshot(p)); err != nil {
			return err
		}
		return publishPlatforms(ctx, tx, p.ScenarioID, []int64{id}, nil)
	})
	return p, err
}

// SetMembers replaces a live platform's member zones. The same members
// again change nothing (no new version, no revision).
func (s *Store) SetMembers(ctx context.Context, id int64, version int, zoneIDs []int64, c Change) (Platform, error) {
	var p Platform
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, zones, err := lockLivePlatformWithMembers(ctx, tx, id, version, zoneIDs)
		if err != nil {
			return err
		}
		want := map[int64]bool{}
		for _, z := range zoneIDs {
			want[z] = true
		}
		var bounds []orb.Bound
		for _, zid := range before.ZoneIDs {
			if !want[zid] {
				if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE zone_id = $1 AND platform_id = $2`, zid, id); err != nil {
					return fmt.Errorf("remove zone %d from platform %d: %w", zid, id, err)
				}
				bounds = append(bounds, zones[zid].Geom.Bound())
			}
		}
		added, err := addMembers(ctx, tx, id, zoneIDs, zones, c)
		if err != nil {
			return err
		}
		bounds = append(bounds, added...)
		if len(bounds) == 0 {
			p = before
			return nil
		}
		if err := recordMembership(ctx, tx, map[int64]Platform{id: before}, "members", c); err != nil {
			return err
		}
		if p, err = getPlatform(ctx, tx, id, false); err != nil {
			return err
		}
		return publishPlatforms(ctx, tx, p.ScenarioID, []int64{id}, bounds)
	})
	return p, err
}

// RetirePlatform retires a live platform; its zones become unassigned.
func (s *Store) RetirePlatform(ctx context.Context, id int64, version int, c Change) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		before, _, err := lockLivePlatformWithMembers(ctx, tx, id, version, nil)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE platform_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE platform SET retired_at = now(), version = version + 1, updated_at = now(), updated_by = $2 WHERE id = $1`,
			id, nullable(c.Actor)); err != nil {
			return err
		}
		after, err := getPlatform(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := addRevision(ctx, tx, "platform", id, after.Version, "retire", c, platformSnapshot(before), platformSnapshot(after)); err != nil {
			return err
		}
		return publishPlatforms(ctx, tx, after.ScenarioID, []int64{id}, nil)
	})
}

// addMembers adds to a platform those of zoneIDs that are not members yet,
// checking each is live and in no other platform. The zones (in locked) and
// the platform must be locked.
func addMembers(ctx context.Context, tx pgx.Tx, platformID int64, zoneIDs []int64, locked map[int64]Zone, c Change) ([]orb.Bound, error) {
	var bounds []orb.Bound
	for _, zid := range zoneIDs {
		z, ok := locked[zid]
		if !ok {
			return nil, &FieldError{Field: "zone_ids", Message: fmt.Sprintf("zone %d does not exist", zid)}
		}
		if z.RetiredAt != nil {
			return nil, &FieldError{Field: "zone_ids", Message: fmt.Sprintf("zone %d (%s) is retired", zid, z.Name)}
		}
		if z.PlatformID != nil && *z.PlatformID != platformID {
			return nil, &FieldError{Field: "zone_ids", Message: fmt.Sprintf(
				"zone %d (%s) already belongs to platform %d (%s); a zone can belong to only one platform: remove it there first",
				zid, z.Name, *z.PlatformID, z.PlatformName)}
		}
		if z.PlatformID != nil {
			continue
		}
		if err := addMembership(ctx, tx, zid, platformID, c); err != nil {
			return nil, err
		}
		z.PlatformID = &platformID
		locked[zid] = z
		bounds = append(bounds, z.Geom.Bound())
	}
	return bounds, nil
}

// lockLivePlatformWithMembers is lockPlatformWithMembers for a write that
// needs the platform live and at version.
func lockLivePlatformWithMembers(ctx context.Context, tx pgx.Tx, id int64, version int, extra []int64) (Platform, map[int64]Zone, error) {
	p, zones, err := lockPlatformWithMembers(ctx, tx, id, extra)
	if err != nil {
		return p, nil, err
	}
	if p.RetiredAt != nil {
		return p, nil, fmt.Errorf("platform %d is retired: %w", id, ErrGone)
	}
	if version != p.Version {
		return p, nil, &ConflictError{Entity: "platform", ID: id, Expected: version, Current: p.Version}
	}
	return p, zones, nil
}

func lockLivePlatform(ctx context.Context, tx pgx.Tx, id int64, version int) (Platform, error) {
	p, err := getPlatform(ctx, tx, id, true)
	if err != nil {
		return p, err
	}
	if p.RetiredAt != nil {
		return p, fmt.Errorf("platform %d is retired: %w", id, ErrGone)
	}
	if version != p.Version {
		return p, &ConflictError{Entity: "platform", ID: id, Expected: version, Current: p.Version}
	}
	return p, nil
}

// publishPlatforms announces a change to platforms of one scenario (0: the
// official data), the scenario of the rows written.
func publishPlatforms(ctx context.Context, tx pgx.Tx, scenario int64, ids []int64, bounds []orb.Bound) error {
	return change.Publish(ctx, tx, change.Change{Layer: "platforms", Bounds: bounds, Platforms: ids, Scenarios: []int64{scenario}})
}

func platformSnapshot(p Platform) map[string]any {
	return map[string]any{
		"id": p.ID, "name": p.Name, "role": p.Role, "counties": p.Counties, "threshold_mu": p.ThresholdMu,
		"targets": p.Targets, "indicators": p.Indicators, "note": p.Note, "zone_ids": p.ZoneIDs,
		"version": p.Version, "retired": p.RetiredAt != nil,
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
