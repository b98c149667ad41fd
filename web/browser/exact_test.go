package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tests in this file hold the page to figures a planner can sign: what
// is drawn, snapped and edited reaches PostGIS bit for bit, a refused edit
// leaves the figures as they were, and a conflict says what each choice does.

// TestSharedEdgeExact: a new zone drawn against a neighbour, snapped to two
// of its corners and onto its edge, shares that boundary exactly — the
// corners are the neighbour's very floats and the edge point is inserted
// into the neighbour too — and it stays so after both zones' other vertices
// are edited: PostGIS finds no overlap and no gap between them. An untouched
// zone opened for a vertex edit or a cut previews exactly its own figures.
func TestSharedEdgeExact(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	side := 600.0
	n := createZone(t, editor, "共边邻区"+randomHex(2), lng, lat, side)
	nID := n.Properties.ID
	var pl struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	editor.must(t, http.StatusCreated, "POST", "/api/v1/platforms", map[string]any{
		"name": "共边测试平台" + randomHex(2), "zone_ids": []int64{nID}, "reason": "browser test"}, 0, &pl)
	t.Cleanup(func() {
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pl.ID), nil, 0, &pl)
		editor.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/platforms/%d?reason=test", pl.ID), nil, pl.Version, nil)
	})
	ring := outerRing(t, n)
	sw, se, ne, nw := ring[0], ring[1], ring[2], ring[3]

	p := newPage(t)
	p.login(editorUser)
	p.view(lng+0.002, lat, 16)

	// An untouched zone: its draft is its saved self, to the last bit.
	for _, tool := range []string{"vertex", "cut"} {
		cx, cy := p.px(lng, lat)
		p.clickAt(cx, cy, false)
		p.waitSelection(nID)
		p.click(fmt.Sprintf(`[data-tool=%q]`, tool))
		p.waitJS("the preview of the untouched zone", `(function () {
			var v = wanmu.app.liveArea.value();
			return !!v && v.valid && v.platforms && v.platforms.length === 1 && !!v.platforms[0].current;
		})()`)
		got := eval[map[string]any](p, fmt.Sprintf(`(function () {
			var v = wanmu.app.liveArea.value(), z = wanmu.app.zones.feature(%d).properties, pl = v.platforms[0];
			return { area: v.area_mu === z.area_mu, delta: pl.preview.developable.mu - pl.current.developable.mu,
				text: document.querySelector('.wanmu-livearea .delta').textContent, dirty: wanmu.app.editor.session.dirty };
		})()`, nID))
		if got["area"] != true || got["delta"] != 0.0 || got["dirty"] != false || strings.ContainsAny(got["text"].(string), "−-") {
			t.Errorf("%s on an untouched zone: %v (want the same area, a delta of exactly 0, not dirty)", tool, got)
		}
		p.click(`.wanmu-sessionbar [data-action="cancel"]`)
		p.waitJS("the session closed", `!wanmu.app.editor.session && wanmu.app.editor.mode === 'select'`)
	}

	// Draw to the east: NE corner, two points outside, SE corner, a point on
	// the east edge, and close on the first point.
	nex, ney := p.px(ne[0], ne[1])
	sex, sey := p.px(se[0], se[1])
	edgeX, edgeY := nex+(sex-nex)*0.35+4, ney+(sey-ney)*0.35
	clicks := [][2]float64{{nex, ney}, {nex + 180, ney - 20}, {sex + 200, sey + 10}, {sex, sey}, {edgeX, edgeY}, {nex, ney}}
	p.click(`[data-tool="draw"]`)
	p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	if !eval[bool](p, `!document.querySelector('.wanmu-sessionbar .session-share').hidden && document.querySelector('[data-action="share-edges"]').checked`) {
		t.Error("the option to add edge-snapped points to the neighbour is not shown switched on while drawing")
	}
	// Record what the server measures for the page (POST /measure).
	eval[bool](p, `(function () {
		var send = wanmu.api.send;
		window.__measured = [];
		wanmu.api.send = function (m, path) {
			var r = send.apply(this, arguments);
			if (path === '/measure') { r.then(function (x) { window.__measured.push(x.data.area_mu); }, function () {}); }
			return r;
		};
		return true;
	})()`)
	for _, c := range clicks {
		p.clickAt(c[0], c[1], false)
	}
	p.waitJS("the attributes dialog with the area", `!!document.querySelector('dialog.attributes[open] .form-note strong') && window.__measured.length > 0`)
	name := "共边新区" + randomHex(2)
	// The dialog shows the server's measure of the polygon as it will be
	// stored, sent at full precision (the 4,645.80 vs 4,645.88 亩 of issue
	// 12 must not recur).
	shown := eval[string](p, `document.querySelector('dialog.attributes[open] .form-note strong').textContent`)
	measured := eval[float64](p, `window.__measured[window.__measured.length - 1]`)
	p.setValue(`dialog.attributes[open] input[name="name"]`, name)
	p.click(`dialog.attributes[open] footer .btn-primary`)
	p.waitJS("the neighbour updated too", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 2 &&
		Array.prototype.some.call(document.querySelectorAll('.toast'), function (x) { return x.textContent.indexOf('相邻要素') >= 0 && x.textContent.indexOf('也已更新') >= 0; })`, nID))
	zID := eval[int64](p, fmt.Sprintf(`wanmu.app.zones.features().filter(function (f) { return f.properties.name === %q; })[0].properties.id`, name))
	p.screenshot("30-shared-edge")

	var z, n2 zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", zID), nil, 0, &z)
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", nID), nil, 0, &n2)
	if saved := eval[string](p, fmt.Sprintf(`wanmu.units.area(%v)`, z.Properties.AreaMu)); shown != saved || measured != z.Properties.AreaMu {
		t.Errorf("the new-zone dialog said %q (measured %v mu), the saved zone is %q (%v mu): want the same, exactly", shown, measured, saved, z.Properties.AreaMu)
	}
	zr, nr := outerRing(t, z), outerRing(t, n2)
	for _, c := range [][2]float64{ne, se} {
		if !hasExact(zr, c) {
			t.Errorf("the new zone has no vertex exactly at the neighbour's corner %v (snapped to it): %v", c, zr)
		}
	}
	// The edge point: a vertex of the new zone that is not the neighbour's
	// and lies between its NE and SE corners; the neighbour must have it too.
	var shared [][2]float64
	for _, c := range zr[:len(zr)-1] {
		if c != ne && c != se && c[0] < ne[0]+1e-6 {
			shared = append(shared, c)
		}
	}
	if len(shared) != 1 {
		t.Fatalf("want one vertex of the new zone on the neighbour's edge, got %v in %v", shared, zr)
	}
	if !hasExact(nr, shared[0]) || len(nr) != len(ring)+1 {
		t.Errorf("the neighbour %v does not have the snapped edge point %v inserted", nr, shared[0])
	}
	for _, c := range [][2]float64{sw, nw} {
		if !hasExact(nr, c) {
			t.Errorf("the neighbour's untouched corner %v moved: %v", c, nr)
		}
	}
	db := testDB(t)
	checkNoOverlapNoGap(t, db, zID, nID)

	// Edit a vertex of each that is not on the shared edge, and save.
	editCorner := func(id int64, corner [2]float64, dx, dy float64, version int) {
		t.Helper()
		var f zoneFeature
		editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &f)
		c := centroid(outerRing(t, f))
		cx, cy := p.px(c[0], c[1])
		p.clickAt(cx, cy, false)
		p.waitSelection(id)
		p.click(`[data-tool="vertex"]`)
		p.waitJS("vertex markers", `document.querySelectorAll('.marker-icon').length >= 4`)
		x, y := p.px(corner[0], corner[1])
		dismissToasts(p)
		p.drag(x, y, x+dx, y+dy)
		p.waitJS("the unsaved change", `wanmu.app.editor.session && wanmu.app.editor.session.dirty`)
		p.click(`.wanmu-sessionbar [data-action="save"]`)
		p.waitJS("the saved zone", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === %d && !wanmu.app.editor.session`, id, version))
	}
	editCorner(zID, zr[1], 40, -30, 2)
	editCorner(nID, nw, -40, -30, 3)

	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", zID), nil, 0, &z)
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", nID), nil, 0, &n2)
	zr, nr = outerRing(t, z), outerRing(t, n2)
	for _, c := range [][2]float64{ne, se, shared[0]} {
		if !hasExact(zr, c) || !hasExact(nr, c) {
			t.Errorf("after editing both zones the shared vertex %v is not in both exactly:\n new %v\n neighbour %v", c, zr, nr)
		}
	}
	checkNoOverlapNoGap(t, db, zID, nID)
	p.screenshot("31-shared-edge-edited")
}

