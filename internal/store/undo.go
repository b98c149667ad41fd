package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Undo and redo are kept by the server, per user, from the revision history,
// so they cover every operation and survive a reload. An operation is the
// set of revisions one write made (migration 0008). A user's stacks follow
// from their operations in order: an ordinary write goes on the undo stack
// and empties the redo stack; an undo takes the top of the undo stack to the
// redo stack; a redo (the undo of an undo) takes it back. Revisions from
// before operations were recorded (migration 0008) are not on the stacks:
// which of them belonged together is not known (restore those from a
// zone's history instead).

// Operation is one of a user's writes as undo and redo see it.
type Operation struct {
	Op      int64      `json:"op"`
	Undoes  *int64     `json:"undoes,omitempty"`
	At      time.Time  `json:"at"`
	Changes []OpChange `json:"changes"`
	// Origin: for an undo or a redo, the changes of the user's own write
	// it takes back or brings back in the end, which name it in the page
	// ("redo: merge 甲乙", not "redo: undo 甲乙").
	Origin []OpChange `json:"origin,omitempty"`
}

// OpChange is one entity an operation changed.
type OpChange struct {
	Entity string `json:"entity"`
	ID     int64  `json:"id"`
	Action string `json:"action"`
	Name   string `json:"name"`
}

// UndoResult lists what an undo or redo changed.
type UndoResult struct {
	Operation Operation `json:"operation"`
	Zones     []int64   `json:"zones"`
	Platforms []int64   `json:"platforms"`
	Layers    []int64   `json:"layers"`
}

// ErrNothingToUndo is returned when the stack asked for is empty.
var ErrNothingToUndo = errors.New("nothing to undo or redo")

// ErrUndoMovedOn is returned when the operation at the top of the stack is
// not the one the caller expected (another tab or client moved on).
var ErrUndoMovedOn = errors.New("the operation to undo or redo is no longer the latest: reload the list")

// UndoConflictError says that an entity of the operation to undo changed
// since, so undoing it would overwrite someone's later change.
type UndoConflictError struct {
	Entity string
	ID     int64
	Name   string
	By     string
	At     time.Time
}

func (e *UndoConflictError) Error() string {
	return fmt.Sprintf("%s %d (%s) was changed since by %s at %s: undoing would overwrite that change; look at its history and restore a version there instead",
		e.Entity, e.ID, e.Name, orUnknown(e.By), e.At.Format(time.DateTime))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *UndoConflictError) Is(target error) bool { return target == ErrConflict }

func orUnknown(s string) string {
	if s == "" {
		return "someone"
	}
	return s
}

// maxOps bounds how far back a user's stacks are read.
const maxOps = 500

// UndoStacks returns a user's undo and redo stacks, the next one last.
func (s *Store) UndoStacks(ctx context.Context, actor string) (undo, redo []Operation, err error) {
	return undoStacks(ctx, s.db, actor, s.scenario)
}

