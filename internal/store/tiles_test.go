package store_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

func TestTileLayers(t *testing.T) {
	st, ctx := newStore(t)
	l := mustLayer(t, st, "生态保护红线", "exclude", rect(119.1, 28.1, 119.2, 28.2), rect(119.3, 28.3, 119.4, 28.4))
	ls, err := st.TileLayers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range ls {
		got = append(got, x.ID+"/"+x.Kind+"/"+x.Title)
	}
	want := fmt.Sprintf("[zones/zones/%s platforms/platforms/%s layer-%d/exclude/生态保护红线]", ls[0].Title, ls[1].Title, l.ID)
	if fmt.Sprint(got) != want {
		t.Errorf("layers %v, want %s", got, want)
	}

	info, err := st.TileLayerInfo(ctx, fmt.Sprintf("layer-%d", l.ID))
	if err != nil {
		t.Fatal(err)
	}
	if info.Bounds != (orb.Bound{Min: orb.Point{119.1, 28.1}, Max: orb.Point{119.4, 28.4}}) || info.Fields["id"] != "Number" || info.Fields["layer"] != "String" {
		t.Errorf("info %+v", info)
	}
	// Empty layers have zero bounds.
	zi, err := st.TileLayerInfo(ctx, store.TileZones)
	if err != nil || !zi.Bounds.IsZero() || zi.Fields["platform_id"] != "Number" {
		t.Errorf("zones info %+v, %v", zi, err)
	}
	for _, bad := range []string{"layer-999", "layer-x", "roads"} {
		if _, err := st.TileLayerInfo(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TileLayerInfo(%s): %v, want ErrNotFound", bad, err)
		}
	}
	if _, err := st.TileFeatures(ctx, "roads", store.TileQuery{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TileFeatures(roads): %v, want ErrNotFound", err)
	}
}

func TestTileFeatures(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "a", rect(119.90, 28.40, 119.95, 28.45))
	b := mustZone(t, st, "b", rect(119.95, 28.40, 120.00, 28.45))
	mustZone(t, st, "far", rect(118.80, 27.60, 118.85, 27.65))
	p := mustPlatform(t, st, "平台", a.ID, b.ID)
	tiny := rect(119.96, 28.41, 119.9601, 28.4101)
	l := mustLayer(t, st, "农田", "exclude", rect(119.91, 28.41, 119.92, 28.42), tiny)
	layer := fmt.Sprintf("layer-%d", l.ID)
	q := store.TileQuery{
		Bound: orb.Bound{Min: orb.Point{119.8, 28.3}, Max: orb.Point{120.1, 28.5}},
		Clip:  orb.Bound{Min: orb.Point{119.7, 28.2}, Max: orb.Point{120.2, 28.6}},
	}

	zs, err := st.TileFeatures(ctx, store.TileZones, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(zs) != 2 {
		t.Fatalf("%d zones, want 2", len(zs))
	}
	for _, z := range zs {
		if z.Props["platform_id"] != p.ID || z.Props["kind"] != "park" || z.Geom == nil || z.Bound.IsZero() {
			t.Errorf("zone %d: %+v", z.ID, z)
		}
	}

	ps, err := st.TileFeatures(ctx, store.TilePlatforms, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != p.ID || ps[0].Props["name"] != "平台" {
		t.Fatalf("platforms %+v", ps)
	}
	if mp, ok := ps[0].Geom.(orb.Polygon); !ok || len(mp) != 1 {
		t.Errorf("platform outline %v is not dissolved", ps[0].Geom)
	}

	// With a sub-pixel size of 0.001°, the tiny feature comes as box and area.
	q.SubPixel = 0.001
	fs, err := st.TileFeatures(ctx, layer, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("%d features, want 2", len(fs))
	}
	for _, f := range fs {
		if f.Props["layer"] != "农田" {
			t.Errorf("feature %d props %v", f.ID, f.Props)
		}
		small := f.Bound.Max[0]-f.Bound.Min[0] < 0.001
		switch {
		case small && (f.Geom != nil || math.Abs(f.Area-1e-8) > 1e-10):
			t.Errorf("tiny feature: geom %v, area %g", f.Geom, f.Area)
		case !small && (f.Geom == nil || f.Area != 0):
			t.Errorf("large feature: geom %v, area %g", f.Geom, f.Area)
		}
	}

	// A geometry with many vertices reaching past the clip box is cut there.
	var big orb.Ring
	for i := range 2000 {
		a := 2 * math.Pi * float64(i) / 2000
		big = append(big, orb.Point{119.5 + 0.5*math.Cos(a), 28.4 + 0.4*math.Sin(a)})
	}
	big = append(big, big[0])
	l2 := mustLayer(t, st, "大图斑", "reference", orb.MultiPolygon{{big}})
	fs, err = st.TileFeatures(ctx, fmt.Sprintf("layer-%d", l2.ID), store.TileQuery{
		Bound: orb.Bound{Min: orb.Point{119.95, 28.35}, Max: orb.Point{120.05, 28.45}},
		Clip:  orb.Bound{Min: orb.Point{119.9, 28.3}, Max: orb.Point{120.1, 28.5}},
	})
	if err != nil || len(fs) != 1 {
		t.Fatalf("big feature: %v, %d", err, len(fs))
	}
	if gb := fs[0].Geom.Bound(); gb.Min[0] < 119.9-1e-9 || gb.Max[1] > 28.5+1e-9 {
		t.Errorf("big feature not cut to the clip box: %v", gb)
	}
}
