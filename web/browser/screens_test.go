package browser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// screen is one screen size the page must work on.
type screen struct {
	name          string
	width, height int64
	minMapShare   float64 // the map's width over the window's, at least
	shot          string
}

// TestScreens: at a laptop's 1440×900, a tablet's 820×1180 and a phone's
// 390×844 the map gets a sensible share of the width, a platform can be
// looked up and its figure read, and the top bar fits. Collapsing a side
// panel widens the map and is remembered; the phone refuses editing with a
// note; at 1440×900 the overview shows ten platform rows unclipped.
func TestScreens(t *testing.T) {
	for _, s := range []screen{
		{"desktop", 1440, 900, 0.55, "53-desktop"},
		{"tablet", 820, 1180, 0.60, "54-tablet"},
		{"phone", 390, 844, 0.999, "55-phone"},
	} {
		t.Run(s.name, func(t *testing.T) { checkScreen(t, s) })
	}
}

func checkScreen(t *testing.T, s screen) {
	p := newPage(t)
	opts := []chromedp.EmulateViewportOption{}
	if s.height > s.width {
		opts = append(opts, chromedp.EmulatePortrait)
	}
	p.do(chromedp.EmulateViewport(s.width, s.height, opts...))
	p.login(editorUser)
	p.waitJS("the platforms", `wanmu.app.platforms.length > 0`)
	if got := eval[string](p, `document.body.dataset.screen`); got != s.name {
		t.Errorf("the page takes the screen for a %q, want %q", got, s.name)
	}
	share := eval[float64](p, `document.getElementById('map').getBoundingClientRect().width / window.innerWidth`)
	if share < s.minMapShare {
		t.Errorf("the map takes %.0f%% of the width, want at least %.0f%%", share*100, s.minMapShare*100)
	}
	if over := eval[float64](p, `document.getElementById('topbar').scrollWidth - window.innerWidth`); over > 0 {
		t.Errorf("the top bar overflows the window by %.0f px", over)
	}

	// Look a platform up in the overview and read its figure.
	if s.name == "phone" {
		p.click(`.phone-tab[data-sheet="overview"]`)
	} else if eval[bool](p, `document.getElementById('overview').hidden`) {
		p.click(`#btn-overview`)
	}
	p.waitJS("the overview rows", `!!document.querySelector('#overview tbody tr[data-platform-id]')`)
	if s.name == "desktop" {
		checkOverviewReadable(p)
	}
	if s.name == "phone" {
		p.screenshot("55-phone-overview")
	}
	pid := eval[int64](p, `+document.querySelector('#overview tbody tr[data-platform-id]').dataset.platformId`)
	want := formatMu(eval[float64](p, fmt.Sprintf(`wanmu.app.platformById(%d).developable_mu`, pid)))
	p.click(fmt.Sprintf(`#overview tbody tr[data-platform-id="%d"] td.name-cell`, pid))
	field := `document.querySelector('.platform-detail [data-field="developable"]')`
	p.waitJS("the platform's figure", fmt.Sprintf(`wanmu.app.activePlatformId === %d && !!%s && %s.textContent === %q`, pid, field, field, want))
	visible := eval[bool](p, fmt.Sprintf(`(function () {
		var el = %s; el.scrollIntoView({ block: 'nearest' });
		var r = el.getBoundingClientRect();
		var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && !!hit && (hit === el || el.contains(hit));
	})()`, field))
	if !visible {
		t.Errorf("the platform's developable area %s is not visible on the screen", want)
	}
	p.screenshot(s.shot)

	switch s.name {
	case "phone":
		checkPhone(p)
	default:
		checkCollapse(p, s)
	}
}

// checkOverviewReadable: ten rows (or all, if fewer) fit without scrolling
// and no cell of the table is cut off on the right.
func checkOverviewReadable(p *page) {
	p.t.Helper()
	got := eval[[]float64](p, `(function () {
		var wrap = document.querySelector('#overview .overview-table-wrap');
		var rows = wrap.querySelectorAll('tbody tr');
		var n = Math.min(rows.length, 10);
		var last = rows[n - 1].getBoundingClientRect(), box = wrap.getBoundingClientRect();
		var clipped = Array.prototype.filter.call(wrap.querySelectorAll('td.num'), function (td) { return td.scrollWidth > td.clientWidth; }).length;
		return [n, box.bottom - last.bottom, wrap.scrollWidth - wrap.clientWidth, clipped];
	})()`)
	if got[1] < 0 {
		p.t.Errorf("overview at 1440×900: row %.0f is %.0f px below the table's bottom", got[0], -got[1])
	}
	if got[2] > 0 {
		p.t.Errorf("overview at 1440×900: the table is %.0f px wider than its column (the balance is clipped)", got[2])
	}
	if got[3] > 0 {
		p.t.Errorf("overview at 1440×900: %.0f figure cells clipped", got[3])
	}
}

