package browser

import (
	"fmt"
	"math"
	"strconv"
	"testing"
)

// TestSnapOptionsAndTypedVertex: with snapping switched off in the session
// bar's popover a point clicked 6 px from a neighbour's edge stays where it
// was clicked; switched on (edges only) it lands on the edge. Three points
// typed into the bar (decimal, DMS, EPSG:4528) become the new zone's
// vertices, to 1e-9°.
func TestSnapOptionsAndTypedVertex(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	n := createZone(t, editor, "吸附邻区"+randomHex(2), lng, lat, 600)
	ring := outerRing(t, n)
	se, ne := ring[1], ring[2]

	p := newPage(t)
	p.login(editorUser)
	p.view(lng+0.002, lat, 16)
	defer eval[bool](p, `(localStorage.removeItem('wanmu.snap'), true)`)

	// firstVertexOff is how many pixels the first drawn vertex lies east of
	// the neighbour's east edge, and its longitude.
	firstVertex := func() (float64, float64) {
		v := eval[[2]float64](p, fmt.Sprintf(`(function () {
			var m = wanmu.app.map, v = m.pm.Draw.Polygon._layer.getLatLngs()[0];
			return [m.latLngToContainerPoint(v).x - m.latLngToContainerPoint([v.lat, %v]).x, v.lng];
		})()`, ne[0]))
		return v[0], v[1]
	}
	nex, ney := p.px(ne[0], ne[1])
	sex, sey := p.px(se[0], se[1])
	ex, ey := (nex+sex)/2+6, (ney+sey)/2

	startDraw := func() {
		p.click(`[data-tool="draw"]`)
		p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	}
	stopDraw := func() {
		p.click(`.wanmu-sessionbar [data-action="cancel"]`)
		p.waitJS("select mode", `wanmu.app.editor.mode === 'select' && !wanmu.app.map.pm.globalDrawModeEnabled()`)
	}

	// Off: no snap.
	startDraw()
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`)
	p.waitJS("the snapping popover", `!document.querySelector('.wanmu-sessionbar .snap-popover').hidden`)
	p.click(`.snap-popover [data-snap="on"]`)
	p.waitJS("snapping off, remembered", `JSON.parse(localStorage.getItem('wanmu.snap')).on === false && !wanmu.app.map.pm.Draw.Polygon.options.snappable`)
	p.clickAt(ex, ey, false)
	p.waitJS("the first vertex", `wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs().length === 1`)
	if d, _ := firstVertex(); d < 4 {
		t.Errorf("with snapping off the vertex clicked 6 px from the edge is %.2f px from it (snapped?)", d)
	}
	stopDraw()

	// On, edges only, 10 px: snaps onto the edge.
	startDraw()
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`)
	p.waitJS("the snapping popover", `!document.querySelector('.wanmu-sessionbar .snap-popover').hidden`)
	p.click(`.snap-popover [data-snap="on"]`)
	p.click(`.snap-popover [data-snap="vertex"]`)
	p.setValue(`.snap-popover [data-snap="px"]`, "10")
	p.waitJS("snapping on, edges only, 10 px", `(function () {
		var v = JSON.parse(localStorage.getItem('wanmu.snap')), o = wanmu.app.map.pm.Draw.Polygon.options;
		return v.on && !v.vertex && v.edge && v.px === 10 && o.snappable && !o.snapVertex && o.snapSegment && o.snapDistance === 10;
	})()`)
	p.clickAt(ex, ey, false)
	p.waitJS("the first vertex", `wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs().length === 1`)
	if d, vlng := firstVertex(); math.Abs(d) > 0.5 || math.Abs(vlng-ne[0]) > 1e-7 {
		t.Errorf("with snapping on (edges) the vertex is %.2f px from the edge (lng %v, edge %v)", d, vlng, ne[0])
	}
	p.screenshot("61-snap-options")
	stopDraw()

	// Typed vertices, well away from the neighbour.
	lng2, lat2 := lng+0.02, lat+0.015
	p.view(lng2, lat2, 15)
	dec := fmt.Sprintf("%.7f, %.7f", lng2-0.003, lat2-0.002)
	d, m, s := 0.0, 0.0, 0.0
	latD := lat2 + 0.002
	d = math.Floor(latD)
	m = math.Floor((latD - d) * 60)
	s = math.Round(((latD-d)*60-m)*60*1000) / 1000
	dms := fmt.Sprintf("%.0f°%.0f′%.3f″N %.7f°E", d, m, s, lng2)
	src3 := [2]float64{lng2 + 0.003, lat2 - 0.002}
	xy := eval[[2]float64](p, fmt.Sprintf(`(function () { var q = wanmu.gk.toZone(%v, %v, true); return [q.x, q.y]; })()`, src3[0], src3[1]))
	gk := fmt.Sprintf("X=%.3f Y=%.3f", xy[0], xy[1])
	p3 := eval[[2]float64](p, fmt.Sprintf(`(function () { var q = wanmu.gk.fromZone(%.3f, %.3f); return [q.lon, q.lat]; })()`, xy[0], xy[1]))
	if math.Abs(p3[0]-src3[0]) > 1e-7 || math.Abs(p3[1]-src3[1]) > 1e-7 {
		t.Fatalf("EPSG:4528 round trip: %v from %v", p3, src3)
	}
	want := [][2]float64{
		{mustFloat(t, fmt.Sprintf("%.7f", lng2-0.003)), mustFloat(t, fmt.Sprintf("%.7f", lat2-0.002))},
		{mustFloat(t, fmt.Sprintf("%.7f", lng2)), d + m/60 + s/3600},
		p3,
	}

	startDraw()
	p.waitJS("the point input", `!document.querySelector('.wanmu-sessionbar [data-action="type-vertex"]').hidden`)
	for i, text := range []string{dec, dms, gk} {
		p.setValue(`.wanmu-sessionbar [data-action="type-vertex"]`, text)
		eval[bool](p, `(document.querySelector('.wanmu-sessionbar [data-action="type-vertex"]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})), true)`)
		p.waitJS(fmt.Sprintf("typed vertex %d (%s)", i+1, text), fmt.Sprintf(`wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs().length === %d`, i+1))
	}
	p.click(`.wanmu-sessionbar [data-action="finish"]`)
	p.waitJS("the attributes dialog", `!!document.querySelector('dialog.attributes[open]')`)
	name := "输入坐标新区" + randomHex(2)
	p.setValue(`dialog.attributes[open] input[name="name"]`, name)
	p.click(`dialog.attributes[open] footer .btn-primary`)
	p.waitJS("the new zone", fmt.Sprintf(`wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, name))
	id := eval[int64](p, fmt.Sprintf(`wanmu.app.zones.features().filter(function (f) { return f.properties.name === %q; })[0].properties.id`, name))
	var z zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &z)
	zr := outerRing(t, z)
	if len(zr) != 4 {
		t.Fatalf("the typed zone has %d positions, want 4: %v", len(zr), zr)
	}
	for i, w := range want {
		found := false
		for _, v := range zr {
			if math.Abs(v[0]-w[0]) <= 1e-9 && math.Abs(v[1]-w[1]) <= 1e-9 {
				found = true
			}
		}
		if !found {
			t.Errorf("typed point %d %v is not a vertex of the saved zone %v", i+1, w, zr)
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestTraceBoundary: with "trace" on, a point snapped onto a neighbour's
// east edge followed by one snapped onto its south edge are joined along
// the neighbour's boundary: its south-east corner is inserted between them,
// exactly, and the saved zone has it.
func TestTraceBoundary(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	n := createZone(t, editor, "沿边邻区"+randomHex(2), lng, lat, 600)
	ring := outerRing(t, n)
	sw, se, ne := ring[0], ring[1], ring[2]

	p := newPage(t)
	p.login(editorUser)
	p.view(lng+0.002, lat-0.001, 16)
	defer eval[bool](p, `(localStorage.removeItem('wanmu.snap'), true)`)
	swx, swy := p.px(sw[0], sw[1])
	sex, sey := p.px(se[0], se[1])
	nex, ney := p.px(ne[0], ne[1])

	p.click(`[data-tool="draw"]`)
	p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	eval[bool](p, `(wanmu.app.editor.snap.set({ on: true, vertex: true, edge: true, px: 14, trace: false }), true)`)
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`)
	p.click(`.snap-popover [data-snap="trace"]`)
	p.waitJS("tracing on", `JSON.parse(localStorage.getItem('wanmu.snap')).trace === true`)
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`) // close the popover

	p.clickAt(nex+(sex-nex)*0.3+5, ney+(sey-ney)*0.3, false)
	p.clickAt(sex+(swx-sex)*0.3, sey+(swy-sey)*0.3+5, false)
	p.waitJS("the traced corner", `wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs().length === 3`)
	mid := eval[[2]float64](p, `(function () { var v = wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs()[1]; return [v.lng, v.lat]; })()`)
	if mid != se {
		t.Errorf("the vertex traced between the two snapped points is %v, want the neighbour's corner %v exactly", mid, se)
	}
	p.clickAt(sex+150, sey+120, false)
	p.screenshot("62-trace-boundary")
	p.click(`.wanmu-sessionbar [data-action="finish"]`)
	p.waitJS("the attributes dialog", `!!document.querySelector('dialog.attributes[open]')`)
	name := "沿边新区" + randomHex(2)
	p.setValue(`dialog.attributes[open] input[name="name"]`, name)
	p.click(`dialog.attributes[open] footer .btn-primary`)
	p.waitJS("the new zone", fmt.Sprintf(`wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, name))
	id := eval[int64](p, fmt.Sprintf(`wanmu.app.zones.features().filter(function (f) { return f.properties.name === %q; })[0].properties.id`, name))
	var z zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &z)
	if zr := outerRing(t, z); len(zr) != 5 || !hasExact(zr, se) {
		t.Errorf("the saved zone %v does not follow the neighbour round its corner %v", zr, se)
	}
}
