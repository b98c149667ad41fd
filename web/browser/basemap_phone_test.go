package browser

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// basemapReach lists, in words, what keeps the basemap switcher from being
// used: not on the screen, not what a tap at its heading reaches, its box
// (open or closed) past the map's edges, or over another control.
const basemapReach = `(function () {
	function box(el) { var r = el.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height }; }
	function meet(a, b) { return a.l < b.r - 0.5 && b.l < a.r - 0.5 && a.t < b.b - 0.5 && b.t < a.b - 0.5; }
	var sw = document.querySelector('[data-basemap-switcher]'), out = [];
	var s = box(sw), m = box(document.getElementById('map'));
	if (!s.w || !s.h) { return ['the switcher is not displayed']; }
	if (s.l < m.l - 0.5 || s.t < m.t - 0.5 || s.r > m.r + 0.5 || s.b > m.b + 0.5) {
		out.push('the switcher ' + JSON.stringify(s) + ' crosses the map ' + JSON.stringify(m));
	}
	var sum = box(sw.querySelector('summary'));
	var hit = document.elementFromPoint(sum.l + sum.w / 2, sum.t + sum.h / 2);
	if (!hit || !sw.contains(hit)) { out.push('a tap on the switcher reaches ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing')); }
	document.querySelectorAll('.leaflet-control, .wanmu-toolbar, .panel-handle, .phone-edit-note, .phone-tabs, #left, #right').forEach(function (el) {
		var b = box(el);
		if (el !== sw && !sw.contains(el) && b.w > 0 && b.h > 0 && meet(s, b)) {
			out.push('the switcher overlaps ' + (el.id ? '#' + el.id : '.' + String(el.className).split(' ').join('.')));
		}
	});
	return out;
})()`

// TestBasemapSmallScreens: on a phone (390×844) and a tablet (820×1180) the
// basemap switcher is on the screen, clear of the other controls, opens
// within the map, and switches the basemap (天地图 imagery from the stub).
func TestBasemapSmallScreens(t *testing.T) {
	stub := newTileStub(t)
	const key = "0123456789abcdef0123456789abcdef"
	admin := mustAPI(t, adminUser)
	tmpl := stub.URL + "/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default" +
		"&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
	admin.must(t, http.StatusOK, "PUT", "/api/v1/settings/basemap", map[string]string{"tianditu_key": key, "tianditu_url": tmpl}, 0, nil)
	t.Cleanup(func() {
		admin.must(t, http.StatusOK, "PUT", "/api/v1/settings/basemap", map[string]string{"tianditu_key": "", "tianditu_url": ""}, 0, nil)
	})
	for _, s := range []screen{
		{name: "phone", width: 390, height: 844, shot: "basemap-phone"},
		{name: "tablet", width: 820, height: 1180, shot: "basemap-tablet"},
	} {
		t.Run(s.name, func(t *testing.T) {
			p := newPage(t)
			p.do(chromedp.EmulateViewport(s.width, s.height, chromedp.EmulatePortrait))
			p.login(viewerUser)
			p.waitJS("the switcher with 天地图", `!!document.querySelector('[data-basemap-switcher] [data-basemap="tdt-img"]')`)
			for _, o := range eval[[]string](p, basemapReach) {
				t.Errorf("%s, closed: %s", s.name, o)
			}
			p.click(`[data-basemap-switcher] summary`)
			p.waitJS("the switcher open", `document.querySelector('[data-basemap-switcher] details').open`)
			for _, o := range eval[[]string](p, basemapReach) {
				t.Errorf("%s, open: %s", s.name, o)
			}
			p.view(119.922, 28.451, 13)
			p.click(`[data-basemap="tdt-img"]`)
			p.waitJS("imagery tiles loaded", `wanmu.app.basemaps.current === 'tdt-img' && document.querySelectorAll('img.leaflet-tile-loaded[src*="LAYER=img&"]').length > 0 && document.querySelectorAll('img.leaflet-tile-loaded[src*="LAYER=cia&"]').length > 0`)
			if stub.count("img", key) == 0 {
				t.Errorf("%s: 天地图 imagery asked the stub for no tiles", s.name)
			}
			p.screenshot(s.shot)
		})
	}
}
