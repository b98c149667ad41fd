package browser

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
)

// TestDevelopableLand: a viewer opens a sample platform that constraint
// layers cut into, turns on "show developable land", and sees the land in
// green and each deduction hatched, with a legend whose parts add up to the
// report's developable and deducted figures shown in the panel.
func TestDevelopableLand(t *testing.T) {
	viewer := mustAPI(t, viewerUser)
	type area struct {
		Mu float64 `json:"mu"`
	}
	var list struct {
		Platforms []struct {
			ID int64 `json:"id"`
		} `json:"platforms"`
	}
	viewer.must(t, http.StatusOK, "GET", "/api/v1/platforms", nil, 0, &list)
	ps := list.Platforms
	// The first sample platform two or more constraint layers take from.
	var pid int64
	var rep struct {
		Developable, Deducted area
		Layers                []struct{ Own area }
	}
	for _, p := range ps {
		viewer.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d/report", p.ID), nil, 0, &rep)
		taking := 0
		for _, l := range rep.Layers {
			if l.Own.Mu > 1 {
				taking++
			}
		}
		if taking >= 2 && rep.Developable.Mu > 1 {
			pid = p.ID
			break
		}
	}
	if pid == 0 {
		t.Fatalf("no sample platform among %d has two constraint layers taking land", len(ps))
	}

	p := newPage(t)
	p.login(viewerUser)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d, true), true)`, pid))
	toggle := `#platform [data-section="developable"] [data-action="toggle-developable"]`
	p.waitJS("the developable toggle", fmt.Sprintf(`!!document.querySelector('.platform-detail[data-platform-id="%d"] [data-action="toggle-developable"]')`, pid))
	if eval[bool](p, `document.querySelector('`+toggle+`').checked || document.querySelectorAll('.leaflet-wanmuDevelopable-pane path').length > 0`) {
		t.Fatal("the developable land is shown before it is turned on")
	}
	p.click(toggle)
	legend := `#platform .developable-legend tbody tr[data-kind]`
	p.waitJS("the legend and the land on the map", `(function(){
		var n = document.querySelectorAll('`+legend+`').length;
		return n > 0 && document.querySelectorAll('.leaflet-wanmuDevelopable-pane path').length === n; })()`)

	type part struct {
		Kind string  `json:"kind"`
		Mu   float64 `json:"mu"`
		Text string  `json:"text"`
		Fill string  `json:"fill"`
	}
	parts := eval[[]part](p, `(function(){
		var paths = document.querySelectorAll('.leaflet-wanmuDevelopable-pane path');
		return Array.prototype.map.call(document.querySelectorAll('`+legend+`'), function (tr, i) {
			return { kind: tr.dataset.kind, mu: Number(tr.dataset.mu), text: tr.querySelector('td.num').textContent,
				fill: paths[i].getAttribute('fill') };
		}); })()`)
	var dev, ded float64
	hatched := 0
	for _, pt := range parts {
		if pt.Kind == "developable" {
			dev += pt.Mu
			if pt.Fill != "#2f8a57" {
				t.Errorf("developable land filled %q, want green", pt.Fill)
			}
			continue
		}
		ded += pt.Mu
		if len(pt.Fill) > 4 && pt.Fill[:4] == "url(" {
			hatched++
		}
	}
	if len(parts) < 3 || parts[0].Kind != "developable" || hatched != len(parts)-1 {
		t.Errorf("legend %+v: want the developable land first, then each deduction hatched", parts)
	}
	// Unrounded, the parts are the report's figures; shown, they are the panel's.
	for _, c := range []struct {
		what      string
		got, want float64
	}{{"developable", dev, rep.Developable.Mu}, {"deducted", ded, rep.Deducted.Mu}} {
		if math.Abs(c.got-c.want) > 1e-6*c.want {
			t.Errorf("legend's %s %.6f mu, the report's %.6f", c.what, c.got, c.want)
		}
	}
	panel := func(field string) string {
		return eval[string](p, `document.querySelector('.platform-detail table.figures [data-field="`+field+`"]').textContent`)
	}
	if got, want := parts[0].Text, panel("developable"); got != want {
		t.Errorf("legend says %s developable, the panel %s", got, want)
	}
	if got, want := "−"+strings.TrimSuffix(formatMu(ded), " 亩"), panel("deducted"); got != want {
		t.Errorf("legend's deductions add up to %s, the panel says %s", got, want)
	}
	// Close up on the biggest piece of the largest exclusion, where the
	// hatching can be seen against the green.
	eval[bool](p, `(function(){
		var ex = wanmu.app.developable.data.features.filter(function (f) { return f.properties.kind === 'exclude'; })
			.sort(function (a, b) { return b.properties.area_mu - a.properties.area_mu; })[0];
		var poly = ex.geometry.coordinates.reduce(function (a, b) { return b[0].length > a[0].length ? b : a; });
		var m = wanmu.app.map;
		m.fitBounds(L.geoJSON({ type: 'Polygon', coordinates: poly }).getBounds(), { animate: false, maxZoom: 15 });
		m.setZoom(m.getZoom() - 1, { animate: false });
		return true; })()`)
	p.screenshot("50-developable")

	// In hectares the legend follows the panel.
	eval[bool](p, `(wanmu.units.set('ha'), true)`)
	p.waitJS("the legend in hectares", `document.querySelector('`+legend+` td.num').textContent === document.querySelector('.platform-detail table.figures [data-field="developable"]').textContent`)
	eval[bool](p, `(wanmu.units.set('mu'), true)`)

	// Off again: the land leaves the map.
	p.click(toggle)
	p.waitJS("the land gone", `document.querySelectorAll('.leaflet-wanmuDevelopable-pane path').length === 0 && !document.querySelector('`+legend+`')`)
}
