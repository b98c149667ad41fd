package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// TestConcurrentWrites races merges, splits, membership changes, edits,
// retirements, restores, undos and redos on the same few zones and platforms, then checks
// what must hold whatever the interleaving: no zone in two platforms or a
// retired zone in any; every platform's and zone's latest revision is its
// current state (so no membership changed without a revision); every write
// that succeeded is in the history and no failed one left a trace; each
// report's member sum is the sum of its members' areas; each revision of a
// zone or platform starts from the state the one before it left (so no
// member came or went without a revision). Many workers on few zones make
// the writes collide (races, retried deadlocks). The number of operations
// is fixed, so the time is bounded; the counts are printed.
func TestConcurrentWrites(t *testing.T) {
	st, ctx := newStore(t)
	start := time.Now()
	const side = 3
	var zoneIDs []int64
	for i := range side {
		for j := range side {
			w, s := 119.90+float64(i)*0.005, 28.40+float64(j)*0.005
			zoneIDs = append(zoneIDs, mustZone(t, st, fmt.Sprintf("Z%d%d", i, j), rect(w, s, w+0.005, s+0.005)).ID)
		}
	}
	mustPlatform(t, st, "P1", zoneIDs[:4]...)
	mustPlatform(t, st, "P2", zoneIDs[4:7]...)

	const workers, opsEach = 12, 60
	type outcome struct {
		tag, kind  string
		ok         bool
		worker     int
		targets    []string // the zones and platforms it wrote, as far as known
		start, end time.Time
	}
	var mu sync.Mutex
	var outcomes []outcome
	counts := map[string][2]int{} // kind → [succeeded, refused]
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 2055))
			for i := range opsEach {
				tag := fmt.Sprintf("op-%d-%d", w, i)
				began := time.Now()
				kind, targets, err := randomWrite(ctx, st, rng, tag)
				if kind == "" {
					continue
				}
				expected := err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrInvalid) ||
					errors.Is(err, store.ErrGone) || errors.Is(err, store.ErrNotFound)
				if !expected {
					t.Errorf("%s (%s): %v", tag, kind, err)
				}
				mu.Lock()
				outcomes = append(outcomes, outcome{tag, kind, err == nil, w, targets, began, time.Now()})
				c := counts[kind]
				if err == nil {
					c[0]++
				} else {
					c[1]++
				}
				counts[kind] = c
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	// A race: two workers' writes to a common zone or platform that ran at
	// the same time (only those whose targets are known: not undos refused).
	races := 0
	for i, a := range outcomes {
		for _, b := range outcomes[i+1:] {
			if a.worker != b.worker && a.start.Before(b.end) && b.start.Before(a.end) &&
				slices.ContainsFunc(a.targets, func(x string) bool { return slices.Contains(b.targets, x) }) {
				races++
			}
		}
	}
	stats := st.Stats()
	t.Logf("%d writes by %d workers on %d zones in %.1fs: %d races (overlapping writes to a common zone or platform); retried %d (restarted %d), gave up %d",
		len(outcomes), workers, len(zoneIDs), time.Since(start).Seconds(), races, stats.Retries.Load(), stats.Restarts.Load(), stats.GaveUp.Load())
	if races == 0 {
		t.Fatal("no two writes overlapped on a common zone or platform: the suite raced nothing")
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range counts {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Logf("  %-10s %3d succeeded, %3d refused (stale version, retired, invalid, successor live)", k, counts[k][0], counts[k][1])
	}
	if stats.GaveUp.Load() > 0 {
		t.Errorf("%d writes gave up after repeated deadlocks", stats.GaveUp.Load())
	}
	if counts["merge"][0] == 0 || counts["members"][0] == 0 {
		t.Errorf("the race did not exercise merges and membership changes: %v", counts)
	}

	pool := st.Pool()
	var dup, retiredMember int
	if err := pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM (SELECT zone_id FROM platform_member GROUP BY zone_id HAVING count(*) > 1) d),
		(SELECT count(*) FROM platform_member m JOIN zone z ON z.id = m.zone_id WHERE z.retired_at IS NOT NULL)`).Scan(&dup, &retiredMember); err != nil {
		t.Fatal(err)
	}
	if dup > 0 || retiredMember > 0 {
		t.Errorf("%d zones in two platforms, %d retired zones in a platform", dup, retiredMember)
	}

	// Every platform's latest revision is its current state.
	platforms, err := st.ListPlatforms(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range platforms {
		var after struct {
			Version int     `json:"version"`
			ZoneIDs []int64 `json:"zone_ids"`
		}
		latest(t, st, "platform", p.ID, &after)
		if after.Version != p.Version || !slices.Equal(orNone(after.ZoneIDs), orNone(p.ZoneIDs)) {
			t.Errorf("platform %s: latest revision says version %d members %v; it is at version %d with %v",
				p.Name, after.Version, after.ZoneIDs, p.Version, p.ZoneIDs)
		}
		if p.RetiredAt != nil {
			continue
		}
		r, err := st.Report(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		zs, err := st.ListZones(ctx, store.ZoneFilter{PlatformID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range zs {
			sum += z.AreaM2
		}
		if math.Abs(r.MemberSum.M2-sum) > 1e-6*sum+1e-6 || r.Gross.M2 > r.MemberSum.M2*(1+1e-9)+1e-6 {
			t.Errorf("platform %s: report member sum %.4f m², gross %.4f m²; its %d members add to %.4f m²",
				p.Name, r.MemberSum.M2, r.Gross.M2, len(zs), sum)
		}
	}
	// Every zone's latest revision is its current state.
	zones, err := st.ListZones(ctx, store.ZoneFilter{Retired: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zones {
		var after struct {
			Version int  `json:"version"`
			Retired bool `json:"retired"`
		}
		latest(t, st, "zone", z.ID, &after)
		if after.Version != z.Version || after.Retired != (z.RetiredAt != nil) {
			t.Errorf("zone %d: latest revision says version %d retired %v; it is at version %d retired %v",
				z.ID, after.Version, after.Retired, z.Version, z.RetiredAt != nil)
		}
	}
	links, breaks := revisionChainBreaks(t, st)
	t.Logf("revision chains: %d links checked, %d broken", links, len(breaks))
	for i, b := range breaks {
		if i == 5 {
			t.Errorf("… and %d more", len(breaks)-5)
			break
		}
		t.Error(b)
	}
	// Every write that succeeded is in the history; no refused one is.
	for _, o := range outcomes {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM revision WHERE reason LIKE '%' || $1`, o.tag).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if o.ok && n == 0 {
			t.Errorf("%s (%s) succeeded but left no revision", o.tag, o.kind)
		}
		if !o.ok && n > 0 {
			t.Errorf("%s (%s) was refused but left %d revisions", o.tag, o.kind, n)
		}
	}
}

