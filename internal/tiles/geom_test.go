package tiles

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"wanmu/internal/store"
)

func TestParseTile(t *testing.T) {
	for _, tc := range []struct {
		z, x, y string
		want    string // error text, "" for success
	}{
		{"0", "0", "0", ""},
		{"22", "4194303", "4194303", ""},
		{"14", "13630", "6853", ""},
		{"23", "0", "0", "zoom 23 is outside 0–22"},
		{"1", "2", "0", "x 2 is outside 0–1 at zoom 1"},
		{"1", "0", "2", "y 2 is outside 0–1 at zoom 1"},
		{"a", "0", "0", `zoom "a" is not a whole number`},
		{"1", "-1", "0", `x "-1" is not a whole number`},
		{"1", "0", "", `y "" is not a whole number`},
		{"1", "0", "99999999999", `y "99999999999" is not a whole number`},
	} {
		_, err := ParseTile(tc.z, tc.x, tc.y)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ParseTile(%s, %s, %s): %v", tc.z, tc.x, tc.y, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadTile)):
			t.Errorf("ParseTile(%s, %s, %s) = %v, want error with %q", tc.z, tc.x, tc.y, err, tc.want)
		}
	}
}

func TestProjectMatchesMaptile(t *testing.T) {
	tl := Tile{Z: 14, X: 13630, Y: 6853}
	b := maptile.New(13630, 6853, 14).Bound()
	got := tl.Bound(0)
	for i, v := range []float64{got.Min[0] - b.Min[0], got.Min[1] - b.Min[1], got.Max[0] - b.Max[0], got.Max[1] - b.Max[1]} {
		if math.Abs(v) > 1e-9 {
			t.Errorf("bound coordinate %d differs from maptile by %g", i, v)
		}
	}
	p := orb.Point{119.5, 28.2}
	q := tl.Unproject(tl.Project(p))
	if math.Abs(q[0]-p[0]) > 1e-12 || math.Abs(q[1]-p[1]) > 1e-12 {
		t.Errorf("round trip %v -> %v", p, q)
	}
}

func sq(x0, y0, x1, y1 float64) []orb.Point {
	return []orb.Point{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
}

func areaOf(polys [][][]orb.Point) float64 {
	var a float64
	for _, p := range polys {
		for _, r := range p {
			a += signedArea(r)
		}
	}
	return a
}

func TestClipPolygon(t *testing.T) {
	box := rect{0, 0, 10, 10}
	// A U open towards +y whose arms leave the box at the top.
	u := []orb.Point{{2, 2}, {8, 2}, {8, 14}, {6, 14}, {6, 4}, {4, 4}, {4, 14}, {2, 14}}
	// A ∩ whose arms leave at the bottom: one piece.
	// A U whose base is cut off: two separate arms.
	cut := []orb.Point{{2, -6}, {8, -6}, {8, 6}, {6, 6}, {6, -2}, {4, -2}, {4, 6}, {2, 6}}
	for _, tc := range []struct {
		name   string
		rings  [][]orb.Point
		pieces int
		area   float64
	}{
		{"inside", [][]orb.Point{sq(1, 1, 3, 3)}, 1, 4},
		{"outside", [][]orb.Point{sq(11, 11, 13, 13)}, 0, 0},
		{"crossing corner", [][]orb.Point{sq(5, 5, 15, 15)}, 1, 25},
		{"clockwise input", [][]orb.Point{reversed(sq(5, 5, 15, 15))}, 1, 25},
		{"covers box", [][]orb.Point{sq(-5, -5, 15, 15)}, 1, 100},
		{"covers box with hole inside", [][]orb.Point{sq(-5, -5, 15, 15), sq(4, 4, 6, 6)}, 1, 96},
		{"box inside hole", [][]orb.Point{sq(-50, -50, 50, 50), sq(-20, -20, 20, 20)}, 0, 0},
		{"hole crossing edge", [][]orb.Point{sq(-5, -5, 15, 15), sq(8, 4, 12, 6)}, 1, 96},
		{"U arms leave", [][]orb.Point{u}, 1, 6*2 + 2*2*6},
		{"U base cut", [][]orb.Point{cut}, 2, 2 * 2 * 6},
		{"touching edge from outside", [][]orb.Point{sq(10, 2, 12, 4)}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := clipPolygon(tc.rings, box)
			if len(got) != tc.pieces {
				t.Fatalf("got %d pieces %v, want %d", len(got), got, tc.pieces)
			}
			if a := areaOf(got); math.Abs(a-tc.area) > 1e-9 {
				t.Errorf("area %g, want %g", a, tc.area)
			}
			for _, p := range got {
				if signedArea(p[0]) <= 0 {
					t.Errorf("shell %v not positive", p[0])
				}
				for _, h := range p[1:] {
					if signedArea(h) >= 0 {
						t.Errorf("hole %v not negative", h)
					}
				}
				for _, r := range p {
					for _, q := range r {
						if !box.contains(q) {
							t.Errorf("point %v outside the box", q)
						}
					}
				}
			}
			// Quantised, the pieces must be valid (no zero-width bridges).
			var polys []ipoly
			for _, p := range got {
				var ip ipoly
				for _, r := range p {
					ip = append(ip, clean(quantise(r)))
				}
				polys = append(polys, ip)
			}
			sh := &shaper{}
			if len(polys) > 0 && !sh.valid(polys) {
				t.Errorf("clipped pieces %v are not valid", polys)
			}
		})
	}
}

