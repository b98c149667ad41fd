package store_test

import (
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"wanmu/internal/store"
)

// TestMergeKeepsEverything checks the merge rule field by field: nothing of
// the sources is dropped, and what only the planner can decide is asked.
func TestMergeKeepsEverything(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "t"}
	fa := zoneFields("A", rect(119.86, 28.40, 119.87, 28.41))
	fa.DocumentNo, fa.Disposition, fa.ApprovedAreaHa = ptr("丽政发〔2010〕1号"), ptr("并"), ptr(ptr(10.5))
	fa.Attributes = map[string]any{"x": 1.0, "y": "a", "merged_from": []any{1.0, 2.0}}
	a, err := st.CreateZone(ctx, fa, c)
	if err != nil {
		t.Fatal(err)
	}
	fb := zoneFields("B", rect(119.87, 28.40, 119.88, 28.41))
	fb.DocumentNo, fb.Disposition, fb.ApprovedAreaHa = ptr("浙政函〔2012〕5号；丽政发〔2010〕1号"), ptr("提"), ptr(ptr(4.25))
	fb.Attributes = map[string]any{"x": 2.0, "z": true}
	b, err := st.CreateZone(ctx, fb, c)
	if err != nil {
		t.Fatal(err)
	}
	p := mustPlatform(t, st, "P", a.ID)
	ids := []int64{a.ID, b.ID}
	versions := map[int64]int{a.ID: a.Version, b.ID: b.Version}

	ask := func(o store.MergeOptions, field string) {
		t.Helper()
		_, err := st.MergeZones(ctx, ids, versions, o, c)
		var q *store.MergeQuestion
		if !errors.As(err, &q) || q.Field != field {
			t.Fatalf("merge with %+v: %v, want a question about %s", o, err, field)
		}
	}
	ask(store.MergeOptions{}, "platform_id") // A is in P, B in none
	none := int64(0)
	ask(store.MergeOptions{PlatformID: &none}, "disposition") // 并 and 提
	o := store.MergeOptions{PlatformID: &p.ID, Fields: store.ZoneFields{Disposition: ptr("提")}, DryRun: true}
	dry, err := st.MergeZones(ctx, ids, versions, o, c)
	if err != nil {
		t.Fatal(err)
	}
	if za, _ := st.GetZone(ctx, a.ID); za.RetiredAt != nil || za.Version != a.Version {
		t.Fatalf("a dry run changed zone A: %+v", za)
	}
	if pp, _ := st.GetPlatform(ctx, p.ID); pp.Version != p.Version {
		t.Fatalf("a dry run changed the platform: version %d → %d", p.Version, pp.Version)
	}
	o.DryRun = false
	res, err := st.MergeZones(ctx, ids, versions, o, c)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Zone
	if dry.Zone.AreaM2 != m.AreaM2 || dry.GapM != 0 || res.Parts != 1 {
		t.Errorf("dry run area %.3f, merge %.3f; gap %.2f m, %d groups; want equal areas, touching zones",
			dry.Zone.AreaM2, m.AreaM2, dry.GapM, res.Parts)
	}
	if m.DocumentNo != "丽政发〔2010〕1号；浙政函〔2012〕5号" {
		t.Errorf("document_no = %q, want both sources' numbers once each", m.DocumentNo)
	}
	if m.ApprovedAreaHa == nil || *m.ApprovedAreaHa != 14.75 {
		t.Errorf("approved_area_ha = %v, want 10.5 + 4.25", m.ApprovedAreaHa)
	}
	if m.Disposition != "提" || m.PlatformID == nil || *m.PlatformID != p.ID {
		t.Errorf("disposition %s, platform %v: want the planner's answers", m.Disposition, m.PlatformID)
	}
	want := map[string]any{"x": 1.0, "y": "a", "z": true, "merge_conflicts": map[string]any{"x": []any{1.0, 2.0}},
		"merged_from": []any{a.ID, b.ID}} // ids are integers (int64), as stored
	if !reflect.DeepEqual(m.Attributes, want) {
		t.Errorf("attributes = %#v, want %#v", m.Attributes, want)
	}
	revs, err := st.History(ctx, "platform", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := revs[len(revs)-1]; last.Action != "merge" || len(revs) != 2 {
		t.Errorf("platform history %d revisions, last %q: want one revision for the merge", len(revs), last.Action)
	}
}

// TestUnchangedUpdateWritesNothing: the same geometry, bit for bit, and the
// same fields make no new version and no revision.
func TestUnchangedUpdateWritesNothing(t *testing.T) {
	st, ctx := newStore(t)
	z := mustZone(t, st, "Z", rect(119.6198223, 27.9774697, 119.6298223, 27.9874697))
	got, err := st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Name: ptr("Z"), Geom: z.Geom}, store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	revs, _ := st.History(ctx, "zone", z.ID)
	if got.Version != z.Version || len(revs) != 1 {
		t.Fatalf("unchanged update: version %d → %d, %d revisions; want no change", z.Version, got.Version, len(revs))
	}
	moved := rect(119.6198223, 27.9774697, 119.6298224, 27.9874697)
	got, err = st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Geom: moved}, store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != z.Version+1 || got.Geom[0][0][1][0] != 119.6298224 {
		t.Fatalf("a 1e-7° move: version %d, east edge %.10f; want stored exactly as sent", got.Version, got.Geom[0][0][1][0])
	}
}

// TestDeadlockIsRetried: two transactions that lock in opposite orders
// deadlock; PostgreSQL ends one, and the store runs it again, so both
// succeed. The first attempts meet at a barrier (both hold their first lock).
func TestDeadlockIsRetried(t *testing.T) {
	st, ctx := newStore(t)
	before := st.Stats().Retries.Load()
	var barrier sync.WaitGroup
	barrier.Add(2)
	var attempts [2]atomic.Int32
	run := func(i int, first, second int64) error {
		return st.InTx(ctx, func(tx *store.Store) error {
			n := attempts[i].Add(1)
			if err := tx.Lock(ctx, first); err != nil {
				return err
			}
			if n == 1 {
				barrier.Done()
				barrier.Wait()
			}
			return tx.Lock(ctx, second)
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- run(0, 1, 2) }()
	go func() { errs <- run(1, 2, 1) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a deadlocked transaction was not retried: %v", err)
		}
	}
	if got := st.Stats().Retries.Load() - before; got < 1 || attempts[0].Load()+attempts[1].Load() < 3 {
		t.Fatalf("retries %d, attempts %d and %d: want the deadlock victim run again", got, attempts[0].Load(), attempts[1].Load())
	}
}

// TestMergeGapJoinsAllGroups: two close pairs far from each other: the gap
// to confirm is the step between the pairs, not the small one inside each.
func TestMergeGapJoinsAllGroups(t *testing.T) {
	st, ctx := newStore(t)
	x, y := 119.90, 28.40
	var ids []int64
	versions := map[int64]int{}
	for i, w := range []float64{0, 0.00101, 0.003, 0.00402} {
		z := mustZone(t, st, string(rune('A'+i)), rect(x+w, y, x+w+0.001, y+0.001))
		ids = append(ids, z.ID)
		versions[z.ID] = z.Version
	}
	_, err := st.MergeZones(ctx, ids, versions, store.MergeOptions{AllowGapM: 2.5}, store.Change{Actor: "t"})
	var q *store.MergeQuestion
	if !errors.As(err, &q) || q.GapM < 95 || q.GapM > 100 {
		t.Fatalf("merge of two pairs ~98 m apart, confirming 2.5 m: %v, want a question naming ~98 m", err)
	}
}
