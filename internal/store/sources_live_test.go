package store_test

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// TestRestoreWithSourcesLive: the other way round from
// TestRestoreSuccessorLive. Once a merge (or split) is undone, its sources
// are live and the merged zone (the pieces) retired; an administrator's
// restore of the merged zone or of a piece would count the sources' land
// twice, so it is refused naming the live sources. Redo brings the merged
// zone back properly (sources retired), and no live zones ever overlap.
func TestRestoreWithSourcesLive(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "ann"}
	a := mustZone(t, st, "甲", rect(119.86, 28.40, 119.87, 28.41))
	b := mustZone(t, st, "乙", rect(119.87, 28.40, 119.88, 28.41))
	res, err := st.MergeZones(ctx, []int64{a.ID, b.ID}, nil, store.MergeOptions{Fields: store.ZoneFields{Name: ptr("甲乙")}}, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Undo(ctx, false, nil, c); err != nil {
		t.Fatalf("undo of the merge: %v", err)
	}
	_, err = restoreLatest(ctx, st, res.Zone.ID, "admin")
	var sl *store.SuccessorLiveError
	if !errors.As(err, &sl) || !sl.Sources || sl.Split || len(sl.Successors) != 2 || sl.Successors[0].ID != a.ID || sl.Successors[1].ID != b.ID {
		t.Fatalf("restore of the merged zone while its sources are live: %v, want a refusal naming zones %d and %d", err, a.ID, b.ID)
	}
	if m2 := liveOverlapM2(t, st, ctx); m2 != 0 {
		t.Fatalf("live zones overlap by %.1f m² after the refused restore", m2)
	}
	if _, err := st.Undo(ctx, true, nil, c); err != nil {
		t.Fatalf("redo of the merge: %v", err)
	}
	if z, _ := st.GetZone(ctx, res.Zone.ID); z.RetiredAt != nil {
		t.Fatal("the merged zone is not back after the redo")
	}

	// A split undone: a piece cannot come back beside its source.
	s := mustZone(t, st, "S", rect(119.90, 28.40, 119.92, 28.42))
	pieces, err := st.SplitZone(ctx, s.ID, s.Version, orb.LineString{{119.9066, 28.39}, {119.9066, 28.43}}, c)
	if err != nil || len(pieces) != 2 {
		t.Fatalf("split: %d pieces, %v", len(pieces), err)
	}
	if _, err := st.Undo(ctx, false, nil, c); err != nil {
		t.Fatalf("undo of the split: %v", err)
	}
	_, err = restoreLatest(ctx, st, pieces[0].ID, "admin")
	if !errors.As(err, &sl) || !sl.Sources || !sl.Split || len(sl.Successors) != 1 || sl.Successors[0].ID != s.ID {
		t.Fatalf("restore of a piece while the split source is live: %v, want a refusal naming zone %d", err, s.ID)
	}
	if m2 := liveOverlapM2(t, st, ctx); m2 != 0 {
		t.Fatalf("live zones overlap by %.1f m²", m2)
	}
	// A zone drawn as it is: made of nothing, restored freely.
	d := mustZone(t, st, "画", rect(119.95, 28.40, 119.96, 28.41))
	if err := st.RetireZone(ctx, d.ID, d.Version, c); err != nil {
		t.Fatal(err)
	}
	if z, err := restoreLatest(ctx, st, d.ID, "admin"); err != nil || z.RetiredAt != nil {
		t.Fatalf("restore of a drawn zone: %v", err)
	}
}

// TestUndoNeverCountsLandTwice: the reviewer's case. Merge A and B into M,
// delete M, an administrator restores A (M is gone: allowed); then the
// planner undoes the deletion of M. M would come back beside A, so the undo
// is refused naming A, and no live zones overlap.
func TestUndoNeverCountsLandTwice(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "ann"}
	a := mustZone(t, st, "甲", rect(119.86, 28.40, 119.87, 28.41))
	b := mustZone(t, st, "乙", rect(119.87, 28.40, 119.88, 28.41))
	res, err := st.MergeZones(ctx, []int64{a.ID, b.ID}, nil, store.MergeOptions{Fields: store.ZoneFields{Name: ptr("甲乙")}}, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RetireZone(ctx, res.Zone.ID, res.Zone.Version, c); err != nil {
		t.Fatal(err)
	}
	if _, err := restoreLatest(ctx, st, a.ID, "admin"); err != nil {
		t.Fatalf("restore of a source once the merged zone is deleted: %v", err)
	}
	_, err = st.Undo(ctx, false, nil, c)
	var sl *store.SuccessorLiveError
	if !errors.As(err, &sl) || !sl.Sources || len(sl.Successors) != 1 || sl.Successors[0].ID != a.ID {
		t.Fatalf("undo of the deletion of the merged zone beside its restored source: %v, want a refusal naming zone %d", err, a.ID)
	}
	if m2 := liveOverlapM2(t, st, ctx); m2 != 0 {
		t.Fatalf("live zones overlap by %.1f m² after the refused undo", m2)
	}
	if z, _ := st.GetZone(ctx, res.Zone.ID); z.RetiredAt == nil {
		t.Fatal("the merged zone came back")
	}
}
