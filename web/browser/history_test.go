package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestMergeKeepsAndLinks: merging two zones that differ in disposition and
// do not touch. The dialog shows the dry run (both document numbers kept,
// approved areas summed, the gap in metres), refuses to merge until the
// disposition is chosen and the gap confirmed; the merged zone's panel
// links to its sources, a source's panel to what it became; restoring a
// source from there is refused while the merged zone is live (its land
// would count twice), and undoing the merge brings the sources back.
func TestMergeKeepsAndLinks(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	side := 400.0
	dLng := (side + 300) / (111320 * math.Cos(lat*math.Pi/180)) // 300 m between them
	a := createZone(t, admin, "合并来源甲"+randomHex(2), lng-dLng/2, lat, side)
	b := createZone(t, admin, "合并来源乙"+randomHex(2), lng+dLng/2, lat, side)
	admin.must(t, 200, "PATCH", fmt.Sprintf("/api/v1/zones/%d", a.Properties.ID), map[string]any{"type": "Feature",
		"properties": map[string]any{"disposition": "并", "document_no": "丽政发〔2010〕1号", "approved_area_ha": 10.5}}, 1, nil)
	admin.must(t, 200, "PATCH", fmt.Sprintf("/api/v1/zones/%d", b.Properties.ID), map[string]any{"type": "Feature",
		"properties": map[string]any{"disposition": "提", "document_no": "浙政函〔2012〕5号", "approved_area_ha": 4.25}}, 1, nil)

	p := newPage(t)
	p.login(adminUser)
	p.view(lng, lat, 15)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d, %d]), true)`, a.Properties.ID, b.Properties.ID))
	p.click(`[data-tool="merge"]`)
	p.waitJS("the dry run", `!!document.querySelector('dialog[open] [data-field="merged-document-no"]')`)
	if docs := eval[string](p, `document.querySelector('dialog[open] [data-field="merged-document-no"]').textContent`); docs != "丽政发〔2010〕1号；浙政函〔2012〕5号" {
		t.Errorf("the dialog says the document numbers will be %q, want both", docs)
	}
	if approved := eval[string](p, `document.querySelector('dialog[open] [data-field="merged-approved"]').textContent`); !strings.HasPrefix(approved, "14.7500") {
		t.Errorf("the dialog says the approved area will be %q, want 10.5 + 4.25 ha", approved)
	}
	p.waitJS("the gap named", `!document.querySelector('dialog[open] [data-merge-gap]').hidden`)
	gap := eval[string](p, `document.querySelector('dialog[open] [data-merge-gap]').textContent`)
	if !strings.Contains(gap, "米") || !strings.Contains(gap, "2 个分离部分") {
		t.Errorf("the gap reads %q, want the distance and two parts", gap)
	}
	name := "合并结果" + randomHex(2)
	p.setValue(`dialog[open] input[name="name"]`, name)
	press := func(wantError string) {
		t.Helper()
		p.click(`dialog[open] footer .btn-primary`)
		p.waitJS("the refusal "+wantError, fmt.Sprintf(`(function () { var e = document.querySelector('dialog[open] .dialog-error'); return !!e && !e.hidden && e.textContent.indexOf(%q) >= 0; })()`, wantError))
	}
	press("请先为不一致的项")
	p.setValue(`dialog[open] select[name="disposition"]`, "提")
	press("请勾选确认")
	p.click(`dialog[open] input[name="allow_gap"]`)
	p.screenshot("36-merge-dialog")
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the merged zone", fmt.Sprintf(`wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, name))
	id := eval[int64](p, `wanmu.app.selection.ids()[0]`)
	var merged struct {
		Properties struct {
			DocumentNo     string  `json:"document_no"`
			ApprovedAreaHa float64 `json:"approved_area_ha"`
			Disposition    string  `json:"disposition"`
		} `json:"properties"`
		Geometry struct {
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	}
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &merged)
	var parts [][][][2]float64
	_ = json.Unmarshal(merged.Geometry.Coordinates, &parts)
	if merged.Properties.DocumentNo != "丽政发〔2010〕1号；浙政函〔2012〕5号" || merged.Properties.ApprovedAreaHa != 14.75 ||
		merged.Properties.Disposition != "提" || len(parts) != 2 {
		t.Errorf("merged zone: %+v with %d parts", merged.Properties, len(parts))
	}

	// The merged zone's panel links to both sources; a source opens as a
	// retired zone that names what it became.
	p.waitJS("the source links", `document.querySelectorAll('#detail [data-field="sources"] a').length === 2`)
	p.waitJS("the sources named", fmt.Sprintf(`document.querySelector('#detail [data-field="sources"]').textContent.indexOf(%q) >= 0`, a.Properties.Name))
	p.click(fmt.Sprintf(`#detail [data-zone-link="%d"]`, a.Properties.ID))
	p.waitJS("the retired source", fmt.Sprintf(`!!document.querySelector('#detail .detail.retired[data-zone-id="%d"] [data-field="merged-into"]')`, a.Properties.ID))
	p.waitJS("its history", `document.querySelectorAll('#detail .detail.retired .revision').length >= 2`)
	p.screenshot("37-retired-source")
	// Restoring it while the merged zone is live would count its land
	// twice: refused, the dialog naming the merged zone and what to do.
	p.click(`#detail [data-action="restore-retired"]`)
	p.waitJS("the confirmation", `!!document.querySelector('dialog.confirm[open]')`)
	p.click(`dialog.confirm[open] footer .btn-primary`)
	p.waitJS("the refusal", fmt.Sprintf(`(function () { var e = document.querySelector('dialog.confirm[open] .dialog-error'); return !!e && !e.hidden && e.textContent.indexOf(%q) >= 0 && e.textContent.indexOf('撤回那次合并') >= 0 && e.textContent.indexOf('仍在其他有效要素中') >= 0; })()`, name))
	p.screenshot("37b-merged-source-refused")
	var still zoneFeature
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", a.Properties.ID), nil, 0, &still)
	if still.Properties.RetiredAt == nil {
		t.Fatal("the merged source was restored while the merged zone is live")
	}
	p.click(`dialog.confirm[open] .dialog-x`)
	p.waitJS("the confirmation closed", `!document.querySelector('dialog.confirm[open]')`)

	// Undoing the merge brings both sources back and retires the merged zone.
	p.undo()
	p.waitJS("the sources back on the map", fmt.Sprintf(`!!wanmu.app.zones.feature(%d) && !!wanmu.app.zones.feature(%d) && !wanmu.app.zones.feature(%d)`, a.Properties.ID, b.Properties.ID, id))
	var back, gone zoneFeature
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", a.Properties.ID), nil, 0, &back)
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &gone)
	if back.Properties.RetiredAt != nil || gone.Properties.RetiredAt == nil {
		t.Errorf("after undoing the merge: source retired %v, merged zone retired %v", back.Properties.RetiredAt, gone.Properties.RetiredAt)
	}
	// No two live zones here overlap.
	var overlap float64
	if err := testDB(t).QueryRow(context.Background(), `SELECT coalesce(sum(ST_Area(ST_Intersection(x.geom, y.geom)::geography)), 0)
		FROM zone x JOIN zone y ON x.id < y.id AND ST_Intersects(x.geom, y.geom)
		WHERE x.retired_at IS NULL AND y.retired_at IS NULL AND x.scenario_id = 0 AND y.scenario_id = 0
		AND x.id = ANY($1) AND y.id = ANY($1)`, []int64{a.Properties.ID, b.Properties.ID, id}).Scan(&overlap); err != nil {
		t.Fatal(err)
	}
	if overlap != 0 {
		t.Errorf("live zones overlap by %.1f m²", overlap)
	}
}

