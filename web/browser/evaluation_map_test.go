package browser

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

type evalMapFC struct {
	Features []struct {
		Geometry struct {
			Type        string `json:"type"`
			Coordinates any    `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

// TestEvaluationMapLayers: a viewer turns on the layers panel's 亩均评价
// layers on the sample. 企业（按类） draws every enterprise the API gives for
// the newest year, with a legend of the classes, and a click shows the
// enterprise's card; 低效用地 draws only the C and D enterprises and the
// vacant parcels, with their total; 平台着色 by 亩均税收 puts the platform
// with the highest value in the darkest class, and marks the 2025 target.
func TestEvaluationMapLayers(t *testing.T) {
	viewer := mustAPI(t, viewerUser)
	var ys struct {
		Years []struct {
			Year int `json:"year"`
		} `json:"years"`
	}
	viewer.must(t, http.StatusOK, "GET", "/api/v1/enterprises/years", nil, 0, &ys)
	year := 0
	for _, y := range ys.Years {
		year = max(year, y.Year)
	}
	if year == 0 {
		t.Fatal("the sample has no enterprise figures")
	}
	var all, low evalMapFC
	viewer.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/evaluation/map?year=%d", year), nil, 0, &all)
	viewer.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/evaluation/map?year=%d&class=C,D&vacant=true", year), nil, 0, &low)
	lowMu, vacant := 0.0, 0
	for _, f := range low.Features {
		if f.Properties["kind"] == "vacant" {
			lowMu += f.Properties["area_mu"].(float64)
			vacant++
		} else if l, ok := f.Properties["land_mu"].(float64); ok {
			lowMu += l
		}
	}
	if len(all.Features) < 1000 || vacant == 0 || vacant == len(low.Features) {
		t.Fatalf("the sample has %d enterprises on the map, %d low-efficiency features of which %d vacant", len(all.Features), len(low.Features), vacant)
	}

	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	sec := `#layers [data-section="evaluation-map"]`
	p.waitJS("the 亩均评价 group", fmt.Sprintf(`!!document.querySelector('%s [data-layer="evalmap-enterprises"]') && document.querySelector('%s [data-evalmap-year]').value === '%d'`, sec, sec, year))

	// The sample's vacant layer is listed with the reference layers, tagged 闲置土地.
	if tag := eval[string](p, `(function(){ var l = wanmu.app.layers.filter(function (l) { return l.kind === 'vacant'; })[0]; var cb = l && document.querySelector('#layers input[data-layer="layer-' + l.id + '"]'); var tg = cb && cb.closest('.layer-row').querySelector('.kind-tag.kind-vacant'); return tg ? tg.textContent : ''; })()`); tag != "闲置土地" {
		t.Errorf("the vacant layer's row is tagged %q", tag)
	}

	// 企业（按类）
	p.click(sec + ` [data-layer="evalmap-enterprises"]`)
	p.waitJS("the enterprises drawn", fmt.Sprintf(`wanmu.app.evalLayers.enterprises.drawn() === %d && !!document.querySelector('%s [data-legend="evalmap-enterprises"]')`, len(all.Features), sec))
	for _, c := range []string{"A", "B", "C", "D"} {
		label := eval[string](p, fmt.Sprintf(`(function(){ var r = document.querySelector('%s [data-legend="evalmap-enterprises"] tr[data-key="%s"] th'); return r ? r.textContent : ''; })()`, sec, c))
		if len(label) < 2 || label[:1] != c {
			t.Errorf("the legend's class %s reads %q", c, label)
		}
	}
	p.screenshot("130-enterprises-by-class")

	// A click on the last parcel drawn (nothing of the layer above it) shows its card.
	last := -1
	for i, f := range all.Features {
		if f.Geometry.Type == "MultiPolygon" {
			last = i
		}
	}
	if last < 0 {
		t.Fatal("no enterprise parcel on the map")
	}
	name := all.Features[last].Properties["name"].(string)
	c := eval[[2]float64](p, fmt.Sprintf(`(function(){ var f = wanmu.app.evalLayers.enterprises.data.features[%d]; var b = L.geoJSON(f).getBounds().getCenter(); return [b.lng, b.lat]; })()`, last))
	p.view(c[0], c[1], 17)
	p.waitJS("parcels as polygons", `wanmu.app.evalLayers.enterprises.layer.getLayers().some(function (l) { return l instanceof L.Polygon; })`)
	x, y := p.px(c[0], c[1])
	p.clickAt(x, y, false)
	p.waitJS("the enterprise's card", `!!document.querySelector('.leaflet-popup .evalmap-card .evalmap-name')`)
	if got := eval[string](p, `document.querySelector('.leaflet-popup .evalmap-card .evalmap-name').textContent`); got != name {
		t.Errorf("the card names %q, the parcel is %q's", got, name)
	}
	if n := eval[int](p, `document.querySelectorAll('.leaflet-popup .evalmap-card-table tr').length`); n < 4 {
		t.Errorf("the card has %d rows (class, score, rank, land)", n)
	}
	p.screenshot("133-enterprise-card")
	// From the card to the enterprise's evaluation: the dialog opens on the
	// layer's year, found by the credit code.
	code := all.Features[last].Properties["credit_code"].(string)
	p.click(`.leaflet-popup [data-action="open-enterprise"]`)
	p.waitJS("the enterprise's evaluation", fmt.Sprintf(`(function () {
		var d = document.querySelector('dialog.evaluation-dialog[open]');
		var rows = d ? d.querySelectorAll('tr.eval-row') : [];
		return !!d && d.querySelector('[data-filter="q"]').value === %q && rows.length === 1 && rows[0].getAttribute('data-credit-code') === %q &&
			rows[0].classList.contains('open') &&
			d.querySelector('[data-filter="year"]').value === String(wanmu.app.evalLayers.enterprises.year);
	})()`, code, code))
	p.screenshot("137-enterprise-from-map")
	// Typing part of a name finds the enterprises that have it.
	part := string([]rune(name)[2 : len([]rune(name))-4]) // 示例竹木10000有限公司 → 竹木10000
	p.setValue(`dialog.evaluation-dialog [data-filter="q"]`, part)
	eval[bool](p, `(document.querySelector('dialog.evaluation-dialog [data-filter="q"]').dispatchEvent(new Event('input')), true)`)
	p.waitJS("the search's results", fmt.Sprintf(`(function () {
		var rows = document.querySelectorAll('dialog.evaluation-dialog tr.eval-row');
		return rows.length > 0 && Array.prototype.every.call(rows, function (r) { return r.textContent.indexOf(%q) >= 0; }) &&
			Array.prototype.some.call(rows, function (r) { return r.getAttribute('data-credit-code') === %q; });
	})()`, part, code))
	p.do(chromedp.KeyEvent(kb.Escape))
	p.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`)
	eval[bool](p, `(wanmu.app.map.closePopup(), wanmu.app.fitAll(), true)`)

	// 低效用地: only C, D and vacant.
	p.click(sec + ` [data-layer="evalmap-enterprises"]`)
	p.click(sec + ` [data-layer="evalmap-low"]`)
	p.waitJS("the low-efficiency land drawn", fmt.Sprintf(`wanmu.app.evalLayers.enterprises.drawn() === 0 && wanmu.app.evalLayers.low.drawn() === %d && !!document.querySelector('%s [data-legend="evalmap-low"]')`, len(low.Features), sec))
	if bad := eval[int](p, `wanmu.app.evalLayers.low.data.features.filter(function (f) { var p = f.properties; return !(p.kind === 'vacant' || p.kind === 'enterprise' && (p['class'] === 'C' || p['class'] === 'D')); }).length`); bad != 0 {
		t.Errorf("%d features of the low-efficiency layer are neither C, D nor vacant", bad)
	}
	if n := eval[int](p, `wanmu.app.evalLayers.low.data.features.filter(function (f) { return f.properties.kind === 'vacant'; }).length`); n != vacant {
		t.Errorf("%d vacant parcels drawn, the API has %d", n, vacant)
	}
	total := eval[string](p, fmt.Sprintf(`document.querySelector('%s [data-legend="evalmap-low"] tr[data-key="total"] td.num').textContent`, sec))
	if want := eval[string](p, fmt.Sprintf(`wanmu.units.area(%v)`, lowMu)); total != want {
		t.Errorf("the low-efficiency total reads %q, the API's features add up to %q", total, want)
	}
	// The legend's sum is feature by feature: it says so, not 合计 plain.
	if got := eval[string](p, fmt.Sprintf(`(function(){ var th = document.querySelector('%s [data-legend="evalmap-low"] tr[data-key="total"] th'); return th.textContent + '|' + th.title; })()`, sec)); !strings.HasPrefix(got, "图上合计|") || !strings.Contains(got, "两次") {
		t.Errorf("the low-efficiency sum is labelled %q", got)
	}
	p.screenshot("131-low-efficiency")

	// 平台着色 by 亩均税收.
	var pis struct {
		Platforms []struct {
			Platform string `json:"platform"`
			Values   []struct {
				Code   string   `json:"code"`
				Value  *float64 `json:"value"`
				Target *float64 `json:"target"`
			} `json:"values"`
		} `json:"platforms"`
	}
	viewer.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/evaluation/platforms?year=%d", year), nil, 0, &pis)
	best, bestV := "", -1.0
	for _, pl := range pis.Platforms {
		for _, v := range pl.Values {
			if v.Code == "tax_per_mu" && v.Value != nil && *v.Value > bestV {
				best, bestV = pl.Platform, *v.Value
			}
		}
	}
	if best == "" {
		t.Fatal("no platform has 亩均税收")
	}
	p.click(sec + ` [data-layer="evalmap-low"]`)
	// A failed load (503) is not final: off and on again retries it.
	eval[bool](p, `(function(){
		var f = window.fetch, once = true;
		window.fetch = function (u) {
			if (once && String(u).indexOf('/evaluation/platforms?') >= 0) {
				once = false;
				return Promise.resolve(new Response('{"title":"unavailable","status":503}', { status: 503, headers: { 'Content-Type': 'application/problem+json' } }));
			}
			return f.apply(this, arguments);
		};
		return true;
	})()`)
	p.click(sec + ` [data-layer="evalmap-shading"]`)
	p.waitJS("the shading's failure", fmt.Sprintf(`!!document.querySelector('%s .evalmap-shading [data-i18n="evalmap.failed"]')`, sec))
	dismissToasts(p)
	p.click(sec + ` [data-layer="evalmap-shading"]`)
	p.click(sec + ` [data-layer="evalmap-shading"]`)
	p.waitJS("the indicator choice", fmt.Sprintf(`!!document.querySelector('%s [data-evalmap-indicator]')`, sec))
	eval[bool](p, fmt.Sprintf(`(function(){ var s = document.querySelector('%s [data-evalmap-indicator]'); s.value = 'tax_per_mu'; s.dispatchEvent(new Event('change')); return true; })()`, sec))
	p.waitJS("the shading's legend", fmt.Sprintf(`!!document.querySelector('%s [data-legend="evalmap-shading"][data-indicator="tax_per_mu"]') && wanmu.app.evalLayers.low.drawn() === 0`, sec))
	classes := eval[int](p, `wanmu.app.evalLayers.shading.scale.breaks.length - 1`)
	if got := eval[int](p, `wanmu.app.evalLayers.shading.classOf(`+strconv.Quote(best)+`)`); got != classes-1 || classes < 2 {
		t.Errorf("the platform with the highest 亩均税收 (%s, %.2f) is in class %d of %d, want the darkest", best, bestV, got, classes)
	}
	if rows := eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s [data-legend="evalmap-shading"] tr[data-key^="class-"]').length`, sec)); rows != classes {
		t.Errorf("the legend lists %d classes, the shading has %d", rows, classes)
	}
	if !eval[bool](p, fmt.Sprintf(`!!document.querySelector('%s [data-legend="evalmap-shading"] tr[data-key="target"]')`, sec)) {
		t.Error("the legend does not mark the 2025 target of 亩均税收")
	}
	if n := eval[int](p, `wanmu.app.evalLayers.printRows().length`); n != classes+1 && n != classes+2 {
		t.Errorf("the print legend has %d rows of the shading (%d classes and the target)", n, classes)
	}
	// Each platform's value is a badge inside its own name label (not laid
	// over another's); the legend writes every break alike.
	p.waitJS("the labels placed", `wanmu.app.zones.labelsSettled()`)
	if bad := eval[[]string](p, `(function () {
		var out = [], sh = wanmu.app.evalLayers.shading;
		document.querySelectorAll('.platform-label').forEach(function (l) {
			var m = null;
			wanmu.app.map.eachLayer(function (x) { if (x.platformId !== undefined && x.getElement && x.getElement() && x.getElement().contains(l)) { m = x; } });
			var b = l.querySelectorAll('.shading-badge');
			if (!m || b.length !== 1 || b[0].dataset.platformId !== String(m.platformId)) { out.push((l.textContent || '?') + ': ' + b.length + ' badges'); }
		});
		var labels = Array.prototype.map.call(document.querySelectorAll('.platform-label'), function (e) { return e.getBoundingClientRect(); });
		document.querySelectorAll('.shading-tip').forEach(function (t) {
			var a = t.getBoundingClientRect();
			labels.forEach(function (b) { if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) { out.push('a free badge ' + t.textContent + ' over a name label'); } });
		});
		return out;
	})()`); len(bad) > 0 {
		t.Errorf("shading badges: %v", bad)
	}
	if n := eval[int](p, `document.querySelectorAll('.platform-label .shading-badge').length + document.querySelectorAll('.shading-tip').length`); n != len(pis.Platforms) {
		t.Errorf("%d value badges for %d platforms", n, len(pis.Platforms))
	}
	if mixed := eval[string](p, fmt.Sprintf(`(function () {
		var d = {};
		document.querySelectorAll('%s [data-legend="evalmap-shading"] tr[data-key^="class-"] th').forEach(function (th) {
			(th.textContent.match(/\d[\d,]*(\.\d+)?/g) || []).forEach(function (n) { d[(n.split('.')[1] || '').length] = n; });
		});
		return Object.keys(d).length > 1 ? JSON.stringify(d) : '';
	})()`, sec)); mixed != "" {
		t.Errorf("the shading legend mixes number formats: %s", mixed)
	}
	p.screenshot("132-platform-shading")
	// The platforms reloaded (a zone edited, a membership changed): the
	// shading fetches its zones and figures again.
	eval[bool](p, `(function(){
		var f = window.fetch;
		window.refetched = [];
		window.fetch = function (u) { window.refetched.push(String(u)); return f.apply(this, arguments); };
		wanmu.app.fire('platforms');
		return true;
	})()`)
	p.waitJS("the shading reloaded", `window.refetched.some(function (u) { return /\/zones\?.*platform=/.test(u); }) && window.refetched.some(function (u) { return u.indexOf('/evaluation/platforms?') >= 0; }) && !!wanmu.app.evalLayers.shading.data && !!document.querySelector('.platform-label .shading-badge')`)
	// Off and on: the badges go and come back.
	p.click(sec + ` [data-layer="evalmap-shading"]`)
	p.waitJS("the badges gone", `!document.querySelector('.shading-badge, .shading-tip')`)
	p.click(sec + ` [data-layer="evalmap-shading"]`)
	p.waitJS("the badges and the legend again", fmt.Sprintf(`!!document.querySelector('.platform-label .shading-badge') && !!document.querySelector('%s [data-legend="evalmap-shading"]')`, sec))
	eval[bool](p, fmt.Sprintf(`(function(){ var b = L.geoJSON({ type: 'FeatureCollection', features: wanmu.app.evalLayers.shading.zones[%s] }).getBounds(); wanmu.app.map.fitBounds(b, { animate: false }); return true; })()`, strconv.Quote(best)))
	p.screenshot("134-platform-shading-zoom")
}
