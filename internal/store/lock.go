package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// The lock order. Every write takes its row locks in one global order —
// zones before platforms, each by ascending id — and reads what it locked
// only once the lock is granted. Then two writes never wait on each other in
// a cycle, and none acts on a state read before another write committed
// (under READ COMMITTED each statement sees what was committed before it
// began, so a read after the lock sees the winner's change). A membership
// changes only with its zone and its platform locked, so a zone's platform
// is stable once the zone is locked.

// lockZones locks the zones ids in id order and reads them afresh, retired
// or not. Ids that do not exist are absent from the map.
func lockZones(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]Zone, error) {
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return map[int64]Zone{}, nil
	}
	if _, err := tx.Exec(ctx, `SELECT id FROM zone WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids); err != nil {
		return nil, fmt.Errorf("lock zones %v: %w", ids, err)
	}
	rows, err := tx.Query(ctx, "SELECT "+zoneColumns+zoneFrom+" WHERE z.id = ANY($1)", ids)
	if err != nil {
		return nil, fmt.Errorf("read zones %v: %w", ids, err)
	}
	defer rows.Close()
	zs := map[int64]Zone{}
	for rows.Next() {
		z, err := scanZone(rows)
		if err != nil {
			return nil, fmt.Errorf("read zones %v: %w", ids, err)
		}
		zs[z.ID] = z
	}
	return zs, rows.Err()
}

// lockPlatforms locks the platforms ids in id order (after any zones, see
// above) and reads them afresh. Ids that do not exist are absent.
func lockPlatforms(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]Platform, error) {
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return map[int64]Platform{}, nil
	}
	if _, err := tx.Exec(ctx, `SELECT id FROM platform WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids); err != nil {
		return nil, fmt.Errorf("lock platforms %v: %w", ids, err)
	}
	rows, err := tx.Query(ctx, "SELECT "+platformColumns+" FROM platform p WHERE p.id = ANY($1)", ids)
	if err != nil {
		return nil, fmt.Errorf("read platforms %v: %w", ids, err)
	}
	defer rows.Close()
	ps := map[int64]Platform{}
	for rows.Next() {
		p, err := scanPlatform(rows)
		if err != nil {
			return nil, fmt.Errorf("read platforms %v: %w", ids, err)
		}
		ps[p.ID] = p
	}
	return ps, rows.Err()
}

// lockPlatformWithMembers locks a platform together with its member zones
// and the zones in extra, in the global order. The members are read before
// the locks, so a zone may join in between and not be locked: then the locks
// are let go (a savepoint rolled back) and taken again with that zone too.
// The set only grows, so this ends quickly; if it does not, the
// transaction restarts (errRestart).
func lockPlatformWithMembers(ctx context.Context, tx pgx.Tx, id int64, extra []int64) (Platform, map[int64]Zone, error) {
	want := slices.Clone(extra)
	for range 8 {
		var members []int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(zone_id), '{}') FROM platform_member WHERE platform_id = $1`,
			id).Scan(&members); err != nil {
			return Platform{}, nil, fmt.Errorf("members of platform %d: %w", id, err)
		}
		want = append(want, members...)
		sp, err := tx.Begin(ctx)
		if err != nil {
			return Platform{}, nil, err
		}
		p, zones, missing, err := lockPlatformAndZones(ctx, sp, id, want)
		if err != nil {
			sp.Rollback(ctx)
			return p, nil, err
		}
		if len(missing) == 0 {
			return p, zones, sp.Commit(ctx) // keeps the locks
		}
		if err := sp.Rollback(ctx); err != nil {
			return p, nil, err
		}
		want = append(want, missing...)
	}
	return Platform{}, nil, errRestart
}

// lockPlatformAndZones locks zones then the platform, and says which of the
// platform's members were not among the zones.
func lockPlatformAndZones(ctx context.Context, tx pgx.Tx, id int64, zoneIDs []int64) (Platform, map[int64]Zone, []int64, error) {
	zones, err := lockZones(ctx, tx, zoneIDs)
	if err != nil {
		return Platform{}, nil, nil, err
	}
	ps, err := lockPlatforms(ctx, tx, []int64{id})
	if err != nil {
		return Platform{}, nil, nil, err
	}
	p, ok := ps[id]
	if !ok {
		return p, nil, nil, fmt.Errorf("platform %d: %w", id, ErrNotFound)
	}
	var missing []int64
	for _, z := range p.ZoneIDs {
		if _, locked := zones[z]; !locked {
			missing = append(missing, z)
		}
	}
	return p, zones, missing, nil
}

// recordMembership gives every platform in before whose members changed in
// this transaction a new version and one revision with the state before and
// after, so that a platform's membership (and so its area) changes only
// through a recorded revision. The platforms must be locked.
func recordMembership(ctx context.Context, tx pgx.Tx, before map[int64]Platform, action string, c Change) error {
	ids := make([]int64, 0, len(before))
	for id := range before {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		var now []int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(zone_id ORDER BY zone_id), '{}') FROM platform_member
			WHERE platform_id = $1`, id).Scan(&now); err != nil {
			return fmt.Errorf("members of platform %d: %w", id, err)
		}
		if slices.Equal(now, before[id].ZoneIDs) {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE platform SET version = version + 1, updated_at = now(), updated_by = $2 WHERE id = $1`,
			id, nullable(c.Actor)); err != nil {
			return fmt.Errorf("record membership of platform %d: %w", id, err)
		}
		after, err := getPlatform(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := addRevision(ctx, tx, "platform", id, after.Version, action, c, platformSnapshot(before[id]), platformSnapshot(after)); err != nil {
			return err
		}
	}
	return nil
}

func sortedUnique(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
