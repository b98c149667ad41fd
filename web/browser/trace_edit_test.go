package browser

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestTraceWhileEditing: zone A lies east of neighbour B, its west edge on
// B's east edge. Dragging A's south-west vertex onto B's south edge with
// tracing off makes A's edge cut across B's south-east corner (no vertex
// inserted, the zones overlap). With tracing on, dragging that vertex along
// B's south edge inserts B's corner into A exactly, and Esc gives the change
// up; a vertex added on the crossing edge (its middle handle dragged onto
// B's south edge) does the same, and once saved A and B meet without
// overlap.
func TestTraceWhileEditing(t *testing.T) {
	editor := mustAPI(t, editorUser)
	db := testDB(t)
	lng, lat := freeSpot(t, editor)
	b := createZone(t, editor, "追踪邻区"+randomHex(2), lng, lat, 600)
	br := outerRing(t, b)
	sw, se, ne := br[0], br[1], br[2]
	mLng, mLat := 1/(111320*math.Cos(lat*math.Pi/180)), 1/111320.0
	p1 := [2]float64{se[0], (se[1] + ne[1]) / 2} // on B's east edge
	p4 := [2]float64{se[0], se[1] - 250*mLat}    // below B's south-east corner
	ring := [][2]float64{p1, {se[0] + 400*mLng, p1[1]}, {se[0] + 400*mLng, p4[1]}, p4, p1}
	var a zoneFeature
	editor.must(t, 201, "POST", "/api/v1/zones", map[string]any{
		"type": "Feature", "geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}},
		"properties": map[string]any{"kind": "township", "name": "追踪编辑区" + randomHex(2), "county_adcode": "331102", "disposition": "待定"},
		"reason":     "browser test",
	}, 0, &a)
	id := a.Properties.ID

	p := newPage(t)
	p.login(editorUser)
	p.view(se[0]+100*mLng, se[1]+260*mLat, 16) // B's corner below the notes
	defer eval[bool](p, `(localStorage.removeItem('wanmu.snap'), true)`)
	eval[bool](p, `(wanmu.app.editor.snap.set({ on: true, vertex: true, edge: true, px: 14, trace: false }), true)`)

	// onSouth is the pixel just below B's south edge, f of the way from its
	// south-east corner to its south-west one (snapping pulls it onto it).
	onSouth := func(f float64) (float64, float64) {
		x, y := p.px(se[0]+(sw[0]-se[0])*f, se[1])
		return x, y + 5
	}
	// open selects A and opens its vertex edit; drag moves the marker at
	// pixel fx, fy onto B's south edge and waits for the session to show
	// the change.
	open := func() {
		ax, ay := p.px(se[0]+200*mLng, se[1]+25*mLat)
		p.clickAt(ax, ay, false)
		p.waitSelection(id)
		p.click(`[data-tool="vertex"]`)
		p.waitJS("vertex markers", `wanmu.app.editor.session && document.querySelectorAll('.marker-icon').length >= 4`)
	}
	drag := func(fx, fy, f float64) {
		tx, ty := onSouth(f)
		p.drag(fx, fy, tx, ty)
		p.waitJS("the unsaved change and the live area", `wanmu.app.editor.session.dirty && /未保存/.test(document.querySelector('.wanmu-sessionbar .session-text').textContent) && /\d/.test(document.querySelector('.wanmu-livearea .value').textContent)`)
	}
	// The edited ring, closed, as the page would send it.
	ringJS := `(function (g) { return g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0]; })(wanmu.app.editor.session.copy.toGeoJSON(false).geometry)`
	count := ringJS + `.length - 1`
	has := fmt.Sprintf(`%s.some(function (v) { return v[0] === %v && v[1] === %v; })`, ringJS, se[0], se[1])
	save := func(version int) {
		p.click(`.wanmu-sessionbar [data-action="save"]`)
		p.waitJS("the saved zone", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === %d && !wanmu.app.editor.session`, id, version))
	}
	overlap := func() float64 {
		var m2 float64
		if err := db.QueryRow(context.Background(), `SELECT ST_Area(ST_Intersection(za.geom, zb.geom)::geography)
			FROM zone za, zone zb WHERE za.id = $1 AND zb.id = $2 AND za.scenario_id = 0 AND zb.scenario_id = 0`, id, b.Properties.ID).Scan(&m2); err != nil {
			t.Fatalf("the overlap in PostGIS: %v", err)
		}
		return m2
	}

	// Tracing off: nothing inserted; the saved edge cuts across B.
	open()
	x, y := p.px(p4[0], p4[1])
	drag(x, y, 0.3)
	if n := eval[int](p, count); n != 4 || eval[bool](p, has) {
		t.Errorf("with tracing off the edited ring has %d vertices (B's corner in it: %v), want the 4 dragged ones", n, eval[bool](p, has))
	}
	p.screenshot("140-trace-edit-off")
	save(2)
	var off zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &off)
	offRing := outerRing(t, off)
	if len(offRing) != 5 || hasExact(offRing, se) {
		t.Errorf("saved with tracing off, A is %v: want 4 vertices without B's corner %v", offRing, se)
	}
	if m2 := overlap(); m2 < 100 {
		t.Errorf("saved with tracing off, A overlaps B by %g m², want the cut-off corner (> 100 m²)", m2)
	}
	// The dragged vertex as saved: on B's south edge, west of its corner.
	var moved [2]float64
	for _, v := range offRing {
		if math.Abs(v[1]-se[1]) < 1e-7 && v[0] < se[0] {
			moved = v
		}
	}
	if moved[0] == 0 {
		t.Fatalf("the vertex dragged onto B's south edge is not in %v", offRing)
	}

	// Tracing on (switched in the popover): the next drag along B's south
	// edge brings in B's corner; Esc gives the session up.
	open()
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`)
	p.click(`.snap-popover [data-snap="trace"]`)
	p.waitJS("tracing on", `JSON.parse(localStorage.getItem('wanmu.snap')).trace === true`)
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`) // close the popover
	x, y = p.px(moved[0], moved[1])
	drag(x, y, 0.15)
	p.waitJS("B's corner traced into A", has)
	p.do(chromedp.KeyEvent(kb.Escape))
	p.click(`dialog.confirm[open] footer .btn-danger`)
	p.waitJS("the edit given up", fmt.Sprintf(`!wanmu.app.editor.session && wanmu.app.zones.feature(%d).properties.version === 2 && JSON.stringify(wanmu.app.zones.feature(%d).geometry.coordinates) === JSON.stringify(JSON.parse(%q))`, id, id, string(off.Geometry.Coordinates)))

	// Again, this time adding a vertex: the middle handle of the edge that
	// cuts across B's corner, dragged onto B's south edge. Saved, A keeps
	// B's corner, exactly, and they do not overlap.
	open()
	mx, my := p.px(moved[0], moved[1])
	nx, ny := p.px(p1[0], p1[1])
	drag((mx+nx)/2, (my+ny)/2, 0.15)
	p.waitJS("B's corner traced into A", has)
	if n := eval[int](p, count); n != 6 {
		t.Errorf("traced: the edited ring has %d vertices, want 6 (one added on the edge, and B's corner)", n)
	}
	p.screenshot("141-trace-edit-on")
	save(3)
	p.screenshot("142-trace-edit-saved")
	var on zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &on)
	onRing := outerRing(t, on)
	if len(onRing) != 7 || !hasExact(onRing, se) || !hasExact(onRing, p1) || !hasExact(onRing, moved) {
		t.Errorf("saved with tracing on, A is %v: want 6 vertices with B's corner %v exactly", onRing, se)
	}
	if m2 := overlap(); m2 > 1e-6 {
		t.Errorf("saved with tracing on, A still overlaps B by %g m²", m2)
	}
}
