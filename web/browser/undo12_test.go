package browser

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUndoRedoEveryOperation (issue 12): undo and redo are the server's, per
// user, so a merge, a split and a membership change made in the page are
// undone after a reload and redone, each step a revision in the history;
// a constraint layer switched through the API is undone in the
// administrator's page and the platforms' figures come back. A dialog's
// error is in the planner's language.
func TestUndoRedoEveryOperation(t *testing.T) {
	editor := mustAPI(t, editorUser)
	zone := func(id int64) zoneFeature {
		t.Helper()
		var f zoneFeature
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &f)
		return f
	}
	members := func(pid int64) []int64 {
		t.Helper()
		var pl struct {
			ZoneIDs []int64 `json:"zone_ids"`
		}
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pid), nil, 0, &pl)
		slices.Sort(pl.ZoneIDs)
		return pl.ZoneIDs
	}
	// revisions is the number of revisions of a zone and their actions.
	revisions := func(id int64) (int, string) {
		t.Helper()
		var h struct {
			Revisions []struct {
				Action string `json:"action"`
			} `json:"revisions"`
		}
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/zones/%d/history", id), nil, 0, &h)
		var a []string
		for _, r := range h.Revisions {
			a = append(a, r.Action)
		}
		return len(h.Revisions), strings.Join(a, ",")
	}
	// live checks from the API which zones are live and which retired, and
	// that each has one more revision than before the step.
	counts := map[int64]int{}
	live := func(step string, alive, retired []int64) {
		t.Helper()
		for _, id := range append(slices.Clone(alive), retired...) {
			z := zone(id)
			if want := slices.Contains(alive, id); (z.Properties.RetiredAt == nil) != want {
				t.Errorf("%s: zone %d live=%v, want %v", step, id, z.Properties.RetiredAt == nil, want)
			}
			n, actions := revisions(id)
			if n <= counts[id] {
				t.Errorf("%s: zone %d has %d revisions (%s), had %d: the step is not in its history", step, id, n, actions, counts[id])
			}
			counts[id] = n
		}
	}
	sameMembers := func(step string, pid int64, want ...int64) {
		t.Helper()
		slices.Sort(want)
		if got := members(pid); !slices.Equal(got, want) {
			t.Errorf("%s: platform %d has members %v, want %v", step, pid, got, want)
		}
	}
	platform := func(name string, ids ...int64) int64 {
		t.Helper()
		var pl struct {
			ID int64 `json:"id"`
		}
		editor.must(t, http.StatusCreated, "POST", "/api/v1/platforms", map[string]any{"name": name + randomHex(2), "zone_ids": ids, "reason": "browser test"}, 0, &pl)
		return pl.ID
	}

	p := newPage(t)
	p.login(editorUser)
	reload := func() {
		t.Helper()
		p.do(chromedpNavigate(suite.base + "/"))
		p.waitReady()
	}
	redo := func() {
		t.Helper()
		p.waitJS("redo available", `!document.querySelector('[data-tool="redo"]').disabled`)
		p.click(`[data-tool="redo"]`)
	}
	// key presses Ctrl+<k> on the map (not in a field).
	key := func(k string) {
		t.Helper()
		p.waitJS("undo and redo ready", `!wanmu.app.editor.history.busy && !wanmu.app.editor.history.stale`)
		p.do(chromedp.KeyEvent(k, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	}

	// (a) A merge of two members of a platform.
	lng, lat := freeSpot(t, editor)
	side := 400.0
	dLng := side / (111320 * math.Cos(lat*math.Pi/180)) // side by side, touching
	a := createZone(t, editor, "撤销合并甲"+randomHex(2), lng-dLng/2, lat, side)
	b := createZone(t, editor, "撤销合并乙"+randomHex(2), lng+dLng/2, lat, side)
	aID, bID := a.Properties.ID, b.Properties.ID
	pm := platform("撤销合并平台", aID, bID)
	p.reloadData()
	p.view(lng, lat, 15)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d, %d]), true)`, aID, bID))
	p.click(`[data-tool="merge"]`)
	p.waitJS("the merge dialog's dry run", `!!document.querySelector('dialog[open] [data-field="merged-area"]')`)
	merged := "撤销合并结果" + randomHex(2)
	p.setValue(`dialog[open] input[name="name"]`, merged)
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the merged zone", fmt.Sprintf(`!document.querySelector('dialog[open]') && wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, merged))
	mID := eval[int64](p, `wanmu.app.selection.ids()[0]`)
	live("merge", []int64{mID}, []int64{aID, bID})
	sameMembers("merge", pm, mID)

	reload()
	p.view(lng, lat, 15)
	p.waitJS("undo offered for the merge", fmt.Sprintf(`(function () { var b = document.querySelector('[data-tool="undo"]'); return !b.disabled && b.title.indexOf(%q) >= 0; })()`, merged))
	p.undo()
	p.waitJS("the sources back on the map, in their platform", fmt.Sprintf(`!!wanmu.app.zones.feature(%[1]d) && !!wanmu.app.zones.feature(%[2]d) && !wanmu.app.zones.feature(%[3]d) &&
		wanmu.app.zones.feature(%[1]d).properties.platform_id === %[4]d && wanmu.app.zones.feature(%[2]d).properties.platform_id === %[4]d`, aID, bID, mID, pm))
	live("undo merge", []int64{aID, bID}, []int64{mID})
	sameMembers("undo merge", pm, aID, bID)
	p.screenshot("150-undo-merge")
	// The redo is named by the merge it brings back, not as an undo.
	p.waitJS("redo offered as the merge", fmt.Sprintf(`(function () { var b = document.querySelector('[data-tool="redo"]');
		return !b.disabled && b.title.indexOf(wanmu.i18n.t('action.rev.merge') + ' ' + %q) >= 0 && b.title.indexOf(wanmu.i18n.t('action.rev.undo') + ' ') < 0; })()`, merged))
	redo()
	p.waitJS("merged again on the map", fmt.Sprintf(`!wanmu.app.zones.feature(%d) && !wanmu.app.zones.feature(%d) && !!wanmu.app.zones.feature(%d) && wanmu.app.zones.feature(%[3]d).properties.platform_id === %d`, aID, bID, mID, pm))
	live("redo merge", []int64{mID}, []int64{aID, bID})
	sameMembers("redo merge", pm, mID)
	p.screenshot("151-redo-merge")

	// (b) A split along a line drawn across the zone.
	lng, lat = freeSpot(t, editor)
	s := createZone(t, editor, "撤销分割区"+randomHex(2), lng, lat, 600)
	sID := s.Properties.ID
	counts[sID], _ = revisions(sID)
	p.reloadData()
	p.view(lng, lat, 15)
	x, y := p.px(lng, lat)
	p.clickAt(x, y, false)
	p.waitSelection(sID)
	dismissToasts(p)
	p.click(`[data-tool="split"]`)
	p.waitJS("line drawing", `wanmu.app.map.pm.globalDrawModeEnabled()`)
	p.clickAt(x-5, y-160, false)
	p.clickAt(x+5, y+160, false)
	p.clickAt(x+5, y+160, false) // the last point again finishes the line
	p.waitJS("two pieces", `wanmu.app.selection.count() === 2 && wanmu.app.editor.mode === 'select'`)
	pieces := eval[[]int64](p, `wanmu.app.selection.ids()`)
	live("split", pieces, []int64{sID})
	reload()
	p.view(lng, lat, 15)
	key("z")
	p.waitJS("the zone back, the pieces gone", fmt.Sprintf(`!!wanmu.app.zones.feature(%d) && !wanmu.app.zones.feature(%d) && !wanmu.app.zones.feature(%d)`, sID, pieces[0], pieces[1]))
	live("undo split", []int64{sID}, pieces)
	p.screenshot("152-undo-split")
	key("y")
	p.waitJS("the pieces again", fmt.Sprintf(`!wanmu.app.zones.feature(%d) && !!wanmu.app.zones.feature(%d) && !!wanmu.app.zones.feature(%d)`, sID, pieces[0], pieces[1]))
	live("redo split", pieces, []int64{sID})

	// (c) A zone added to a platform in the platform panel.
	lng, lat = freeSpot(t, editor)
	m1 := createZone(t, editor, "撤销成员甲"+randomHex(2), lng, lat, 400)
	m2 := createZone(t, editor, "撤销成员乙"+randomHex(2), lng+0.01, lat, 400)
	pc := platform("撤销成员平台", m1.Properties.ID)
	p.reloadData()
	p.view(lng+0.005, lat, 14)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d), true)`, pc))
	p.waitJS("the platform panel", fmt.Sprintf(`wanmu.app.activePlatformId === %d && !!document.querySelector('[data-action="add-selected"]')`, pc))
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, m2.Properties.ID))
	p.waitJS("add offered", `!document.querySelector('[data-action="add-selected"]').disabled`)
	p.click(`[data-action="add-selected"]`)
	p.waitJS("the zone in the platform", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.platform_id === %d`, m2.Properties.ID, pc))
	sameMembers("add", pc, m1.Properties.ID, m2.Properties.ID)
	reload()
	p.view(lng+0.005, lat, 14)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d), true)`, pc))
	p.waitJS("the platform's two members listed", `document.querySelectorAll('#platform table.members tbody tr').length === 2`)
	p.undo()
	p.waitJS("the zone out of the platform on the map and in the panel", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.platform_id === null && document.querySelectorAll('#platform table.members tbody tr').length === 1`, m2.Properties.ID))
	sameMembers("undo add", pc, m1.Properties.ID)
	p.screenshot("153-undo-membership")
	redo()
	p.waitJS("the zone in the platform again", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.platform_id === %d`, m2.Properties.ID, pc))
	sameMembers("redo add", pc, m1.Properties.ID, m2.Properties.ID)

	// A dialog's error in Chinese: the zone was deleted by someone else
	// while its attributes dialog was open.
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, m1.Properties.ID))
	p.click(`[data-tool="attributes"]`)
	p.waitJS("the attributes dialog", `!!document.querySelector('dialog.attributes[open]')`)
	gone := zone(m1.Properties.ID)
	editor.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/zones/%d?reason=test", m1.Properties.ID), nil, gone.Properties.Version, nil)
	p.setValue(`dialog.attributes[open] input[name="name"]`, "已删后改名")
	p.click(`dialog.attributes[open] footer .btn-primary`)
	p.waitJS("the error in the dialog", `(function () { var e = document.querySelector('dialog[open] .dialog-error'); return !!e && !e.hidden; })()`)
	msg := eval[string](p, `document.querySelector('dialog[open] .dialog-error').textContent`)
	p.screenshot("154-dialog-error-zh")
	if !strings.Contains(msg, "它已被删除（已撤销）；删除记录在历史中") || latin.MatchString(msg) {
		t.Errorf("the Chinese dialog's error has Latin words %q: %s", latin.FindAllString(msg, -1), msg)
	}
	t.Logf("the dialog says: %s", msg)
	p.click(`dialog[open] .dialog-x`)
	p.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`)

	// (d) A constraint layer switched off by an administrator through the
	// API (the page has no switch) is undone in the administrator's page.
	layerSwitchUndone(t)
}