// undoStacks are an actor's operations in a scenario (0: the official data).
func undoStacks(ctx context.Context, q dbtx, actor string, scenario int64) (undo, redo []Operation, err error) {
	if actor == "" {
		return nil, nil, nil
	}
	rows, err := q.Query(ctx, `
		SELECT r.op, r.undoes, r.at, r.entity, r.entity_id, r.action, coalesce(r.after->>'name', r.before->>'name', '')
		FROM (SELECT op, undoes, at, entity, entity_id, action, before, after, id
		      FROM revision WHERE actor = $1 AND scenario_id = $3 AND op IN (
		          SELECT o FROM (SELECT op AS o, max(id) AS last FROM revision
		                         WHERE actor = $1 AND scenario_id = $3 AND op IS NOT NULL
		                         GROUP BY 1 ORDER BY 2 DESC LIMIT $2) recent)) r
		ORDER BY r.id`, actor, maxOps, scenario)
	if err != nil {
		return nil, nil, fmt.Errorf("undo stacks of %s: %w", actor, err)
	}
	defer rows.Close()
	var ops []*Operation
	byOp := map[int64]*Operation{}
	for rows.Next() {
		var op int64
		var undoes *int64
		var at time.Time
		var ch OpChange
		if err := rows.Scan(&op, &undoes, &at, &ch.Entity, &ch.ID, &ch.Action, &ch.Name); err != nil {
			return nil, nil, fmt.Errorf("undo stacks of %s: %w", actor, err)
		}
		o := byOp[op]
		if o == nil {
			o = &Operation{Op: op, Undoes: undoes, At: at}
			byOp[op] = o
			ops = append(ops, o)
		}
		o.Changes = append(o.Changes, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, o := range ops {
		if o.Undoes != nil {
			if taken := byOp[*o.Undoes]; taken != nil {
				o.Origin = taken.Origin
				if o.Origin == nil {
					o.Origin = taken.Changes
				}
			}
		}
		switch {
		case o.Undoes != nil && len(undo) > 0 && undo[len(undo)-1].Op == *o.Undoes:
			undo = undo[:len(undo)-1]
			redo = append(redo, *o)
		case o.Undoes != nil && len(redo) > 0 && redo[len(redo)-1].Op == *o.Undoes:
			redo = redo[:len(redo)-1]
			undo = append(undo, *o)
		default:
			undo = append(undo, *o)
			redo = nil
		}
	}
	return undo, redo, nil
}

// Undo takes back c.Actor's latest operation on the undo stack (redo: brings
// back the latest undone one) as one new operation, provided nothing it
// changed has changed since (UndoConflictError otherwise).
// expectedOp, when not nil, must be the operation at the top (the one the
// caller showed); ErrUndoMovedOn otherwise.
func (s *Store) Undo(ctx context.Context, redo bool, expectedOp *int64, c Change) (UndoResult, error) {
	var res UndoResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		res = UndoResult{}
		// One undo or redo of a user at a time (two tabs): they read the
		// stacks, so they must not both take back the same operation.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('wanmu-undo:' || $1))`, c.Actor); err != nil {
			return err
		}
		undoStack, redoStack, err := undoStacks(ctx, tx, c.Actor, s.scenario)
		if err != nil {
			return err
		}
		stack, action := undoStack, "undo"
		if redo {
			stack, action = redoStack, "redo"
		}
		if len(stack) == 0 {
			return ErrNothingToUndo
		}
		res.Operation = stack[len(stack)-1]
		if expectedOp != nil && *expectedOp != res.Operation.Op {
			return ErrUndoMovedOn
		}
		return takeBack(ctx, tx, res.Operation.Op, action, c, &res)
	})
	return res, err
}

// opState is, for one entity of an operation, its state before the
// operation (nil: it did not exist) and its version after it.
type opState struct {
	entity string
	id     int64
	before json.RawMessage
	after  json.RawMessage // the state the operation left
}

