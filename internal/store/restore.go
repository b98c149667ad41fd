package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrNotOwnLastChange is returned when an undo asks for anything but the
// state before the caller's own latest change.
var ErrNotOwnLastChange = errors.New("only an administrator may restore an older revision; an editor may undo their own latest change")

// checkOwnLastChange allows an undo: the entity's latest revision was made by
// actor, and revisionID is the one before it (the state that change replaced).
func checkOwnLastChange(ctx context.Context, tx pgx.Tx, entity string, id, revisionID int64, actor string) error {
	rows, err := tx.Query(ctx, `SELECT id, coalesce(actor, '') FROM revision WHERE entity = $1 AND entity_id = $2
		ORDER BY id DESC LIMIT 2`, entity, id)
	if err != nil {
		return err
	}
	type rev struct {
		id    int64
		actor string
	}
	revs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (rev, error) {
		var r rev
		err := row.Scan(&r.id, &r.actor)
		return r, err
	})
	if err != nil {
		return err
	}
	if len(revs) < 2 || revs[0].actor != actor || actor == "" || revs[1].id != revisionID {
		return fmt.Errorf("%s %d, revision %d: %w", entity, id, revisionID, ErrNotOwnLastChange)
	}
	return nil
}

// revisionState returns the state recorded after a revision of an entity.
func revisionState(ctx context.Context, tx pgx.Tx, entity string, id, revisionID int64) ([]byte, error) {
	var after []byte
	err := tx.QueryRow(ctx, `SELECT after FROM revision WHERE id = $1 AND entity = $2 AND entity_id = $3`,
		revisionID, entity, id).Scan(&after)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("revision %d of %s %d: %w", revisionID, entity, id, ErrNotFound)
	}
	if err != nil || after == nil {
		return nil, fmt.Errorf("revision %d of %s %d has no state to restore: %w", revisionID, entity, id, ErrInvalid)
	}
	return after, nil
}

// RestoreZone brings a zone back to its state after an earlier revision (its
// boundary and fields, and live again if it was retired). The restore is
// itself a new revision; the zone rejoins its old platform when that
// platform is live and the zone is free to join. version is the zone's
// version the restore was decided on (ConflictError when it moved on).
func (s *Store) RestoreZone(ctx context.Context, id int64, version int, revisionID int64, c Change) (Zone, error) {
	return s.restoreZone(ctx, id, version, revisionID, c, false)
}

// UndoZone is RestoreZone limited to undoing c.Actor's own latest change of
// the zone (what an editor may do): revisionID must be the revision before it.
func (s *Store) UndoZone(ctx context.Context, id int64, version int, revisionID int64, c Change) (Zone, error) {
	return s.restoreZone(ctx, id, version, revisionID, c, true)
}

