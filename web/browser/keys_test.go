package browser

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// countZoneSearches wraps fetch so the page counts its zone searches
// (GET /api/v1/zones with q= or county=): one Enter must make one.
const countZoneSearches = `(function(){
	if (window.__searches !== undefined) { window.__searches = 0; return; }
	window.__searches = 0;
	var f = window.fetch;
	window.fetch = function (url) {
		var u = String(url && url.url || url);
		if (/\/api\/v1\/zones\?/.test(u) && /[?&](q|county)=/.test(u)) { window.__searches++; }
		return f.apply(this, arguments);
	};
})()`

// search types text into the search box and presses Enter once.
func (p *page) search(text string) {
	p.t.Helper()
	eval[bool](p, countZoneSearches+`, document.getElementById('search').value = '', document.getElementById('search').focus(), true`)
	p.do(chromedp.SendKeys("#search", text+kb.Enter))
}

// TestSearchKeys: the search box finds a platform by part of its name, zones
// by document number and by county name, with one request per Enter.
func TestSearchKeys(t *testing.T) {
	p := newPage(t)
	a := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, a)
	var z zoneFeature
	a.must(t, 201, "POST", "/api/v1/zones", map[string]any{
		"type": "Feature", "geometry": square(lng, lat, 300),
		"properties": map[string]any{"kind": "township", "name": "键盘检索测试区", "county_adcode": "331127",
			"disposition": "待定", "document_no": "景政发〔2019〕77号"},
		"reason": "browser test",
	}, 0, &z)
	p.login(viewerUser)

	// Document number: the part after the issuing office is enough.
	p.search("〔2019〕77号")
	p.waitJS("the zone found by its document number", fmt.Sprintf(`wanmu.app.selection.ids().indexOf(%d) >= 0`, z.Properties.ID))
	p.waitJS("the feature tab", `!document.getElementById('detail').hidden`)
	if n := eval[int](p, `window.__searches`); n != 1 {
		t.Errorf("one Enter made %d zone searches", n)
	}
	// Blurring the box does not search again.
	eval[bool](p, `document.getElementById('search').blur(), true`)
	if n := eval[int](p, `window.__searches`); n != 1 {
		t.Errorf("leaving the search box searched again: %d searches", n)
	}

	// County: 景宁畲族自治县 finds the county's zones, and only those (景宁
	// alone opens the one platform named with it: TestDeskSearch).
	var fc struct {
		Features []zoneFeature `json:"features"`
	}
	a.must(t, 200, "GET", "/api/v1/zones?county=331127&limit=200", nil, 0, &fc)
	p.search("景宁畲族自治县")
	p.waitJS("the county's zones selected", fmt.Sprintf(`wanmu.app.selection.count() === %d && wanmu.app.selection.ids().indexOf(%d) >= 0`, len(fc.Features), z.Properties.ID))
	if n := eval[int](p, `window.__searches`); n != 1 {
		t.Errorf("one Enter made %d zone searches", n)
	}

	// Part of a platform's name that no other platform has.
	part := eval[[]any](p, `(function(){
		var ps = wanmu.app.platforms;
		for (var i = 0; i < ps.length; i++) {
			var n = ps[i].name;
			for (var j = 0; j + 3 <= n.length; j++) {
				var s = n.substr(j, 3);
				var county = wanmu.style.counties.some(function (c) { return wanmu.messages.zh['county.' + c].indexOf(s) === 0; });
				if (s !== n && !county && ps.filter(function (x) { return x.name.indexOf(s) >= 0; }).length === 1) { return [ps[i].id, s]; }
			}
		}
		return [0, ''];
	})()`)
	if part[1] == "" {
		t.Fatal("no platform name has a part of its own")
	}
	p.search(part[1].(string))
	p.waitJS("the platform shown", fmt.Sprintf(`wanmu.app.activePlatformId === %v && !document.getElementById('platform').hidden`, part[0]))
	if n := eval[int](p, `window.__searches`); n != 0 {
		t.Errorf("finding a platform searched zones %d times", n)
	}
}

