package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"wanmu/internal/geodesy"
)

// barProblems lists what is wrong with the editing session's bar as shown:
// a control whose centre another element covers (the detail panel on a
// tablet), the bar reaching outside the map or over the live area, a
// truncated sentence, a clipped button label.
const barProblems = `(function () {
	var bar = document.querySelector('.wanmu-sessionbar'), out = [];
	if (!bar || bar.hidden) { return ['no bar']; }
	var m = document.getElementById('map').getBoundingClientRect(), b = bar.getBoundingClientRect();
	if (b.left < m.left - 0.5 || b.right > m.right + 0.5) { out.push('bar ' + b.left + '–' + b.right + ' outside the map ' + m.left + '–' + m.right); }
	bar.querySelectorAll('button, input, label').forEach(function (el) {
		if (el.closest('[hidden]') || el.closest('.snap-popover')) { return; }
		var r = el.getBoundingClientRect(), hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		var name = el.dataset.action || el.className || el.tagName;
		if (!hit || !(hit === el || el.contains(hit) || (el.tagName === 'INPUT' && el.closest('label') && el.closest('label').contains(hit)))) {
			out.push(name + ' covered by ' + (hit ? hit.tagName + '.' + hit.className + '#' + hit.id : 'nothing'));
		}
		if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) { out.push(name + ' label clipped'); }
	});
	var la = document.querySelector('.wanmu-livearea');
	if (la && la.offsetParent) {
		var lr = la.getBoundingClientRect();
		if (lr.top < b.bottom && lr.left < b.right && lr.right > b.left) { out.push('the live area lies under the bar'); }
	}
	var tx = bar.querySelector('.session-text');
	if (tx.scrollWidth > tx.clientWidth + 1) { out.push('sentence clipped: ' + tx.textContent); }
	return out;
})()`

// TestSessionBarFits: on a tablet (820×1180, detail panel open) and a
// laptop (1440×900, both panels open), in draw and vertex-edit mode and in
// both languages, every control of the session bar is inside the map and
// can be tapped (elementFromPoint at its centre is the control), also with
// the snapping popover open, the sentence is not cut, the live area is not
// under the bar, and the snapping popover stays on the map and its button
// keeps readable text while it is open.
func TestSessionBarFits(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "会话条测试"+randomHex(2), lng, lat, 500)
	for _, s := range []struct {
		name string
		w, h int64
	}{{"tablet", 820, 1180}, {"desktop", 1440, 900}} {
		t.Run(s.name, func(t *testing.T) {
			p := newPage(t)
			opts := []chromedp.EmulateViewportOption{}
			if s.h > s.w {
				opts = append(opts, chromedp.EmulatePortrait)
			}
			p.do(chromedp.EmulateViewport(s.w, s.h, opts...))
			p.login(editorUser)
			p.waitJS("the detail panel open", `!document.body.classList.contains('right-collapsed')`)
			p.view(lng, lat, 15)
			for _, lang := range []string{"zh", "en"} {
				eval[bool](p, fmt.Sprintf(`(wanmu.i18n.setLang(%q), true)`, lang))
				p.click(`[data-tool="draw"]`)
				p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && !document.querySelector('.wanmu-sessionbar').hidden`)
				if got := settledProblems(p, barProblems); len(got) > 0 {
					p.screenshot("fail-sessionbar-draw-" + lang + "-" + s.name)
					t.Errorf("%s, drawing: %s", lang, strings.Join(got, "; "))
				}
				// The snapping popover open, the pointer still on its button.
				p.click(`.wanmu-sessionbar [data-action="snap-options"]`)
				p.waitJS("the snapping popover", `!document.querySelector('.wanmu-sessionbar .snap-popover').hidden`)
				if got := settledProblems(p, barProblems); len(got) > 0 {
					t.Errorf("%s, drawing, snapping popover open: %s", lang, strings.Join(got, "; "))
				}
				if out := eval[bool](p, `(function () {
					var r = document.querySelector('.wanmu-sessionbar .snap-popover').getBoundingClientRect(), m = document.getElementById('map').getBoundingClientRect();
					return r.left < m.left || r.right > m.right || r.bottom > m.bottom;
				})()`); out {
					t.Errorf("%s: the snapping popover reaches outside the map", lang)
				}
				if c := eval[[]string](p, `(function () { var s = getComputedStyle(document.querySelector('.wanmu-sessionbar [data-action="snap-options"]')); return [s.color, s.backgroundColor]; })()`); contrast(c[0], c[1]) < 3 {
					t.Errorf("%s: the snapping button's text %s on %s cannot be read while its popover is open", lang, c[0], c[1])
				}
				p.screenshot("80-sessionbar-draw-" + lang + "-" + s.name)
				p.click(`.wanmu-sessionbar [data-action="snap-options"]`)
				p.click(`.wanmu-sessionbar [data-action="cancel"]`)
				p.waitJS("select mode", `wanmu.app.editor.mode === 'select'`)

				eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, z.Properties.ID))
				p.click(`[data-tool="vertex"]`)
				p.waitJS("vertex edit", `!!wanmu.app.editor.session && wanmu.app.editor.session.kind === 'vertex'`)
				eval[bool](p, `(wanmu.app.editor.session.dirty = true, wanmu.app.editor._renderBar(), true)`)
				if got := settledProblems(p, barProblems); len(got) > 0 {
					p.screenshot("fail-sessionbar-vertex-" + lang + "-" + s.name)
					t.Errorf("%s, vertex edit: %s", lang, strings.Join(got, "; "))
				}
				if lang == "en" {
					p.screenshot("81-sessionbar-vertex-en-" + s.name)
				}
				eval[bool](p, `(wanmu.app.editor.session.dirty = false, true)`)
				p.click(`.wanmu-sessionbar [data-action="cancel"]`)
				p.waitJS("select mode", `wanmu.app.editor.mode === 'select' && !wanmu.app.editor.session`)
			}
			eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`)
		})
	}
}

