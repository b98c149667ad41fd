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
}
