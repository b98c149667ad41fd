package browser

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"wanmu/internal/geodesy"
)

// TestMeasure: a viewer measures a distance (finished by double-click) and
// an area (finished by Enter); the figures are the server's for the same
// points, the clicks select nothing and the double-click does not zoom.
func TestMeasure(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	a := mustAPI(t, viewerUser)
	p.view(119.922, 28.451, 15)
	cx, cy := p.px(119.922, 28.451)

	// Distance: three points, the last one double-clicked.
	p.click(`[data-measure="distance"]`)
	p.waitJS("measuring on", `wanmu.app.measure.mode === 'distance'`)
	p.clickAt(cx-300, cy+100, false)
	p.clickAt(cx, cy-150, false)
	p.do(chromedp.MouseClickXY(cx+250, cy+50), chromedp.MouseClickXY(cx+250, cy+50, chromedp.ClickCount(2)))
	p.waitJS("the distance measured", `(function(){ var m = wanmu.app.measure; return m._done && m.last && m.last.n === 3 && !!m.last.lengths; })()`)
	if z := eval[float64](p, `wanmu.app.map.getZoom()`); z != 15 {
		t.Errorf("the double-click that finished the line zoomed the map to %v", z)
	}
	if ids := eval[[]int64](p, `wanmu.app.selection.ids()`); len(ids) != 0 {
		t.Errorf("measuring clicks selected zones %v", ids)
	}
	line := eval[[][2]float64](p, `wanmu.app.measure._points.map(function (l) { return [l.lng, l.lat]; })`)
	var server struct {
		LengthM   float64   `json:"length_m"`
		SegmentsM []float64 `json:"segments_m"`
	}
	a.must(t, 200, "POST", "/api/v1/measure/length", map[string]any{"type": "LineString", "coordinates": line}, 0, &server)
	if len(server.SegmentsM) != 2 {
		t.Fatalf("the server measured %d segments of a 3-point line", len(server.SegmentsM))
	}
	// Independently: the line in Gauss-Kruger metres (scale within 1e-6 of 1
	// this close to 120°E) agrees with the ellipsoidal length to centimetres.
	planar := 0.0
	for i := 1; i < len(line); i++ {
		x0, y0 := geodesy.ToEPSG4549(line[i-1][0], line[i-1][1])
		x1, y1 := geodesy.ToEPSG4549(line[i][0], line[i][1])
		planar += math.Hypot(x1-x0, y1-y0)
	}
	if math.Abs(planar-server.LengthM) > 0.05 {
		t.Errorf("server length %.3f m, Gauss-Kruger length %.3f m", server.LengthM, planar)
	}
	page := eval[float64](p, `wanmu.app.measure.last.lengths.length_m`)
	if page != server.LengthM {
		t.Errorf("the page shows a length of %v m, the server gives %v m for the same points", page, server.LengthM)
	}
	total := eval[string](p, `document.querySelector('.wanmu-measure-panel .total .value').textContent`)
	if want := kmText(server.LengthM); total != want {
		t.Errorf("total reads %q, want %q", total, want)
	}
	// A redraw replaces the labels; Leaflet fades the old ones out for 200 ms
	// before it removes them, so wait until only the final ones are left.
	p.waitJS("the segment labels", `document.querySelectorAll('.wanmu-measure-label').length === 2`)
	segs := eval[[]string](p, `Array.prototype.map.call(document.querySelectorAll('.wanmu-measure-label'), function (e) { return e.textContent; })`)
	if len(segs) != 2 || segs[0] != kmText(server.SegmentsM[0]) || segs[1] != kmText(server.SegmentsM[1]) {
		t.Errorf("segment labels %q, server segments %v", segs, server.SegmentsM)
	}

	// Area: a quadrilateral finished with Enter.
	p.click(`[data-measure="area"]`)
	p.waitJS("area mode", `wanmu.app.measure.mode === 'area' && wanmu.app.measure._points.length === 0`)
	for _, d := range [][2]float64{{-250, -150}, {200, -180}, {260, 160}, {-220, 140}} {
		p.clickAt(cx+d[0], cy+d[1], false)
	}
	p.do(chromedp.KeyEvent(kb.Enter))
	p.waitJS("the area measured", `(function(){ var m = wanmu.app.measure; return m._done && m.last && m.last.n === 4 && !!m.last.area; })()`)
	ring := eval[[][2]float64](p, `wanmu.app.measure._points.map(function (l) { return [l.lng, l.lat]; })`)
	ring = append(ring, ring[0])
	var area struct {
		AreaM2 float64 `json:"area_m2"`
		AreaMu float64 `json:"area_mu"`
	}
	a.must(t, 200, "POST", "/api/v1/measure", map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}, 0, &area)
	var perim struct {
		LengthM float64 `json:"length_m"`
	}
	a.must(t, 200, "POST", "/api/v1/measure/length", map[string]any{"type": "LineString", "coordinates": ring}, 0, &perim)
	if mu := eval[float64](p, `wanmu.app.measure.last.area.area_mu`); mu != area.AreaMu {
		t.Errorf("the page's area %v mu, the server's for the same points %v mu", mu, area.AreaMu)
	}
	// Shoelace in Gauss-Kruger metres: within 0.01 % of the ellipsoidal area.
	gk := 0.0
	for i := 1; i < len(ring); i++ {
		x0, y0 := geodesy.ToEPSG4549(ring[i-1][0], ring[i-1][1])
		x1, y1 := geodesy.ToEPSG4549(ring[i][0], ring[i][1])
		gk += y0*x1 - y1*x0
	}
	if gk = math.Abs(gk) / 2; math.Abs(gk-area.AreaM2) > 1e-4*area.AreaM2 {
		t.Errorf("ellipsoidal area %.2f m², Gauss-Kruger area %.2f m²", area.AreaM2, gk)
	}
	shown := eval[string](p, `document.querySelector('.wanmu-measure-panel .area-total .value').textContent`)
	if want := formatMu(area.AreaMu); shown != want {
		t.Errorf("area reads %q, want %q", shown, want)
	}
	others := eval[string](p, `document.querySelector('.wanmu-measure-panel .others').textContent`)
	if !strings.Contains(others, "公顷") || !strings.Contains(others, "km²") {
		t.Errorf("the other units read %q", others)
	}
	if got := eval[string](p, `document.querySelector('.wanmu-measure-panel .perimeter .value').textContent`); got != kmText(perim.LengthM) {
		t.Errorf("perimeter reads %q, want %q", got, kmText(perim.LengthM))
	}
	p.screenshot("51-measure")
	if ids := eval[[]int64](p, `wanmu.app.selection.ids()`); len(ids) != 0 {
		t.Errorf("measuring clicks selected zones %v", ids)
	}

	// Esc leaves the tool: a click selects again as before.
	p.do(chromedp.KeyEvent(kb.Escape))
	p.waitJS("measuring off", `!wanmu.app.measure.mode && !document.querySelector('.wanmu-measure-label') && document.querySelector('.wanmu-measure-panel').style.display === 'none'`)
}

