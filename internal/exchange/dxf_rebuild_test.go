package exchange

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// square is a closed ring of an axis-aligned square in projected metres.
func square(x, y, size float64) orb.Ring {
	return orb.Ring{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}
}

func polyline(layer string, r orb.Ring, xdata ...string) Feature {
	return Feature{Geometry: orb.LineString(r), Properties: dxfProps(layer, "", xdata)}
}

func hatch(layer string, p orb.Polygon, xdata ...string) Feature {
	return Feature{Geometry: p, Properties: dxfProps(layer, "SOLID", xdata)}
}

func label(layer string, x, y float64, text string, xdata ...string) Feature {
	return Feature{Geometry: orb.Point{x, y}, Properties: dxfProps(layer, text, xdata)}
}

// dxfProps are the properties GDAL gives an entity; xdata are raw code
// values after "1001 WANMU".
func dxfProps(layer, text string, xdata []string) map[string]any {
	p := map[string]any{dxfLayerField: layer, dxfHandleField: "1F"}
	if text != "" {
		p[dxfTextField] = text
	}
	if len(xdata) > 0 {
		raw := []any{"330 1F", "1001 WANMU"}
		for _, x := range xdata {
			raw = append(raw, x)
		}
		p[dxfRawField] = raw
	}
	return p
}