// takeBack writes back the state before operation op of every entity it changed.
func takeBack(ctx context.Context, tx pgx.Tx, op int64, action string, c Change, res *UndoResult) error {
	rows, err := tx.Query(ctx, `SELECT entity, entity_id, before, after FROM revision WHERE op = $1 ORDER BY id`, op)
	if err != nil {
		return fmt.Errorf("operation %d: %w", op, err)
	}
	var states []*opState
	seen := map[string]*opState{}
	for rows.Next() {
		var st opState
		if err := rows.Scan(&st.entity, &st.id, &st.before, &st.after); err != nil {
			rows.Close()
			return err
		}
		key := fmt.Sprintf("%s/%d", st.entity, st.id)
		if first := seen[key]; first != nil {
			first.after = st.after // the state before is the first's, the state after the last's
			continue
		}
		seen[key] = &st
		states = append(states, &st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A layer's load or switch is an operation of its own.
	var layers []*opState
	states = slices.DeleteFunc(states, func(st *opState) bool {
		if st.entity == "layer" {
			layers = append(layers, st)
		}
		return st.entity == "layer"
	})
	if len(layers) > 0 {
		if _, err := tx.Exec(ctx, `SELECT set_config('wanmu.undoes', $1, true)`, strconv.FormatInt(op, 10)); err != nil {
			return err
		}
		return takeBackLayers(ctx, tx, layers, action, c, res)
	}

	// Lock every zone the operation changed or whose membership it changes
	// back, then every platform involved (the global order): the
	// operation's own and those its zones belong to.
	var zoneIDs, platformIDs []int64
	targets := map[int64]*platformState{} // nil: the platform did not exist before
	zoneTargets := map[int64]*zoneState{} // nil: the zone did not exist before
	for _, st := range states {
		if st.entity == "zone" {
			zoneIDs = append(zoneIDs, st.id)
			zoneTargets[st.id] = nil
			if st.before != nil {
				var zs zoneState
				if err := zs.decode(st.before); err != nil {
					return fmt.Errorf("operation %d: zone %d: %w", op, st.id, err)
				}
				zoneTargets[st.id] = &zs
				if zs.MergedInto != nil { // its foreign key locks that zone too
					zoneIDs = append(zoneIDs, *zs.MergedInto)
				}
				if !zs.Retired { // perhaps brought back: checked against its relatives below
					relatives, err := landRelatives(ctx, tx, st.id)
					if err != nil {
						return err
					}
					zoneIDs = append(zoneIDs, relatives...)
				}
			}
			continue
		}
		targets[st.id] = nil
		platformIDs = append(platformIDs, st.id)
		if st.before != nil {
			var ps platformState
			if err := json.Unmarshal(st.before, &ps); err != nil {
				return fmt.Errorf("operation %d: platform %d: %w", op, st.id, err)
			}
			targets[st.id] = &ps
			zoneIDs = append(zoneIDs, ps.ZoneIDs...)
		}
	}
	var members []int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(zone_id), '{}') FROM platform_member WHERE platform_id = ANY($1)`,
		platformIDs).Scan(&members); err != nil {
		return err
	}
	zones, err := lockZones(ctx, tx, append(zoneIDs, members...))
	if err != nil {
		return err
	}
	for _, z := range zones {
		if z.PlatformID != nil {
			platformIDs = append(platformIDs, *z.PlatformID)
		}
	}
	platforms, err := lockPlatforms(ctx, tx, platformIDs)
	if err != nil {
		return err
	}
	// The operation's platforms get their members rewritten: all of them
	// must be locked (one may have joined between the read and the lock).
	for _, st := range states {
		if st.entity != "platform" {
			continue
		}
		for _, z := range platforms[st.id].ZoneIDs {
			if _, ok := zones[z]; !ok {
				return errRestart
			}
		}
	}
	for _, st := range states {
		if err := checkUnchangedSince(ctx, tx, st, zones, platforms); err != nil {
			return err
		}
	}
	if err := checkMembershipsSince(ctx, tx, zoneTargets, targets, zones, platforms); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('wanmu.undoes', $1, true)`, strconv.FormatInt(op, 10)); err != nil {
		return err
	}

	var bounds []orb.Bound
	for _, st := range states {
		if st.entity != "zone" {
			continue
		}
		cur := zones[st.id]
		bounds = append(bounds, cur.Geom.Bound())
		if zs := zoneTargets[st.id]; zs == nil {
			if cur.RetiredAt == nil {
				if err := retireZone(ctx, tx, cur, nil, c, action); err != nil {
					return err
				}
			}
		} else {
			if err := writeZoneState(ctx, tx, cur, *zs, action, c); err != nil {
				return err
			}
			bounds = append(bounds, zs.Geometry.Geometry().Bound()) // the outline brought back
		}
		res.Zones = append(res.Zones, st.id)
	}
	// A zone brought back must not count land twice, as for a restore: an
	// undo of the deletion of a merged zone whose sources were restored
	// since is refused (the zones this operation retires are retired by now).
	for _, st := range states {
		cur, zs := zones[st.id], zoneTargets[st.id]
		if st.entity != "zone" || zs == nil || zs.Retired || cur.RetiredAt == nil {
			continue
		}
		if err := checkNoLiveSuccessor(ctx, tx, cur); err != nil {
			return err
		}
		if err := checkNoLiveSource(ctx, tx, cur); err != nil {
			return err
		}
	}
	for _, st := range states {
		if st.entity != "platform" {
			continue
		}
		if err := writePlatformState(ctx, tx, platforms[st.id], targets[st.id], action, c); err != nil {
			return err
		}
		res.Platforms = append(res.Platforms, st.id)
	}
	// Platforms outside the operation whose members changed with it (a zone
	// it created joined one since) record that too.
	others := map[int64]Platform{}
	for id, p := range platforms {
		if !slices.Contains(res.Platforms, id) {
			others[id] = p
		}
	}
	if err := recordMembership(ctx, tx, others, action, c); err != nil {
		return err
	}
	for id := range others {
		res.Platforms = append(res.Platforms, id)
	}
	slices.Sort(res.Platforms)
	res.Platforms = slices.Compact(res.Platforms)
	// Announced in the scenarios of the rows written (one, but for an
	// operation such as an adoption that wrote to two).
	var scenarios []int64
	for _, z := range zones {
		scenarios = append(scenarios, z.ScenarioID)
	}
	for _, p := range platforms {
		scenarios = append(scenarios, p.ScenarioID)
	}
	slices.Sort(scenarios)
	for _, sc := range slices.Compact(scenarios) {
		if err := publishZones(ctx, tx, sc, res.Platforms, bounds...); err != nil {
			return err
		}
	}
	return nil
}

