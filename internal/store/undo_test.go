package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// TestUndoRedo: a user's undo and redo stacks come from the history, take
// back and bring back whole operations (a merge with its platform), restore
// geometry exactly, and refuse to overwrite a later change by someone else.
func TestUndoRedo(t *testing.T) {
	st, ctx := newStore(t)
	u := store.Change{Actor: "planner"}
	other := store.Change{Actor: "colleague"}
	exact := rect(119.6198223, 27.9774697, 119.6298223, 27.9874697)
	a, err := st.CreateZone(ctx, zoneFields("A", exact), u)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateZone(ctx, zoneFields("B", rect(119.6298223, 27.9774697, 119.6398223, 27.9874697)), other)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("P")}, []int64{a.ID, b.ID}, other)
	if err != nil {
		t.Fatal(err)
	}
	moved := rect(119.6198223, 27.9774697, 119.62982231234567, 27.9874697)
	if a, err = st.UpdateZone(ctx, a.ID, a.Version, store.ZoneFields{Name: ptr("A2"), Geom: moved}, u); err != nil {
		t.Fatal(err)
	}
	b, _ = st.GetZone(ctx, b.ID)
	merged, err := st.MergeZones(ctx, []int64{a.ID, b.ID}, nil, store.MergeOptions{AllowGapM: 1}, u)
	if err != nil {
		t.Fatal(err)
	}
	undo, redo, err := st.UndoStacks(ctx, "planner")
	if err != nil || len(undo) != 3 || len(redo) != 0 {
		t.Fatalf("stacks after create, edit, merge: %d undo, %d redo (%v), want 3 and 0", len(undo), len(redo), err)
	}

	step := func(redo bool, what string) store.UndoResult {
		t.Helper()
		r, err := st.Undo(ctx, redo, nil, u)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return r
	}
	r := step(false, "undo the merge")
	if len(r.Operation.Changes) != 4 || !slices.Contains(r.Platforms, p.ID) {
		t.Errorf("undo of the merge changed %v and platforms %v; want the merged zone, both sources and the platform", r.Operation.Changes, r.Platforms)
	}
	pp, _ := st.GetPlatform(ctx, p.ID)
	if !slices.Equal(pp.ZoneIDs, []int64{a.ID, b.ID}) {
		t.Errorf("after undoing the merge the platform has %v, want %v", pp.ZoneIDs, []int64{a.ID, b.ID})
	}
	if m, _ := st.GetZone(ctx, merged.Zone.ID); m.RetiredAt == nil {
		t.Error("the merged zone is still live after the undo")
	}
	step(false, "undo the edit")
	za, _ := st.GetZone(ctx, a.ID)
	if za.Name != "A" || !orb.Equal(za.Geom, exact) {
		t.Errorf("undo of the edit: name %q, geometry %v; want A and the exact original", za.Name, za.Geom)
	}
	step(true, "redo the edit")
	if za, _ = st.GetZone(ctx, a.ID); za.Name != "A2" || !orb.Equal(za.Geom, moved) {
		t.Errorf("redo of the edit: name %q, east %.17g", za.Name, za.Geom[0][0][1][0])
	}
	step(true, "redo the merge")
	if m, _ := st.GetZone(ctx, merged.Zone.ID); m.RetiredAt != nil || m.PlatformID == nil || *m.PlatformID != p.ID {
		t.Errorf("redo of the merge: merged zone %+v, want live in the platform", m)
	}
	if _, err := st.Undo(ctx, true, nil, u); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("a third redo: %v, want nothing to redo", err)
	}

	// A colleague's later change is never overwritten by an undo.
	m, _ := st.GetZone(ctx, merged.Zone.ID)
	if _, err := st.UpdateZone(ctx, m.ID, m.Version, store.ZoneFields{Name: ptr("改名")}, other); err != nil {
		t.Fatal(err)
	}
	var uc *store.UndoConflictError
	if _, err := st.Undo(ctx, false, nil, u); !errors.As(err, &uc) || uc.By != "colleague" {
		t.Fatalf("undo over a colleague's change: %v, want a conflict naming them", err)
	}
	if m2, _ := st.GetZone(ctx, m.ID); m2.Name != "改名" || m2.RetiredAt != nil {
		t.Errorf("a refused undo changed the zone: %+v", m2)
	}
}

// TestUndoKeepsOthersMemberships: an undo never takes a zone out of a
// platform someone else put it in, nor restores a membership only in part.
func TestUndoKeepsOthersMemberships(t *testing.T) {
	st, ctx := newStore(t)
	alice, bob := store.Change{Actor: "alice"}, store.Change{Actor: "bob"}
	z, err := st.CreateZone(ctx, zoneFields("Z", rect(119.86, 28.40, 119.87, 28.41)), alice)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("R")}, []int64{z.ID}, bob)
	if err != nil {
		t.Fatal(err)
	}
	var uc *store.UndoConflictError
	if _, err := st.Undo(ctx, false, nil, alice); !errors.As(err, &uc) || uc.By != "bob" {
		t.Fatalf("undoing the creation of a zone bob put in a platform: %v, want a conflict naming bob", err)
	}
	if rr, _ := st.GetPlatform(ctx, r.ID); !slices.Equal(rr.ZoneIDs, []int64{z.ID}) {
		t.Fatalf("the refused undo changed bob's platform: %v", rr.ZoneIDs)
	}

	// alice takes Z out of R; bob puts it in his platform Q; alice's undo
	// could only restore R in part, so it is refused.
	if r, err = st.SetMembers(ctx, r.ID, r.Version, nil, alice); err != nil {
		t.Fatal(err)
	}
	q, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("Q")}, []int64{z.ID}, bob)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Undo(ctx, false, nil, alice); !errors.As(err, &uc) || uc.By != "bob" {
		t.Fatalf("undoing a removal of a zone bob has since put in Q: %v, want a conflict naming bob", err)
	}
	if qq, _ := st.GetPlatform(ctx, q.ID); !slices.Equal(qq.ZoneIDs, []int64{z.ID}) {
		t.Fatalf("the refused undo changed Q: %v", qq.ZoneIDs)
	}
}
