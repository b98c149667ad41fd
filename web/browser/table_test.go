package browser

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestZoneTable: the zone attribute table opened from the overview, filtered
// by county and disposition (count and area as the API answers for the same
// filter), sorted by area; a row click selects the zone on the map and a map
// click highlights its row; zoom to the selection; export it (the export
// request names the selected ids).
func TestZoneTable(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	tag := randomHex(2)
	a := createZone(t, editor, "表甲"+tag, lng-0.004, lat, 300)
	b := createZone(t, editor, "表乙"+tag, lng+0.004, lat, 500)

	// The API's answer for county 331102 and disposition 待定 (createZone's), all pages.
	type row struct {
		Properties struct {
			ID     int64   `json:"id"`
			AreaMu float64 `json:"area_mu"`
		} `json:"properties"`
	}
	areas := map[int64]float64{}
	var total float64
	next := "/api/v1/zones?" + url.Values{"county": {"331102"}, "disposition": {"待定"}, "limit": {"1000"}}.Encode()
	for next != "" {
		var fc struct {
			Features []row `json:"features"`
			Links    []struct{ Rel, Href string }
		}
		editor.must(t, 200, "GET", next, nil, 0, &fc)
		next = ""
		for _, f := range fc.Features {
			areas[f.Properties.ID] = f.Properties.AreaMu
			total += f.Properties.AreaMu
		}
		for _, l := range fc.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
	}
	if _, ok := areas[a.Properties.ID]; !ok {
		t.Fatalf("the API's filtered list lacks the test zone %d", a.Properties.ID)
	}

	p := newPage(t)
	p.login(editorUser)
	eval[bool](p, `(wanmu.app.toggleOverview(true), wanmu.ZoneTable.PAGE = 2, true)`) // small pages: load more is used
	p.click(`#overview [data-action="open-table"]`)
	p.waitJS("the table open with its first page", `!document.getElementById('zone-table').hidden && document.getElementById('overview').hidden &&
		document.querySelector('#zone-table .zone-table-totals').dataset.count > 0`)
	for _, f := range [][2]string{{"county", "331102"}, {"disposition", "待定"}} {
		eval[bool](p, fmt.Sprintf(`(function () { var s = document.querySelector('#zone-table select[name=%q]'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, f[0], f[1]))
	}
	// The server's totals come before all rows are loaded.
	p.waitJS("the totals of all matching zones, two rows loaded", fmt.Sprintf(`(function () { var d = document.querySelector('#zone-table .zone-table-totals').dataset;
		return d.count === '%d' && d.loaded === '2' && document.querySelector('#zone-table .zone-table-note').textContent !== ''; })()`, len(areas)))
	for i := 0; i < 500 && eval[bool](p, `!document.querySelector('[data-action="table-more"]').hidden`); i++ {
		p.click(`[data-action="table-more"]`)
		p.waitJS("the next page", `!document.getElementById('zone-table').classList.contains('loading')`)
	}
	p.waitJS("the filtered rows", fmt.Sprintf(`(function () { var d = document.querySelector('#zone-table .zone-table-totals').dataset;
		return d.count === '%[1]d' && d.loaded === '%[1]d' && !document.getElementById('zone-table').classList.contains('loading'); })()`, len(areas)))
	// The totals (the server's, GET /zones/totals) and the loaded rows' sum agree with the list.
	for _, k := range []string{"areaMu", "loadedAreaMu"} {
		if got, _ := strconv.ParseFloat(eval[string](p, `document.querySelector('#zone-table .zone-table-totals').dataset.`+k), 64); math.Abs(got-total) > 1e-6*total+1e-9 {
			t.Errorf("the table's area total (%s) is %v mu, the API's list adds to %v mu", k, got, total)
		}
	}
	if rows := eval[int](p, `document.querySelectorAll('#zone-table tbody tr').length`); rows != len(areas) {
		t.Errorf("%d rows, the API lists %d zones", rows, len(areas))
	}
	if want := eval[string](p, fmt.Sprintf(`wanmu.units.area(%v)`, total)); !strings.Contains(eval[string](p, `document.querySelector('#zone-table .zone-table-totals').textContent`), want) {
		t.Errorf("the totals do not show the area %q", want)
	}

	// Sort by area: the server sorts every matching zone, so the first page
	// (two rows) holds the two largest of all, then the pages follow in order.
	rowIDs := func() []int64 {
		return eval[[]int64](p, `Array.prototype.map.call(document.querySelectorAll('#zone-table tbody tr'), function (r) { return +r.dataset.zoneId; })`)
	}
	p.click(`#zone-table th[data-sort="area"]`)
	p.waitJS("sorted by area, first page", `document.querySelector('#zone-table th[data-sort="area"]').getAttribute('aria-sort') === 'descending' &&
		!document.getElementById('zone-table').classList.contains('loading') && document.querySelector('#zone-table .zone-table-totals').dataset.loaded === '2'`)
	largest := make([]float64, 0, len(areas))
	for _, a := range areas {
		largest = append(largest, a)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(largest)))
	if ids := rowIDs(); len(ids) != 2 || areas[ids[0]] != largest[0] || areas[ids[1]] != largest[1] {
		t.Errorf("the first page sorted by area holds %v (%v, %v mu), want the two largest of all: %v mu", ids, areas[ids[0]], areas[ids[len(ids)-1]], largest[:2])
	}
	for i := 0; i < 500 && eval[bool](p, `!document.querySelector('[data-action="table-more"]').hidden`); i++ {
		p.click(`[data-action="table-more"]`)
		p.waitJS("the next page", `!document.getElementById('zone-table').classList.contains('loading')`)
	}
	ids := rowIDs()
	if !sort.SliceIsSorted(ids, func(i, j int) bool { return areas[ids[i]] > areas[ids[j]] }) || len(ids) != len(areas) {
		t.Errorf("rows after sorting by area: %v", ids)
	}

	// A row click selects the zone on the map.
	p.click(fmt.Sprintf(`#zone-table tr[data-zone-id="%d"]`, a.Properties.ID))
	p.waitSelection(a.Properties.ID)
	// A click on the map selects the other and its row is highlighted.
	p.view(lng+0.004, lat, 16)
	x, y := p.px(lng+0.004, lat)
	p.clickAt(x, y, false)
	p.waitSelection(b.Properties.ID)
	p.waitJS("the map's selection highlighted in the table", fmt.Sprintf(`document.querySelector('#zone-table tr[data-zone-id="%d"]').classList.contains('active') &&
		!document.querySelector('#zone-table tr[data-zone-id="%d"]').classList.contains('active')`, b.Properties.ID, a.Properties.ID))
	// Ctrl-click adds a row; zoom to both from far away.
	eval[bool](p, fmt.Sprintf(`document.querySelector('#zone-table tr[data-zone-id="%d"]').dispatchEvent(new MouseEvent('click', {bubbles: true, ctrlKey: true}))`, a.Properties.ID))
	p.waitSelection(b.Properties.ID, a.Properties.ID)
	p.view(lng+0.6, lat+0.3, 11)
	p.click(`[data-action="table-zoom"]`)
	p.waitJS("zoomed to the selection", fmt.Sprintf(`(function () { var m = wanmu.app.map, bb = m.getBounds();
		return m.getZoom() >= 14 && bb.contains([%[2]f, %[1]f]) && bb.contains([%[2]f, %[3]f]); })()`, lng-0.004, lat, lng+0.004))
	p.screenshot("57-table")

	// Export the selection: the request names those ids.
	// (The resource timing buffer may be full of tiles: record fetches instead.)
	eval[bool](p, `(function () { var f = window.fetch; window.fetched = []; window.fetch = function (u) { window.fetched.push(String(u)); return f.apply(this, arguments); }; return true; })()`)
	p.click(`[data-action="table-export"]`)
	p.waitJS("the export dialog, selection only", `!!document.querySelector('dialog[open] input[name="selection"]:checked')`)
	p.click(`dialog[open] footer .btn-primary`)
	want := url.QueryEscape(fmt.Sprintf("%d,%d", b.Properties.ID, a.Properties.ID))
	p.waitJS("the export request with the ids", fmt.Sprintf(`window.fetched.some(function (u) { return u.indexOf('/api/v1/exports?') >= 0 && u.indexOf('ids=%s') >= 0; })`, want))
	p.waitJS("the export done", `!document.querySelector('dialog[open]') && Array.prototype.some.call(document.querySelectorAll('.toast-ok'), function (x) { return /\.zip/.test(x.textContent); })`)

	// On demand, a constraint layer's features, read-only, paged through OGC API items.
	layer := eval[int64](p, `wanmu.app.layers[0].id`)
	var items struct {
		NumberMatched int `json:"numberMatched"`
	}
	editor.must(t, 200, "GET", fmt.Sprintf("/ogc/collections/layer-%d/items?limit=1&f=json", layer), nil, 0, &items)
	eval[bool](p, fmt.Sprintf(`(function () { var s = document.querySelector('#zone-table select[name="source"]'); s.value = 'layer-%d'; s.dispatchEvent(new Event('change')); return true; })()`, layer))
	p.waitJS("the layer's features", fmt.Sprintf(`document.getElementById('zone-table').classList.contains('layer-mode') &&
		document.querySelector('#zone-table .zone-table-totals').dataset.count === '%d'`, min(items.NumberMatched, 2)))
	if n := eval[int](p, `document.querySelectorAll('#zone-table tbody tr[data-feature-id]').length`); n != min(items.NumberMatched, 2) || n == 0 {
		t.Errorf("%d feature rows, the layer has %d", n, items.NumberMatched)
	}
	if txt := eval[string](p, `document.querySelector('#zone-table .zone-table-totals').textContent`); !strings.Contains(txt, eval[string](p, fmt.Sprintf(`wanmu.i18n.number(%d, 0)`, items.NumberMatched))) {
		t.Errorf("the totals %q do not give the layer's %d features", txt, items.NumberMatched)
	}
	p.view(lng+0.6, lat+0.3, 8)
	p.click(`#zone-table tbody tr[data-feature-id]`)
	p.waitJS("zoomed to the feature", `wanmu.app.map.getZoom() > 8`)
	p.screenshot("57-table-layer")

	// A large installation loads zones by view: a row whose zone the map
	// has not loaded is fetched, selected and zoomed to.
	eval[bool](p, `(function () { var s = document.querySelector('#zone-table select[name="source"]'); s.value = ''; s.dispatchEvent(new Event('change')); return true; })()`)
	eval[bool](p, `(wanmu.app.zoneViewLimit = 10, wanmu.app.selection.clear(), true)`)
	p.reloadData()
	p.view(lng+0.6, lat+0.3, 12)
	p.waitJS("the test zone not on the map", fmt.Sprintf(`wanmu.app.zonesByView && !wanmu.app.zones.feature(%d)`, a.Properties.ID))
	// Found by its name (other tests' zones may fill the first page).
	eval[bool](p, fmt.Sprintf(`(function () { var s = document.querySelector('#zone-table input[name="q"]'); s.value = %q; s.dispatchEvent(new Event('input')); return true; })()`, "表甲"+tag))
	p.waitJS("the zone found by name", fmt.Sprintf(`document.querySelectorAll('#zone-table tbody tr').length === 1 && !!document.querySelector('#zone-table tr[data-zone-id="%d"]')`, a.Properties.ID))
	p.click(fmt.Sprintf(`#zone-table tr[data-zone-id="%d"]`, a.Properties.ID))
	p.waitSelection(a.Properties.ID)
	p.click(`[data-action="table-zoom"]`)
	p.waitJS("zoomed to the zone", fmt.Sprintf(`wanmu.app.map.getBounds().contains([%f, %f])`, lat, lng-0.004))

	// On a phone the table is a sheet above the tab bar, inside the screen.
	p.do(chromedp.EmulateViewport(390, 844))
	p.waitJS("the table as a phone sheet", `(function () { var r = document.getElementById('zone-table').getBoundingClientRect();
		return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight - 40 && r.top > 100; })()`)
	if w := eval[float64](p, `document.querySelector('#zone-table thead th:nth-child(2)').getBoundingClientRect().width`); w == 0 {
		t.Errorf("the second column (name) is hidden on a phone")
	}
	p.screenshot("57-table-phone")
}
