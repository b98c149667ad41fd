package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

func vpt(x, y float64) *orb.Point { return &orb.Point{x, y} }

// TestSharedVerticesOneUndo: dragging two vertices a zone shares with its
// neighbour (one of them the neighbour's ring start) moves them in the
// neighbour to the same floats, in one operation: one undo takes both
// zones back bit for bit.
func TestSharedVerticesOneUndo(t *testing.T) {
	st, ctx := newStore(t)
	alice := store.Change{Actor: "alice", Reason: "拖动节点"}
	a := mustZone(t, st, "甲", rect(120.0, 28.0, 120.01, 28.01))
	b := mustZone(t, st, "乙", rect(120.01, 28.0, 120.02, 28.01)) // starts at (120.01, 28.0), a's corner
	far := mustZone(t, st, "远", rect(121.0, 29.0, 121.01, 29.01))

	s1, s2 := orb.Point{120.01, 28.0}, orb.Point{120.01, 28.01}
	n1, n2 := orb.Point{120.0113, 27.9991}, orb.Point{120.0107, 28.0109}
	moved := orb.MultiPolygon{{{{120.0, 28.0}, n1, n2, {120.0, 28.01}, {120.0, 28.0}}}}
	z, res, err := st.UpdateZoneSharing(ctx, a.ID, a.Version, store.ZoneFields{Geom: moved},
		[]store.VertexMove{{From: s1, To: &n1}, {From: s2, To: &n2}}, alice)
	if err != nil {
		t.Fatal(err)
	}
	if !orb.Equal(z.Geom, moved) {
		t.Errorf("zone stored %v, want %v", z.Geom, moved)
	}
	if len(res.Updated) != 1 || res.Updated[0].ID != b.ID || res.Updated[0].Moved != 2 || len(res.Skipped) != 0 {
		t.Fatalf("result %+v, want %d updated with 2 moved", res, b.ID)
	}
	want := orb.MultiPolygon{{{n1, {120.02, 28.0}, {120.02, 28.01}, n2, n1}}}
	nb, _ := st.GetZone(ctx, b.ID)
	if !orb.Equal(nb.Geom, want) {
		t.Errorf("neighbour stored %v, want %v", nb.Geom, want)
	}
	if nf, _ := st.GetZone(ctx, far.ID); nf.Version != far.Version {
		t.Errorf("a zone sharing nothing was written: version %d", nf.Version)
	}

	u, err := st.Undo(ctx, false, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(u.Zones, a.ID) || !slices.Contains(u.Zones, b.ID) {
		t.Errorf("one undo took back zones %v, want %d and %d", u.Zones, a.ID, b.ID)
	}
	for _, was := range []store.Zone{a, b} {
		now, _ := st.GetZone(ctx, was.ID)
		if !orb.Equal(now.Geom, was.Geom) {
			t.Errorf("after one undo zone %s is %v, want %v", was.Name, now.Geom, was.Geom)
		}
	}
}

// TestSharedVerticesSkipped: a neighbour outside the editor's counties and
// one that would keep fewer than 3 corners stay as they are, with their
// reason, while the zone and the other neighbours are written.
func TestSharedVerticesSkipped(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "alice"}
	mid := orb.Point{120.01, 28.005}
	a := mustZone(t, st, "甲", orb.MultiPolygon{{{{120.0, 28.0}, {120.01, 28.0}, mid, {120.01, 28.01}, {120.0, 28.01}, {120.0, 28.0}}}})
	tri := mustZone(t, st, "三角", orb.MultiPolygon{{{mid, {120.02, 28.0}, {120.02, 28.01}, mid}}})
	east := mustZone(t, st, "东", orb.MultiPolygon{{{{120.01, 28.01}, mid, {120.01, 28.0}, {120.005, 27.99}, {120.015, 27.99}, {120.01, 28.01}}}})
	ef := zoneFields("青田", rect(120.0, 28.01, 120.01, 28.02))
	ef.CountyAdcode = ptr("331121")
	qt, err := st.CreateZone(ctx, ef, c)
	if err != nil {
		t.Fatal(err)
	}

	// Delete the mid-edge vertex: the triangle would keep 2 corners; 东 keeps 4.
	lim := store.WithCountyLimit(ctx, []string{"331102"})
	g := rect(120.0, 28.0, 120.01, 28.01)
	_, res, err := st.UpdateZoneSharing(lim, a.ID, a.Version, store.ZoneFields{Geom: g}, []store.VertexMove{{From: mid}}, c)
	if err != nil {
		t.Fatal(err)
	}
	skip := map[int64]string{}
	for _, s := range res.Skipped {
		skip[s.ID] = s.Reason
	}
	if skip[tri.ID] != "too-few-vertices" || len(res.Updated) != 1 || res.Updated[0].ID != east.ID {
		t.Errorf("result %+v, want triangle %d skipped too-few-vertices, 东 %d updated", res, tri.ID, east.ID)
	}
	if now, _ := st.GetZone(ctx, tri.ID); now.Version != tri.Version {
		t.Errorf("the triangle was written")
	}

	// Move the corner shared with 青田 (not this editor's) and 东.
	a, _ = st.GetZone(ctx, a.ID)
	to := orb.Point{120.0102, 28.0104}
	g2 := orb.MultiPolygon{{{{120.0, 28.0}, {120.01, 28.0}, to, {120.0, 28.01}, {120.0, 28.0}}}}
	_, res, err = st.UpdateZoneSharing(lim, a.ID, a.Version, store.ZoneFields{Geom: g2},
		[]store.VertexMove{{From: orb.Point{120.01, 28.01}, To: &to}}, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].ID != qt.ID || res.Skipped[0].Reason != "outside-counties" {
		t.Errorf("skipped %+v, want %d outside-counties", res.Skipped, qt.ID)
	}
	if len(res.Updated) != 1 || res.Updated[0].ID != east.ID || res.Updated[0].Moved != 1 {
		t.Errorf("updated %+v, want %d with 1 moved", res.Updated, east.ID)
	}
	if now, _ := st.GetZone(ctx, qt.ID); now.Version != qt.Version {
		t.Errorf("the zone outside the editor's counties was written")
	}
	if now, _ := st.GetZone(ctx, east.ID); now.Geom[0][0][0] != to || now.Geom[0][0][len(now.Geom[0][0])-1] != to {
		t.Errorf("东's ring start did not move with its end kept equal: %v", now.Geom)
	}
}

// TestSharedVerticesRefused: a From not on the zone's stored boundary, or
// a To not on the new one, is refused naming the entry; nothing is written.
func TestSharedVerticesRefused(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "alice"}
	a := mustZone(t, st, "甲", rect(120.0, 28.0, 120.01, 28.01))
	g := rect(120.0, 28.0, 120.011, 28.01)
	for _, tc := range []struct {
		moves []store.VertexMove
		field string
	}{
		{[]store.VertexMove{{From: orb.Point{120.01, 28.0}, To: vpt(120.011, 28.0)}, {From: orb.Point{120.01, 28.0100000001}, To: vpt(120.011, 28.01)}}, "shared_vertices[1].from"},
		{[]store.VertexMove{{From: orb.Point{120.01, 28.0}, To: vpt(120.5, 28.0)}}, "shared_vertices[0].to"},
	} {
		_, _, err := st.UpdateZoneSharing(ctx, a.ID, a.Version, store.ZoneFields{Geom: g}, tc.moves, c)
		var fe *store.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, store.ErrInvalid) {
			t.Errorf("got %v, want invalid %s", err, tc.field)
		}
	}
	if now, _ := st.GetZone(ctx, a.ID); now.Version != a.Version {
		t.Errorf("a refused update was written")
	}
}