// checkUnchangedSince refuses to undo an operation when one of its entities
// is no longer as the operation left it (someone changed it since). The
// states are compared, not the versions, so that undoing a later operation
// first (which leaves the state as it was) does not block this one.
func checkUnchangedSince(ctx context.Context, tx pgx.Tx, st *opState, zones map[int64]Zone, platforms map[int64]Platform) error {
	var current map[string]any
	var name string
	if st.entity == "zone" {
		z, ok := zones[st.id]
		if !ok {
			return fmt.Errorf("zone %d: %w", st.id, ErrNotFound)
		}
		// Membership is compared on the platforms' side.
		current, name = zoneSnapshot(z), z.Name
	} else {
		p, ok := platforms[st.id]
		if !ok {
			return fmt.Errorf("platform %d: %w", st.id, ErrNotFound)
		}
		current, name = platformSnapshot(p), p.Name
	}
	if sameState(current, st.after) {
		return nil
	}
	e := &UndoConflictError{Entity: st.entity, ID: st.id, Name: name}
	_ = tx.QueryRow(ctx, `SELECT coalesce(actor, ''), at FROM revision WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 1`,
		st.entity, st.id).Scan(&e.By, &e.At)
	return e
}

// checkMembershipsSince refuses an undo that would change, or could only
// partly restore, a membership someone changed since: a zone of the
// operation that is now in a platform outside it (the undo would take it
// out of a platform someone put it in), and a zone a platform of the
// operation had before that is now retired or in another platform.
func checkMembershipsSince(ctx context.Context, tx pgx.Tx, zoneTargets map[int64]*zoneState, targets map[int64]*platformState,
	zones map[int64]Zone, platforms map[int64]Platform) error {
	inOp := func(platformID int64) bool { _, ok := targets[platformID]; return ok }
	conflict := func(entity string, id int64, name string) error {
		e := &UndoConflictError{Entity: entity, ID: id, Name: name}
		_ = tx.QueryRow(ctx, `SELECT coalesce(actor, ''), at FROM revision WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 1`,
			entity, id).Scan(&e.By, &e.At)
		return e
	}
	for id, zs := range zoneTargets {
		retires := zs == nil || zs.Retired
		if z := zones[id]; retires && z.PlatformID != nil && !inOp(*z.PlatformID) {
			return conflict("platform", *z.PlatformID, platforms[*z.PlatformID].Name)
		}
	}
	for pid, ps := range targets {
		if ps == nil || ps.Retired {
			continue
		}
		for _, zid := range ps.ZoneIDs {
			if _, ok := zoneTargets[zid]; ok {
				continue // the undo brings it back itself
			}
			z, ok := zones[zid]
			if !ok || z.RetiredAt != nil {
				return conflict("zone", zid, z.Name)
			}
			if z.PlatformID != nil && *z.PlatformID != pid && !inOp(*z.PlatformID) {
				return conflict("platform", *z.PlatformID, platforms[*z.PlatformID].Name)
			}
		}
	}
	return nil
}

// sameState compares a current snapshot with a recorded one, leaving out
// what every write changes (version) and what is derived or kept elsewhere
// (area, a zone's platform).
func sameState(current map[string]any, recorded json.RawMessage) bool {
	var rec map[string]any
	if json.Unmarshal(recorded, &rec) != nil {
		return false
	}
	raw, err := json.Marshal(current)
	if err != nil {
		return false
	}
	var cur map[string]any
	if json.Unmarshal(raw, &cur) != nil {
		return false
	}
	for _, k := range []string{"version", "area_m2", "platform_id"} {
		delete(rec, k)
		delete(cur, k)
	}
	return reflect.DeepEqual(rec, cur)
}

// zoneState is a zone's state as a revision records it.
type zoneState struct {
	Kind           string            `json:"kind"`
	Name           string            `json:"name"`
	CountyAdcode   string            `json:"county_adcode"`
	Disposition    string            `json:"disposition"`
	DocumentNo     string            `json:"document_no"`
	ApprovedAreaHa *float64          `json:"approved_area_ha"`
	Attributes     map[string]any    `json:"attributes"`
	PlatformID     *int64            `json:"platform_id"`
	MergedInto     *int64            `json:"merged_into"`
	Retired        bool              `json:"retired"`
	Geometry       *geojson.Geometry `json:"geometry"`
}

