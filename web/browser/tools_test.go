package browser

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
)

// TestSplitCutMoveRetire runs the other editing tools once each: split along
// a drawn line (server side), cut a hole, move, delete, and undo the delete
// as an editor (the restore endpoint grants an editor the undo of their own
// latest change).
func TestSplitCutMoveRetire(t *testing.T) {
	admin := mustAPI(t, adminUser)
	p := newPage(t)
	p.login(adminUser)
	parent := p.t
	defer func() { p.t = parent }()

	t.Run("split", func(t *testing.T) {
		p.t = t
		lng, lat := freeSpot(t, admin)
		z := createZone(t, admin, "分割测试区"+randomHex(2), lng, lat, 600)
		p.reloadData()
		p.view(lng, lat, 15)
		x, y := p.px(lng, lat)
		p.clickAt(x, y, false)
		p.waitSelection(z.Properties.ID)
		p.click(`[data-tool="split"]`)
		p.waitJS("line drawing", `wanmu.app.map.pm.globalDrawModeEnabled()`)
		p.clickAt(x-5, y-160, false)
		p.clickAt(x+5, y+160, false)
		p.clickAt(x+5, y+160, false) // the last point again finishes the line
		p.waitJS("two pieces", `wanmu.app.selection.count() === 2`)
		var gone zoneFeature
		admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &gone)
		if gone.Properties.RetiredAt == nil {
			t.Error("the split zone is not retired")
		}
		sum := eval[float64](p, `wanmu.app.selection.features().reduce(function (s, f) { return s + f.properties.area_mu; }, 0)`)
		if math.Abs(sum-z.Properties.AreaMu) > z.Properties.AreaMu*1e-6 {
			t.Errorf("the pieces add up to %.4f mu, the zone had %.4f mu", sum, z.Properties.AreaMu)
		}
		p.screenshot("15-split")
	})

	t.Run("cut", func(t *testing.T) {
		p.t = t
		lng, lat := freeSpot(t, admin)
		z := createZone(t, admin, "挖洞测试区"+randomHex(2), lng, lat, 600)
		p.reloadData()
		p.view(lng, lat, 15)
		x, y := p.px(lng, lat)
		p.clickAt(x, y, false)
		p.waitSelection(z.Properties.ID)
		p.click(`[data-tool="cut"]`)
		p.waitJS("cut mode", `wanmu.app.map.pm.globalDrawModeEnabled() && wanmu.app.editor.session && wanmu.app.editor.session.kind === 'cut'`)
		hole := [][2]float64{{x - 30, y - 30}, {x + 30, y - 30}, {x + 30, y + 30}, {x - 30, y + 30}, {x - 30, y - 30}}
		for _, c := range hole {
			p.clickAt(c[0], c[1], false)
		}
		p.waitJS("the cut", `wanmu.app.editor.session && wanmu.app.editor.session.dirty`)
		p.click(`.wanmu-sessionbar [data-action="save"]`)
		p.waitJS("the saved hole", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 2`, z.Properties.ID))
		var after zoneFeature
		admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &after)
		var mp [][][][2]float64
		if err := json.Unmarshal(after.Geometry.Coordinates, &mp); err != nil {
			t.Fatal(err)
		}
		if len(mp) != 1 || len(mp[0]) != 2 {
			t.Errorf("after cutting a hole: %d polygons, %d rings; want 1 polygon with 2 rings", len(mp), len(mp[0]))
		}
		if after.Properties.AreaMu >= z.Properties.AreaMu {
			t.Errorf("the hole did not reduce the area: %.2f → %.2f mu", z.Properties.AreaMu, after.Properties.AreaMu)
		}
	})

	t.Run("move", func(t *testing.T) {
		p.t = t
		lng, lat := freeSpot(t, admin)
		z := createZone(t, admin, "移动测试区"+randomHex(2), lng, lat, 600)
		p.reloadData()
		p.view(lng, lat, 15)
		x, y := p.px(lng, lat)
		p.clickAt(x, y, false)
		p.waitSelection(z.Properties.ID)
		p.click(`[data-tool="drag"]`)
		p.waitJS("move mode", `wanmu.app.editor.session && wanmu.app.editor.session.kind === 'drag'`)
		p.drag(x, y, x+80, y+40)
		p.waitJS("the moved shape", `wanmu.app.editor.session.dirty`)
		p.click(`.wanmu-sessionbar [data-action="save"]`)
		p.waitJS("the saved move", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 2`, z.Properties.ID))
		wantLng, wantLat := p.lngLat(x+80, y+40)
		var after zoneFeature
		admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &after)
		var mp [][][][2]float64
		if err := json.Unmarshal(after.Geometry.Coordinates, &mp); err != nil {
			t.Fatal(err)
		}
		var cx, cy float64
		ring := mp[0][0][:len(mp[0][0])-1]
		for _, c := range ring {
			cx += c[0] / float64(len(ring))
			cy += c[1] / float64(len(ring))
		}
		// Within a pixel and a half of where the pointer let go: the mouse
		// events of a drag land on whole pixels, and a busy machine merges
		// some of them (CI: 0.5 px off).
		edgeLng, _ := p.lngLat(x+81.5, y+40)
		tol := math.Abs(edgeLng - wantLng)
		if math.Abs(cx-wantLng) > tol || math.Abs(cy-wantLat) > tol {
			t.Errorf("the moved zone is centred on (%.6f, %.6f), want (%.6f, %.6f)", cx, cy, wantLng, wantLat)
		}
	})

	t.Run("retire and undo", func(t *testing.T) {
		p := newPage(t)
		p.login(editorUser)
		lng, lat := freeSpot(t, admin)
		z := createZone(t, admin, "删除测试区"+randomHex(2), lng, lat, 600)
		p.reloadData()
		p.view(lng, lat, 15)
		x, y := p.px(lng, lat)
		p.clickAt(x, y, false)
		p.waitSelection(z.Properties.ID)
		p.click(`[data-tool="retire"]`)
		p.waitJS("the confirmation", `!!document.querySelector('dialog.confirm[open]')`)
		p.setValue(`dialog.confirm[open] input[name="reason"]`, "浏览器测试删除")
		p.click(`dialog.confirm[open] footer .btn-danger`)
		p.waitJS("the zone gone", fmt.Sprintf(`!wanmu.app.zones.feature(%d)`, z.Properties.ID))
		p.undo()
		p.waitJS("the zone back", fmt.Sprintf(`!!wanmu.app.zones.feature(%d)`, z.Properties.ID))
		var back zoneFeature
		admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &back)
		if back.Properties.RetiredAt != nil {
			t.Error("after undo the zone is still retired")
		}
	})
}