// TestUndoRedoAfterReload: the undo stack is the server's, so an edit made
// before a reload is undone after it, and redone.
func TestUndoRedoAfterReload(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "撤销重做区"+randomHex(2), lng, lat, 500)
	p := newPage(t)
	p.login(editorUser)
	p.view(lng, lat, 15)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, z.Properties.ID))
	p.click(`[data-tool="attributes"]`)
	renamed := "改名后" + randomHex(2)
	p.setValue(`dialog[open] input[name="name"]`, renamed)
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the renamed zone", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.name === %q`, z.Properties.ID, renamed))

	p.do(chromedpNavigate(suite.base + "/")) // a reload: the page starts afresh
	p.waitReady()
	p.waitJS("undo offered for the rename", fmt.Sprintf(`(function () { var b = document.querySelector('[data-tool="undo"]'); return !b.disabled && b.title.indexOf(%q) >= 0; })()`, renamed))
	p.undo()
	p.waitJS("the old name back", fmt.Sprintf(`!!wanmu.app.zones.feature(%d) && wanmu.app.zones.feature(%d).properties.name === %q`, z.Properties.ID, z.Properties.ID, z.Properties.Name))
	p.waitJS("redo offered", `!document.querySelector('[data-tool="redo"]').disabled`)
	p.screenshot("38-redo")
	p.click(`[data-tool="redo"]`)
	p.waitJS("the new name again", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.name === %q`, z.Properties.ID, renamed))
	var now zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &now)
	if now.Properties.Name != renamed || now.Properties.Version != 4 {
		t.Errorf("after rename, undo and redo: %q at version %d, want %q at version 4", now.Properties.Name, now.Properties.Version, renamed)
	}
}

// TestRetiredSearch: a retired zone is found with the search's 已撤销
// filter, shown with its outline, and restored by an administrator.
func TestRetiredSearch(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	name := "已删除测试区" + randomHex(3)
	z := createZone(t, admin, name, lng, lat, 500)
	admin.must(t, 204, "DELETE", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 1, nil)

	p := newPage(t)
	p.login(adminUser)
	p.setValue("#search", name)
	eval[bool](p, `(document.getElementById('search').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})), true)`)
	p.waitJS("not found among live zones, with a hint", `Array.prototype.some.call(document.querySelectorAll('.toast'), function (x) { return x.textContent.indexOf('已撤销') >= 0; })`)
	p.click("#search-retired")
	eval[bool](p, `(document.getElementById('search').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})), true)`)
	p.waitJS("the retired zone listed", fmt.Sprintf(`!!document.querySelector('#detail tr[data-retired-zone="%d"]')`, z.Properties.ID))
	p.click(fmt.Sprintf(`#detail tr[data-retired-zone="%d"]`, z.Properties.ID))
	p.waitJS("its panel and outline", fmt.Sprintf(`!!document.querySelector('#detail .detail.retired[data-zone-id="%d"] [data-action="restore-retired"]') && wanmu.app.compare.getLayers().length > 0`, z.Properties.ID))
	p.screenshot("39-retired-search")
	p.click(`#detail [data-action="restore-retired"]`)
	p.waitJS("the confirmation", `!!document.querySelector('dialog.confirm[open]')`)
	p.click(`dialog.confirm[open] footer .btn-primary`)
	p.waitJS("the zone back", fmt.Sprintf(`!!wanmu.app.zones.feature(%d)`, z.Properties.ID))
}
