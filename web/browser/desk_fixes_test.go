package browser

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestDeskPrint: the print layout of a sample platform in several parts,
// with the developable land shown, one of its zones selected and one
// constraint layer switched off. The legend lists exactly what is drawn
// (the developable land and each deduction; the constraint layers on the
// map, not the one switched off), the map has no selection outline, the
// parts row gives the largest gap, the Gauss-Krüger labels have no digit
// grouping; the PDF's text has the legend and the gap.
func TestDeskPrint(t *testing.T) {
	viewer := mustAPI(t, viewerUser)
	var list struct {
		Platforms []struct {
			ID      int64   `json:"id"`
			ZoneIDs []int64 `json:"zone_ids"`
		} `json:"platforms"`
	}
	viewer.must(t, http.StatusOK, "GET", "/api/v1/platforms", nil, 0, &list)
	var pid, zid int64
	var rep struct {
		Parts       int     `json:"parts"`
		LargestGapM float64 `json:"largest_gap_m"`
		Layers      []struct {
			Own struct{ Mu float64 } `json:"own"`
		} `json:"layers"`
	}
	for _, p := range list.Platforms {
		viewer.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d/report", p.ID), nil, 0, &rep)
		taking := 0
		for _, l := range rep.Layers {
			if l.Own.Mu > 1 {
				taking++
			}
		}
		if rep.Parts > 1 && taking >= 1 && len(p.ZoneIDs) > 0 {
			pid, zid = p.ID, p.ZoneIDs[0]
			break
		}
	}
	if pid == 0 {
		t.Fatalf("no sample platform among %d is in several parts with a constraint layer taking land", len(list.Platforms))
	}

	p := newPage(t)
	p.login(viewerUser)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d, true), true)`, pid))
	p.waitJS("the developable toggle", fmt.Sprintf(`!!document.querySelector('.platform-detail[data-platform-id="%d"] [data-action="toggle-developable"]')`, pid))
	p.click(`#platform [data-action="toggle-developable"]`)
	p.waitJS("the developable land drawn", `!!wanmu.app.developable.data && document.querySelectorAll('.leaflet-wanmuDevelopable-pane path').length === wanmu.app.developable.data.features.length`)
	p.waitJS("the constraint layers on the map", `wanmu.app.layers.filter(function (l) { var tl = wanmu.app.tileLayers[l.id]; return tl && wanmu.app.map.hasLayer(tl); }).length >= 2`)
	// One layer off in the layers panel, one zone selected.
	off := eval[string](p, `(function(){
		var l = wanmu.app.layers.filter(function (l) { var tl = wanmu.app.tileLayers[l.id]; return tl && wanmu.app.map.hasLayer(tl); })[0];
		document.querySelector('[data-layer="layer-' + l.id + '"]').click();
		return l.name; })()`)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, zid))
	p.waitJS("the zone selected", fmt.Sprintf(`wanmu.app.selection.has(%d)`, zid))

	p.click("#btn-print")
	p.waitJS("the print layout", `!!document.querySelector('#print-sheet .print-map #map') && !!document.querySelector('#print-sheet .print-areas')`)
	type legend struct {
		Developable int      `json:"developable"`
		Drawn       int      `json:"drawn"`
		Rows        []string `json:"rows"`
		OnMap       []string `json:"onMap"`
	}
	lg := eval[legend](p, `(function(){
		var app = wanmu.app;
		return {
			developable: document.querySelectorAll('#print-sheet .print-legend [data-developable]').length,
			drawn: app.developable.data.features.length,
			rows: Array.prototype.map.call(document.querySelectorAll('#print-sheet .print-legend .legend-row'), function (r) { return r.textContent; }),
			onMap: app.layers.filter(function (l) { var tl = app.tileLayers[l.id]; return tl && app.map.hasLayer(tl); }).map(function (l) { return l.name; })
		}; })()`)
	if lg.Developable != lg.Drawn || lg.Drawn == 0 {
		t.Errorf("the legend has %d developable-land rows for %d parts drawn: %q", lg.Developable, lg.Drawn, lg.Rows)
	}
	has := func(name string) bool {
		for _, r := range lg.Rows {
			if r == name {
				return true
			}
		}
		return false
	}
	for _, n := range lg.OnMap {
		if !has(n) {
			t.Errorf("the layer %q is drawn on the map but not in the legend %q", n, lg.Rows)
		}
	}
	if has(off) {
		t.Errorf("the layer %q, switched off, is in the legend %q", off, lg.Rows)
	}
	if n := eval[int](p, `Array.prototype.filter.call(document.querySelectorAll('#print-sheet .print-map path'), function (e) { return (e.getAttribute('stroke') || '').toLowerCase() === '#f2b705'; }).length`); n != 0 {
		t.Errorf("the printed map has %d paths in the selection's yellow", n)
	}
	gap := fmt.Sprintf("（相距 %.2f km）", rep.LargestGapM/1000)
	if rep.LargestGapM < 1000 {
		gap = fmt.Sprintf("（相距 %.0f m）", rep.LargestGapM)
	}
	if got := eval[string](p, `Array.prototype.filter.call(document.querySelectorAll('#print-sheet .print-areas tr'), function (r) { return r.querySelector('th').textContent.indexOf('片区数') === 0; })[0].querySelector('td').textContent`); got != fmt.Sprintf("%d%s", rep.Parts, gap) {
		t.Errorf("the parts row reads %q, want %d%s", got, rep.Parts, gap)
	}
	p.screenshot("desk-print-preview")

	file := p.printPDF("print")
	dir := filepath.Dir(file)
	text := runTool(t, "pdftotext", "-enc", "UTF-8", file, "-")
	for _, want := range []string{"可开发用地", "扣除：", strings.Trim(gap, "（）")} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	runTool(t, "pdftoppm", "-png", "-r", "80", "-singlefile", file, filepath.Join(dir, "page"))
	if shot, err := os.ReadFile(filepath.Join(dir, "page.png")); err != nil {
		t.Error(err)
	} else if err := os.WriteFile(filepath.Join(suite.artifacts, "desk-print-pdf.png"), shot, 0o644); err != nil {
		t.Error(err)
	}

	// Gauss-Krüger kilometres as surveyors write them: 40462 km.
	eval[bool](p, `(function(){ var s = document.querySelector('.print-controls select[name="grid"]'); s.value = '4528'; s.dispatchEvent(new Event('change')); return true; })()`)
	labels := eval[string](p, `Array.prototype.map.call(document.querySelectorAll('#print-sheet .print-grid text'), function (e) { return e.textContent; }).join(' | ')`)
	if !regexp.MustCompile(`(^| )40\d{3}(\.\d)? km`).MatchString(labels) || strings.Contains(labels, ",") {
		t.Errorf("the EPSG:4528 grid's labels are not written 40ddd km: %s", labels)
	}
	p.click(`.print-controls [data-action="close-print"]`)
	p.waitJS("the selection outline back", fmt.Sprintf(`!document.getElementById('print-overlay') && wanmu.app.zones._selected[%d] === true`, zid))
}

