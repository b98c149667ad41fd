package browser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// labelOverlaps lists, in words, every visible zone or platform label that
// overlaps another visible label, a control over the map, or the map's edge.
// The controls are found here by their own classes, not by asking the page's
// label placer, so that a control it forgets is caught.
const labelOverlaps = `(function () {
	function box(el) { var r = el.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height }; }
	function meet(a, b) { return a.l < b.r - 0.5 && b.l < a.r - 0.5 && a.t < b.b - 0.5 && b.t < a.b - 0.5; }
	function name(el) { return (el.classList.contains('platform-label') ? 'platform label ' : 'zone label ') + JSON.stringify(el.textContent); }
	var map = box(document.getElementById('map'));
	var labels = [];
	document.querySelectorAll('#map .zone-label, #map .platform-label').forEach(function (el) {
		var b = box(el);
		if (b.w > 0 && b.h > 0 && getComputedStyle(el).visibility === 'visible') {
			labels.push({ el: el, b: b });
		}
	});
	var controls = [];
	document.querySelectorAll('.leaflet-control, .wanmu-toolbar, .wanmu-sessionbar, .panel-handle, .phone-edit-note, .phone-tabs, #left, #right, #overview').forEach(function (el) {
		var b = box(el);
		if (b.w > 0 && b.h > 0 && meet(b, map)) {
			controls.push({ el: el, b: b });
		}
	});
	var out = [];
	labels.forEach(function (a, i) {
		if (a.b.l < map.l - 0.5 || a.b.t < map.t - 0.5 || a.b.r > map.r + 0.5 || a.b.b > map.b + 0.5) {
			out.push(name(a.el) + ' crosses the edge of the map');
		}
		labels.slice(i + 1).forEach(function (b) {
			if (meet(a.b, b.b)) { out.push(name(a.el) + ' overlaps ' + name(b.el)); }
		});
		controls.forEach(function (c) {
			if (meet(a.b, c.b)) { out.push(name(a.el) + ' is under ' + (c.el.id ? '#' + c.el.id : '.' + c.el.className.split(' ').join('.'))); }
		});
	});
	return out;
})()`

// TestLabels: at a laptop's, a tablet's and a phone's size, on the first view
// and after zooming in and out, no two visible labels overlap and none lies
// under a control (the toolbar hid two platform labels on the first view);
// at 1440×900 every platform's label shows on the first view; a selected
// zone's name shows even where it would collide; collapsing a panel or
// opening the basemap switcher places the labels again.
func TestLabels(t *testing.T) {
	for _, s := range []screen{
		{name: "desktop", width: 1440, height: 900, shot: "labels-desktop"},
		{name: "tablet", width: 820, height: 1180, shot: "labels-tablet"},
		{name: "phone", width: 390, height: 844, shot: "labels-phone"},
	} {
		t.Run(s.name, func(t *testing.T) { checkLabels(t, s) })
	}
}

