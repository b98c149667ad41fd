package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// liveOverlapM2 is the area (m²) where live official zones overlap.
func liveOverlapM2(t *testing.T, st *store.Store, ctx context.Context) float64 {
	t.Helper()
	var m2 float64
	if err := st.Pool().QueryRow(ctx, `SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0)
		FROM zone a JOIN zone b ON a.id < b.id AND ST_Intersects(a.geom, b.geom)
		WHERE a.retired_at IS NULL AND b.retired_at IS NULL AND a.scenario_id = 0 AND b.scenario_id = 0`).Scan(&m2); err != nil {
		t.Fatal(err)
	}
	return m2
}

// restoreLatest restores a zone to the state after its latest revision that
// left it live (what the panel's restore button does).
func restoreLatest(ctx context.Context, st *store.Store, id int64, actor string) (store.Zone, error) {
	z, err := st.GetZone(ctx, id)
	if err != nil {
		return z, err
	}
	h, err := st.History(ctx, "zone", id)
	if err != nil {
		return z, err
	}
	var rev int64
	for _, r := range h {
		if r.Action != "merged_into" && r.Action != "split" && r.Action != "retire" {
			rev = r.ID
		}
	}
	return st.RestoreZone(ctx, id, z.Version, rev, store.Change{Actor: actor})
}

// TestRestoreSuccessorLive: a zone retired by a merge cannot be restored
// while the merged zone is live (the land would be counted twice); the
// refusal names the merged zone. Undoing the merge still brings the sources
// back; after the merged zone is retired the source can be restored.
func TestRestoreSuccessorLive(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "甲", rect(119.86, 28.40, 119.87, 28.41))
	b := mustZone(t, st, "乙", rect(119.87, 28.40, 119.88, 28.41))
	c := store.Change{Actor: "ann"}
	res, err := st.MergeZones(ctx, []int64{a.ID, b.ID}, nil, store.MergeOptions{Fields: store.ZoneFields{Name: ptr("甲乙")}}, c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = restoreLatest(ctx, st, a.ID, "admin")
	var sl *store.SuccessorLiveError
	if !errors.As(err, &sl) || sl.Split || len(sl.Successors) != 1 || sl.Successors[0].ID != res.Zone.ID || sl.Successors[0].Name != "甲乙" {
		t.Fatalf("restore of a merged source while the merged zone is live: %v, want a refusal naming zone %d 甲乙", err, res.Zone.ID)
	}
	if m2 := liveOverlapM2(t, st, ctx); m2 != 0 {
		t.Fatalf("live zones overlap by %.1f m² after the refused restore", m2)
	}
	// Undo of the merge: the sources back, the merged zone retired.
	if _, err := st.Undo(ctx, false, nil, c); err != nil {
		t.Fatalf("undo of the merge: %v", err)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if z, _ := st.GetZone(ctx, id); z.RetiredAt != nil {
			t.Errorf("source %d still retired after the undo", id)
		}
	}
	if z, _ := st.GetZone(ctx, res.Zone.ID); z.RetiredAt == nil {
		t.Error("merged zone live after the undo")
	}
	if m2 := liveOverlapM2(t, st, ctx); m2 != 0 {
		t.Fatalf("live zones overlap by %.1f m² after the undo", m2)
	}

	// Merge again, retire the merged zone: then a source may come back.
	a, _ = st.GetZone(ctx, a.ID)
	b, _ = st.GetZone(ctx, b.ID)
	res, err = st.MergeZones(ctx, []int64{a.ID, b.ID}, nil, store.MergeOptions{}, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RetireZone(ctx, res.Zone.ID, res.Zone.Version, c); err != nil {
		t.Fatal(err)
	}
	if z, err := restoreLatest(ctx, st, a.ID, "admin"); err != nil || z.RetiredAt != nil || z.MergedInto != nil {
		t.Fatalf("restore once the merged zone is retired: %v (retired %v)", err, z.RetiredAt)
	}
}

// TestRestoreSplitSourceRefused: a split source cannot be restored while a
// piece is live, nor while a piece lives on merged into another zone.
func TestRestoreSplitSourceRefused(t *testing.T) {
	st, ctx := newStore(t)
	z := mustZone(t, st, "S", rect(119.86, 28.40, 119.88, 28.42))
	line := orb.LineString{{119.8666, 28.39}, {119.8666, 28.43}}
	pieces, err := st.SplitZone(ctx, z.ID, z.Version, line, store.Change{Actor: "ann"})
	if err != nil || len(pieces) != 2 {
		t.Fatalf("split: %d pieces, %v", len(pieces), err)
	}
	_, err = restoreLatest(ctx, st, z.ID, "admin")
	var sl *store.SuccessorLiveError
	if !errors.As(err, &sl) || !sl.Split || len(sl.Successors) != 2 {
		t.Fatalf("restore of a split source with live pieces: %v, want a refusal naming both pieces", err)
	}
	// A piece merged with a neighbour: the land lives on in the merged zone.
	n := mustZone(t, st, "邻", rect(119.88, 28.40, 119.89, 28.42))
	p1 := pieces[1]
	if err := st.RetireZone(ctx, pieces[0].ID, pieces[0].Version, store.Change{Actor: "ann"}); err != nil {
		t.Fatal(err)
	}
	m, err := st.MergeZones(ctx, []int64{p1.ID, n.ID}, nil, store.MergeOptions{}, store.Change{Actor: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = restoreLatest(ctx, st, z.ID, "admin")
	if !errors.As(err, &sl) || len(sl.Successors) != 1 || sl.Successors[0].ID != m.Zone.ID {
		t.Fatalf("restore of a split source whose piece was merged: %v, want a refusal naming the merged zone %d", err, m.Zone.ID)
	}
	if m2 := liveOverlapM2(t, st, ctx); m2 != 0 {
		t.Fatalf("live zones overlap by %.1f m²", m2)
	}
}
