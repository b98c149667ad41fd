package browser

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wanmu/internal/geodesy"
)

// TestRegionZoneReadout: the status bar's Gauss-Kruger readout, the "go
// to" box, the print grid and the page's titles follow the server's region.
// Here a made-up city in zone 41 (CM 123°E) is given to the page as
// /api/v1/config would give it: the readout offers EPSG:4529 and 4550 (not
// 丽水's 4528/4549), eastings without a prefix are read in zone 41, the grid
// is in 41ddd km, and the titles name the city.
func TestRegionZoneReadout(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	// 丽水 first: its titles, as before.
	if got := eval[string](p, `document.title + ' | ' + document.querySelector('.brand-sub').textContent`); got != "万亩 · 丽水市产业平台整合 | 丽水市产业平台整合 · 可开发空间核算" {
		t.Errorf("丽水's titles: %q", got)
	}
	eval[bool](p, `(localStorage.removeItem('wanmu.coordFormat'), (function () {
		var rg = {adcode: '339900', name: '海州市', short: '海州', name_en: 'Haizhou', zones: [41],
			extent: {min_lon: 121.0, min_lat: 27.5, max_lon: 123.0, max_lat: 29.0},
			counties: [{adcode: '339901', name: '东港区', name_en: 'Donggang', lon: 121.6, lat: 28.4, zone: 41}]};
		wanmu.style.setRegion(rg);
		wanmu.coords.setRegion(rg);
		wanmu.i18n.apply(document);
		return true;
	})())`)
	if got := eval[string](p, `document.title + ' | ' + document.querySelector('.brand-sub').textContent`); got != "万亩 · 海州市产业平台整合 | 海州市产业平台整合 · 可开发空间核算" {
		t.Errorf("the titles of 海州: %q", got)
	}
	if got := eval[string](p, `wanmu.coords.FORMATS.join(' ')`); got != "dd dms 4529 4550" {
		t.Errorf("readout formats: %s", got)
	}

	// The readout at a known pixel, in zone 41's two CRSs.
	p.view(121.6, 28.4, 15)
	x, y := p.px(121.6, 28.4)
	x, y = x+97, y-53
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	lon, lat := p.lngLat(x, y)
	n, e := geodesy.ToGaussKruger(lon, lat, 123)
	want := map[string]string{
		"EPSG:4529 高斯-克吕格": fmt.Sprintf("X %.2f  Y %.2f", n, e+41e6),
		"EPSG:4550 高斯-克吕格": fmt.Sprintf("X %.2f  Y %.2f", n, e),
	}
	p.waitJS("the readout in degrees", fmt.Sprintf(`document.querySelector('.wanmu-statusbar .coords').textContent === %q`, fmt.Sprintf("%.6f°E %.6f°N", lon, lat)))
	seen := 0
	for i := 0; i < 4; i++ {
		p.click(`.wanmu-statusbar .crs`)
		label := eval[string](p, `document.querySelector('.wanmu-statusbar .crs').textContent`)
		if w, ok := want[label]; ok {
			seen++
			if got := eval[string](p, `document.querySelector('.wanmu-statusbar .coords').textContent`); got != w {
				t.Errorf("%s reads %q, want %q", label, got, w)
			}
			if label == "EPSG:4529 高斯-克吕格" {
				p.screenshot("region-zone41-readout")
			}
		}
	}
	if seen != 2 {
		t.Errorf("the readout showed %d of zone 41's CRSs, want 2", seen)
	}

	// "Go to": an easting without prefix is read in zone 41 (EPSG:4550).
	gx, gy := 3142000.0, 460000.0
	glon, glat := geodesy.FromGaussKruger(gx, gy, 123)
	p.setValue(`.wanmu-statusbar .goto`, fmt.Sprintf("%.0f %.0f", gx, gy))
	eval[bool](p, `(document.querySelector('.wanmu-statusbar .goto').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})), true)`)
	p.waitJS("the go-to note", `document.querySelector('.wanmu-statusbar .goto-note').textContent === '识别为 EPSG:4550 高斯-克吕格'`)
	c := eval[[2]float64](p, `(function () { var c = wanmu.app.map.getCenter(); return [c.lng, c.lat]; })()`)
	if math.Abs(c[0]-glon) > 1e-6 || math.Abs(c[1]-glat) > 1e-6 {
		t.Errorf("went to %v, want %.7f, %.7f", c, glon, glat)
	}
	if got := eval[string](p, `document.querySelector('.wanmu-statusbar .goto').title`); !strings.Contains(got, "EPSG:4529 带 41 带号或 EPSG:4550") {
		t.Errorf("go-to help: %q", got)
	}

	// The print layout: zone 41's grids, in 41ddd km, and the city's title.
	p.click("#btn-print")
	p.waitJS("the print layout", `!!document.querySelector('#print-sheet .print-map #map')`)
	if got := eval[string](p, `Array.prototype.map.call(document.querySelectorAll('.print-controls select[name="grid"] option'), function (o) { return o.value + '=' + o.textContent; }).join(' | ')`); got != "deg=CGCS2000 经纬度 | 4529=高斯-克吕格 EPSG:4529（41 带） | 4550=高斯-克吕格 EPSG:4550（中央经线 123°）" {
		t.Errorf("print grids: %s", got)
	}
	if got := eval[string](p, `document.querySelector('#print-sheet .print-title').textContent`); got != "海州市产业平台整合图" {
		t.Errorf("print title %q", got)
	}
	eval[bool](p, `(function(){ var s = document.querySelector('.print-controls select[name="grid"]'); s.value = '4529'; s.dispatchEvent(new Event('change')); return true; })()`)
	p.waitJS("the zone-41 grid", `document.querySelectorAll('#print-sheet .print-grid text').length >= 2`)
	labels := eval[string](p, `Array.prototype.map.call(document.querySelectorAll('#print-sheet .print-grid text'), function (e) { return e.textContent; }).join(' | ')`)
	if !regexp.MustCompile(`(^| )41\d{3}(\.\d)? km`).MatchString(labels) || regexp.MustCompile(`(^| )40\d{3}`).MatchString(labels) {
		t.Errorf("the EPSG:4529 grid's labels are not 41ddd km: %s", labels)
	}
	p.screenshot("region-zone41-print")
	p.click(`.print-controls [data-action="close-print"]`)
	eval[bool](p, `(localStorage.removeItem('wanmu.coordFormat'), true)`)
}