func TestValid(t *testing.T) {
	ring := func(pts ...int32) iring {
		var r iring
		for i := 0; i < len(pts); i += 2 {
			r = append(r, ipt{pts[i], pts[i+1]})
		}
		return r
	}
	for _, tc := range []struct {
		name  string
		polys []ipoly
		want  bool
	}{
		{"square", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10)}}, true},
		{"clockwise shell", []ipoly{{ring(0, 0, 0, 10, 10, 10, 10, 0)}}, false},
		{"bowtie", []ipoly{{ring(0, 0, 10, 10, 10, 0, 0, 10)}}, false},
		{"hole", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10), ring(2, 2, 2, 4, 4, 4, 4, 2)}}, true},
		{"hole outside", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10), ring(20, 2, 20, 4, 24, 4, 24, 2)}}, false},
		{"hole crossing", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10), ring(8, 2, 8, 4, 14, 4, 14, 2)}}, false},
		{"hole touching shell at a point", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10), ring(0, 5, 3, 7, 3, 3)}}, true},
		{"parts apart", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10)}, {ring(20, 0, 30, 0, 30, 10, 20, 10)}}, true},
		{"parts sharing an edge", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10)}, {ring(10, 0, 20, 0, 20, 10, 10, 10)}}, false},
		{"part inside part", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10)}, {ring(2, 2, 4, 2, 4, 4, 2, 4)}}, false},
		{"island in hole", []ipoly{{ring(0, 0, 10, 0, 10, 10, 0, 10), ring(1, 1, 1, 9, 9, 9, 9, 1)}, {ring(3, 3, 6, 3, 6, 6, 3, 6)}}, true},
		{"self-touching ring", []ipoly{{ring(0, 0, 10, 0, 10, 10, 5, 0, 0, 10)}}, false},
	} {
		sh := &shaper{}
		if got := sh.valid(tc.polys); got != tc.want {
			t.Errorf("%s: valid = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSimplifyKeepsShapeAndValidity(t *testing.T) {
	// A densely digitised circle with a wobble.
	var ring orb.Ring
	for i := range 2000 {
		a := 2 * math.Pi * float64(i) / 2000
		r := 1000 + 0.8*math.Sin(a*97)
		ring = append(ring, orb.Point{2048 + r*math.Cos(a), 2048 + r*math.Sin(a)})
	}
	tl := Tile{Z: 10, X: 851, Y: 428}
	ll := make(orb.Ring, len(ring))
	for i, p := range ring {
		ll[i] = tl.Unproject(p)
	}
	ll = append(ll, ll[0])
	sh := &shaper{t: tl, box: rect{-Buffer, -Buffer, Extent + Buffer, Extent + Buffer}}
	polys, ok := sh.shape(orb.Polygon{ll})
	if !ok || len(polys) != 1 {
		t.Fatalf("shape: ok %v, %d polygons", ok, len(polys))
	}
	if n := len(polys[0][0]); n > 400 {
		t.Errorf("simplified circle keeps %d of 2000 vertices", n)
	}
	want := math.Pi * 1000 * 1000
	if got := float64(polys[0][0].area2()) / 2; math.Abs(got-want)/want > 0.005 {
		t.Errorf("area %g, want %g", got, want)
	}
}

// sample is a small tile of mixed features: a parcel, a polygon with a
// hole crossing the edge, and attributes of every kind.
func sample(t *testing.T) (Tile, []store.TileFeature) {
	t.Helper()
	tl := Tile{Z: 14, X: 13630, Y: 6853}
	toLL := func(pts ...float64) orb.Ring {
		var r orb.Ring
		for i := 0; i < len(pts); i += 2 {
			r = append(r, tl.Unproject(orb.Point{pts[i], pts[i+1]}))
		}
		return append(r, r[0])
	}
	shared := map[string]any{"layer": "基本农田"}
	return tl, []store.TileFeature{
		{ID: 7, Props: shared, Attrs: []byte(`{"name": "地块 \"7\"", "n": 3, "x": 1.5, "ok": true, "nested": {"a": [1, 2]}, "none": null}`),
			Geom: orb.Polygon{toLL(100, 100, 300, 100, 300, 300, 100, 300)}},
		{ID: 3, Props: map[string]any{"name": "平台", "developable_mu": 10234.5, "meets": true},
			Geom: orb.MultiPolygon{
				{toLL(3000, 3000, 5000, 3000, 5000, 5000, 3000, 5000), toLL(3500, 3500, 3500, 3600, 4500, 3600, 4500, 3500)},
				{toLL(500, 3000, 900, 3000, 900, 3400, 500, 3400)},
			}},
		{ID: 9, Props: shared, Geom: orb.Polygon{toLL(-900, -900, -800, -900, -800, -800, -900, -800)}}, // outside
	}
}

func TestMVTMatchesGeoJSON(t *testing.T) {
	tl, src := sample(t)
	for i := range src {
		src[i].Bound = src[i].Geom.Bound()
	}
	lt, err := build(tl, "layer-1", src)
	if err != nil {
		t.Fatal(err)
	}
	compareEncodings(t, tl, "layer-1", encodeMVT(lt), encodeGeoJSON(lt))
	if len(lt.features) != 2 {
		t.Fatalf("got %d features, want 2", len(lt.features))
	}
	p := lt.features[1].props
	want := map[string]any{"id": int64(7), "layer": "基本农田", "name": `地块 "7"`, "n": int64(3), "x": 1.5, "ok": true, "nested": `{"a":[1,2]}`}
	if len(p) != len(want) {
		t.Errorf("props %v, want %v", p, want)
	}
	for _, kv := range p {
		if want[kv.key] != kv.val {
			t.Errorf("prop %s = %#v, want %#v", kv.key, kv.val, want[kv.key])
		}
	}
}

// compareEncodings checks that an MVT and a GeoJSON tile hold the same
// features, properties and geometry (within a tile unit).
func compareEncodings(t *testing.T, tl Tile, layer string, mvtBody, geoBody []byte) {
	t.Helper()
	layers, err := mvt.Unmarshal(mvtBody)
	if err != nil {
		t.Fatalf("MVT does not decode: %v", err)
	}
	if len(layers) != 1 || layers[0].Name != layer || layers[0].Extent != Extent || layers[0].Version != 2 {
		t.Fatalf("MVT layers: %+v", layers)
	}
	layers.ProjectToWGS84(maptile.New(tl.X, tl.Y, maptile.Zoom(tl.Z)))
	fromMVT := layers[0].Features
	fc, err := geojson.UnmarshalFeatureCollection(geoBody)
	if err != nil {
		t.Fatalf("GeoJSON does not decode: %v", err)
	}
	if len(fc.Features) != len(fromMVT) {
		t.Fatalf("MVT has %d features, GeoJSON %d", len(fromMVT), len(fc.Features))
	}
	unit := 360 / float64(uint64(Extent)<<tl.Z)
	for i, g := range fc.Features {
		m := fromMVT[i]
		if g.ID != m.ID {
			t.Errorf("feature %d: ids %v and %v", i, g.ID, m.ID)
		}
		if len(g.Properties) != len(m.Properties) {
			t.Errorf("feature %d: properties %v and %v", i, g.Properties, m.Properties)
		}
		for k, v := range g.Properties {
			if mv, ok := m.Properties[k]; !ok || mv != v {
				t.Errorf("feature %d property %s: GeoJSON %#v, MVT %#v", i, k, v, mv)
			}
		}
		gm, mm := asMulti(g.Geometry), asMulti(m.Geometry)
		if len(gm) != len(mm) {
			t.Fatalf("feature %d: %d and %d polygons", i, len(gm), len(mm))
		}
		for pi := range gm {
			if len(gm[pi]) != len(mm[pi]) {
				t.Fatalf("feature %d polygon %d: %d and %d rings", i, pi, len(gm[pi]), len(mm[pi]))
			}
			for ri := range gm[pi] {
				gr, mr := gm[pi][ri], mm[pi][ri]
				if ri == 0 && gr.Orientation() != orb.CCW {
					t.Errorf("feature %d: GeoJSON shell is not counter-clockwise", i)
				}
				// Rings run opposite ways (y flips between the two).
				rev := slices.Clone(gr)
				slices.Reverse(rev)
				if len(rev) != len(mr) {
					t.Fatalf("feature %d ring %d: %d and %d points", i, ri, len(rev), len(mr))
				}
				for k := range rev {
					if math.Abs(rev[k][0]-mr[k][0]) > unit/8 || math.Abs(rev[k][1]-mr[k][1]) > unit/8 {
						t.Fatalf("feature %d ring %d point %d: GeoJSON %v, MVT %v", i, ri, k, rev[k], mr[k])
					}
				}
			}
		}
	}
}

func asMulti(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

func TestEmptyTileEncodesToNothing(t *testing.T) {
	lt := &layerTile{tile: Tile{Z: 3, X: 1, Y: 1}, layer: "zones"}
	if encodeMVT(lt) != nil || encodeGeoJSON(lt) != nil {
		t.Error("empty tile encoded to bytes")
	}
}

func TestSubPixelSquaresAgreeAcrossTiles(t *testing.T) {
	// Many tiny parcels straddling the edge between two z8 tiles: both
	// tiles must draw the same squares where their buffers overlap.
	a, b := Tile{Z: 8, X: 212, Y: 107}, Tile{Z: 8, X: 213, Y: 107}
	edge := a.Bound(0).Max[0]
	var src []store.TileFeature
	for i := range 3000 {
		x := edge + (float64(i%60)-30)*0.0004
		y := a.Bound(0).Min[1] + 0.1 + float64(i/60)*0.002
		box := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + 0.001, y + 0.001}}
		src = append(src, store.TileFeature{ID: int64(i + 1), Props: map[string]any{}, Bound: box, Area: 0.0000008})
	}
	la, err := build(a, "layer-1", src)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := build(b, "layer-1", src)
	if err != nil {
		t.Fatal(err)
	}
	squares := func(lt *layerTile) map[[2]int64]int64 {
		out := map[[2]int64]int64{}
		for _, f := range lt.features {
			p := f.polys[0][0][0]
			gx := int64(p.x) + int64(lt.tile.X)*Extent
			gy := int64(p.y) + int64(lt.tile.Y)*Extent
			out[[2]int64{gx, gy}] = f.id
		}
		return out
	}
	sa, sb := squares(la), squares(lb)
	if len(sa) == 0 || len(sb) == 0 {
		t.Fatalf("no squares: %d and %d", len(sa), len(sb))
	}
	shared := 0
	// In the strip both tiles cover (x within a buffer of the edge).
	edgeX := int64(b.X) * Extent
	for k, id := range sa {
		if k[0] >= edgeX-Buffer && k[0]+Pixel <= edgeX+Buffer {
			shared++
			if sb[k] != id {
				t.Errorf("cell %v: tile a draws feature %d, tile b %d", k, id, sb[k])
			}
		}
	}
	for k := range sb {
		if k[0] >= edgeX-Buffer && k[0]+Pixel <= edgeX+Buffer {
			if _, ok := sa[k]; !ok {
				t.Errorf("cell %v drawn by tile b only", k)
			}
		}
	}
	if shared == 0 {
		t.Error("no squares in the shared strip")
	}
}

func TestAppendJSONString(t *testing.T) {
	in := "a\"b\\c\n\x01\u2028é\xff"
	got := string(appendJSONString(nil, in))
	want := `"a\"b\\c\n\u0001\u2028é\ufffd"`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestParseAttrs(t *testing.T) {
	got := map[string]any{}
	keys := map[string]string{}
	err := parseAttrs([]byte(` {"s": "x\u00e9\ud83d\ude00\"", "i": -12, "f": 2.5e3, "big": 1e400, "t": true, "f2": false, "n": null, "o": {"k": [1, "2"]}, "a": []} `), keys,
		func(k string, v any) { got[k] = v })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"s": "xé😀\"", "i": int64(-12), "f": 2500.0, "big": "1e400", "t": true, "f2": false, "o": `{"k":[1,"2"]}`, "a": "[]"}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a" 1}`, `{"a": tru}`, `{"a": 1,}`, `{"a": "x`} {
		if err := parseAttrs([]byte(bad), nil, func(string, any) {}); err == nil {
			t.Errorf("parseAttrs(%q) succeeded", bad)
		}
	}
}

func TestGzipAndETags(t *testing.T) {
	e := newEntry(cacheKey{layer: "zones"}, bytes.Repeat([]byte("abc"), 1000), nil)
	if !strings.HasPrefix(e.etag, `"`) || !strings.HasSuffix(e.etag, `"`) {
		t.Errorf("etag %s not quoted", e.etag)
	}
	if !matches(`W/`+e.etag, e.etag) || !matches(`"x", `+strings.TrimSuffix(e.etag, `"`)+`-gz"`, e.etag) || !matches("*", e.etag) || matches(`"x"`, e.etag) {
		t.Error("If-None-Match matching is wrong")
	}
	gz, made := e.gzipped()
	if !made || len(gz) == 0 || len(gz) >= len(e.body) {
		t.Errorf("gzip: %d bytes, made %v", len(gz), made)
	}
	if _, made := e.gzipped(); made {
		t.Error("gzip computed twice")
	}
}