func TestDXFRebuild(t *testing.T) {
	const x0, y0 = 40492000.0, 3148000.0
	in := []Feature{
		// A zone with a hole, an island in the hole, each labelled.
		polyline("ZONE", square(x0, y0, 1000)),
		polyline("ZONE", square(x0+250, y0+250, 500)),
		polyline("ZONE", square(x0+400, y0+400, 200)),
		label("ZONE", x0+100, y0+100, "甲"),
		label("ZONE", x0+500, y0+500, "{\\fSimSun|b0;乙}"),
		// A hatch with a hole and the polylines tracing it (drawn the other way).
		hatch("开发区园区_保留_填充", orb.Polygon{square(x0+2000, y0, 1000), square(x0+2400, y0+400, 100)}),
		polyline("开发区园区_保留", orb.Ring{{x0 + 2000, y0}, {x0 + 2000, y0 + 1000}, {x0 + 3000, y0 + 1000}, {x0 + 3000, y0}, {x0 + 2000, y0}}),
		polyline("开发区园区_保留", square(x0+2400, y0+400, 100)),
		label("开发区园区_保留_标注", x0+2100, y0+100, "丙"),
		label("开发区园区_保留_标注", x0+2100, y0+50, "面积 1500.0000 亩"),
		// A fill on a layer of its own takes the layer of its outline.
		hatch("FILL", orb.Polygon{square(x0+2000, y0+3000, 100)}),
		polyline("乡镇工业功能区_提", square(x0+2000, y0+3000, 100)),
		label("TEXT", x0+2050, y0+3050, "己"),
		// Two parts with the same label on one layer: one zone.
		polyline("乡镇工业功能区_并", square(x0, y0+2000, 100)),
		polyline("乡镇工业功能区_并", square(x0+300, y0+2000, 100)),
		label("乡镇工业功能区_并_标注", x0+50, y0+2050, "丁"),
		label("乡镇工业功能区_并_标注", x0+350, y0+2050, "丁"),
		// A ring inside another on another layer is not a hole.
		polyline("RED", square(x0+5000, y0, 1000)),
		polyline("ROAD", square(x0+5100, y0+100, 100)),
		// Parts grouped by XDATA, which also names them.
		polyline("X", square(x0+8000, y0, 100), "1000 _feature", "1000 zones/9", "1000 name", "1000 戊", "1000 members", "1071 3"),
		polyline("X", square(x0+8500, y0, 100), "1000 _feature", "1000 zones/9"),
		// An open line and a duplicate polyline.
		{Geometry: orb.LineString{{x0, y0 - 100}, {x0 + 100, y0 - 100}}, Properties: dxfProps("ROAD", "", nil)},
		polyline("RED", square(x0+5000, y0, 1000)),
	}
	r := dxfRebuild(in)
	byName := map[string]Feature{}
	for _, f := range r.features {
		if n := stringOf(f.Properties["name"]); n != "" {
			byName[n] = f
		}
	}
	if len(r.features) != 8 {
		t.Errorf("%d features, want 8: 甲 乙 丙 丁 戊 己 and two unlabelled", len(r.features))
	}
	check := func(name string, parts, rings int, m2 float64) Feature {
		t.Helper()
		f, ok := byName[name]
		if !ok {
			t.Errorf("no feature %s (have %v)", name, r.features)
			return f
		}
		mp := polygonsOf(f.Geometry)
		n := 0
		for _, p := range mp {
			n += len(p)
		}
		if len(mp) != parts || n != rings {
			t.Errorf("%s: %d parts %d rings, want %d and %d", name, len(mp), n, parts, rings)
		}
		if a := math.Abs(planar.Area(f.Geometry)); math.Abs(a-m2) > 1e-6 {
			t.Errorf("%s: area %.1f, want %.1f", name, a, m2)
		}
		return f
	}
	check("甲", 1, 2, 1000*1000-500*500)
	check("乙", 1, 1, 200*200)
	bing := check("丙", 1, 2, 1000*1000-100*100)
	if bing.Properties["kind"] != "开发区/园区" || bing.Properties["disposition"] != "保留" || bing.Properties[dxfLayerField] != "开发区园区_保留" {
		t.Errorf("丙: properties %v", bing.Properties)
	}
	ding := check("丁", 2, 2, 2*100*100)
	if ding.Properties["disposition"] != "并" || ding.Properties["kind"] != "乡镇工业功能区" {
		t.Errorf("丁: properties %v", ding.Properties)
	}
	ji := check("己", 1, 1, 100*100)
	if ji.Properties[dxfLayerField] != "乡镇工业功能区_提" || ji.Properties["disposition"] != "提" {
		t.Errorf("己: properties %v, want the outline's layer", ji.Properties)
	}
	wu := check("戊", 2, 2, 2*100*100)
	if wu.Properties["members"] != int64(3) {
		t.Errorf("戊: members %#v, want int64 3 from XDATA", wu.Properties["members"])
	}
	if r.traced != 3 || r.dups != 1 || r.open != 1 || r.holes != 2 || r.multi != 2 {
		t.Errorf("traced %d dups %d open %d holes %d multi %d, want 3 1 1 2 2", r.traced, r.dups, r.open, r.holes, r.multi)
	}
	s := r.summary()
	for _, want := range []string{"组成 8 个面（2 个带洞，2 个多部分）", "3 条与填充边界重合", "1 条未闭合的线"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
	for _, f := range []string{"name", "kind", "disposition", "members"} {
		if !strings.Contains(strings.Join(r.fields, ","), f) {
			t.Errorf("fields %v lack %s", r.fields, f)
		}
	}
}

// TestDXFRebuildMany: 100,000 rings — 40,000 parcels with a hole, 20,000
// without — are nested with every hole in its parcel. (The bounding-box
// index keeps this to about half a second of CPU; all pairs would be
// 5·10⁹ tests. BenchmarkDXFExport's machine figures are where speed is
// measured, not here.)
func TestDXFRebuildMany(t *testing.T) {
	var in []Feature
	for i := 0; i < 60000; i++ {
		x, y := float64(i%250)*300, float64(i/250)*300
		in = append(in, polyline(fmt.Sprint("L", i%3), square(x, y, 200)))
		if i%3 != 0 {
			in = append(in, polyline(fmt.Sprint("L", i%3), square(x+50, y+50, 20)))
		}
	}
	r := dxfRebuild(in)
	if len(r.features) != 60000 || r.holes != 40000 {
		t.Fatalf("%d features %d with holes, want 60000 and 40000", len(r.features), r.holes)
	}
}

// A third party's drawing: the same label written on parts far apart is
// several zones; near each other, one zone, and the preview says so. The
// same outline hatched on two layers is two features, and a zone drawn on
// its own layer inside another layer's hatch hole is kept.
func TestDXFRebuildLabelsAndLayers(t *testing.T) {
	const x0, y0 = 40492000.0, 3148000.0
	in := []Feature{
		polyline("用地", square(x0, y0, 100)),
		polyline("用地", square(x0+5000, y0, 100)), // 5 km away
		polyline("用地", square(x0+300, y0, 100)),  // 200 m from the first
		label("用地", x0+50, y0+50, "工业用地"),
		label("用地", x0+5050, y0+50, "工业用地"),
		label("用地", x0+350, y0+50, "工业用地"),
		hatch("生态保护红线", orb.Polygon{square(x0, y0+2000, 500)}),
		hatch("开发区园区_保留", orb.Polygon{square(x0, y0+2000, 500)}),
		hatch("红线", orb.Polygon{square(x0+3000, y0+2000, 500), square(x0+3100, y0+2100, 100)}),
		polyline("乡镇工业功能区_并", square(x0+3100, y0+2100, 100)),
	}
	r := dxfRebuild(in)
	parts := map[string][]int{}
	for _, f := range r.features {
		name, _ := f.Properties["name"].(string)
		layer, _ := f.Properties[dxfLayerField].(string)
		parts[layer+"/"+name] = append(parts[layer+"/"+name], len(multi(f.Geometry)))
	}
	if got := fmt.Sprint(parts["用地/工业用地"]); got != "[2 1]" {
		t.Errorf("工业用地: parts %s, want one zone of two near parts and one far zone: %v", got, parts)
	}
	if len(parts["生态保护红线/"]) != 1 || len(parts["开发区园区_保留/"]) != 1 {
		t.Errorf("one outline hatched on two layers: %v, want a feature on each", parts)
	}
	if len(parts["乡镇工业功能区_并/"]) != 1 {
		t.Errorf("the zone in another layer's hatch hole was dropped: %v", parts)
	}
	if s := r.summary(); !strings.Contains(s, "“工业用地”（2 个部分）") {
		t.Errorf("summary %q does not name the label merge", s)
	}
}

// Two rectangles with the same corner and area are different rings.
func TestDXFRingKey(t *testing.T) {
	a := orb.Ring{{0, 0}, {10, 0}, {10, 20}, {0, 20}, {0, 0}}
	b := orb.Ring{{0, 0}, {20, 0}, {20, 10}, {0, 10}, {0, 0}}
	if keyOfRing(a) == keyOfRing(b) {
		t.Error("a 10×20 and a 20×10 rectangle share a ring key")
	}
}

func multi(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}