// settledProblems waits up to two seconds for a list of problems (a JS
// expression) to become empty — the layout settles over a frame or two —
// and returns what is left.
func settledProblems(p *page, expr string) []string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Poll[bool](expr+`.length === 0`, chromedp.WithPollingTimeout(2*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
	return eval[[]string](p, expr)
}

// contrast is the WCAG contrast ratio of two computed CSS colours
// (rgb()/rgba(); a translucent background is laid over the bar's navy).
func contrast(fg, bg string) float64 {
	parse := func(s string) [4]float64 {
		var c [4]float64
		c[3] = 1
		s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "rgba("), "rgb("), ")")
		for i, f := range strings.Split(s, ",") {
			if i < 4 {
				fmt.Sscan(strings.TrimSpace(f), &c[i])
			}
		}
		return c
	}
	navy := [3]float64{31, 58, 95}
	lum := func(c [4]float64) float64 {
		var l [3]float64
		for i := 0; i < 3; i++ {
			v := (c[i]*c[3] + navy[i]*(1-c[3])) / 255
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	a, b := lum(parse(fg)), lum(parse(bg))
	return (math.Max(a, b) + 0.05) / (math.Min(a, b) + 0.05)
}

// leaveAsks dispatches a beforeunload event as a reload would and tells
// whether the page asked to stay (preventDefault, returnValue set).
const leaveAsks = `(function () {
	var e = document.createEvent('BeforeUnloadEvent');
	e.initEvent('beforeunload', false, true);
	window.dispatchEvent(e);
	return e.defaultPrevented && e.returnValue !== '';
})()`

// TestUnloadGuard: leaving the page asks first while work would be lost —
// a drawing with a point, a vertex dragged and not saved — and not
// otherwise (no tool, drawing without points, a vertex edit not changed),
// so the scenario switcher and signing out still leave freely. A real
// reload with a dragged vertex opens the browser's leave-page dialog.
func TestUnloadGuard(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "离开提示"+randomHex(2), lng, lat, 600)
	p, nx, ny := editVertices(t, z.Properties.ID, lng, lat, 600, 15)

	if eval[bool](p, leaveAsks) {
		t.Errorf("an unchanged vertex edit asks before leaving the page")
	}
	p.drag(nx, ny, nx+50, ny-40)
	p.waitJS("the unsaved change", `wanmu.app.editor.session && wanmu.app.editor.session.dirty`)
	if !eval[bool](p, leaveAsks) {
		t.Errorf("a dragged, unsaved vertex is lost on reload without asking")
	}

	// The real thing: reloading opens the leave-page dialog; staying keeps the edit.
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	dialogs := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	eval[bool](p, `(setTimeout(function () { location.reload(); }, 0), true)`)
	typ := "none (timed out)"
	for ev, err := range dialogs {
		if err == nil {
			typ = string(ev.Type)
			if _, err := chromedp.Call(p.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false}); err != nil {
				t.Fatalf("stay on the page: %v", err)
			}
		}
		break
	}
	if typ != "beforeunload" {
		t.Errorf("reloading with an unsaved vertex opened dialog %s, want the leave-page (beforeunload) one", typ)
	}
	p.waitJS("the edit kept", `!!wanmu.app.editor.session && wanmu.app.editor.session.dirty`)

	eval[bool](p, `(wanmu.app.editor.session.dirty = false, wanmu.app.editor.cancel(), true)`)
	p.waitJS("select mode", `wanmu.app.editor.mode === 'select' && !wanmu.app.editor.session`)
	if eval[bool](p, leaveAsks) {
		t.Errorf("with no tool on, leaving the page asks")
	}

	// Drawing: free to leave until the first point.
	p.click(`[data-tool="draw"]`)
	p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	if eval[bool](p, leaveAsks) {
		t.Errorf("drawing with no point yet asks before leaving the page")
	}
	p.setValue(`.wanmu-sessionbar [data-action="type-vertex"]`, fmt.Sprintf("%.6f, %.6f", lng+0.01, lat+0.01))
	eval[bool](p, `(document.querySelector('.wanmu-sessionbar [data-action="type-vertex"]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})), true)`)
	p.waitJS("the typed point", `wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs().length === 1`)
	if !eval[bool](p, leaveAsks) {
		t.Errorf("a drawing with a point is lost on reload without asking")
	}
	p.click(`.wanmu-sessionbar [data-action="cancel"]`)
	p.waitJS("select mode", `wanmu.app.editor.mode === 'select'`)
	if eval[bool](p, leaveAsks) {
		t.Errorf("after cancelling the drawing, leaving the page asks")
	}
}