func (s *Store) restoreZone(ctx context.Context, id int64, version int, revisionID int64, c Change, undoOnly bool) (Zone, error) {
	var z Zone
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The zone and its merge's or split's sources and successors are
		// locked together, in the global order, before they are checked.
		relatives, err := landRelatives(ctx, tx, id)
		if err != nil {
			return err
		}
		locked, err := lockZones(ctx, tx, append(relatives, id))
		if err != nil {
			return err
		}
		before, ok := locked[id]
		if !ok {
			return fmt.Errorf("zone %d: %w", id, ErrNotFound)
		}
		if before.Version != version {
			return &ConflictError{Entity: "zone", ID: id, Expected: version, Current: before.Version}
		}
		raw, err := revisionState(ctx, tx, "zone", id, revisionID)
		if err != nil {
			return err
		}
		if undoOnly {
			if err := checkOwnLastChange(ctx, tx, "zone", id, revisionID, c.Actor); err != nil {
				return err
			}
		}
		if err := checkNoLiveSuccessor(ctx, tx, before); err != nil {
			return err
		}
		if err := checkNoLiveSource(ctx, tx, before); err != nil {
			return err
		}
		var snap zoneState
		if err := snap.decode(raw); err != nil {
			return fmt.Errorf("revision %d: %w", revisionID, err)
		}
		g, err := encodeGeom(snap.Geometry.Geometry())
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE zone SET kind = $2, name = $3, county_adcode = $4, disposition = $5,
			approved_area_ha = $6, document_no = nullif($7, ''), attributes = $8, geom = ST_Multi(ST_GeomFromWKB($9, 4490)),
			retired_at = NULL, merged_into = NULL, version = version + 1, updated_at = now(), updated_by = $10 WHERE id = $1`,
			id, snap.Kind, snap.Name, snap.CountyAdcode, snap.Disposition, snap.ApprovedAreaHa, snap.DocumentNo,
			encodeAttributes(snap.Attributes), g, nullable(c.Actor)); err != nil {
			return fmt.Errorf("restore zone %d: %w", id, classify(err))
		}
		// Rejoining the old platform is a membership change: lock it (after
		// the zone, in the global order) and record it in its history.
		lockIDs := platformsOf(before)
		if snap.PlatformID != nil && before.PlatformID == nil {
			lockIDs = append(lockIDs, *snap.PlatformID)
		}
		platforms, err := lockPlatforms(ctx, tx, lockIDs)
		if err != nil {
			return err
		}
		affected := platformsOf(before)
		if snap.PlatformID != nil && before.PlatformID == nil {
			if p, ok := platforms[*snap.PlatformID]; ok && p.RetiredAt == nil {
				if err := addMembership(ctx, tx, id, *snap.PlatformID, c); err != nil {
					return fmt.Errorf("restore zone %d: %w", id, err)
				}
				affected = append(affected, *snap.PlatformID)
			}
		}
		if err := recordMembership(ctx, tx, platforms, "member_restored", c); err != nil {
			return err
		}
		if z, err = getZone(ctx, tx, id, false); err != nil {
			return err
		}
		rc := c // the transaction may run again: keep c as given
		rc.Reason = fmt.Sprintf("restored revision %d. %s", revisionID, c.Reason)
		if err := addRevision(ctx, tx, "zone", id, z.Version, "restore", rc, zoneSnapshot(before), zoneSnapshot(z)); err != nil {
			return err
		}
		return publishZones(ctx, tx, z.ScenarioID, affected, before.Geom.Bound(), z.Geom.Bound())
	})
	return z, err
}

// RestorePlatform brings a platform back to its state after an earlier
// revision: its fields, live status and those former members that are live
// and in no other platform. version is as for RestoreZone.
func (s *Store) RestorePlatform(ctx context.Context, id int64, version int, revisionID int64, c Change) (Platform, error) {
	return s.restorePlatform(ctx, id, version, revisionID, c, false)
}

// UndoPlatform is RestorePlatform limited to undoing c.Actor's own latest
// change of the platform: revisionID must be the revision before it.
func (s *Store) UndoPlatform(ctx context.Context, id int64, version int, revisionID int64, c Change) (Platform, error) {
	return s.restorePlatform(ctx, id, version, revisionID, c, true)
}

func (s *Store) restorePlatform(ctx context.Context, id int64, version int, revisionID int64, c Change, undoOnly bool) (Platform, error) {
	var p Platform
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The revision's members are locked with the platform's (zones
		// first); a stale version is reported before a wrong revision.
		raw, revErr := revisionState(ctx, tx, "platform", id, revisionID)
		var members struct {
			ZoneIDs []int64 `json:"zone_ids"`
		}
		if revErr == nil {
			if err := json.Unmarshal(raw, &members); err != nil {
				return fmt.Errorf("revision %d: %w", revisionID, err)
			}
		}
		before, _, err := lockPlatformWithMembers(ctx, tx, id, members.ZoneIDs)
		if err != nil {
			return err
		}
		if before.Version != version {
			return &ConflictError{Entity: "platform", ID: id, Expected: version, Current: before.Version}
		}
		if revErr != nil {
			return revErr
		}
		if undoOnly {
			if err := checkOwnLastChange(ctx, tx, "platform", id, revisionID, c.Actor); err != nil {
				return err
			}
		}
		var snap platformState
		if err := json.Unmarshal(raw, &snap); err != nil {
			return fmt.Errorf("revision %d: %w", revisionID, err)
		}
		snap.Retired = false // a restore brings the platform back
		rc := c              // the transaction may run again: keep c as given
		rc.Reason = fmt.Sprintf("restored revision %d. %s", revisionID, c.Reason)
		if err := writePlatformState(ctx, tx, before, &snap, "restore", rc); err != nil {
			return err
		}
		if p, err = getPlatform(ctx, tx, id, false); err != nil {
			return err
		}
		return publishPlatforms(ctx, tx, p.ScenarioID, []int64{id}, nil)
	})
	return p, err
}

// SuccessorLiveError refuses to bring back a zone that was merged or split
// while what it became is live: its land would then be counted twice.
type SuccessorLiveError struct {
	ID         int64
	Name       string
	Split      bool   // split (else merged)
	Sources    bool   // the zone was made by the merge or split, and the zones it was made of are live
	Successors []Zone // the live zones that hold its land (id and name)
}

func (e *SuccessorLiveError) Error() string {
	names := make([]string, len(e.Successors))
	for i, z := range e.Successors {
		names[i] = fmt.Sprintf("zone %d (%s)", z.ID, z.Name)
	}
	list := strings.Join(names, ", ")
	if e.Sources {
		how := map[bool]string{true: "splitting", false: "merging"}[e.Split]
		return fmt.Sprintf("zone %d (%s) was made by %s %s, which are live again: restoring it would count that land twice. "+
			"Redo the %s (which retires them and brings this zone back), or retire them first and then restore this zone",
			e.ID, e.Name, how, list, map[bool]string{true: "split", false: "merge"}[e.Split])
	}
	if e.Split {
		return fmt.Sprintf("zone %d (%s) was split, and its land is live in %s: restoring it would count that land twice. "+
			"Undo the split (which brings this zone back and retires the pieces), or retire the pieces first and then restore this zone",
			e.ID, e.Name, list)
	}
	return fmt.Sprintf("zone %d (%s) was merged, and its land is live in %s: restoring it would count that land twice. "+
		"Undo the merge (which brings back its sources and retires the merged zone), or retire the merged zone first and then restore this zone",
		e.ID, e.Name, list)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *SuccessorLiveError) Is(target error) bool { return target == ErrConflict }

// checkNoLiveSuccessor refuses to restore a zone retired by a merge or a
// split while a zone that holds its land is live: the merged zone, the
// pieces, or, where those were merged or split again in turn, what they
// became. The successors are locked, so none comes back while this restore
// runs; each was created after the zone it came from, so its id is larger and
// the locks are taken in the global order but for rare chains of several
// generations (a deadlock there is retried like any other).
func checkNoLiveSuccessor(ctx context.Context, tx pgx.Tx, z Zone) error {
	if z.RetiredAt == nil || z.MergedInto == nil {
		return nil
	}
	pieces, err := splitInto(ctx, tx, z)
	if err != nil {
		return err
	}
	e := &SuccessorLiveError{ID: z.ID, Name: z.Name, Split: pieces != nil}
	next := pieces
	if next == nil {
		next = []int64{*z.MergedInto}
	}
	seen := map[int64]bool{z.ID: true}
	for len(next) > 0 && len(seen) < 1000 {
		locked, err := lockZones(ctx, tx, next)
		if err != nil {
			return err
		}
		var after []int64
		for _, id := range sortedUnique(next) {
			s, ok := locked[id]
			if !ok || seen[id] {
				continue
			}
			seen[id] = true
			if s.RetiredAt == nil {
				e.Successors = append(e.Successors, s)
				continue
			}
			if s.MergedInto == nil {
				continue // retired outright: its land is no longer counted
			}
			more, err := splitInto(ctx, tx, s)
			if err != nil {
				return err
			}
			if more == nil {
				more = []int64{*s.MergedInto}
			}
			after = append(after, more...)
		}
		next = after
	}
	if len(e.Successors) > 0 {
		return e
	}
	return nil
}

// sourcesOf are the zones a merge or a split made zone id of (those the
// operation that created it retired), and that operation's action; none
// for a zone drawn, imported or copied.
func sourcesOf(ctx context.Context, q querier, id int64) ([]int64, string, error) {
	var ids []int64
	var action string
	err := q.QueryRow(ctx, `SELECT c.action, coalesce(array_agg(DISTINCT s.entity_id ORDER BY s.entity_id)
			FILTER (WHERE s.entity_id IS NOT NULL), '{}')
		FROM revision c LEFT JOIN revision s ON s.op = c.op AND s.entity = 'zone' AND s.entity_id <> c.entity_id
			AND s.before IS NOT NULL AND s.action IN ('merged_into', 'split')
		WHERE c.entity = 'zone' AND c.entity_id = $1 AND c.before IS NULL AND c.action IN ('merge', 'split')
		GROUP BY c.id ORDER BY c.id LIMIT 1`, id).Scan(&action, &ids)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("sources of zone %d: %w", id, err)
	}
	return ids, action, nil
}

// landRelatives are the zones whose land zone id shares through a merge or
// a split: its sources, what it was merged into and the pieces it was split
// into (read without locks, to be locked with the zone in the global order;
// later generations are locked as the checks walk to them).
func landRelatives(ctx context.Context, tx pgx.Tx, id int64) ([]int64, error) {
	ids, _, err := sourcesOf(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	z, err := getZone(ctx, tx, id, false)
	if errors.Is(err, ErrNotFound) {
		return ids, nil
	}
	if err != nil {
		return nil, err
	}
	if z.MergedInto != nil {
		ids = append(ids, *z.MergedInto)
	}
	pieces, err := splitInto(ctx, tx, z)
	return append(ids, pieces...), err
}

// checkNoLiveSource refuses to restore a zone made by a merge or a split
// while the zones it was made of are live again (the merge or split was
// undone, or they were restored since): their land would be counted twice.
func checkNoLiveSource(ctx context.Context, tx pgx.Tx, z Zone) error {
	if z.RetiredAt == nil {
		return nil
	}
	ids, action, err := sourcesOf(ctx, tx, z.ID)
	if err != nil || len(ids) == 0 {
		return err
	}
	locked, err := lockZones(ctx, tx, ids)
	if err != nil {
		return err
	}
	e := &SuccessorLiveError{ID: z.ID, Name: z.Name, Split: action == "split", Sources: true}
	for _, id := range ids {
		if src, ok := locked[id]; ok && src.RetiredAt == nil {
			e.Successors = append(e.Successors, src)
		}
	}
	if len(e.Successors) > 0 {
		return e
	}
	return nil
}
