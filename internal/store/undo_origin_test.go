package store_test

import (
	"testing"

	"wanmu/internal/store"
)

// TestUndoOrigin: an undo on the redo stack, and a redo back on the undo
// stack, carry the changes of the write they take back (Origin), so the
// page names them by that write ("重做：合并生成 甲乙"), not as an undo.
func TestUndoOrigin(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "ann"}
	a := mustZone(t, st, "甲", rect(119.86, 28.40, 119.87, 28.41))
	b := mustZone(t, st, "乙", rect(119.87, 28.40, 119.88, 28.41))
	if _, err := st.MergeZones(ctx, []int64{a.ID, b.ID}, nil, store.MergeOptions{Fields: store.ZoneFields{Name: ptr("甲乙")}}, c); err != nil {
		t.Fatal(err)
	}
	merged := func(what string, op store.Operation) {
		t.Helper()
		for _, ch := range op.Origin {
			if ch.Action == "merge" && ch.Name == "甲乙" {
				return
			}
		}
		t.Fatalf("%s: origin %+v (changes %+v), want the merge of 甲乙", what, op.Origin, op.Changes)
	}
	undo, _, err := st.UndoStacks(ctx, "ann")
	if err != nil || len(undo) != 1 || undo[0].Origin != nil {
		t.Fatalf("after the merge: %+v, %v; want the merge, with no origin", undo, err)
	}
	if _, err := st.Undo(ctx, false, nil, c); err != nil {
		t.Fatal(err)
	}
	_, redo, err := st.UndoStacks(ctx, "ann")
	if err != nil || len(redo) != 1 {
		t.Fatalf("after undo: redo %+v, %v", redo, err)
	}
	merged("the redo stack's undo", redo[0])
	if _, err := st.Undo(ctx, true, nil, c); err != nil {
		t.Fatal(err)
	}
	undo, _, err = st.UndoStacks(ctx, "ann")
	if err != nil || len(undo) != 1 {
		t.Fatalf("after redo: undo %+v, %v", undo, err)
	}
	merged("the undo stack's redo", undo[0])
}