// TestDeskSearch: 景宁 is part of one platform's name and the start of a
// county's: the platform opens, and a note says the county matched too;
// the county's full name still selects its zones.
func TestDeskSearch(t *testing.T) {
	a := mustAPI(t, viewerUser)
	var list struct {
		Platforms []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"platforms"`
	}
	a.must(t, http.StatusOK, "GET", "/api/v1/platforms", nil, 0, &list)
	for _, q := range []string{"景宁", "青田"} {
		var pid int64
		for _, pl := range list.Platforms {
			if strings.Contains(pl.Name, q) {
				if pid != 0 {
					t.Fatalf("more than one platform has %s in its name", q)
				}
				pid = pl.ID
			}
		}
		if pid == 0 {
			t.Fatalf("no sample platform has %s in its name", q)
		}
		p := newPage(t)
		p.login(viewerUser)
		p.search(q)
		p.waitJS(q+": the platform shown with a note on the county", fmt.Sprintf(`wanmu.app.activePlatformId === %d && Array.prototype.some.call(document.querySelectorAll('.toast'), function (e) { return e.textContent.indexOf('也与此相符') >= 0 && e.textContent.indexOf(%q) >= 0; })`, pid, q))
		if n := eval[int](p, `window.__searches`); n != 0 {
			t.Errorf("%s searched zones %d times", q, n)
		}
		if q == "景宁" {
			p.screenshot("desk-search")
			var fc struct {
				Features []zoneFeature `json:"features"`
			}
			a.must(t, 200, "GET", "/api/v1/zones?county=331127&limit=200", nil, 0, &fc)
			p.search("景宁畲族自治县")
			p.waitJS("the county's zones selected", fmt.Sprintf(`wanmu.app.selection.count() === %d`, len(fc.Features)))
		}
	}
}

// TestDeskLayerTable: a constraint layer's features in the table have an
// area column in the chosen unit and its total, the ellipsoidal areas the
// OGC items carry.
func TestDeskLayerTable(t *testing.T) {
	a := mustAPI(t, viewerUser)
	p := newPage(t)
	p.login(viewerUser)
	lid := eval[float64](p, `wanmu.app.layers.filter(function (l) { return l.features < 500 && l.kind !== 'reference'; })[0].id`)
	var items struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	a.must(t, 200, "GET", fmt.Sprintf("/ogc/collections/layer-%.0f/items?limit=1000", lid), nil, 0, &items)
	var sum float64
	for _, f := range items.Features {
		mu, _ := f.Properties["area_mu"].(float64)
		if mu <= 0 {
			t.Fatalf("an OGC item has no area: %v", f.Properties)
		}
		sum += mu
	}
	eval[bool](p, `(wanmu.ZoneTable.open(wanmu.app), true)`)
	eval[bool](p, fmt.Sprintf(`(function(){ var s = document.querySelector('#zone-table select[name="source"]'); s.value = 'layer-%.0f'; s.dispatchEvent(new Event('change')); return true; })()`, lid))
	p.waitJS("the layer's rows", fmt.Sprintf(`document.querySelectorAll('#zone-table tbody tr[data-feature-id]').length === %d`, len(items.Features)))
	if got := eval[float64](p, `+document.querySelector('#zone-table .zone-table-totals').dataset.loadedAreaMu`); math.Abs(got-sum) > 1e-6*sum {
		t.Errorf("the table's area total is %.4f mu, the items' %.4f", got, sum)
	}
	if got, want := eval[string](p, `document.querySelector('#zone-table .zone-table-totals').textContent`), eval[string](p, fmt.Sprintf(`wanmu.units.area(%f)`, sum)); !strings.Contains(got, want) {
		t.Errorf("the totals %q do not give the area %q", got, want)
	}
	if n := eval[int](p, `Array.prototype.filter.call(document.querySelectorAll('#zone-table tbody tr[data-feature-id] td:last-child'), function (td) { return !/\d/.test(td.textContent); }).length`); n != 0 {
		t.Errorf("%d rows have no area", n)
	}
	eval[bool](p, `(wanmu.units.set('ha'), true)`)
	p.waitJS("the area in hectares", `document.querySelector('#zone-table th[data-col="area"]').textContent.indexOf(wanmu.units.symbol()) >= 0 && wanmu.units.current() === 'ha'`)
	p.screenshot("desk-layer-table")
}

// TestDeskPhone: on a phone the layers sheet offers the language and the
// coordinate format; the sample-data note shows only on the sample data.
func TestDeskPhone(t *testing.T) {
	p := newPage(t)
	p.do(chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait))
	p.login(viewerUser)
	p.click(`.phone-tab[data-sheet="left"]`)
	p.waitJS("the settings in the layers sheet", `!!document.querySelector('#left .phone-settings') && document.querySelector('#left .phone-settings').getBoundingClientRect().height > 0`)
	if !eval[bool](p, `!!document.querySelector('#left .sample-note')`) {
		t.Error("the sample data's note is missing from the layers sheet")
	}
	eval[bool](p, `(document.querySelector('#left .phone-settings').scrollIntoView(), true)`)
	p.click(`#left [data-setting="coords"] [data-value="4528"]`)
	p.waitJS("the status bar in EPSG:4528", `document.querySelector('.wanmu-statusbar .crs').textContent === wanmu.i18n.t('coords.fmt.4528') && localStorage.getItem('wanmu.coordFormat') === '4528' && document.querySelector('#left [data-setting="coords"] [data-value="4528"]').classList.contains('on')`)
	p.screenshot("desk-phone-settings")
	p.click(`#left [data-setting="lang"] [data-value="en"]`)
	p.waitJS("the page in English", `wanmu.i18n.lang() === 'en' && document.querySelector('#left .phone-settings h3').textContent === 'Settings' && document.querySelector('#lang [data-value="en"]').classList.contains('on')`)
	p.screenshot("desk-phone-english")
	eval[bool](p, `(wanmu.app.config.sample_data = false, wanmu.app.fire('layers'), true)`)
	if eval[bool](p, `!!document.querySelector('#left .sample-note')`) {
		t.Error("the layers panel says 示例数据 on data that are not the sample")
	}
}

// TestDeskBasemapFails: a 天地图 key the tile server refuses (403) gives a
// note in the switcher and one toast, not a blank map without a word.
func TestDeskBasemapFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid key", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	admin := mustAPI(t, adminUser)
	tmpl := srv.URL + "/{layer}_w/wmts?LAYER={layer}&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
	admin.must(t, http.StatusOK, "PUT", "/api/v1/settings/basemap", map[string]string{"tianditu_key": "0123456789abcdef0123456789abcdef", "tianditu_url": tmpl}, 0, nil)
	t.Cleanup(func() {
		admin.must(t, http.StatusOK, "PUT", "/api/v1/settings/basemap", map[string]string{"tianditu_key": "", "tianditu_url": ""}, 0, nil)
	})
	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	p.waitJS("天地图 offered", `!!document.querySelector('[data-basemap="tdt-vec"]')`)
	if !eval[bool](p, `document.querySelector('[data-basemap-failed]').hidden`) {
		t.Error("the failure note shows before any basemap was chosen")
	}
	p.click(`[data-basemap-switcher] summary`)
	p.click(`[data-basemap="tdt-vec"]`)
	notes := `Array.prototype.filter.call(document.querySelectorAll('.toast'), function (e) { return e.textContent.indexOf('天地图瓦片无法载入') >= 0; }).length`
	p.waitJS("the note on the failing tiles", `!document.querySelector('[data-basemap-failed]').hidden && document.querySelector('[data-basemap-failed]').textContent.indexOf('密钥') >= 0 && `+notes+` === 1`)
	p.screenshot("desk-basemap-failed")
	// More failing tiles do not repeat it.
	// The page counts the basemap's further tile errors; the switcher's own
	// handler, registered first, has seen each one counted here.
	eval[bool](p, `(window.moreTileErrors = 0, wanmu.app.map.eachLayer(function (l) {
		if (l instanceof L.TileLayer) { l.on('tileerror', function () { window.moreTileErrors++; }); }
	}), wanmu.app.map.panBy([600, 300], { animate: false }), true)`)
	p.waitJS("four more failing tiles", `window.moreTileErrors >= 4`)
	if n := eval[int](p, notes); n != 1 {
		t.Errorf("%d toasts about the failing tiles after more failures, want 1", n)
	}
}