func mapWidth(p *page) float64 {
	p.t.Helper()
	return eval[float64](p, `document.getElementById('map').getBoundingClientRect().width`)
}

// checkCollapse: collapsing the right panel widens the map (and Leaflet
// knows its new size), survives a reload, and expands again; the left
// panel's handle does the same (on a tablet the panel floats over the map).
func checkCollapse(p *page, s screen) {
	p.t.Helper()
	before := mapWidth(p)
	p.click(`[data-panel-toggle="right"]`)
	p.waitJS("the right panel collapsed", `document.body.classList.contains('right-collapsed') && getComputedStyle(document.getElementById('right')).display === 'none'`)
	after := mapWidth(p)
	if after < before+250 {
		p.t.Errorf("collapsing the right panel: map %0.f → %.0f px, want it at least 250 px wider", before, after)
	}
	if leaflet := eval[float64](p, `wanmu.app.map.getSize().x`); leaflet != after {
		p.t.Errorf("Leaflet thinks the map is %.0f px wide, it is %.0f (invalidateSize not called)", leaflet, after)
	}
	p.screenshot(s.shot + "-collapsed")

	p.do(chromedp.Navigate(suite.base + "/"))
	p.waitReady()
	if !eval[bool](p, `document.body.classList.contains('right-collapsed')`) {
		p.t.Error("after a reload the right panel is open again: the collapse was not remembered")
	}
	p.click(`[data-panel-toggle="right"]`)
	p.waitJS("the right panel open again", `getComputedStyle(document.getElementById('right')).display !== 'none'`)

	leftOpen := eval[bool](p, `getComputedStyle(document.getElementById('left')).display !== 'none'`)
	if s.name == "tablet" && leftOpen {
		p.t.Error("on a tablet the layers panel starts collapsed")
	}
	p.click(`[data-panel-toggle="left"]`)
	if leftOpen {
		p.waitJS("the left panel collapsed", `getComputedStyle(document.getElementById('left')).display === 'none'`)
		return
	}
	p.waitJS("the left panel open", `getComputedStyle(document.getElementById('left')).display !== 'none'`)
	// The layers stay usable over the map: a checkbox is where it is drawn.
	if !eval[bool](p, `(function () {
		var r = document.querySelector('#layers input[type=checkbox]').getBoundingClientRect();
		var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return !!hit && hit.closest('#left') !== null;
	})()`) {
		p.t.Error("the opened layers panel is covered")
	}
	p.screenshot(s.shot + "-layers")
	if s.name == "tablet" {
		openEvaluationFromLayers(p, s.shot+"-evaluation")
	}

	// English labels are longer: the top bar still fits.
	p.click(`#lang [data-value="en"]`)
	p.waitJS("English", `document.querySelector('[data-panel-toggle="left"]').title === 'Collapse the layers panel'`)
	if over := eval[float64](p, `document.getElementById('topbar').scrollWidth - window.innerWidth`); over > 0 {
		p.t.Errorf("in English the top bar overflows the window by %.0f px", over)
	}
	p.screenshot(s.shot + "-en")
	p.click(`#lang [data-value="zh"]`)
}

// checkPhone: no editing tools but a note; the layers open as a sheet over
// the full-width map.
func checkPhone(p *page) {
	p.t.Helper()
	if d := eval[string](p, `getComputedStyle(document.querySelector('.wanmu-toolbar')).display`); d != "none" {
		p.t.Errorf("the editing toolbar shows on a phone (display %s)", d)
	}
	if eval[bool](p, `!!document.querySelector('#platform [data-action="add-selected"], #platform [data-action="edit-platform"]') && Array.prototype.some.call(document.querySelectorAll('#platform [data-action]'), function (b) { return /add-selected|edit-platform|retire-platform/.test(b.dataset.action) && b.getBoundingClientRect().width > 0; })`) {
		p.t.Error("platform editing buttons show on a phone")
	}
	note := eval[string](p, `(function () { var n = document.querySelector('.phone-edit-note'); return n && n.getBoundingClientRect().height > 0 ? n.textContent : ''; })()`)
	if !strings.Contains(note, "编辑请使用平板或电脑") {
		p.t.Errorf("the phone's note says %q, want it to send editing to a tablet or computer", note)
	}
	p.click(`.phone-tab[data-sheet="left"]`)
	p.waitJS("the layers sheet", `getComputedStyle(document.getElementById('left')).display !== 'none' && getComputedStyle(document.getElementById('right')).display === 'none'`)
	if share := mapWidth(p) / float64(390); share < 0.999 {
		p.t.Errorf("with the layers sheet open the map is %.0f%% wide", share*100)
	}
	p.screenshot("55-phone-layers")
	openEvaluationFromLayers(p, "55-phone-evaluation")
}