// TestRejectedVertexDrag: a vertex dragged across the opposite edge is put
// back by Geoman; the live figures are those of the restored shape, the
// session is not dirty, and saving writes nothing and adds no undo step.
// Geometry messages are in the planner's language with the coordinate.
func TestRejectedVertexDrag(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "回退测试区"+randomHex(2), lng, lat, 600)
	id := z.Properties.ID
	ring := outerRing(t, z)
	p, nx, ny := editVertices(t, id, lng, lat, 600, 15)
	p.waitJS("the figures of the zone", fmt.Sprintf(`(function () { var v = wanmu.app.liveArea.value(); return !!v && v.valid && v.area_mu === wanmu.app.zones.feature(%d).properties.area_mu; })()`, id))
	before := eval[string](p, `document.querySelector('.wanmu-livearea .value').textContent`)
	undo := eval[int](p, `wanmu.app.editor.history.undoStack.length`)
	// Record every write the page sends from now on.
	eval[bool](p, `(function () {
		window.__writes = [];
		var send = wanmu.api.send, request = wanmu.api.request;
		wanmu.api.send = function (m, path) { if (m !== 'POST' || !/\/(measure|preview)$/.test(path)) { window.__writes.push(m + ' ' + path); } return send.apply(this, arguments); };
		wanmu.api.request = function (m, path) { if (m !== 'GET' && m !== 'POST') { window.__writes.push(m + ' ' + path); } return request.apply(this, arguments); };
		return true;
	})()`)

	swx, swy := p.px(ring[0][0], ring[0][1])
	sex, _ := p.px(ring[1][0], ring[1][1])
	p.drag(nx, ny, (swx+sex)/2, swy+80) // NE corner to below the south edge: the boundary would cross itself
	p.waitJS("the vertex put back and said so", `Array.prototype.some.call(document.querySelectorAll('.toast'), function (x) { return x.textContent.indexOf('节点已放回原处') >= 0; })`)
	p.waitJS("the figures of the restored shape", fmt.Sprintf(`(function () {
		var v = wanmu.app.liveArea.value();
		return !!v && v.valid && v.area_mu === wanmu.app.zones.feature(%d).properties.area_mu && !document.querySelector('.wanmu-livearea .note.bad');
	})()`, id))
	if got := eval[string](p, `document.querySelector('.wanmu-livearea .value').textContent`); got != before {
		t.Errorf("the live figure after the refused move is %q, want %q as before", got, before)
	}
	bar := eval[string](p, `document.querySelector('.wanmu-sessionbar .session-text').textContent`)
	if eval[bool](p, `wanmu.app.editor.session.dirty`) || strings.Contains(bar, "未保存") || !eval[bool](p, `document.querySelector('.wanmu-sessionbar [data-action="save"]').disabled`) {
		t.Errorf("after the refused move the session is dirty or says unsaved: %q", bar)
	}
	p.screenshot("32-rejected-drag")

	// An invalid draft, measured by the server, is described in Chinese with
	// where it is; an unknown reason keeps the server's words after ours.
	eval[bool](p, fmt.Sprintf(`(wanmu.app.liveArea.measure({type: 'Polygon', coordinates: [[[%[1]v, %[2]v], [%[3]v, %[4]v], [%[3]v, %[2]v], [%[1]v, %[4]v], [%[1]v, %[2]v]]]}), true)`,
		lng-0.002, lat-0.002, lng+0.002, lat+0.002))
	p.waitJS("the invalid draft described", `!!document.querySelector('.wanmu-livearea .note.bad')`)
	note := eval[string](p, `document.querySelector('.wanmu-livearea .note').textContent`)
	want := fmt.Sprintf("（经度 %.7f，纬度 %.7f）", lng, lat)
	if !strings.Contains(note, "边界自相交") || !strings.Contains(note, want) || strings.Contains(note, "Self-intersection") {
		t.Errorf("the invalid draft reads %q, want it in Chinese with the crossing %s", note, want)
	}
	eval[bool](p, `(wanmu.i18n.setLang('en'), true)`)
	if note := eval[string](p, `document.querySelector('.wanmu-livearea .note').textContent`); !strings.Contains(note, "crosses itself") || !strings.Contains(note, fmt.Sprintf("longitude %.7f", lng)) {
		t.Errorf("in English the invalid draft reads %q", note)
	}
	if s := eval[string](p, `wanmu.LiveArea.describeInvalid('Something new[119.5 28.25]')`); !strings.Contains(s, "Something new") || !strings.Contains(s, "PostGIS finds the shape invalid") || !strings.Contains(s, "119.5000000") {
		t.Errorf("an unknown reason reads %q", s)
	}
	eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`)
	// Back to the real shape, then save: nothing is sent, nothing recorded.
	eval[bool](p, `(wanmu.app.liveArea.measure(wanmu.app.editor.session.copy.toGeoJSON(false).geometry), true)`)
	p.waitJS("the figures of the zone again", `!document.querySelector('.wanmu-livearea .note.bad') && /\d/.test(document.querySelector('.wanmu-livearea .value').textContent)`)
	eval[bool](p, `(wanmu.app.editor.save(), true)`)
	p.waitJS("the session closed", `!wanmu.app.editor.session && wanmu.app.editor.mode === 'select'`)
	if w := eval[[]string](p, `window.__writes`); len(w) != 0 {
		t.Errorf("saving an unchanged boundary sent %v", w)
	}
	if n := eval[int](p, `wanmu.app.editor.history.undoStack.length`); n != undo {
		t.Errorf("saving an unchanged boundary added %d undo steps", n-undo)
	}
	var after zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &after)
	if after.Properties.Version != 1 {
		t.Errorf("the zone is at version %d after the refused move, want 1", after.Properties.Version)
	}
}

// TestConflictChoices: two planners edit the same zone; the second save gets
// 412 and the dialog says what each choice does to the other's change.
// Keep theirs writes nothing, keep mine overwrites their boundary with mine
// exactly, edit on top opens a vertex edit of their boundary; in an
// attribute conflict only my changed fields are mine, the rest theirs kept.
func TestConflictChoices(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "冲突选择区"+randomHex(2), lng, lat, 700)
	id := z.Properties.ID

	p1 := newPage(t)
	p1.login(editorUser)
	p2 := newPage(t)
	p2.login(editor2User)
	for _, p := range []*page{p1, p2} {
		p.view(lng, lat, 15)
	}
	get := func() zoneFeature {
		t.Helper()
		var f zoneFeature
		editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &f)
		return f
	}
	// open starts a vertex edit on the zone as this page knows it and
	// drags its vertex i by dx, dy pixels.
	open := func(p *page, i int, dx, dy float64) {
		t.Helper()
		c := centroid(pageRing(p, id))
		x, y := p.px(c[0], c[1])
		p.clickAt(x, y, false)
		p.waitSelection(id)
		p.click(`[data-tool="vertex"]`)
		p.waitJS("vertex markers", `document.querySelectorAll('.marker-icon').length >= 4`)
		v := pageRing(p, id)[i]
		vx, vy := p.px(v[0], v[1])
		dismissToasts(p)
		p.drag(vx, vy, vx+dx, vy+dy)
		p.waitJS("the unsaved change", `wanmu.app.editor.session && wanmu.app.editor.session.dirty`)
	}
	save := func(p *page, version int) {
		t.Helper()
		p.click(`.wanmu-sessionbar [data-action="save"]`)
		p.waitJS("the saved zone", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === %d && !wanmu.app.editor.session`, id, version))
	}
	conflict := func(p *page) string {
		t.Helper()
		p.click(`.wanmu-sessionbar [data-action="save"]`)
		p.waitJS("the conflict dialog", `!!document.querySelector('dialog.conflict[open]')`)
		return eval[string](p, `document.querySelector('dialog.conflict[open]').textContent`)
	}
	mine := func(p *page) string {
		return eval[string](p, `JSON.stringify(wanmu.app.editor.session.copy.toGeoJSON(false).geometry.coordinates)`)
	}

	// 1. Keep theirs: nothing written, their boundary stays.
	open(p1, 2, 30, -30)
	save(p1, 2)
	theirs := get()
	open(p2, 0, -30, 30)
	text := conflict(p2)
	for _, want := range []string{"保留对方的版本", "用我的边界覆盖对方的", "在对方版本上重新编辑", "对方画的边界将被我的边界替换", "对方的边界修改就此丢失", editorUser} {
		if !strings.Contains(text, want) {
			t.Errorf("the boundary conflict does not say %q: %s", want, text)
		}
	}
	if n := eval[int](p2, `wanmu.app.compare.getLayers().length`); n < 3 {
		t.Errorf("the conflict shows %d layers on the map, want both versions (and their tags)", n)
	}
	if got := eval[[2]string](p2, `(function () { var r = document.querySelector('dialog.conflict[open] tr[data-field="geometry"]'); return [r.querySelector('.mine').textContent, r.querySelector('.theirs').textContent]; })()`); !strings.Contains(got[0], "我画的边界") || !strings.Contains(got[1], "已修改") {
		t.Errorf("the boundary row reads mine %q, theirs %q; want my boundary and theirs changed", got[0], got[1])
	}
	// Both boundaries' areas, mine measured by the server like theirs.
	p2.waitJS("my boundary's area", `/我画的边界，[0-9,.]+ 亩/.test(document.querySelector('dialog.conflict[open] tr[data-field="geometry"] .mine').textContent)`)
	p2.screenshot("33-conflict-boundary")
	footerFits(p2, "33b-conflict-boundary-tablet")
	p2.click(`dialog.conflict[open] footer [data-value="reload"]`)
	p2.waitJS("their version kept", fmt.Sprintf(`!document.querySelector('dialog[open]') && !wanmu.app.editor.session && wanmu.app.zones.feature(%d).properties.version === 2`, id))
	if now := get(); now.Properties.Version != 2 || string(now.Geometry.Coordinates) != string(theirs.Geometry.Coordinates) {
		t.Errorf("keep theirs wrote something: version %d", now.Properties.Version)
	}

	// 2. Keep mine: my boundary, exactly, over theirs.
	open(p1, 3, -30, -30)
	save(p1, 3)
	open(p2, 0, -30, 30)
	my := mine(p2)
	conflict(p2)
	p2.click(`dialog.conflict[open] footer [data-value="overwrite"]`)
	p2.waitJS("mine written", fmt.Sprintf(`!document.querySelector('dialog[open]') && wanmu.app.zones.feature(%d).properties.version === 4`, id))
	if now := get(); !sameCoords(t, now.Geometry.Coordinates, my) {
		t.Errorf("keep mine stored %s, want exactly my boundary %s", now.Geometry.Coordinates, my)
	}

	// 3. Edit on top of theirs: a vertex edit of their boundary.
	p1.reloadData()
	open(p1, 1, 30, 30)
	save(p1, 5)
	theirs = get()
	open(p2, 2, 20, -20)
	conflict(p2)
	p2.click(`dialog.conflict[open] footer [data-value="ontop"]`)
	p2.waitJS("a vertex edit of their version", `!document.querySelector('dialog[open]') && !!wanmu.app.editor.session && wanmu.app.editor.session.kind === 'vertex' && wanmu.app.editor.session.base.properties.version === 5 && wanmu.app.compare.getLayers().length >= 1`)
	if base := eval[string](p2, `JSON.stringify(wanmu.app.editor.session.copy.toGeoJSON(false).geometry.coordinates)`); !sameCoords(t, theirs.Geometry.Coordinates, base) {
		t.Errorf("edit on top starts from %s, want their boundary %s", base, theirs.Geometry.Coordinates)
	}
	if now := get(); now.Properties.Version != 5 {
		t.Errorf("edit on top wrote version %d before saving", now.Properties.Version)
	}
	p2.screenshot("34-conflict-ontop")
	p2.click(`.wanmu-sessionbar [data-action="cancel"]`)
	p2.waitJS("the session closed", `!wanmu.app.editor.session`)

	// 4. Attributes: I change the disposition, they renamed it.
	p1.reloadData()
	p2.reloadData()
	renamed := "对方改名" + randomHex(2)
	attrs := func(p *page, field, value string) {
		t.Helper()
		c := centroid(pageRing(p, id))
		x, y := p.px(c[0], c[1])
		p.clickAt(x, y, false)
		p.waitSelection(id)
		p.click(`[data-tool="attributes"]`)
		p.waitJS("the attributes dialog", `!!document.querySelector('dialog.attributes[open]')`)
		p.setValue(fmt.Sprintf(`dialog.attributes[open] [name=%q]`, field), value)
		p.click(`dialog.attributes[open] footer .btn-primary`)
	}
	attrs(p1, "name", renamed)
	p1.waitJS("the rename", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 6`, id))
	attrs(p2, "disposition", "撤")
	p2.waitJS("the conflict dialog", `!!document.querySelector('dialog.conflict[open]')`)
	row := func(field string) [2]string {
		return eval[[2]string](p2, fmt.Sprintf(`(function () { var r = document.querySelector('dialog.conflict[open] tr[data-field=%q]'); return r ? [r.querySelector('.mine').textContent, r.querySelector('.theirs').textContent] : ['', '']; })()`, field))
	}
	if r := row("name"); r[0] != "未改（保留对方的）" || r[1] != renamed {
		t.Errorf("the name row reads mine %q, theirs %q; want mine unchanged (theirs kept), theirs %q", r[0], r[1], renamed)
	}
	if r := row("disposition"); !strings.Contains(r[0], "撤") {
		t.Errorf("the disposition row reads mine %q, want my 撤", r[0])
	}
	if text := eval[string](p2, `document.querySelector('dialog.conflict[open]').textContent`); !strings.Contains(text, "只写入表中我改过的字段") {
		t.Errorf("the attribute conflict does not say what re-applying does: %s", text)
	}
	p2.screenshot("35-conflict-attributes")
	p2.click(`dialog.conflict[open] footer [data-value="reapply"]`)
	p2.waitJS("mine applied to theirs", fmt.Sprintf(`!document.querySelector('dialog[open]') && wanmu.app.zones.feature(%d).properties.version === 7`, id))
	var now struct {
		Properties struct {
			Name        string `json:"name"`
			Disposition string `json:"disposition"`
		} `json:"properties"`
	}
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &now)
	if now.Properties.Name != renamed || now.Properties.Disposition != "撤" {
		t.Errorf("after re-applying: name %q disposition %q, want their %q and my 撤", now.Properties.Name, now.Properties.Disposition, renamed)
	}
}

// dismissToasts closes the messages at the top of the page, which would
// otherwise take the mouse press of a drag that starts under them.
func dismissToasts(p *page) {
	p.t.Helper()
	eval[bool](p, `(Array.prototype.forEach.call(document.querySelectorAll('.toast-close'), function (b) { b.click(); }), true)`)
}

// outerRing is the first ring of a zone's (Multi)Polygon, closed.
func outerRing(t *testing.T, z zoneFeature) [][2]float64 {
	t.Helper()
	var mp [][][][2]float64
	if z.Geometry.Type == "Polygon" {
		var p [][][2]float64
		if err := json.Unmarshal(z.Geometry.Coordinates, &p); err != nil {
			t.Fatal(err)
		}
		mp = [][][][2]float64{p}
	} else if err := json.Unmarshal(z.Geometry.Coordinates, &mp); err != nil {
		t.Fatal(err)
	}
	if len(mp) == 0 || len(mp[0]) == 0 {
		t.Fatalf("zone %d has no ring", z.Properties.ID)
	}
	return mp[0][0]
}

// pageRing is the outer ring of a zone as the page holds it.
func pageRing(p *page, id int64) [][2]float64 {
	p.t.Helper()
	var z zoneFeature
	raw := eval[string](p, fmt.Sprintf(`JSON.stringify(wanmu.app.zones.feature(%d))`, id))
	if err := json.Unmarshal([]byte(raw), &z); err != nil {
		p.t.Fatal(err)
	}
	return outerRing(p.t, z)
}

func centroid(r [][2]float64) [2]float64 {
	var c [2]float64
	for _, v := range r[:len(r)-1] {
		c[0] += v[0]
		c[1] += v[1]
	}
	n := float64(len(r) - 1)
	return [2]float64{c[0] / n, c[1] / n}
}

// hasExact reports whether ring has the position bit for bit.
func hasExact(ring [][2]float64, c [2]float64) bool {
	for _, v := range ring {
		if v == c {
			return true
		}
	}
	return false
}

// sameCoords compares two GeoJSON coordinate arrays (Polygon or
// MultiPolygon of one polygon) number by number, exactly.
func sameCoords(t *testing.T, a json.RawMessage, b string) bool {
	t.Helper()
	flat := func(raw []byte) []float64 {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		var out []float64
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case []any:
				for _, e := range x {
					walk(e)
				}
			case float64:
				out = append(out, x)
			}
		}
		walk(v)
		return out
	}
	fa, fb := flat(a), flat([]byte(b))
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] != fb[i] {
			return false
		}
	}
	return true
}

// checkNoOverlapNoGap asks PostGIS whether zones a and b overlap (the area
// of their intersection) or leave a gap between them (holes in their union).
func checkNoOverlapNoGap(t *testing.T, db *pgx.Conn, a, b int64) {
	t.Helper()
	var overlap, holeArea float64
	var parts, holes int
	err := db.QueryRow(context.Background(), `
		WITH u AS (SELECT ST_Union(za.geom, zb.geom) AS g, ST_Area(ST_Intersection(za.geom, zb.geom)) AS overlap
			FROM zone za, zone zb WHERE za.id = $1 AND zb.id = $2)
		SELECT overlap, ST_NumGeometries(g),
			(SELECT coalesce(sum(ST_NumInteriorRings(d.geom)), 0) FROM ST_Dump(g) d)::int,
			(SELECT coalesce(sum(ST_Area(ST_MakePolygon(ST_ExteriorRing(d.geom)))), 0) FROM ST_Dump(g) d) - ST_Area(g)
		FROM u`, a, b).Scan(&overlap, &parts, &holes, &holeArea)
	if err != nil {
		t.Fatalf("check the shared boundary in PostGIS: %v", err)
	}
	t.Logf("zones %d and %d: ST_Area(ST_Intersection) = %g, union parts %d, holes %d, hole area %g", a, b, overlap, parts, holes, holeArea)
	if overlap != 0 || parts != 1 || holes != 0 || holeArea != 0 {
		t.Errorf("zones %d and %d do not meet exactly: overlap %g deg², union of %d parts with %d holes (%g deg²)", a, b, overlap, parts, holes, holeArea)
	}
}

// testDB connects to the test server's embedded PostgreSQL over the Unix
// socket its log names.
func testDB(t *testing.T) *pgx.Conn {
	t.Helper()
	b, err := os.ReadFile(suite.serverLog)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`socket=("[^"]*"|\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("the server log names no database socket:\n%s", tail(suite.serverLog, 2000))
	}
	dir := strings.Trim(string(m[1]), `"`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=5432 user=postgres dbname=wanmu sslmode=disable", dir))
	if err != nil {
		t.Fatalf("connect to the test database at %s: %v", dir, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
