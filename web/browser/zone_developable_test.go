package browser

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// zoneDevAnswer is what GET /zones/{id}/developable says.
type zoneDevAnswer struct {
	Gross, Developable struct {
		Mu float64 `json:"mu"`
		Ha float64 `json:"ha"`
	}
	Deductions []struct {
		Kind   string   `json:"kind"`
		Layers []string `json:"layers"`
		Area   struct {
			Mu float64 `json:"mu"`
		} `json:"area"`
	} `json:"deductions"`
}

// sampleZoneWithDeductions finds a sample zone that two or more constraint
// layers take land from and that keeps some developable land, and a second
// zone of the same platform.
func sampleZoneWithDeductions(t *testing.T, a *api) (int64, int64, zoneDevAnswer) {
	t.Helper()
	var list struct {
		Platforms []struct {
			ID int64 `json:"id"`
		} `json:"platforms"`
	}
	a.must(t, http.StatusOK, "GET", "/api/v1/platforms", nil, 0, &list)
	for _, pl := range list.Platforms {
		var p struct {
			ZoneIDs []int64 `json:"zone_ids"`
		}
		a.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pl.ID), nil, 0, &p)
		if len(p.ZoneIDs) < 2 {
			continue
		}
		for i, id := range p.ZoneIDs {
			var d zoneDevAnswer
			a.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/zones/%d/developable", id), nil, 0, &d)
			taking := 0
			for _, x := range d.Deductions {
				if x.Area.Mu > 1 {
					taking++
				}
			}
			if taking >= 2 && d.Developable.Mu > 1 {
				return id, p.ZoneIDs[(i+1)%len(p.ZoneIDs)], d
			}
		}
	}
	t.Fatal("no sample zone has two constraint layers taking land and land left")
	return 0, 0, zoneDevAnswer{}
}

// TestZoneDevelopable: a viewer selects a sample zone; the zone panel shows
// its own developable area and what each layer deducts, the API's figures to
// the displayed precision, in the chosen unit; an answer for a zone no
// longer selected is never shown. An editor editing the zone's vertices sees
// the same figure in the live panel.
func TestZoneDevelopable(t *testing.T) {
	viewer := mustAPI(t, viewerUser)
	id, other, want := sampleZoneWithDeductions(t, viewer)

	p := newPage(t)
	p.login(viewerUser)
	ready := func(zone int64) string {
		return fmt.Sprintf(`!!document.querySelector('#detail .detail[data-zone-id="%d"] .zone-dev[data-state="ready"]')`, zone)
	}
	shown := func(sel string) string {
		return eval[string](p, `document.querySelector('#detail .zone-dev `+sel+`').textContent`)
	}
	// The other zone's answer is held back until this zone's is shown.
	eval[bool](p, fmt.Sprintf(`(function () {
		var get = wanmu.api.get, held = '/zones/%d/developable';
		window.zoneDevHeld = null;
		wanmu.api.get = function (path) {
			var r = get.apply(this, arguments);
			if (path !== held) { return r; }
			wanmu.api.get = get;
			return new Promise(function (resolve, reject) {
				window.zoneDevHeld = function () { r.then(resolve, reject); return r.then(function () { window.zoneDevDone = true; }); };
			});
		};
		return true; })()`, other))
	eval[bool](p, fmt.Sprintf(`(wanmu.app.detailPanel.showZone(%d), true)`, other))
	p.waitJS("the other zone's figures asked for", `!!window.zoneDevHeld && !!document.querySelector('#detail .zone-dev[data-state="loading"]')`)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.detailPanel.showZone(%d), true)`, id))
	p.waitJS("the zone's developable area", ready(id))
	eval[bool](p, `(window.zoneDevHeld(), true)`)
	p.waitJS("the other zone's late answer", `window.zoneDevDone === true`)

	if got, w := shown(`[data-field="developable"]`), formatMu(want.Developable.Mu); got != w {
		t.Errorf("panel shows %q developable, the API %s", got, w)
	}
	if got, w := shown(`[data-field="gross"]`), strings.TrimSuffix(formatMu(want.Gross.Mu), " 亩"); got != w {
		t.Errorf("panel shows gross %q, the API %s", got, w)
	}
	type row struct{ Kind, Name, Value string }
	rows := eval[[]row](p, `Array.prototype.map.call(document.querySelectorAll('#detail .zone-dev tr.deduction-row'), function (tr) {
		return { Kind: tr.dataset.deduction, Name: tr.querySelector('th').textContent, Value: tr.querySelector('td').textContent }; })`)
	if len(rows) != len(want.Deductions) {
		t.Fatalf("panel lists %d deductions, the API %d: %+v", len(rows), len(want.Deductions), rows)
	}
	for i, d := range want.Deductions {
		v := "0.00"
		if d.Area.Mu > 0.005 {
			v = "−" + strings.TrimSuffix(formatMu(d.Area.Mu), " 亩")
		}
		if rows[i].Kind != d.Kind || !strings.Contains(rows[i].Name, d.Layers[0]) || rows[i].Value != v {
			t.Errorf("deduction %d: panel %+v, API %s %v %s", i, rows[i], d.Kind, d.Layers, v)
		}
	}
	p.screenshot("zone-developable")

	// In hectares.
	eval[bool](p, `(wanmu.units.set('ha'), true)`)
	if got, w := shown(`[data-field="developable"]`), strings.TrimSuffix(formatMu(want.Developable.Ha), " 亩")+" 公顷"; got != w {
		t.Errorf("in hectares the panel shows %q, want %s", got, w)
	}
	eval[bool](p, `(wanmu.units.set('mu'), true)`)
	// In English (checkClean reports any key missing from the en table).
	eval[bool](p, `(wanmu.i18n.setLang('en'), true)`)
	if got := shown(`h4`) + " / " + shown(`tr.total th`); got != "This zone’s developable area / Developable (mu)" {
		t.Errorf("in English the section reads %q", got)
	}
	eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`)

	// Editing its vertices, the live panel gives the unchanged draft the
	// same figure (nothing is saved: the page closes with the session open).
	e := newPage(t)
	e.login(editorUser)
	eval[bool](e, fmt.Sprintf(`(wanmu.app.detailPanel.showZone(%d), true)`, id))
	e.waitSelection(id)
	e.click(`[data-tool="vertex"]`)
	e.waitJS("the zone's own developable area in the live panel", `!!document.querySelector('.wanmu-livearea .own [data-field="developable"]')`)
	if got, w := eval[string](e, `document.querySelector('.wanmu-livearea .own [data-field="developable"]').textContent`), formatMu(want.Developable.Mu); got != w {
		t.Errorf("live panel shows %q developable, the API %s", got, w)
	}
	e.screenshot("zone-developable-live")
}
