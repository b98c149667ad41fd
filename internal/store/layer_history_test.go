package store_test

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/store"
)

// TestLayerHistory: loading a constraint layer and switching it on or off
// move the platforms' developable figures, so each is a revision of its
// own (switching to what it is writes none) and the administrator's undo
// and redo take it back: an undone switch restores the figure exactly, an
// undone load switches the layer off, and a layer switched by someone else
// since is a conflict, not overwritten.
func TestLayerHistory(t *testing.T) {
	st, ctx := newStore(t)
	admin := store.Change{Actor: "admin"}
	z := mustZone(t, st, "园", rect(119.60, 28.40, 119.62, 28.42))
	p := mustPlatform(t, st, "平台", z.ID)
	developable := func() float64 {
		t.Helper()
		r, err := st.Report(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r.Developable.M2
	}
	layerRevisions := func() int {
		t.Helper()
		var n int
		if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM revision WHERE entity = 'layer'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	whole := developable()

	l, _, err := st.CreateLayer(ctx, admin, "永久基本农田", "exclude", "test", wkbs(t, rect(119.60, 28.40, 119.61, 28.42)), nil)
	if err != nil {
		t.Fatal(err)
	}
	loaded := developable()
	if !(loaded < whole*0.6) || layerRevisions() != 1 {
		t.Fatalf("after the load: developable %.1f of %.1f m², %d layer revisions; want about half and 1", loaded, whole, layerRevisions())
	}
	if l, err = st.SetLayerEnabled(ctx, l.ID, l.Version, true, admin); err != nil || layerRevisions() != 1 {
		t.Fatalf("switching on a layer that is on: %v, %d revisions, want none written", err, layerRevisions())
	}
	if l, err = st.SetLayerEnabled(ctx, l.ID, l.Version, false, admin); err != nil {
		t.Fatal(err)
	}
	if got := developable(); got != whole || layerRevisions() != 2 {
		t.Fatalf("switched off: developable %.6f, want %.6f; %d revisions, want 2", got, whole, layerRevisions())
	}
	undo, _, err := st.UndoStacks(ctx, "admin")
	if err != nil || len(undo) != 2 || undo[1].Changes[0].Entity != "layer" || undo[1].Changes[0].Name != "永久基本农田" {
		t.Fatalf("admin's undo stack %+v (%v), want the load and the switch, named", undo, err)
	}

	// Undo the switch: on again, the figure exactly as after the load.
	r, err := st.Undo(ctx, false, nil, admin)
	if err != nil || len(r.Layers) != 1 || r.Layers[0] != l.ID {
		t.Fatalf("undo of the switch: %+v, %v", r, err)
	}
	if got := developable(); got != loaded {
		t.Fatalf("after undoing the switch: developable %.6f, want %.6f", got, loaded)
	}
	// Undo the load: the layer goes off (its features stay on record).
	if _, err := st.Undo(ctx, false, nil, admin); err != nil {
		t.Fatal(err)
	}
	if got := developable(); got != whole {
		t.Fatalf("after undoing the load: developable %.6f, want %.6f", got, whole)
	}
	// Redo the load: on again.
	if _, err := st.Undo(ctx, true, nil, admin); err != nil {
		t.Fatal(err)
	}
	if got := developable(); got != loaded {
		t.Fatalf("after redoing the load: developable %.6f, want %.6f", got, loaded)
	}

	// A colleague switches it off meanwhile: redoing the switch would be
	// no change of ours, undoing the load would overwrite theirs.
	cur := layerNamed(t, st, "永久基本农田")
	if _, err := st.SetLayerEnabled(ctx, cur.ID, cur.Version, false, store.Change{Actor: "colleague"}); err != nil {
		t.Fatal(err)
	}
	var conflict *store.UndoConflictError
	if _, err := st.Undo(ctx, false, nil, admin); !errors.As(err, &conflict) || conflict.Entity != "layer" || conflict.By != "colleague" {
		t.Fatalf("undo after a colleague's switch: %v, want a conflict naming the colleague", err)
	}
	if got := developable(); got != whole {
		t.Fatalf("after the refused undo: developable %.6f, want the colleague's %.6f", got, whole)
	}
}

func wkbs(t *testing.T, gs ...orb.MultiPolygon) []store.LayerFeature {
	t.Helper()
	var fs []store.LayerFeature
	for _, g := range gs {
		b, err := wkb.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, store.LayerFeature{Geom: b})
	}
	return fs
}

func layerNamed(t *testing.T, st *store.Store, name string) store.Layer {
	t.Helper()
	ls, err := st.ListLayers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no layer %s", name)
	return store.Layer{}
}