// layerSwitchUndone switches a counted constraint layer off through the API,
// then undoes it in the administrator's page after a reload: the overview's
// figures come back to the report's from before, the 不计入 tag goes, and
// redo switches it off again.
func layerSwitchUndone(t *testing.T) {
	admin := mustAPI(t, adminUser)
	type layer struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Kind    string `json:"kind"`
		Enabled bool   `json:"enabled"`
		Version int    `json:"version"`
	}
	layers := func() []layer {
		t.Helper()
		var ls struct {
			Layers []layer `json:"layers"`
		}
		admin.must(t, http.StatusOK, "GET", "/api/v1/layers", nil, 0, &ls)
		return ls.Layers
	}
	figures := func() map[int64]float64 {
		t.Helper()
		var ps struct {
			Platforms []struct {
				ID            int64   `json:"id"`
				DevelopableMu float64 `json:"developable_mu"`
			} `json:"platforms"`
		}
		admin.must(t, http.StatusOK, "GET", "/api/v1/platforms", nil, 0, &ps)
		out := map[int64]float64{}
		for _, p := range ps.Platforms {
			out[p.ID] = p.DevelopableMu
		}
		return out
	}
	before := figures()
	// The counted layer that moves a platform's figure most.
	var l layer
	var pid int64
	var most float64
	for _, c := range layers() {
		if (c.Kind != "include" && c.Kind != "exclude") || !c.Enabled {
			continue
		}
		var after struct {
			Version int `json:"version"`
		}
		admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/layers/%d", c.ID), map[string]bool{"enabled": false}, c.Version, &after)
		moved := false
		for id, v := range figures() {
			if d := math.Abs(v - before[id]); d > most {
				l, pid, most, moved = c, id, d, true
			}
		}
		if moved {
			break
		}
		admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/layers/%d", c.ID), map[string]bool{"enabled": true}, after.Version, nil)
		before = figures()
	}
	if l.ID == 0 {
		t.Fatal("no counted constraint layer moves a platform's figure when switched off")
	}
	t.Cleanup(func() { // whatever happened, the layer is counted again
		for _, c := range layers() {
			if c.ID == l.ID && !c.Enabled {
				admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/layers/%d", c.ID), map[string]bool{"enabled": true}, c.Version, nil)
			}
		}
	})
	off := figures()
	t.Logf("layer %d %q switched off: platform %d %.4f → %.4f mu", l.ID, l.Name, pid, before[pid], off[pid])

	p := newPage(t)
	p.login(adminUser)
	eval[bool](p, `(wanmu.app.toggleOverview(true), true)`)
	cell := fmt.Sprintf(`document.querySelector('#overview tr[data-platform-id="%d"] td.num.strong').textContent`, pid)
	tag := fmt.Sprintf(`!!document.querySelector('#layers input[data-layer="layer-%d"]').closest('.layer-item').querySelector('.kind-tag.off')`, l.ID)
	area := func(mu float64) string { return eval[string](p, fmt.Sprintf(`wanmu.units.area(%v, {bare: true})`, mu)) }
	p.waitJS("the overview with the layer off", fmt.Sprintf(`%s === %q && %s`, cell, area(off[pid]), tag))
	p.screenshot("155-layer-off")
	p.waitJS("undo offered for the switch", fmt.Sprintf(`document.querySelector('[data-tool="undo"]').title.indexOf(%q) >= 0`, l.Name))
	p.undo()
	p.waitJS("the figure from before the switch", fmt.Sprintf(`%s === %q && !%s`, cell, area(before[pid]), tag))
	for id, v := range figures() {
		if v != before[id] {
			t.Errorf("after undoing the switch platform %d has %.6f mu, had %.6f before", id, v, before[id])
		}
	}
	for _, c := range layers() {
		if c.ID == l.ID && !c.Enabled {
			t.Errorf("layer %d is still off after undo", c.ID)
		}
	}
	p.screenshot("156-layer-switch-undone")
	p.waitJS("redo available", `!document.querySelector('[data-tool="redo"]').disabled`)
	p.click(`[data-tool="redo"]`)
	p.waitJS("the layer off again", fmt.Sprintf(`%s === %q && %s`, cell, area(off[pid]), tag))
}