// TestDeskLayout: at 1440×900 the scale bar is clear of the status bar, and
// while measuring the 测距/测面 buttons keep their own width.
func TestDeskLayout(t *testing.T) {
	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	overlap := `(function(){
		var a = document.querySelector('.leaflet-control-scale').getBoundingClientRect(), b = document.querySelector('.wanmu-statusbar').getBoundingClientRect();
		return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; })()`
	if eval[bool](p, overlap) {
		t.Error("the status bar covers the scale bar")
	}
	// A refused go-to makes the status bar longer, in degrees-minutes-seconds.
	p.click(`.wanmu-statusbar .crs`)
	p.setValue(`.wanmu-statusbar .goto`, "0,0")
	p.do(chromedp.SendKeys(chromedp.CSS(`.wanmu-statusbar .goto`), kb.Enter))
	p.waitJS("the go-to refused", `document.querySelector('.wanmu-statusbar .goto-note').textContent.length > 10`)
	if eval[bool](p, overlap) {
		t.Errorf("the status bar %s covers the scale bar", eval[string](p, `JSON.stringify(document.querySelector('.wanmu-statusbar').getBoundingClientRect())`))
	}
	p.click(`.wanmu-measure-area`)
	cx, cy := eval[float64](p, `wanmu.app.map.getSize().x / 2`), eval[float64](p, `wanmu.app.map.getSize().y / 2`)
	for _, d := range [][2]float64{{-60, -40}, {60, -40}, {60, 40}} {
		p.clickAt(eval[float64](p, `wanmu.app.map.getContainer().getBoundingClientRect().left`)+cx+d[0], eval[float64](p, `wanmu.app.map.getContainer().getBoundingClientRect().top`)+cy+d[1], false)
	}
	p.waitJS("the measure panel open", `getComputedStyle(document.querySelector('.wanmu-measure-panel')).display !== 'none' && document.querySelector('.wanmu-measure-panel').getBoundingClientRect().width > 150`)
	if w := eval[float64](p, `document.querySelector('.wanmu-measure-buttons').getBoundingClientRect().width`); w > 90 {
		t.Errorf("the measure buttons are %.0f px wide while measuring", w)
	}
	if eval[bool](p, overlap) {
		t.Error("the status bar covers the scale bar while measuring")
	}
	p.screenshot("desk-layout-1440")
}