// TestMeasureBesideEditing: for an editor, measuring and Geoman take turns:
// measuring is refused while drawing, and a drawing tool ends measuring.
func TestMeasureBesideEditing(t *testing.T) {
	p := newPage(t)
	p.login(editorUser)
	p.view(119.922, 28.451, 15)
	p.click(`[data-tool="draw"]`)
	p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw'`)
	p.click(`[data-measure="distance"]`)
	p.waitJS("measuring refused", `Array.prototype.some.call(document.querySelectorAll('.toast'), function (e) { return e.textContent.indexOf('请先完成或取消正在进行的编辑') >= 0; })`)
	if m := eval[any](p, `wanmu.app.measure.mode || null`); m != nil {
		t.Errorf("measuring started while drawing: %v", m)
	}
	p.do(chromedp.KeyEvent(kb.Escape))
	p.waitJS("select mode", `wanmu.app.editor.mode === 'select' && !wanmu.app.editor.session`)
	p.click(`[data-measure="area"]`)
	p.waitJS("measuring on", `wanmu.app.measure.mode === 'area'`)
	cx, cy := p.px(119.922, 28.451)
	p.clickAt(cx, cy, false)
	p.clickAt(cx+200, cy, false)
	p.clickAt(cx+100, cy+150, false)
	// The panel's finish button (touch screens have no Enter).
	p.click(`.wanmu-measure-panel .finish`)
	p.waitJS("the area measured", `(function(){ var m = wanmu.app.measure; return m._done && m.last && m.last.n === 3 && m.last.area && m.last.area.area_m2 > 0; })()`)
	if n := eval[int](p, `wanmu.app.editor._editGroup.getLayers().length + (wanmu.app.map.pm.getGeomanDrawLayers ? wanmu.app.map.pm.getGeomanDrawLayers().length : 0)`); n != 0 {
		t.Errorf("measuring clicks reached Geoman: %d layers", n)
	}
	p.click(`[data-tool="draw"]`)
	p.waitJS("drawing ends measuring", `wanmu.app.editor.mode === 'draw' && !wanmu.app.measure.mode && !document.querySelector('.wanmu-measuring')`)
	p.do(chromedp.KeyEvent(kb.Escape))
}

