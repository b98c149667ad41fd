package browser

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wanmu/internal/testenv"
)

// TestDrawZone: an editor draws a zone by clicking points; while drawing the
// live figure is the server's ellipsoidal area; the stored zone has the
// clicked boundary and the area the API reports, shown in the panel.
func TestDrawZone(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	p := newPage(t)
	p.login(editorUser)
	p.view(lng, lat, 15)

	cx, cy := p.px(lng, lat)
	corners := [][2]float64{{cx - 110, cy - 80}, {cx + 120, cy - 90}, {cx + 100, cy + 85}, {cx - 90, cy + 70}}
	var want [][2]float64
	for _, c := range corners {
		x, y := p.lngLat(c[0], c[1])
		want = append(want, [2]float64{x, y})
	}

	p.click(`[data-tool="draw"]`)
	p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	for _, c := range corners {
		p.clickAt(c[0], c[1], false)
	}
	// Hover inside: the live area covers the points and the cursor.
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, corners[0][0]+5, corners[0][1]+3))
	p.waitJS("the live ellipsoidal area", `/\d/.test(document.querySelector('.wanmu-livearea .value').textContent)`)
	p.screenshot("03-drawing")
	p.clickAt(corners[0][0], corners[0][1], false) // the first point closes the ring

	p.waitJS("the attributes dialog", `!!document.querySelector('dialog.attributes[open]')`)
	name := "浏览器测试新区" + randomHex(2)
	p.setValue(`dialog.attributes[open] input[name="name"]`, name)
	p.setValue(`dialog.attributes[open] select[name="disposition"]`, "提")
	p.screenshot("04-new-zone-dialog")
	p.click(`dialog.attributes[open] footer .btn-primary`)
	p.waitJS("the new zone", fmt.Sprintf(`wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, name))

	id := eval[int64](p, fmt.Sprintf(`wanmu.app.zones.features().filter(function (f) { return f.properties.name === %q; })[0].properties.id`, name))
	var stored zoneFeature
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &stored)

	// The boundary is what was clicked (no snapping here: no zone nearby).
	var rings [][][][2]float64
	if stored.Geometry.Type == "MultiPolygon" {
		if err := json.Unmarshal(stored.Geometry.Coordinates, &rings); err != nil {
			t.Fatal(err)
		}
	} else {
		var r [][][2]float64
		if err := json.Unmarshal(stored.Geometry.Coordinates, &r); err != nil {
			t.Fatal(err)
		}
		rings = [][][][2]float64{r}
	}
	outer := rings[0][0]
	if len(outer) != len(want)+1 {
		t.Fatalf("stored ring has %d positions, want %d: %v", len(outer), len(want)+1, outer)
	}
	for _, w := range want {
		found := false
		for _, g := range outer {
			if math.Abs(g[0]-w[0]) < 2e-6 && math.Abs(g[1]-w[1]) < 2e-6 {
				found = true
			}
		}
		if !found {
			t.Errorf("clicked point %v is not a vertex of the stored ring %v", w, outer)
		}
	}

	// The area is the ellipsoidal area of the clicked polygon.
	ring := append(append([][2]float64{}, want...), want[0])
	var m struct {
		AreaMu float64 `json:"area_mu"`
		Valid  bool    `json:"valid"`
	}
	admin.must(t, 200, "POST", "/api/v1/measure", map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}, 0, &m)
	if math.Abs(m.AreaMu-stored.Properties.AreaMu) > m.AreaMu*1e-4 {
		t.Errorf("stored area %.4f mu, measure of the clicked polygon %.4f mu", stored.Properties.AreaMu, m.AreaMu)
	}
	// The panel shows the API's figure.
	p.waitJS("the zone's panel", fmt.Sprintf(`!!document.querySelector('.detail[data-zone-id="%d"]')`, id))
	shown := eval[string](p, `document.querySelector('.detail [data-field="area"]').textContent`)
	if wantText := formatMu(stored.Properties.AreaMu); shown != wantText {
		t.Errorf("panel shows %q, want %q (API area_mu %.6f)", shown, wantText, stored.Properties.AreaMu)
	}
	p.screenshot("05-new-zone")
}

// TestEditVertex: an editor drags a vertex, saves (PATCH with If-Match),
// sees the new area; the history shows the past version beside the current
// one; undo puts the old boundary back.
func TestEditVertex(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "节点测试区"+randomHex(2), lng, lat, 600)

	p, nx, ny := editVertices(t, z.Properties.ID, lng, lat, 600, 15)
	p.drag(nx, ny, nx+60, ny-45)
	p.waitJS("the unsaved change and the live area", `wanmu.app.editor.session && wanmu.app.editor.session.dirty && /\d/.test(document.querySelector('.wanmu-livearea .value').textContent)`)
	p.screenshot("06-edit-vertex")
	p.click(`.wanmu-sessionbar [data-action="save"]`)
	p.waitJS("the saved zone", fmt.Sprintf(`wanmu.app.zones.feature(%d) && wanmu.app.zones.feature(%d).properties.version === 2 && !wanmu.app.editor.session`, z.Properties.ID, z.Properties.ID))

	var after zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &after)
	if after.Properties.Version != 2 || after.Properties.AreaMu <= z.Properties.AreaMu {
		t.Fatalf("after dragging a corner outwards: version %d area %.2f mu (before %.2f mu)", after.Properties.Version, after.Properties.AreaMu, z.Properties.AreaMu)
	}
	wantLng, wantLat := p.lngLat(nx+60, ny-45)
	if !hasVertex(t, after, wantLng, wantLat, 2e-6) {
		t.Errorf("the moved vertex (%.7f, %.7f) is not in the stored boundary %s", wantLng, wantLat, after.Geometry.Coordinates)
	}

	// History: show version 1 beside the current boundary.
	p.waitJS("the history", `document.querySelectorAll('.revisions .revision').length >= 2`)
	p.click(`.revisions [data-action="show-revision"]`)
	p.waitJS("the past version on the map", `wanmu.app.compare.getLayers().length >= 1`)
	p.screenshot("07-history")

	// Undo writes version 1's boundary back (as version 3).
	p.undo()
	p.waitJS("the undone zone", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 3`, z.Properties.ID))
	var undone zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &undone)
	if math.Abs(undone.Properties.AreaMu-z.Properties.AreaMu) > 1e-6*z.Properties.AreaMu {
		t.Errorf("after undo the area is %.6f mu, want the original %.6f mu", undone.Properties.AreaMu, z.Properties.AreaMu)
	}
}