// openEvaluationFromLayers: where the top bar has no room for 亩均评价, the
// layers panel's 亩均评价 group opens it.
func openEvaluationFromLayers(p *page, shot string) {
	p.t.Helper()
	if eval[bool](p, `getComputedStyle(document.getElementById('btn-evaluation')).display !== 'none'`) {
		p.t.Error("the top bar's 亩均评价 shows where there is no room for it")
	}
	p.waitJS("the 亩均评价 group's buttons", `!!document.querySelector('#layers [data-action="open-evaluation"]')`)
	eval[bool](p, `(document.querySelector('#layers [data-action="open-evaluation"]').scrollIntoView({ block: 'nearest' }), true)`)
	p.click(`#layers [data-action="open-evaluation"]`)
	p.waitJS("the evaluation dialog", `!!document.querySelector('dialog[open]') && /亩均/.test(document.querySelector('dialog[open]').textContent) &&
		!!document.querySelector('dialog[open] tbody tr')`)
	p.screenshot(shot)
	p.do(chromedp.KeyEvent(kb.Escape))
	p.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`)
}

// TestTopBarEnglish: at a laptop's 1440×900 in English, every button of
// the top bar shows its whole label on one line (the longer English labels
// once wrapped 亩均评价's and clipped km² and 中文).
func TestTopBarEnglish(t *testing.T) {
	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	p.click(`#lang [data-value="en"]`)
	p.waitJS("English", `document.querySelector('[data-panel-toggle="left"]').title === 'Collapse the layers panel'`)
	bad := eval[[]string](p, `(function () {
		var out = [], h = document.getElementById('btn-overview').getBoundingClientRect().height;
		Array.prototype.forEach.call(document.querySelectorAll('#topbar button'), function (b) {
			var r = b.getBoundingClientRect();
			if (r.width === 0 || getComputedStyle(b).display === 'none') { return; }
			var label = document.createRange();
			label.selectNodeContents(b);
			var wrapped = label.getBoundingClientRect().height > 1.8 * parseFloat(getComputedStyle(b).fontSize);
			if (wrapped || b.scrollWidth > b.clientWidth + 1 || (b.classList.contains('top-btn') && r.height > h + 1) || r.right > window.innerWidth) {
				out.push((b.id || b.textContent.trim()) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
			}
		});
		return out;
	})()`)
	overlaps := eval[[]string](p, `(function () {
		var rs = Array.prototype.map.call(document.querySelectorAll('#topbar button, #topbar input, #topbar label'), function (e) {
			return { e: e, r: e.getBoundingClientRect() };
		}).filter(function (x) { // the bar's own items: outermost, shown, in the bar (not an open menu's)
			return x.r.width > 0 && !x.e.parentElement.closest('button, label') && getComputedStyle(x.e).visibility !== 'hidden' &&
				x.r.bottom <= document.getElementById('topbar').getBoundingClientRect().bottom;
		});
		rs.sort(function (a, b) { return a.r.left - b.r.left; });
		var out = [];
		for (var i = 1; i < rs.length; i++) {
			if (rs[i].r.left < rs[i - 1].r.right - 1 && !rs[i - 1].e.contains(rs[i].e)) {
				out.push((rs[i - 1].e.id || rs[i - 1].e.textContent.trim()) + ' / ' + (rs[i].e.id || rs[i].e.textContent.trim() || rs[i].e.placeholder));
			}
		}
		return out;
	})()`)
	if len(overlaps) > 0 {
		t.Errorf("top bar items overlap in English at 1440 px: %v", overlaps)
	}
	if w := eval[float64](p, `document.querySelector('.search input').getBoundingClientRect().width`); w < 150 {
		t.Errorf("the search box is %.0f px wide in English at 1440 px", w)
	}
	p.screenshot("53-desktop-topbar-en")
	if len(bad) > 0 {
		t.Errorf("top bar buttons clipped or wrapped in English at 1440 px: %v", bad)
	}
	p.click(`#lang [data-value="zh"]`)
	// In Chinese too the name stays on one line (万亩 once wrapped to two).
	p.waitJS("Chinese", `document.querySelector('[data-panel-toggle="left"]').title !== 'Collapse the layers panel'`)
	if h := eval[float64](p, `(function () { var b = document.querySelector('.brand-name'); return b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).fontSize); })()`); h > 1.8 {
		t.Errorf("the brand name takes %.1f lines at 1440 px", h)
	}
}