// kmText is how the measuring tool writes a length (zh-CN grouping).
func kmText(m float64) string {
	if m < 1000 {
		return groupDecimals(m, 2) + " m"
	}
	return groupDecimals(m/1000, 3) + " km"
}

// groupDecimals writes v with zh-CN digit grouping and d decimals.
func groupDecimals(v float64, d int) string {
	s := fmt.Sprintf("%.*f", d, v)
	intPart, frac := s[:len(s)-d-1], s[len(s)-d-1:]
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + frac
}

// TestCoordinates: the status bar reads the pointer's position in CGCS2000
// degrees, DMS and Gauss-Kruger (checked against the Go projection and the
// reference points), copies it, and "go to" reads three forms.
func TestCoordinates(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)

	// The browser's Gauss-Kruger against the reference points, to the centimetre.
	for _, ref := range []struct{ lon, lat, x, y float64 }{
		{119.922, 28.451, 3148425.44, 40492359.95},
		{119.84333, 28.37806, 3140349.28, 40484643.75},
	} {
		xy := eval[[2]float64](p, fmt.Sprintf(`(function(){ var q = wanmu.gk.toZone(%v, %v, true); return [q.x, q.y]; })()`, ref.lon, ref.lat))
		if math.Abs(xy[0]-ref.x) > 0.01 || math.Abs(xy[1]-ref.y) > 0.01 {
			t.Errorf("%v°E %v°N projects to X %.3f Y %.3f, want X %.2f Y %.2f", ref.lon, ref.lat, xy[0], xy[1], ref.x, ref.y)
		}
		ll := eval[[2]float64](p, fmt.Sprintf(`(function(){ var q = wanmu.gk.fromZone(%v, %v); return [q.lon, q.lat]; })()`, ref.x, ref.y))
		// 1e-7° is about 1 cm.
		if math.Abs(ll[0]-ref.lon) > 1e-7 || math.Abs(ll[1]-ref.lat) > 1e-7 {
			t.Errorf("X %v Y %v reads back as %.8f, %.8f, want %v, %v", ref.x, ref.y, ll[0], ll[1], ref.lon, ref.lat)
		}
	}

	// The readout at a known pixel, in every format.
	p.view(119.922, 28.451, 15)
	eval[bool](p, `(localStorage.removeItem('wanmu.coordFormat'), true)`)
	x, y := p.px(119.922, 28.451)
	x, y = x+123, y-77
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	lon, lat := p.lngLat(x, y)
	n49, e49 := geodesy.ToEPSG4549(lon, lat)
	want := map[string]string{
		"CGCS2000 经纬度":     fmt.Sprintf("%.6f°E %.6f°N", lon, lat),
		"CGCS2000 度分秒":     dmsText(lon) + "E " + dmsText(lat) + "N",
		"EPSG:4528 高斯-克吕格": fmt.Sprintf("X %.2f  Y %.2f", n49, e49+geodesy.Zone40Prefix),
		"EPSG:4549 高斯-克吕格": fmt.Sprintf("X %.2f  Y %.2f", n49, e49),
	}
	p.waitJS("the readout", fmt.Sprintf(`document.querySelector('.wanmu-statusbar .coords').textContent === %q`, want["CGCS2000 经纬度"]))
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		label := eval[string](p, `document.querySelector('.wanmu-statusbar .crs').textContent`)
		got := eval[string](p, `document.querySelector('.wanmu-statusbar .coords').textContent`)
		if w, ok := want[label]; !ok || got != w {
			t.Errorf("format %q reads %q, want %q", label, got, w)
		}
		seen[label] = true
		if label == "EPSG:4528 高斯-克吕格" {
			// Copy: clicking the readout (the pointer leaves the map for the
			// bar; the position stays) puts it on the clipboard.
			for _, name := range []string{"clipboard-read", "clipboard-write"} {
				if _, err := chromedp.CallBrowser(p.ctx, browser.SetPermission, browser.SetPermissionParams{
					Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted,
					Origin: suite.base, BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID,
				}); err != nil {
					t.Fatalf("grant %s: %v", name, err)
				}
			}
			p.click(`.wanmu-statusbar .coords`)
			p.waitJS("the copied note", fmt.Sprintf(`Array.prototype.some.call(document.querySelectorAll('.toast'), function (e) { return e.textContent.indexOf(%q) >= 0; })`, want[label]))
			clip, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
			if err != nil || clip != want[label] {
				t.Errorf("clipboard holds %q (%v), want %q", clip, err, want[label])
			}
		}
		p.click(`.wanmu-statusbar .crs`)
	}
	if len(seen) != 4 {
		t.Errorf("the format switch went through %v", seen)
	}

	// Go to: DMS, prefixed Gauss-Kruger with Y first, unprefixed X Y.
	for _, c := range []struct {
		text, says string
		lon, lat   float64
	}{
		{`119°55'19.2"E 28°27'3.6"N`, "识别为 CGCS2000 经纬度（度分秒）", 119.922, 28.451},
		{`Y=40492359.95, X=3148425.44`, "识别为 EPSG:4528 高斯-克吕格", 119.922, 28.451},
		{`3140349.28 484643.75`, "识别为 EPSG:4549 高斯-克吕格", 119.84333, 28.37806},
	} {
		p.view(119.5, 28.0, 12)
		p.setValue(`.wanmu-statusbar .goto`, c.text)
		p.do(chromedp.SendKeys(chromedp.CSS(`.wanmu-statusbar .goto`), kb.Enter))
		p.waitJS("go to "+c.text, fmt.Sprintf(`document.querySelector('.wanmu-statusbar .goto-note').textContent === %q`, c.says))
		ctr := eval[[2]float64](p, `(function(){ var c = wanmu.app.map.getCenter(); return [c.lng, c.lat]; })()`)
		if math.Abs(ctr[0]-c.lon) > 2e-7 || math.Abs(ctr[1]-c.lat) > 2e-7 {
			t.Errorf("%s: the map went to %.7f, %.7f, want %v, %v", c.text, ctr[0], ctr[1], c.lon, c.lat)
		}
		mark := fmt.Sprintf("%.6f°E %.6f°N", c.lon, c.lat)
		if !eval[bool](p, fmt.Sprintf(`Array.prototype.some.call(document.querySelectorAll('.leaflet-tooltip'), function (e) { return e.textContent === %q; })`, mark)) {
			t.Errorf("%s: no marker labelled %s", c.text, mark)
		}
	}
	p.setValue(`.wanmu-statusbar .goto`, "somewhere")
	p.do(chromedp.SendKeys(chromedp.CSS(`.wanmu-statusbar .goto`), kb.Enter))
	p.waitJS("refused", `document.querySelector('.wanmu-statusbar .goto-note').textContent === '无法识别的坐标'`)
	p.setValue(`.wanmu-statusbar .goto`, `119°55'19.2"E 28°27'3.6"N`)
	p.do(chromedp.SendKeys(chromedp.CSS(`.wanmu-statusbar .goto`), kb.Enter))
	p.waitJS("back at 丽水", `document.querySelector('.wanmu-statusbar .goto-note').textContent === '识别为 CGCS2000 经纬度（度分秒）'`)
	p.click(`.wanmu-statusbar .crs`)
	p.click(`.wanmu-statusbar .crs`)
	p.waitJS("the Gauss-Kruger readout", `document.querySelector('.wanmu-statusbar .coords').textContent === 'X 3148425.44  Y 40492359.95'`)
	p.screenshot("52-coordinates")
}

// dmsText is how the readout writes an angle: 119°55'19.20".
func dmsText(v float64) string {
	cs := int64(math.Round(math.Abs(v) * 360000))
	return fmt.Sprintf(`%d°%02d'%02d.%02d"`, cs/360000, cs/6000%60, cs%6000/100, cs%100)
}