func checkLabels(t *testing.T, s screen) {
	p := newPage(t)
	opts := []chromedp.EmulateViewportOption{}
	if s.height > s.width {
		opts = append(opts, chromedp.EmulatePortrait)
	}
	p.do(chromedp.EmulateViewport(s.width, s.height, opts...))
	p.login(editorUser)
	p.waitJS("the platform labels", `wanmu.app.platforms.length > 0 && document.querySelectorAll('#map .platform-label').length > 0`)
	settle := func() {
		p.waitJS("the labels placed", `wanmu.app.zones.labelsSettled()`)
	}
	check := func(when string) {
		t.Helper()
		settle()
		for _, o := range eval[[]string](p, labelOverlaps) {
			t.Errorf("%s, %s: %s", s.name, when, o)
		}
		if n := eval[int](p, `Array.prototype.filter.call(document.querySelectorAll('#map .zone-label, #map .platform-label'), function (el) { return getComputedStyle(el).visibility === 'visible' && el.getBoundingClientRect().width > 0; }).length`); n == 0 {
			t.Errorf("%s, %s: no label shows at all", s.name, when)
		}
	}

	check("first view")
	if s.name == "desktop" {
		hidden := eval[[]string](p, `Array.prototype.filter.call(document.querySelectorAll('#map .platform-label'), function (el) {
			return getComputedStyle(el).visibility !== 'visible';
		}).map(function (el) { return el.querySelector('.name').textContent + ' (' + el.dataset.hiddenBy + ')'; })`)
		if len(hidden) > 0 {
			t.Errorf("at 1440×900 the first view hides platform labels: %s", strings.Join(hidden, ", "))
		}
	}
	p.screenshot(s.shot)

	if s.name == "desktop" {
		// Collapsing the right panel widens the map: the labels are placed again.
		w := mapWidth(p)
		p.click(`[data-panel-toggle="right"]`)
		p.waitJS("the map widened", fmt.Sprintf(`document.getElementById('map').getBoundingClientRect().width > %v`, w+100))
		check("right panel collapsed")
		p.click(`[data-panel-toggle="right"]`)
		p.waitJS("the map narrowed", fmt.Sprintf(`document.getElementById('map').getBoundingClientRect().width < %v`, w+1))
		check("right panel expanded")
		// Opening the basemap switcher (bottom left) takes room from the labels there.
		p.click(`[data-basemap-switcher] summary`)
		p.waitJS("the switcher open", `document.querySelector('[data-basemap-switcher] details').open`)
		check("basemap switcher open")
		p.screenshot(s.shot + "-basemap-open")
		p.click(`[data-basemap-switcher] summary`)
		p.waitJS("the switcher closed", `!document.querySelector('[data-basemap-switcher] details').open`)
	}

	z := eval[float64](p, `wanmu.app.map.getZoom()`)
	p.click(`.leaflet-control-zoom-in`)
	p.waitJS("zoomed in", fmt.Sprintf(`wanmu.app.map.getZoom() > %v && wanmu.app.zones.labelsSettled()`, z))
	p.click(`.leaflet-control-zoom-in`)
	p.waitJS("zoomed in twice", fmt.Sprintf(`wanmu.app.map.getZoom() > %v`, z+1))
	check("zoomed in")
	p.screenshot(s.shot + "-in")
	eval[bool](p, fmt.Sprintf(`(wanmu.app.map.setZoom(%v, { animate: false }), true)`, z-1))
	p.waitJS("zoomed out", fmt.Sprintf(`wanmu.app.map.getZoom() === %v`, z-1))
	check("zoomed out")

	if s.name == "desktop" {
		// Where zone names give way (to other names, or for being wider than
		// their zone), a selected zone's name shows all the same.
		var id int64
		for zoom := z + 2; zoom <= z+5 && id == 0; zoom++ {
			eval[bool](p, fmt.Sprintf(`(wanmu.app.map.setZoom(%v, { animate: false }), true)`, zoom))
			settle()
			id = eval[int64](p, `(function () {
				var zl = wanmu.app.zones, out = 0;
				Object.keys(zl._layers).forEach(function (id) {
					var tip = zl._layers[id].getTooltip(), el = tip && tip.getElement();
					if (!out && el && el.dataset.hiddenBy && el.dataset.hiddenBy !== 'edge') { out = +id; }
				});
				return out;
			})()`)
		}
		if id == 0 {
			t.Errorf("no zone name in view is hidden at zooms %v–%v: the test cannot check that a selected one shows", z+2, z+5)
		} else {
			eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, id))
			settle()
			if !eval[bool](p, fmt.Sprintf(`getComputedStyle(wanmu.app.zones.layerOf(%d).getTooltip().getElement()).visibility === 'visible'`, id)) {
				t.Errorf("zone %d is selected but its name stays hidden", id)
			}
			for _, o := range eval[[]string](p, labelOverlaps) {
				// The selected name may lie under a control; it overlaps no label.
				if strings.Contains(o, "overlaps") {
					t.Errorf("with a selection: %s", o)
				}
			}
			p.screenshot(s.shot + "-selected")
			eval[bool](p, `(wanmu.app.selection.clear(), true)`)
		}
	}
}

// TestSampleDataNote: the suite's server loaded the sample data at its first
// start, so its config says sample_data, and the map's attribution and the
// print layout carry the note 示例数据，非测绘成果; on data that are not the
// sample (config without sample_data) neither does.
func TestSampleDataNote(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	if !eval[bool](p, `wanmu.app.config.sample_data === true`) {
		t.Fatalf("the config of a server on the sample data does not say sample_data: %s", eval[string](p, `JSON.stringify(wanmu.app.config)`))
	}
	const note = "示例数据，非测绘成果"
	if a := eval[string](p, `document.querySelector('.leaflet-control-attribution').textContent`); !strings.Contains(a, note) {
		t.Errorf("the attribution %q lacks %q", a, note)
	}
	p.click("#btn-print")
	p.waitJS("the print layout", `!!document.querySelector('#print-sheet .print-foot')`)
	if got := eval[string](p, `(document.querySelector('#print-sheet .print-foot .print-note') || {}).textContent || ''`); got != note {
		t.Errorf("the print layout's note reads %q, want %q", got, note)
	}
	p.click(`.print-controls [data-action="close-print"]`)
	p.waitJS("the print layout closed", `!document.querySelector('#print-sheet .print-foot')`)

	// The same page on an installation's own data.
	eval[bool](p, `(wanmu.app.config.sample_data = false, true)`)
	p.click("#btn-print")
	p.waitJS("the print layout", `!!document.querySelector('#print-sheet .print-foot')`)
	if eval[bool](p, `!!document.querySelector('#print-sheet .print-note')`) {
		t.Error("the print layout carries the sample-data note on data that are not the sample")
	}
	p.click(`.print-controls [data-action="close-print"]`)
}