// TestPreviewWhileEditing: while an editor drags a vertex of a zone that
// belongs to a platform just short of 10,000 mu, the live panel shows the
// platform's developable area as it will be once saved, and that it would
// now meet the threshold; after saving, the report has exactly that figure.
// Constraint layers are off, so developable = gross and the sizes are known.
func TestPreviewWhileEditing(t *testing.T) {
	admin := mustAPI(t, adminUser)
	editor := mustAPI(t, editorUser)
	withoutConstraints(t, admin)
	lng, lat := freeSpot(t, editor)
	side := math.Sqrt(9950 * 2000.0 / 3)
	z := createZone(t, editor, "预览测试区"+randomHex(2), lng, lat, side)
	var pl struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	editor.must(t, http.StatusCreated, "POST", "/api/v1/platforms", map[string]any{
		"name": "预览测试平台" + randomHex(2), "zone_ids": []int64{z.Properties.ID}, "reason": "browser test"}, 0, &pl)
	t.Cleanup(func() {
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pl.ID), nil, 0, &pl)
		editor.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/platforms/%d?reason=test", pl.ID), nil, pl.Version, nil)
	})

	p, nx, ny := editVertices(t, z.Properties.ID, lng, lat, side, 13)
	p.drag(nx, ny, nx+25, ny-20)
	row := fmt.Sprintf(`.wanmu-livearea .platform[data-platform="%d"]`, pl.ID)
	p.waitJS("the platform's figure once saved", fmt.Sprintf(`!!document.querySelector('%s.ok')`, row))
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s .delta').textContent`, row)); !strings.Contains(got, "将由未达标变为达标") {
		t.Errorf("the change from now reads %q, want it to say the platform would now meet 10,000 mu", got)
	}
	shown := eval[float64](p, `wanmu.app.liveArea.value().platforms[0].preview.developable.mu`)
	p.screenshot("19-preview")
	var report struct {
		Developable struct {
			Mu float64 `json:"mu"`
		} `json:"developable"`
		Meets bool `json:"meets"`
	}
	editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d/report", pl.ID), nil, 0, &report)
	if report.Meets {
		t.Fatalf("the platform meets 10,000 mu before the edit is saved (%.2f mu)", report.Developable.Mu)
	}
	p.click(`.wanmu-sessionbar [data-action="save"]`)
	p.waitJS("the saved zone", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 2 && !wanmu.app.editor.session`, z.Properties.ID))
	editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d/report", pl.ID), nil, 0, &report)
	if !report.Meets || math.Abs(report.Developable.Mu-shown) > 1e-6 {
		t.Errorf("saved: %.6f mu (meets %v); the preview showed %.6f mu", report.Developable.Mu, report.Meets, shown)
	}
	if eval[bool](p, `document.querySelector('.wanmu-livearea').style.display !== 'none'`) {
		t.Error("the live panel is still shown after saving")
	}
}

// editVertices signs the editor in, selects zone id (a square of side
// metres centred on lng, lat, as createZone draws it) at the given zoom and
// opens its vertex edit. It returns the page and the pixel of the square's
// north-east corner.
func editVertices(t *testing.T, id int64, lng, lat, side float64, zoom int) (*page, float64, float64) {
	t.Helper()
	p := newPage(t)
	p.login(editorUser)
	p.view(lng, lat, zoom)
	x, y := p.px(lng, lat)
	p.clickAt(x, y, false)
	p.waitSelection(id)
	p.click(`[data-tool="vertex"]`)
	p.waitJS("vertex markers", `document.querySelectorAll('.marker-icon').length >= 4`)
	half := side / 2
	nx, ny := p.px(lng+half/(111320*math.Cos(lat*math.Pi/180)), lat+half/111320)
	return p, nx, ny
}

// TestMerge: two adjacent zones, click and Shift-click, merge: one zone
// with both areas, the two retired.
func TestMerge(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	side := 500.0
	dLng := side / (111320 * math.Cos(lat*math.Pi/180))
	a := createZone(t, editor, "合并甲"+randomHex(2), lng-dLng/2, lat, side)
	b := createZone(t, editor, "合并乙"+randomHex(2), lng+dLng/2, lat, side)

	p := newPage(t)
	p.login(editorUser)
	p.view(lng, lat, 15)
	ax, ay := p.px(lng-dLng/2, lat)
	bx, by := p.px(lng+dLng/2, lat)
	p.clickAt(ax, ay, false)
	p.clickAt(bx, by, true)
	p.waitSelection(a.Properties.ID, b.Properties.ID)
	p.clickAt(bx, by, true) // Shift-click again takes it out
	p.waitSelection(a.Properties.ID)
	// A Shift-drag box across both selects both.
	p.clickAt(ax-250, ay+60, false) // empty map: clears the selection
	p.waitSelection()
	p.dragWith(ax-100, ay-100, bx+100, by+100, true)
	p.waitJS("both zones in the box", fmt.Sprintf(`JSON.stringify(wanmu.app.selection.ids().slice().sort()) === JSON.stringify([%d, %d].sort())`, a.Properties.ID, b.Properties.ID))
	p.click(`[data-tool="merge"]`)
	p.waitJS("the merge dialog", `!!document.querySelector('dialog[open] .merge-list')`)
	name := "合并后" + randomHex(2)
	p.setValue(`dialog[open] input[name="name"]`, name)
	p.setValue(`dialog[open] input[name="reason"]`, "浏览器测试合并")
	p.screenshot("08-merge")
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the merged zone", fmt.Sprintf(`wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, name))
	id := eval[int64](p, `wanmu.app.selection.ids()[0]`)

	var merged zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &merged)
	if sum := a.Properties.AreaMu + b.Properties.AreaMu; math.Abs(merged.Properties.AreaMu-sum) > sum*1e-4 {
		t.Errorf("merged area %.4f mu, want about %.4f mu", merged.Properties.AreaMu, sum)
	}
	for _, src := range []int64{a.Properties.ID, b.Properties.ID} {
		var gone zoneFeature
		editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", src), nil, 0, &gone)
		if gone.Properties.RetiredAt == nil {
			t.Errorf("zone %d was merged but is not retired", src)
		}
	}
	if n := eval[int](p, fmt.Sprintf(`[%d, %d].filter(function (id) { return !!wanmu.app.zones.feature(id); }).length`, a.Properties.ID, b.Properties.ID)); n != 0 {
		t.Errorf("%d merged-away zones still on the map", n)
	}
}

// hasVertex reports whether a zone's boundary has a vertex within tol degrees.
func hasVertex(t *testing.T, z zoneFeature, lng, lat, tol float64) bool {
	t.Helper()
	var mp [][][][2]float64
	if z.Geometry.Type == "Polygon" {
		var p [][][2]float64
		if err := json.Unmarshal(z.Geometry.Coordinates, &p); err != nil {
			t.Fatal(err)
		}
		mp = [][][][2]float64{p}
	} else if err := json.Unmarshal(z.Geometry.Coordinates, &mp); err != nil {
		t.Fatal(err)
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for _, c := range ring {
				if math.Abs(c[0]-lng) < tol && math.Abs(c[1]-lat) < tol {
					return true
				}
			}
		}
	}
	return false
}

func mustAPI(t *testing.T, user string) *api {
	t.Helper()
	if suite.skip != "" {
		testenv.Missing(t, "%s", suite.skip)
	}
	a, err := newAPI(user)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// formatMu is how the page writes an area in mu (zh-CN grouping, 2 decimals).
func formatMu(mu float64) string {
	s := fmt.Sprintf("%.2f", mu)
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + frac + " 亩"
}

var _ = time.Second
