package browser

import (
	"fmt"
	"strings"
	"testing"
)

// TestZonesByView: with more zones than the map draws at once (the limit
// lowered here so the sample's zones exceed it), the page loads zones by
// the view's box: at the whole city it shows the overview tiles and the
// note to zoom in, with the overview's counts still of all zones; zoomed in
// on one zone, that zone is an editable vector again and can be selected;
// zones far from the view are not loaded.
func TestZonesByView(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	z := createZone(t, admin, "视图加载测试区"+randomHex(2), lng, lat, 600)
	var sum struct {
		Count  int            `json:"count"`
		ByKind map[string]int `json:"by_kind"`
	}
	admin.must(t, 200, "GET", "/api/v1/zones/summary", nil, 0, &sum)
	if sum.Count < 20 {
		t.Fatalf("the summary counts %d zones; the sample alone has more", sum.Count)
	}

	p := newPage(t)
	p.login(adminUser)
	p.waitJS("all zones drawn in a small installation", fmt.Sprintf(`wanmu.app.zones.count() === %d && !wanmu.app.zoneOverview`, sum.Count))

	eval[bool](p, `(wanmu.app.zoneViewLimit = 10, true)`)
	p.reloadData()
	p.view(119.9, 28.3, 9)
	p.waitJS("overview tiles at the city's scale", `wanmu.app.zonesByView && wanmu.app.zoneOverview && wanmu.app.map.hasLayer(wanmu.app.overviewTiles)`)
	if !eval[bool](p, `getComputedStyle(document.querySelector('.zone-overview-note')).display !== 'none'`) {
		t.Error("the note to zoom in is not shown over the overview")
	}
	p.waitJS("overview tiles drawn", `Object.keys(wanmu.app.overviewTiles._tiles).length > 0`)
	p.screenshot("40-zones-overview")
	total := eval[string](p, `(document.querySelector('#overview .disp-total') || {}).textContent || ''`)
	if want := fmt.Sprint(sum.ByKind["township"]); !strings.Contains(total, want) {
		t.Errorf("the overview says %q, want the %s township zones of the whole installation", total, want)
	}

	p.view(lng, lat, 15)
	p.waitJS("the zone in view loaded as a vector", fmt.Sprintf(`!wanmu.app.zoneOverview && !!wanmu.app.zones.feature(%d)`, z.Properties.ID))
	if n := eval[float64](p, `wanmu.app.zones.count()`); int(n) > 10 {
		t.Errorf("zoomed in on one zone the page holds %v zones", n)
	}
	x, y := p.px(lng, lat)
	p.clickAt(x, y, false)
	p.waitSelection(z.Properties.ID)
	p.screenshot("41-zones-by-view")
}
