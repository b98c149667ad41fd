package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// lShape is an L whose bounding box covers [119.90, 119.92] × [28.40, 28.42]
// but whose geometry leaves out the north-east quarter.
func lShape() orb.MultiPolygon {
	return orb.MultiPolygon{{{{119.90, 28.40}, {119.92, 28.40}, {119.92, 28.41}, {119.91, 28.41},
		{119.91, 28.42}, {119.90, 28.42}, {119.90, 28.40}}}}
}

// northEast is a box inside the L's bounding box that misses the L itself.
var northEast = &orb.Bound{Min: orb.Point{119.915, 28.415}, Max: orb.Point{119.919, 28.419}}

func TestFeatureCollections(t *testing.T) {
	st, ctx := newStore(t)
	cs, err := st.FeatureCollections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != "zones" || cs[1].ID != "platforms" || cs[0].Bounds != nil || cs[1].Bounds != nil {
		t.Fatalf("empty database: %+v", cs)
	}
	a := mustZone(t, st, "甲", rect(119.80, 28.30, 119.82, 28.32))
	mustZone(t, st, "乙", rect(120.00, 28.50, 120.02, 28.52)) // in no platform
	mustPlatform(t, st, "平台", a.ID)
	l := mustLayer(t, st, "永久基本农田", "exclude", rect(119.7, 28.2, 119.71, 28.21), rect(119.75, 28.25, 119.76, 28.26))
	empty := mustLayer(t, st, "空图层", "reference")

	cs, err = st.FeatureCollections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, title, kind string
		bounds          *orb.Bound
	}{
		{"zones", "Zones 园区与乡镇工业功能区", "zones", &orb.Bound{Min: orb.Point{119.80, 28.30}, Max: orb.Point{120.02, 28.52}}},
		{"platforms", "Platforms 产业平台", "platforms", &orb.Bound{Min: orb.Point{119.80, 28.30}, Max: orb.Point{119.82, 28.32}}},
		{fmt.Sprintf("layer-%d", l.ID), "永久基本农田", "exclude", &orb.Bound{Min: orb.Point{119.7, 28.2}, Max: orb.Point{119.76, 28.26}}},
		{fmt.Sprintf("layer-%d", empty.ID), "空图层", "reference", nil},
	}
	if len(cs) != len(want) {
		t.Fatalf("collections = %+v", cs)
	}
	for i, w := range want {
		c := cs[i]
		if c.ID != w.id || c.Title != w.title || c.Kind != w.kind || !c.Enabled {
			t.Errorf("collection %d = %+v, want %+v", i, c, w)
		}
		if (c.Bounds == nil) != (w.bounds == nil) || (c.Bounds != nil && !sameBound(*c.Bounds, *w.bounds)) {
			t.Errorf("%s: bounds %v, want %v", c.ID, c.Bounds, w.bounds)
		}
		one, err := st.FeatureCollectionInfo(ctx, c.ID, true)
		if err != nil || one.ID != c.ID || one.Title != c.Title || one.Kind != c.Kind || (one.Bounds == nil) != (c.Bounds == nil) {
			t.Errorf("FeatureCollectionInfo(%s) = %+v, %v", c.ID, one, err)
		}
		one, err = st.FeatureCollectionInfo(ctx, c.ID, false)
		if err != nil || one.ID != c.ID || one.Title != c.Title || one.Kind != c.Kind || one.Bounds != nil {
			t.Errorf("FeatureCollectionInfo(%s) without extent = %+v, %v", c.ID, one, err)
		}
	}
	for _, id := range []string{"", "zone", "layer-", "layer-0", "layer-01", "layer-999999", "layer-x", "Zones", "platforms "} {
		for _, extent := range []bool{true, false} {
			if _, err := st.FeatureCollectionInfo(ctx, id, extent); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("FeatureCollectionInfo(%q, %v): %v, want not found", id, extent, err)
			}
		}
	}
}

func sameBound(a, b orb.Bound) bool {
	for _, v := range []float64{a.Min[0] - b.Min[0], a.Min[1] - b.Min[1], a.Max[0] - b.Max[0], a.Max[1] - b.Max[1]} {
		if v > 1e-9 || v < -1e-9 {
			return false
		}
	}
	return true
}