func (zs *zoneState) decode(raw []byte) error {
	if err := json.Unmarshal(raw, zs); err != nil {
		return err
	}
	if zs.Geometry == nil {
		return fmt.Errorf("the revision holds no geometry: %w", ErrInvalid)
	}
	// Read the attributes again keeping integers and reals apart (see
	// decodeAttributes).
	var attrs struct {
		Attributes json.RawMessage `json:"attributes"`
	}
	if err := json.Unmarshal(raw, &attrs); err != nil {
		return err
	}
	a, err := decodeAttributes(attrs.Attributes)
	if err != nil {
		return err
	}
	zs.Attributes = a
	return nil
}

// writeZoneState makes a locked zone what zs says — fields, geometry
// (exactly as recorded) and live or retired — and records the revision.
// Membership is the platforms' business (writePlatformState); a zone that
// becomes retired leaves its platform.
func writeZoneState(ctx context.Context, tx pgx.Tx, cur Zone, zs zoneState, action string, c Change) error {
	g, err := encodeGeom(zs.Geometry.Geometry())
	if err != nil {
		return err
	}
	if zs.Retired {
		if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE zone_id = $1`, cur.ID); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE zone SET kind = $2, name = $3, county_adcode = $4, disposition = $5,
		approved_area_ha = $6, document_no = nullif($7, ''), attributes = $8, geom = ST_Multi(ST_GeomFromWKB($9, 4490)),
		retired_at = CASE WHEN $10 THEN coalesce(retired_at, now()) END, merged_into = $11,
		version = version + 1, updated_at = now(), updated_by = $12 WHERE id = $1`,
		cur.ID, zs.Kind, zs.Name, zs.CountyAdcode, zs.Disposition, zs.ApprovedAreaHa, zs.DocumentNo,
		encodeAttributes(zs.Attributes), g, zs.Retired, zs.MergedInto, nullable(c.Actor)); err != nil {
		return fmt.Errorf("%s zone %d: %w", action, cur.ID, classify(err))
	}
	after, err := getZone(ctx, tx, cur.ID, false)
	if err != nil {
		return err
	}
	return addRevision(ctx, tx, "zone", cur.ID, after.Version, action, c, zoneSnapshot(cur), zoneSnapshot(after))
}

// platformState is a platform's state as a revision records it.
type platformState struct {
	Name        string         `json:"name"`
	Role        string         `json:"role"`
	Counties    []string       `json:"counties"`
	ThresholdMu float64        `json:"threshold_mu"`
	Targets     map[string]any `json:"targets"`
	Indicators  map[string]any `json:"indicators"`
	Note        string         `json:"note"`
	ZoneIDs     []int64        `json:"zone_ids"`
	Retired     bool           `json:"retired"`
}

// writePlatformState makes a locked platform what ps says (nil: it did not
// exist, so it is retired): its fields, live or retired, and its members —
// those of ps.ZoneIDs that are live and in no other platform.
func writePlatformState(ctx context.Context, tx pgx.Tx, cur Platform, ps *platformState, action string, c Change) error {
	if ps == nil {
		ps = &platformState{Name: cur.Name, Role: cur.Role, Counties: cur.Counties, ThresholdMu: cur.ThresholdMu,
			Targets: cur.Targets, Indicators: cur.Indicators, Note: cur.Note, Retired: true}
	}
	if ps.Counties == nil {
		ps.Counties = []string{}
	}
	if _, err := tx.Exec(ctx, `UPDATE platform SET name = $2, role = $3, counties = $4, threshold_mu = $5, targets = $6,
		indicators = $7, note = $8, retired_at = CASE WHEN $9 THEN coalesce(retired_at, now()) END,
		version = version + 1, updated_at = now(), updated_by = $10 WHERE id = $1`,
		cur.ID, ps.Name, ps.Role, ps.Counties, ps.ThresholdMu, orEmpty(ps.Targets), orEmpty(ps.Indicators), ps.Note,
		ps.Retired, nullable(c.Actor)); err != nil {
		return fmt.Errorf("%s platform %d: %w", action, cur.ID, classify(err))
	}
	if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE platform_id = $1`, cur.ID); err != nil {
		return err
	}
	if !ps.Retired {
		if _, err := tx.Exec(ctx, `INSERT INTO platform_member (zone_id, platform_id, added_by)
			SELECT z.id, $1, $3 FROM zone z WHERE z.id = ANY($2) AND z.retired_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM platform_member m WHERE m.zone_id = z.id)`, cur.ID, ps.ZoneIDs, nullable(c.Actor)); err != nil {
			return err
		}
	}
	after, err := getPlatform(ctx, tx, cur.ID, false)
	if err != nil {
		return err
	}
	return addRevision(ctx, tx, "platform", cur.ID, after.Version, action, c, platformSnapshot(cur), platformSnapshot(after))
}