// readResult is what wanmu.coords.read answers.
type readResult struct {
	Lon, Lat float64
	Kind     string
	Error    string
	Zone     int
	EPSG     int `json:"epsg"`
	Outside  bool
}

// TestCoordinateForms: the forms planners paste are read as the position
// they mean — degrees-minutes-seconds as separate numbers (survey tables),
// full-width digits and punctuation (a Chinese input method), Gauss-Kruger
// in 3-degree zone 39 (EPSG:4527) as well as 40 — checked against the Go
// projection; a zone prefix wanmu does not read is named with the zones it
// does; malformed text is refused. Go-to and a typed vertex refuse a
// position outside China, saying how they read it.
func TestCoordinateForms(t *testing.T) {
	const lon, lat = 119.922, 28.451
	n39, e39 := geodesy.ToGaussKruger(118.3, 28.2, 117)
	lon39, lat39 := geodesy.FromGaussKruger(n39, e39, 117)
	n40, e40 := geodesy.ToEPSG4549(lon, lat)
	cases := []struct {
		text  string
		want  readResult
		exact float64 // how close lon/lat must be, degrees
	}{
		{"28 27 3.6, 119 55 19.2", readResult{Lon: lon, Lat: lat, Kind: "dms"}, 1e-9},
		{"28 27 3.6 119 55 19.2", readResult{Lon: lon, Lat: lat, Kind: "dms"}, 1e-9},
		{"N 28 27 3.6, E 119 55 19.2", readResult{Lon: lon, Lat: lat, Kind: "dms"}, 1e-9},
		{"119 55 19.2; 28 27 3.6", readResult{Lon: lon, Lat: lat, Kind: "dms"}, 1e-9},
		{"28 27.06, 119 55.32", readResult{Lon: lon, Lat: lat, Kind: "dms"}, 1e-9},
		{"２８．４５１，１１９．９２２", readResult{Lon: lon, Lat: lat, Kind: "dd"}, 1e-12},
		{"１１９．９２２　２８．４５１", readResult{Lon: lon, Lat: lat, Kind: "dd"}, 1e-12},
		{"２８°２７′３．６″Ｎ，１１９°５５′１９．２″Ｅ", readResult{Lon: lon, Lat: lat, Kind: "dms"}, 1e-9},
		{"28.451N, 119.922E", readResult{Lon: lon, Lat: lat, Kind: "dd"}, 1e-12},
		{"119.922 28.451", readResult{Lon: lon, Lat: lat, Kind: "dd"}, 1e-12},
		{fmt.Sprintf("X=%.4f Y=%.4f", n40, e40+geodesy.Zone40Prefix), readResult{Lon: lon, Lat: lat, Kind: "4528", Zone: 40, EPSG: 4528}, 1e-8},
		{fmt.Sprintf("%.4f %.4f", n40, e40), readResult{Lon: lon, Lat: lat, Kind: "4549", Zone: 40}, 1e-8},
		{fmt.Sprintf("%.4f, %.4f", n39, e39+39e6), readResult{Lon: lon39, Lat: lat39, Kind: "gk3", Zone: 39, EPSG: 4527}, 1e-8},
		{fmt.Sprintf("Y %.4f X %.4f", e39+39e6, n39), readResult{Lon: lon39, Lat: lat39, Kind: "gk3", Zone: 39, EPSG: 4527}, 1e-8},
		{fmt.Sprintf("%.2f %.2f", n40, e40+20e6), readResult{Error: "zone", Zone: 20}, 0},
		{fmt.Sprintf("%.2f %.2f", n40, e40+50e6), readResult{Error: "zone", Zone: 50}, 0},
		{"40.7, -74.0", readResult{Lon: -74, Lat: 40.7, Kind: "dd", Outside: true}, 1e-12},
		{"0,0", readResult{Kind: "dd", Outside: true}, 1e-12},
		{"28 61 0, 119 0 0", readResult{Error: "unreadable"}, 0},
		{"28.4.5, 119", readResult{Error: "unreadable"}, 0},
		{"28.451, 119.922, 15", readResult{Error: "unreadable"}, 0},
		{"1 2 3", readResult{Error: "unreadable"}, 0},
		{"丽水", readResult{Error: "unreadable"}, 0},
		{"", readResult{Error: "unreadable"}, 0},
	}
	p := newPage(t)
	p.login(editorUser)
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.text
	}
	js, _ := json.Marshal(texts)
	got := eval[[]readResult](p, fmt.Sprintf(`%s.map(function (x) { return wanmu.coords.read(x); })`, js))
	for i, c := range cases {
		g, w := got[i], c.want
		if g.Error != w.Error || g.Kind != w.Kind || g.Zone != w.Zone || g.EPSG != w.EPSG || g.Outside != w.Outside ||
			math.Abs(g.Lon-w.Lon) > c.exact || math.Abs(g.Lat-w.Lat) > c.exact {
			t.Errorf("read %q = %+v, want %+v (±%g°)", c.text, g, w, c.exact)
		}
	}
	if !eval[bool](p, `wanmu.coords.parse('0,0') !== null && wanmu.coords.parse('28 61 0, 119 0 0') === null`) {
		t.Errorf("parse does not answer the position (even outside China) or null")
	}

	// Go-to: outside China and an unknown zone are refused with what was read.
	p.view(119.5, 28.0, 12)
	for _, c := range []struct{ text, note, toast string }{
		{"0,0", "按CGCS2000 经纬度（十进制度）读作 0.000000°E 0.000000°N，不在中国范围内", "不在中国范围内"},
		{"40.7, -74.0", "读作 74.000000°W 40.700000°N", "不在中国范围内"},
		{cases[14].text, "无法识别高斯-克吕格 Y 坐标的带号 20：可识别 CGCS2000 3 度带第 25–45 带", "带号 20"},
	} {
		eval[bool](p, `(document.querySelectorAll('.toast').forEach(function (e) { e.remove(); }), true)`)
		p.setValue(`.wanmu-statusbar .goto`, c.text)
		p.do(chromedp.SendKeys(chromedp.CSS(`.wanmu-statusbar .goto`), kb.Enter))
		p.waitJS("refused: "+c.text, fmt.Sprintf(`document.querySelector('.wanmu-statusbar .goto-note').textContent.indexOf(%q) >= 0 && Array.prototype.some.call(document.querySelectorAll('.toast'), function (e) { return e.textContent.indexOf(%q) >= 0; })`, c.note, c.toast))
		if ctr := eval[[2]float64](p, `(function(){ var c = wanmu.app.map.getCenter(); return [c.lng, c.lat]; })()`); math.Abs(ctr[0]-119.5) > 1e-6 || math.Abs(ctr[1]-28.0) > 1e-6 {
			t.Errorf("go to %q moved the map to %v", c.text, ctr)
		}
	}
	p.screenshot("82-goto-outside-china")
	p.setValue(`.wanmu-statusbar .goto`, cases[12].text)
	p.do(chromedp.SendKeys(chromedp.CSS(`.wanmu-statusbar .goto`), kb.Enter))
	p.waitJS("zone 39 read", `document.querySelector('.wanmu-statusbar .goto-note').textContent === '识别为 EPSG:4527 高斯-克吕格（3 度带第 39 带）'`)
	if ctr := eval[[2]float64](p, `(function(){ var c = wanmu.app.map.getCenter(); return [c.lng, c.lat]; })()`); math.Abs(ctr[0]-lon39) > 2e-7 || math.Abs(ctr[1]-lat39) > 2e-7 {
		t.Errorf("go to zone 39 went to %v, want %v, %v", ctr, lon39, lat39)
	}
	p.setValue(`.wanmu-statusbar .goto`, "28 27 3.6, 119 55 19.2")
	p.do(chromedp.SendKeys(chromedp.CSS(`.wanmu-statusbar .goto`), kb.Enter))
	p.waitJS("survey-table DMS read", `document.querySelector('.wanmu-statusbar .goto-note').textContent === '识别为 CGCS2000 经纬度（度分秒）'`)

	// A typed vertex outside China is not added.
	p.click(`[data-tool="draw"]`)
	p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	for _, text := range []string{"40.7, -74.0", "0,0"} {
		eval[bool](p, `(document.querySelectorAll('.toast').forEach(function (e) { e.remove(); }), true)`)
		p.setValue(`.wanmu-sessionbar [data-action="type-vertex"]`, text)
		eval[bool](p, `(document.querySelector('.wanmu-sessionbar [data-action="type-vertex"]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})), true)`)
		p.waitJS("refused vertex "+text, `Array.prototype.some.call(document.querySelectorAll('.toast'), function (e) { return e.textContent.indexOf('不在中国范围内') >= 0 && e.textContent.indexOf('十进制度') >= 0; })`)
		if n := eval[int](p, `wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs().length`); n != 0 {
			t.Errorf("typed %q outside China: %d vertices added", text, n)
		}
	}
	p.screenshot("83-typed-vertex-outside-china")
	p.click(`.wanmu-sessionbar [data-action="cancel"]`)
	p.waitJS("select mode", `wanmu.app.editor.mode === 'select'`)
}