// zt and pt name zones and platforms as targets of a write.
func zt(ids ...int64) []string {
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("z%d", id))
	}
	return out
}

func pt(ids ...*int64) []string {
	var out []string
	for _, id := range ids {
		if id != nil {
			out = append(out, fmt.Sprintf("p%d", *id))
		}
	}
	return out
}

// randomWrite makes one write chosen at random on the current state, as a
// planner would (reading the versions first), with tag as its reason. It
// returns the kind of write, the zones ("z1") and platforms ("p1") it
// writes, and its error.
func randomWrite(ctx context.Context, st *store.Store, rng *rand.Rand, tag string) (string, []string, error) {
	live, err := st.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return "", nil, err
	}
	c := store.Change{Actor: "racer", Reason: tag}
	pick := func() store.Zone { return live[rng.IntN(len(live))] }
	n := rng.IntN(100)
	if len(live) < 2 {
		n = 78 + rng.IntN(22) // everything merged: undo, redo or restore
	}
	switch {
	case n < 22:
		a, b := pick(), pick()
		if a.ID == b.ID {
			return "", nil, nil
		}
		var target int64
		if a.PlatformID != nil {
			target = *a.PlatformID
		}
		_, err := st.MergeZones(ctx, []int64{a.ID, b.ID}, map[int64]int{a.ID: a.Version, b.ID: b.Version},
			store.MergeOptions{Fields: store.ZoneFields{Name: &tag}, PlatformID: &target, AllowGapM: 1e6}, c)
		return "merge", append(zt(a.ID, b.ID), pt(a.PlatformID, b.PlatformID)...), err
	case n < 30:
		z := pick()
		b := z.Geom.Bound()
		x := (b.Min[0] + b.Max[0]) / 2
		_, err := st.SplitZone(ctx, z.ID, z.Version, orb.LineString{{x, b.Min[1] - 0.001}, {x, b.Max[1] + 0.001}}, c)
		return "split", append(zt(z.ID), pt(z.PlatformID)...), err
	case n < 57:
		ps, err := st.ListPlatforms(ctx, false)
		if err != nil || len(ps) == 0 {
			return "", nil, err
		}
		p := ps[rng.IntN(len(ps))]
		members := slices.Clone(p.ZoneIDs)
		if len(members) > 0 && rng.IntN(2) == 0 {
			members = slices.Delete(members, 0, 1)
		} else if z := pick(); !slices.Contains(members, z.ID) {
			members = append(members, z.ID)
		} else {
			return "", nil, nil // the same members again: nothing to write
		}
		_, err = st.SetMembers(ctx, p.ID, p.Version, members, c)
		changed := zt(members...)
		if len(members) < len(p.ZoneIDs) {
			changed = zt(p.ZoneIDs[0])
		}
		return "members", append(changed, pt(&p.ID)...), err
	case n < 72:
		z := pick()
		name := tag
		_, err := st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Name: &name, Geom: shrink(z.Geom, 0.999)}, c)
		return "edit", zt(z.ID), err
	case n < 78:
		z := pick()
		return "retire", append(zt(z.ID), pt(z.PlatformID)...), st.RetireZone(ctx, z.ID, z.Version, c)
	case n < 92:
		res, err := st.Undo(ctx, rng.IntN(3) == 0, nil, c)
		if errors.Is(err, store.ErrNothingToUndo) {
			return "", nil, nil
		}
		targets := zt(res.Zones...)
		for _, id := range res.Platforms {
			targets = append(targets, pt(&id)...)
		}
		return "undo/redo", targets, err
	default:
		retired, err := st.ListZones(ctx, store.ZoneFilter{Retired: true})
		if err != nil {
			return "", nil, err
		}
		retired = slices.DeleteFunc(retired, func(z store.Zone) bool { return z.RetiredAt == nil })
		if len(retired) == 0 {
			return "", nil, nil
		}
		z := retired[rng.IntN(len(retired))]
		revs, err := st.History(ctx, "zone", z.ID)
		if err != nil || len(revs) < 2 {
			return "", nil, err
		}
		_, err = st.RestoreZone(ctx, z.ID, z.Version, revs[len(revs)-2].ID, c)
		return "restore", append(zt(z.ID), pt(z.PlatformID)...), err
	}
}