// TestShortcutKeys: "?" lists a shortcut for every tool of the toolbar; a
// tool's key selects it, but not while typing in an input or in a dialog.
func TestShortcutKeys(t *testing.T) {
	p := newPage(t)
	a := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, a)
	z := createZone(t, a, "快捷键测试区", lng, lat, 400)
	p.login(editorUser)
	eval[bool](p, `document.activeElement.blur(), true`)

	p.do(chromedp.KeyEvent("?"))
	p.waitJS("the shortcut list", `!!document.querySelector('dialog.shortcuts-dialog[open]')`)
	missing := eval[[]string](p, `Object.keys(wanmu.app.toolbar.buttons).filter(function (n) {
		return !document.querySelector('dialog.shortcuts-dialog[open] tr[data-action="tool.' + n + '"] kbd');
	})`)
	if len(missing) > 0 {
		t.Errorf("tools without a shortcut listed: %v", missing)
	}
	for _, a := range []string{"measure.distance", "measure.area", "shortcuts.search", "shortcuts.zoomSelection"} {
		if !eval[bool](p, `!!document.querySelector('dialog.shortcuts-dialog[open] tr[data-action="`+a+`"] kbd')`) {
			t.Errorf("%s is not listed", a)
		}
	}
	p.screenshot("58-shortcuts")
	// Keys do nothing while the dialog is open.
	p.do(chromedp.KeyEvent("b"))
	if m := eval[string](p, `wanmu.app.editor.mode`); m != "select" {
		t.Errorf("a key under the open dialog switched to %s", m)
	}
	p.do(chromedp.KeyEvent(kb.Escape))
	p.waitJS("the list closed", `!document.querySelector('dialog.shortcuts-dialog[open]')`)

	// B: box select; S: back to select.
	p.do(chromedp.KeyEvent("b"))
	if got := eval[string](p, `document.querySelector('[data-tool="vertex"]').getAttribute('aria-keyshortcuts')`); got != "V" {
		t.Errorf("the vertex button's aria-keyshortcuts is %q", got)
	}
	p.waitJS("box select by key", `wanmu.app.editor.mode === 'box' && document.querySelector('[data-tool="box"]').classList.contains('active')`)
	p.do(chromedp.KeyEvent("s"))
	p.waitJS("select by key", `wanmu.app.editor.mode === 'select'`)

	// V on a selected zone: the vertex tool.
	eval[bool](p, fmt.Sprintf(`wanmu.app.zoomToZones([%d]), wanmu.app.selection.set([%d]), true`, z.Properties.ID, z.Properties.ID))
	p.waitJS("the zone selected", fmt.Sprintf(`wanmu.app.selection.count() === 1 && !document.querySelector('[data-tool="vertex"]').disabled`))
	p.do(chromedp.KeyEvent("v"))
	p.waitJS("the vertex tool by key", `wanmu.app.editor.mode === 'vertex'`)
	p.do(chromedp.KeyEvent(kb.Escape))
	p.waitJS("back to select", `wanmu.app.editor.mode === 'select' && !wanmu.app.editor.session`)

	// Typing in the search box: letters are text, not tools.
	p.do(chromedp.KeyEvent("/"))
	p.waitJS("/ focuses the search box", `document.activeElement === document.getElementById('search')`)
	// (CDP sends the "/" character as an event of its own, which the key
	// press's preventDefault cannot stop as a browser's keypress would.)
	eval[bool](p, `document.getElementById('search').value = '', true`)
	p.do(chromedp.KeyEvent("bv"))
	if got := eval[string](p, `wanmu.app.editor.mode + '|' + document.getElementById('search').value`); got != "select|bv" {
		t.Errorf("typing 'bv' in the search box gave mode|text %q", got)
	}
}

// TestNewZoneEffect: drawing a new zone next to a platform just short of
// 10,000 mu, the live panel shows that platform's developable area as it
// would be with the new zone, the change, and that it would then meet the
// threshold. Constraint layers are off, so developable = gross.
func TestNewZoneEffect(t *testing.T) {
	admin := mustAPI(t, adminUser)
	editor := mustAPI(t, editorUser)
	withoutConstraints(t, admin)
	lng, lat := freeSpot(t, editor)
	side := math.Sqrt(9700 * 2000.0 / 3)
	z := createZone(t, editor, "新区效果测试区"+randomHex(2), lng, lat, side)
	var pl struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	editor.must(t, http.StatusCreated, "POST", "/api/v1/platforms", map[string]any{
		"name": "新区效果平台" + randomHex(2), "zone_ids": []int64{z.Properties.ID}, "reason": "browser test"}, 0, &pl)
	t.Cleanup(func() {
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pl.ID), nil, 0, &pl)
		editor.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/platforms/%d?reason=test", pl.ID), nil, pl.Version, nil)
	})

	p := newPage(t)
	p.login(editorUser)
	p.view(lng, lat, 13)
	east := lng + side/2/(111320*math.Cos(lat*math.Pi/180))
	ex, ey := p.px(east, lat)
	// A square about 1 km wide against the platform's east edge.
	corners := [][2]float64{{ex + 1, ey - 30}, {ex + 60, ey - 30}, {ex + 60, ey + 30}, {ex + 1, ey + 30}}
	p.do(chromedp.KeyEvent("n"))
	p.waitJS("draw mode by key", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	for _, c := range corners {
		p.clickAt(c[0], c[1], false)
	}
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, corners[0][0]+2, corners[0][1]+2))
	row := fmt.Sprintf(`.wanmu-livearea .platform[data-platform="%d"]`, pl.ID)
	p.waitJS("the platform's figure with the new zone", fmt.Sprintf(`!!document.querySelector('%s.ok .delta')`, row))
	p.screenshot("59-new-zone-effect")
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s .delta').textContent`, row)); !strings.Contains(got, "将由未达标变为达标") {
		t.Errorf("the change reads %q, want it to say the platform would now meet 10,000 mu", got)
	}
	if got := eval[string](p, `document.querySelector('.wanmu-livearea .platforms .caption').textContent`); got != "若加入相邻平台（保存不会加入，须另行加入）" {
		t.Errorf("the caption reads %q", got)
	}
	// The figure is the platform's area plus the new zone's (no constraints).
	v := eval[[]float64](p, `(function(){ var v = wanmu.app.liveArea.value(), q = v.platforms[0];
		return [q.current.developable.mu, v.area_mu, q.preview.developable.mu]; })()`)
	if math.Abs(v[0]+v[1]-v[2]) > 0.01 {
		t.Errorf("now %.4f + new zone %.4f mu, preview %.4f mu", v[0], v[1], v[2])
	}
	p.do(chromedp.KeyEvent(kb.Escape))
	p.waitJS("drawing cancelled", `wanmu.app.editor.mode === 'select' && document.querySelector('.wanmu-livearea').style.display === 'none'`)
}