// TestMeasureRepeatedPoint: clicking the last point once more and then
// double-clicking it to finish adds no 0.00 m segment.
func TestMeasureRepeatedPoint(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	p.view(119.922, 28.451, 15)
	cx, cy := p.px(119.922, 28.451)
	p.click(`[data-measure="distance"]`)
	p.waitJS("measuring on", `wanmu.app.measure.mode === 'distance'`)
	p.clickAt(cx-200, cy+80, false)
	p.clickAt(cx+150, cy-60, false)
	p.clickAt(cx+150, cy-60, false)
	p.do(chromedp.MouseClickXY(cx+150, cy-60), chromedp.MouseClickXY(cx+150, cy-60, chromedp.ClickCount(2)))
	p.waitJS("the distance measured", `(function(){ var m = wanmu.app.measure; return m._done && m.last && !!m.last.lengths && m.last.n === m._points.length; })()`)
	segs := eval[[]float64](p, `wanmu.app.measure.last.lengths.segments_m`)
	if len(segs) != 1 || segs[0] < 1 {
		t.Errorf("two points, the last clicked three times: segments %v m, want one", segs)
	}
	labels := eval[[]string](p, `Array.prototype.map.call(document.querySelectorAll('.wanmu-measure-label'), function (e) { return e.textContent; })`)
	for _, l := range labels {
		if strings.HasPrefix(l, "0.00 ") || l == "0 m" {
			t.Errorf("a zero-length segment is labelled %q (labels %q)", l, labels)
		}
	}
	p.screenshot("84-measure-repeated-point")
}