// shrink scales a geometry about its bound's centre (a homothety keeps it valid).
func shrink(g orb.MultiPolygon, k float64) orb.MultiPolygon {
	c := g.Bound().Center()
	out := orb.MultiPolygon{}
	for _, p := range g {
		var np orb.Polygon
		for _, r := range p {
			var nr orb.Ring
			for _, q := range r {
				nr = append(nr, orb.Point{c[0] + (q[0]-c[0])*k, c[1] + (q[1]-c[1])*k})
			}
			np = append(np, nr)
		}
		out = append(out, np)
	}
	return out
}

// latest decodes the state after an entity's latest revision into v.
func latest(t *testing.T, st *store.Store, entity string, id int64, v any) {
	t.Helper()
	revs, err := st.History(context.Background(), entity, id)
	if err != nil || len(revs) == 0 {
		t.Fatalf("history of %s %d: %v (%d revisions)", entity, id, err, len(revs))
	}
	if err := json.Unmarshal(revs[len(revs)-1].After, v); err != nil {
		t.Fatalf("latest revision of %s %d: %v", entity, id, err)
	}
}

func orNone(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// revisionChainBreaks lists where a revision of a zone or platform does
// not start from the state the one before it left: a member that came or
// went, or a field that changed, without a revision breaks the chain. A
// zone's platform is left out (membership is recorded on the platform's
// side). links is the number of consecutive pairs compared.
func revisionChainBreaks(t *testing.T, st *store.Store) (links int, breaks []string) {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `SELECT id, entity, entity_id, action, before, after FROM revision
		WHERE entity IN ('zone', 'platform') ORDER BY entity, entity_id, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type rev struct {
		id, entityID   int64
		entity, action string
		before, after  []byte
	}
	var prev *rev
	for rows.Next() {
		var r rev
		if err := rows.Scan(&r.id, &r.entity, &r.entityID, &r.action, &r.before, &r.after); err != nil {
			t.Fatal(err)
		}
		if prev != nil && prev.entity == r.entity && prev.entityID == r.entityID {
			links++
			if !sameSnapshot(r.entity, prev.after, r.before) {
				breaks = append(breaks, fmt.Sprintf("%s %d: revision %d (%s) starts from\n  %s\nbut revision %d (%s) left\n  %s",
					r.entity, r.entityID, r.id, r.action, r.before, prev.id, prev.action, prev.after))
			}
		} else if r.before != nil {
			breaks = append(breaks, fmt.Sprintf("%s %d: its first revision %d (%s) has a state before it", r.entity, r.entityID, r.id, r.action))
		}
		prev = &r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return links, breaks
}

// TestRevisionChainBreaks: a member removed behind the store's back (no
// revision) breaks the platform's chain, so the race's check can fail.
func TestRevisionChainBreaks(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "A", rect(119.90, 28.40, 119.905, 28.405))
	b := mustZone(t, st, "B", rect(119.905, 28.40, 119.91, 28.405))
	p := mustPlatform(t, st, "P", a.ID, b.ID)
	if _, breaks := revisionChainBreaks(t, st); len(breaks) > 0 {
		t.Fatalf("unbroken history reported broken: %v", breaks)
	}
	if _, err := st.Pool().Exec(ctx, `DELETE FROM platform_member WHERE zone_id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	p, _ = st.GetPlatform(ctx, p.ID)
	c := mustZone(t, st, "C", rect(119.91, 28.40, 119.915, 28.405))
	if _, err := st.SetMembers(ctx, p.ID, p.Version, []int64{b.ID, c.ID}, store.Change{Actor: "ann"}); err != nil {
		t.Fatal(err)
	}
	if _, breaks := revisionChainBreaks(t, st); len(breaks) != 1 {
		t.Errorf("a member lost without a revision: %d breaks reported, want 1: %v", len(breaks), breaks)
	}
}

// sameSnapshot compares two recorded states of an entity.
func sameSnapshot(entity string, a, b []byte) bool {
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		return false
	}
	if entity == "zone" {
		delete(ma, "platform_id")
		delete(mb, "platform_id")
	}
	return reflect.DeepEqual(ma, mb)
}
