package browser

import (
	"fmt"
	"testing"
)

// TestRegionCounties: the page's county lists and names come from the
// server's region (/api/v1/config), not from the page's own tables: the zone
// table's county filter lists the region's counties in its order, with their
// names in both languages.
func TestRegionCounties(t *testing.T) {
	editor := mustAPI(t, editorUser)
	var cfg struct {
		Region struct {
			Counties []struct {
				Adcode string `json:"adcode"`
				Name   string `json:"name"`
				NameEn string `json:"name_en"`
			} `json:"counties"`
		} `json:"region"`
	}
	editor.must(t, 200, "GET", "/api/v1/config", nil, 0, &cfg)
	if len(cfg.Region.Counties) != 9 {
		t.Fatalf("config region has %d counties, want 丽水's 9", len(cfg.Region.Counties))
	}
	p := newPage(t)
	p.login(editorUser)
	eval[bool](p, `(wanmu.app.toggleOverview(true), true)`)
	p.click(`#overview [data-action="open-table"]`)
	p.waitJS("the zone table open", `!document.getElementById('zone-table').hidden`)
	opts := eval[[]string](p, `Array.prototype.slice.call(document.querySelectorAll('#zone-table select[name=county] option'), 1).map(function (o) { return o.value + ' ' + o.textContent; })`)
	en := eval[[]string](p, `wanmu.style.counties.map(function (c) { return wanmu.messages.en['county.' + c]; })`)
	if len(opts) != len(cfg.Region.Counties) || len(en) != len(cfg.Region.Counties) {
		t.Fatalf("county filter %q, English names %q; want the region's %d counties", opts, en, len(cfg.Region.Counties))
	}
	for i, c := range cfg.Region.Counties {
		if want := c.Adcode + " " + c.Name; opts[i] != want {
			t.Errorf("county option %d is %q, want %q", i, opts[i], want)
		}
		if en[i] != c.NameEn {
			t.Errorf("English name of %s is %q, want %q", c.Adcode, en[i], c.NameEn)
		}
	}
	eval[bool](p, `(function () { var s = document.querySelector('#zone-table select[name=county]'); s.value = '331127'; s.dispatchEvent(new Event('change')); return true; })()`)
	p.waitJS("景宁 chosen", fmt.Sprintf(`document.querySelector('#zone-table select[name=county]').selectedOptions[0].textContent === %q`, "景宁畲族自治县"))
	p.screenshot("region-counties-table")

	// 丽水's export CRSs are zone 40's; a region in zones 40 and 41 (here
	// given to the page as the server would) offers both, named by zone.
	p.click(`#btn-export`)
	p.waitJS("the export dialog", `!!document.querySelector('dialog[open] select[name="crs"]')`)
	crsOptions := func() string {
		return eval[string](p, `Array.prototype.map.call(document.querySelectorAll('dialog[open] select[name="crs"] option'), function (o) { return o.value; }).join(' ')`)
	}
	if got := crsOptions(); got != "EPSG:4490 EPSG:4326 EPSG:4549 EPSG:4528" {
		t.Errorf("丽水's export CRSs: %s", got)
	}
	eval[bool](p, `(document.querySelector('dialog[open]').close(), wanmu.style.setRegion({adcode: '330900', name: '舟山市', zones: [40, 41],
		counties: [{adcode: '330902', name: '定海区', lon: 122.1, lat: 30.02, zone: 41}]}), true)`)
	p.click(`#btn-export`)
	p.waitJS("the export dialog again", `!!document.querySelector('dialog[open] select[name="crs"]')`)
	if got := crsOptions(); got != "EPSG:4490 EPSG:4326 EPSG:4549 EPSG:4528 EPSG:4550 EPSG:4529" {
		t.Errorf("export CRSs of a region in zones 40 and 41: %s", got)
	}
	p.setValue(`dialog[open] select[name="crs"]`, "EPSG:4529")
	if got := eval[string](p, `document.querySelector('dialog[open] select[name="crs"]').selectedOptions[0].textContent`); got != "CGCS2000 3度带 第41带 带号（EPSG:4529）" {
		t.Errorf("EPSG:4529 is named %q", got)
	}
	p.screenshot("region-export-crs")
}