func TestZonePage(t *testing.T) {
	st, ctx := newStore(t)
	var ids []int64
	for i := range 5 {
		z := mustZone(t, st, fmt.Sprintf("园区%d", i), rect(119.80+float64(i)*0.03, 28.30, 119.82+float64(i)*0.03, 28.32))
		ids = append(ids, z.ID)
	}
	l := mustZone(t, st, "L形园区", lShape())
	ids = append(ids, l.ID)
	// A retired zone is not served.
	if err := st.RetireZone(ctx, ids[1], 1, store.Change{}); err != nil {
		t.Fatal(err)
	}
	live := slices.Delete(slices.Clone(ids), 1, 2)

	zoneIDs := func(zs []store.Zone) []int64 {
		var out []int64
		for _, z := range zs {
			out = append(out, z.ID)
			if z.Name == "" || len(z.Geom) == 0 || z.AreaM2 <= 0 {
				t.Errorf("zone %d incomplete: %+v", z.ID, z)
			}
		}
		return out
	}
	// By offset, counted.
	var got []int64
	for offset := 0; ; offset += 2 {
		zs, page, err := st.ZonePage(ctx, store.FeatureQuery{Limit: 2, Offset: offset, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if page.Matched != int64(len(live)) {
			t.Fatalf("matched = %d, want %d", page.Matched, len(live))
		}
		if page.More != (offset+2 < len(live)) {
			t.Errorf("offset %d: more = %v", offset, page.More)
		}
		if len(zs) == 0 {
			break
		}
		got = append(got, zoneIDs(zs)...)
	}
	if !slices.Equal(got, live) {
		t.Fatalf("paged ids %v, want %v", got, live)
	}
	// Forward after the last id of each page, uncounted.
	got = nil
	for after := int64(0); ; {
		zs, page, err := st.ZonePage(ctx, store.FeatureQuery{Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if page.Matched != -1 {
			t.Errorf("counted without Count: %d", page.Matched)
		}
		got = append(got, zoneIDs(zs)...)
		if !page.More {
			break
		}
		after = zs[len(zs)-1].ID
	}
	if !slices.Equal(got, live) {
		t.Fatalf("ids after ids %v, want %v", got, live)
	}
	// Backward before the first id of each page.
	got = nil
	for before := live[len(live)-1] + 1; ; {
		zs, page, err := st.ZonePage(ctx, store.FeatureQuery{Limit: 2, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		got = append(zoneIDs(zs), got...)
		if !page.More {
			break
		}
		before = zs[0].ID
	}
	if !slices.Equal(got, live) {
		t.Fatalf("ids before ids %v, want %v", got, live)
	}

	// The box meets the L's bounding box but not the L.
	zs, page, err := st.ZonePage(ctx, store.FeatureQuery{BBox: northEast, Limit: 10, Count: true})
	if err != nil || page.Matched != 0 || len(zs) != 0 {
		t.Fatalf("box beside the L: %d zones, %+v, %v", len(zs), page, err)
	}
	zs, page, err = st.ZonePage(ctx, store.FeatureQuery{BBox: &orb.Bound{Min: orb.Point{119.905, 28.405}, Max: orb.Point{119.95, 28.45}}, Limit: 10, Count: true})
	if err != nil || page.Matched != 1 || len(zs) != 1 || zs[0].ID != l.ID || page.More {
		t.Fatalf("box on the L: %+v, %+v, %v", zs, page, err)
	}
	// The box of the retired zone finds nothing.
	zs, page, err = st.ZonePage(ctx, store.FeatureQuery{BBox: &orb.Bound{Min: orb.Point{119.835, 28.305}, Max: orb.Point{119.845, 28.315}}, Limit: 10, Count: true})
	if err != nil || page.Matched != 0 || len(zs) != 0 {
		t.Fatalf("box on the retired zone: %d zones, %+v, %v", len(zs), page, err)
	}
	// Past the end: no zones, the count still given.
	zs, page, err = st.ZonePage(ctx, store.FeatureQuery{Limit: 10, Offset: 100, Count: true})
	if err != nil || page.Matched != int64(len(live)) || len(zs) != 0 || page.More {
		t.Fatalf("past the end: %d zones, %+v, %v", len(zs), page, err)
	}
	for _, q := range []store.FeatureQuery{{Limit: 0}, {Limit: 1, Offset: -1}, {Limit: 1, After: -1}, {Limit: 1, Before: -1},
		{Limit: 1, Before: 5, After: 1}, {Limit: 1, Before: 5, Offset: 1}} {
		if _, _, err := st.ZonePage(ctx, q); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ZonePage(%+v): %v, want invalid", q, err)
		}
	}
}

func TestPlatformPage(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "甲", rect(119.80, 28.30, 119.82, 28.32))
	b := mustZone(t, st, "乙", rect(119.82, 28.30, 119.84, 28.32)) // shares an edge with 甲
	c := mustZone(t, st, "丙", lShape())
	p1 := mustPlatform(t, st, "一号平台", a.ID, b.ID)
	p2 := mustPlatform(t, st, "二号平台", c.ID)
	p3 := mustPlatform(t, st, "空平台")
	gone := mustPlatform(t, st, "已撤销")
	if err := st.RetirePlatform(ctx, gone.ID, gone.Version, store.Change{}); err != nil {
		t.Fatal(err)
	}

	ps, page, err := st.PlatformPage(ctx, store.FeatureQuery{Limit: 10, Count: true})
	if err != nil {
		t.Fatal(err)
	}
	if page.Matched != 3 || len(ps) != 3 || ps[0].ID != p1.ID || ps[1].ID != p2.ID || ps[2].ID != p3.ID {
		t.Fatalf("platforms: %+v, %+v", page, ps)
	}
	// The outline is the union: the shared edge dissolves into one polygon.
	if len(ps[0].Geom) != 1 || ps[0].Name != "一号平台" || !slices.Equal(ps[0].ZoneIDs, []int64{a.ID, b.ID}) {
		t.Errorf("platform 1 outline has %d polygons: %+v", len(ps[0].Geom), ps[0])
	}
	if ps[2].Geom != nil {
		t.Errorf("a platform without members has outline %v", ps[2].Geom)
	}
	ps, page, err = st.PlatformPage(ctx, store.FeatureQuery{Limit: 1, Offset: 1, Count: true})
	if err != nil || page.Matched != 3 || !page.More || len(ps) != 1 || ps[0].ID != p2.ID {
		t.Fatalf("second page: %+v, %+v, %v", ps, page, err)
	}
	ps, page, err = st.PlatformPage(ctx, store.FeatureQuery{BBox: northEast, Limit: 10, Count: true})
	if err != nil || page.Matched != 0 || len(ps) != 0 {
		t.Fatalf("box beside the L: %+v, %+v, %v", ps, page, err)
	}
	ps, page, err = st.PlatformPage(ctx, store.FeatureQuery{BBox: &orb.Bound{Min: orb.Point{119.83, 28.31}, Max: orb.Point{119.95, 28.45}}, Limit: 10, Count: true})
	if err != nil || page.Matched != 2 || len(ps) != 2 || ps[0].ID != p1.ID || ps[1].ID != p2.ID {
		t.Fatalf("box on both: %+v, %+v, %v", ps, page, err)
	}

	// A retired member leaves the outline.
	if err := st.RetireZone(ctx, b.ID, 1, store.Change{}); err != nil {
		t.Fatal(err)
	}
	one, err := st.LivePlatformItem(ctx, p1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bb := one.Geom.Bound(); bb.Max[0] > 119.8200001 {
		t.Errorf("outline after retiring 乙 reaches %v", bb)
	}
	for _, id := range []int64{gone.ID, 999999} {
		if _, err := st.LivePlatformItem(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LivePlatformItem(%d): %v, want not found", id, err)
		}
	}
}

func TestLayerPage(t *testing.T) {
	st, ctx := newStore(t)
	var fs []store.LayerFeature
	for i := range 25 {
		x, y := 119.80+float64(i%5)*0.01, 28.30+float64(i/5)*0.01
		g, _ := wkb.Marshal(rect(x, y, x+0.005, y+0.005))
		fs = append(fs, store.LayerFeature{Geom: g, Attributes: map[string]any{"地类": "水田", "编号": i, "备注": `<b>"x"</b>`}})
	}
	l, _, err := st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "test", fs, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := mustLayer(t, st, "生态保护红线", "exclude", rect(119.80, 28.30, 119.9, 28.4))

	var all []store.LayerItem
	for after := int64(0); ; {
		items, page, err := st.LayerPage(ctx, l.ID, store.FeatureQuery{Limit: 7, After: after, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if page.Matched != 25 {
			t.Fatalf("matched %d, want 25", page.Matched)
		}
		all = append(all, items...)
		if !page.More {
			break
		}
		after = items[len(items)-1].ID
	}
	if len(all) != 25 {
		t.Fatalf("%d features paged, want 25", len(all))
	}
	for i, it := range all {
		if i > 0 && it.ID <= all[i-1].ID {
			t.Fatalf("not ordered by id: %d after %d", it.ID, all[i-1].ID)
		}
		var attrs map[string]any
		if err := json.Unmarshal(it.Attributes, &attrs); err != nil || attrs["地类"] != "水田" || attrs["编号"] != float64(i) || attrs["备注"] != `<b>"x"</b>` {
			t.Fatalf("feature %d attributes %s (%v)", it.ID, it.Attributes, err)
		}
		if len(it.Geom) != 1 {
			t.Fatalf("feature %d geometry %v", it.ID, it.Geom)
		}
	}

	// The box covers the 2×2 features in the south-west corner and
	// touches nothing else.
	box := &orb.Bound{Min: orb.Point{119.801, 28.301}, Max: orb.Point{119.812, 28.312}}
	items, page, err := st.LayerPage(ctx, l.ID, store.FeatureQuery{BBox: box, Limit: 100, Count: true})
	if err != nil || page.Matched != 4 || len(items) != 4 {
		t.Fatalf("box: %d features, %+v, %v", len(items), page, err)
	}
	if items[0].ID != all[0].ID || items[3].ID != all[6].ID {
		t.Errorf("box found %d…%d, want %d…%d", items[0].ID, items[3].ID, all[0].ID, all[6].ID)
	}
	// Forward and backward within the box.
	items, page, err = st.LayerPage(ctx, l.ID, store.FeatureQuery{BBox: box, Limit: 2, After: all[1].ID})
	if err != nil || len(items) != 2 || items[0].ID != all[5].ID || items[1].ID != all[6].ID || page.More {
		t.Fatalf("box after the second: %+v, %+v, %v", items, page, err)
	}
	items, page, err = st.LayerPage(ctx, l.ID, store.FeatureQuery{BBox: box, Limit: 2, Before: all[6].ID})
	if err != nil || len(items) != 2 || items[0].ID != all[1].ID || items[1].ID != all[5].ID || !page.More {
		t.Fatalf("box before the last: %+v, %+v, %v", items, page, err)
	}
	one, err := st.LayerItem(ctx, l.ID, all[3].ID)
	if err != nil || one.ID != all[3].ID || string(one.Attributes) != string(all[3].Attributes) {
		t.Fatalf("LayerItem = %+v, %v", one, err)
	}
	// A feature of another layer is not one of this layer's.
	otherItems, _, err := st.LayerPage(ctx, other.ID, store.FeatureQuery{Limit: 10})
	if err != nil || len(otherItems) != 1 || string(otherItems[0].Attributes) != "{}" {
		t.Fatalf("other layer: %+v, %v", otherItems, err)
	}
	if _, err := st.LayerItem(ctx, l.ID, otherItems[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("feature of another layer: %v, want not found", err)
	}
	if items, page, err := st.LayerPage(ctx, 999999, store.FeatureQuery{Limit: 10, Count: true}); err != nil || page.Matched != 0 || len(items) != 0 {
		t.Errorf("unknown layer: %d, %+v, %v", len(items), page, err)
	}
}

// BenchmarkLayerPage times pages of a 200,000-parcel layer (rows written
// straight into constraint_feature: only the paging is measured): the first
// and the last page of 1,000 and of 10,000, and a bbox of a few hundred
// parcels. Run with -benchtime 1x; it prints its own table.
func BenchmarkLayerPage(b *testing.B) {
	pool := testdb.New(b)
	st := store.New(pool)
	ctx := context.Background()
	// Another layer first, so that the big one does not start at id 1.
	mustLayerTB(b, st, "红线", rect(119.8, 28.3, 119.81, 28.31))
	l, _, err := st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	const side = 400 // 400 × 500 = 200,000 parcels of about 50 m
	start := time.Now()
	if _, err := pool.Exec(ctx, `INSERT INTO constraint_feature (layer_id, geom, attributes)
		SELECT $1, ST_Multi(ST_MakeEnvelope(119.6 + i * 0.0006, 28.2 + j * 0.0006, 119.6 + i * 0.0006 + 0.0005, 28.2 + j * 0.0006 + 0.0005, 4490)),
			jsonb_build_object('地类', '水田', 'i', i, 'j', j)
		FROM generate_series(0, $2 - 1) i, generate_series(0, 499) j ORDER BY random()`, l.ID, side); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE constraint_feature`); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d parcels in %v", side*500, time.Since(start).Round(time.Millisecond))
	var lastID int64
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM constraint_feature WHERE layer_id = $1`, l.ID).Scan(&lastID); err != nil {
		b.Fatal(err)
	}
	box := &orb.Bound{Min: orb.Point{119.7, 28.3}, Max: orb.Point{119.712, 28.312}}
	cases := []struct {
		name string
		q    store.FeatureQuery
	}{
		{"first 10, counted", store.FeatureQuery{Limit: 10, Count: true}},
		{"last 10 by offset", store.FeatureQuery{Limit: 10, Offset: side*500 - 10}},
		{"last 10 after an id", store.FeatureQuery{Limit: 10, After: lastID - 10}},
		{"last 10 before an id", store.FeatureQuery{Limit: 10, Before: lastID + 1}},
		{"first 1,000, counted", store.FeatureQuery{Limit: 1000, Count: true}},
		{"last 1,000 after an id", store.FeatureQuery{Limit: 1000, After: lastID - 1000}},
		{"first 10,000, counted", store.FeatureQuery{Limit: 10000, Count: true}},
		{"last 10,000 after an id", store.FeatureQuery{Limit: 10000, After: lastID - 10000}},
		{"bbox, ~400 parcels, counted", store.FeatureQuery{Limit: 1000, BBox: box, Count: true}},
		{"bbox, 100 after the middle", store.FeatureQuery{Limit: 100, BBox: box, After: lastID / 2}},
	}
	b.ResetTimer()
	for _, c := range cases {
		var times []time.Duration
		var n int
		var page store.Page
		for range 5 {
			t0 := time.Now()
			items, p, err := st.LayerPage(ctx, l.ID, c.q)
			if err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(t0))
			n, page = len(items), p
		}
		slices.Sort(times)
		b.Logf("%-30s %6d (of %6d)  p50 %v", c.name, n, page.Matched, times[len(times)/2].Round(100*time.Microsecond))
	}
	t0 := time.Now()
	if _, err := st.FeatureCollections(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("%-30s %v", "collections with extents", time.Since(t0).Round(100*time.Microsecond))
}

func mustLayerTB(tb testing.TB, st *store.Store, name string, gs ...orb.MultiPolygon) store.Layer {
	tb.Helper()
	var fs []store.LayerFeature
	for _, g := range gs {
		b, _ := wkb.Marshal(g)
		fs = append(fs, store.LayerFeature{Geom: b})
	}
	l, _, err := st.CreateLayer(context.Background(), store.Change{}, name, "exclude", "test", fs, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// A layer's extent grows with every statement that adds features, whoever
// writes them, and is read without scanning them.
func TestLayerExtentFollowsFeatures(t *testing.T) {
	st, ctx := newStore(t)
	first, err := wkb.Marshal(orb.Polygon{{{119.1, 28.1}, {119.2, 28.1}, {119.2, 28.2}, {119.1, 28.1}}})
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := st.CreateLayer(ctx, store.Change{}, "范围测试", "exclude", "test", []store.LayerFeature{{Geom: first}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	extent := func() orb.Bound {
		t.Helper()
		c, err := st.FeatureCollectionInfo(ctx, fmt.Sprintf("layer-%d", l.ID), true)
		if err != nil || c.Bounds == nil {
			t.Fatalf("extent: %v %v", c.Bounds, err)
		}
		return *c.Bounds
	}
	if b := extent(); b != (orb.Bound{Min: orb.Point{119.1, 28.1}, Max: orb.Point{119.2, 28.2}}) {
		t.Errorf("after the import: %v", b)
	}
	if _, err := st.Pool().Exec(ctx, `INSERT INTO constraint_feature (layer_id, geom)
		VALUES ($1, ST_Multi(ST_GeomFromText('POLYGON((119.0 28.3, 119.05 28.3, 119.05 28.35, 119.0 28.3))', 4490)))`, l.ID); err != nil {
		t.Fatal(err)
	}
	if b := extent(); b != (orb.Bound{Min: orb.Point{119.0, 28.1}, Max: orb.Point{119.2, 28.35}}) {
		t.Errorf("after one more feature: %v", b)
	}
}
