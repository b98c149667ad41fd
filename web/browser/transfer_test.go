package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestImportExport: an editor imports a GeoJSON file through the dialog
// (upload, preview with the feature count and area, confirm, progress) and
// sees the zones on the map; then exports the selection as a Shapefile.
func TestImportExport(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	fc := map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "geometry": square(lng-0.004, lat, 400), "properties": map[string]any{"name": "导入甲" + randomHex(2), "county_adcode": "331102", "disposition": "提", "批准文号": "丽政发〔2020〕9号", "核准面积（公顷）": 12.5}},
		map[string]any{"type": "Feature", "geometry": square(lng+0.004, lat, 400), "properties": map[string]any{"name": "导入乙" + randomHex(2), "county_adcode": "331102", "disposition": "并"}},
	}}
	b, _ := json.Marshal(fc)
	file := filepath.Join(t.TempDir(), "zones.geojson")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}

	p := newPage(t)
	p.login(editorUser)
	previewImport(p, file)
	if n := eval[string](p, `document.querySelector('dialog.import[open] .preview-kv dd').textContent`); n != "2" {
		t.Errorf("the preview counts %q features, want 2", n)
	}
	// 批准文号 and 核准面积 are mapped onto the zone's own fields.
	if got := eval[string](p, `document.querySelector('dialog.import[open] select[name="document_no_field"]').value + '|' +
		document.querySelector('dialog.import[open] select[name="approved_area_field"]').value`); got != "批准文号|核准面积（公顷）" {
		t.Errorf("approval fields mapped to %q, want 批准文号|核准面积（公顷）", got)
	}
	p.screenshot("16-import-preview")
	p.click(`dialog.import[open] footer .btn-primary`)
	p.waitJS("the imported zones selected", `!document.querySelector('dialog[open]') && wanmu.app.selection.count() === 2`)
	names := eval[[]string](p, `wanmu.app.selection.features().map(function (f) {
		return f.properties.name + '/' + f.properties.disposition + '/' + (f.properties.document_no || '') + '/' + (f.properties.approved_area_ha || '');
	}).sort()`)
	first := fc["features"].([]any)[0].(map[string]any)["properties"].(map[string]any)["name"].(string)
	if len(names) != 2 || names[1] != first+"/提/丽政发〔2020〕9号/12.5" { // 乙 sorts before 甲
		t.Fatalf("selected after import: %v", names)
	}

	p.click(`#btn-export`)
	p.waitJS("the export dialog", `!!document.querySelector('dialog[open] select[name="format"]')`)
	p.setValue(`dialog[open] select[name="format"]`, "shp")
	p.setValue(`dialog[open] select[name="crs"]`, "EPSG:4528")
	eval[bool](p, `(function(){ var c = document.querySelector('dialog[open] input[name="selection"]'); c.checked = true; return true; })()`)
	p.screenshot("17-export")
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the export", `!document.querySelector('dialog[open]') && Array.prototype.some.call(document.querySelectorAll('.toast-ok'), function (x) { return /\.zip/.test(x.textContent); })`)
}

// TestRestoreAndUnits: an administrator restores an earlier version from
// the history; the unit switch shows areas in hectares.
func TestRestoreAndUnits(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	z := createZone(t, admin, "恢复测试区"+randomHex(2), lng, lat, 500)
	var v2 zoneFeature
	admin.must(t, 200, "PATCH", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), map[string]any{
		"type": "Feature", "geometry": square(lng, lat, 800), "properties": map[string]any{}, "reason": "放大",
	}, z.Properties.Version, &v2)

	p := newPage(t)
	p.login(adminUser)
	p.view(lng, lat, 14)
	x, y := p.px(lng, lat)
	p.clickAt(x, y, false)
	p.waitSelection(z.Properties.ID)
	p.waitJS("the restore buttons", `document.querySelectorAll('.revisions [data-action="restore-revision"]').length >= 1`)
	p.click(`.revisions [data-action="restore-revision"]`)
	p.waitJS("the confirmation", `!!document.querySelector('dialog.confirm[open]')`)
	p.click(`dialog.confirm[open] footer .btn-primary`)
	p.waitJS("the restored version", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 3`, z.Properties.ID))
	var v3 zoneFeature
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &v3)
	if v3.Properties.AreaMu != z.Properties.AreaMu {
		t.Errorf("restored area %.6f mu, want version 1's %.6f mu", v3.Properties.AreaMu, z.Properties.AreaMu)
	}

	p.click(`#units [data-value="ha"]`)
	p.waitJS("hectares", `/公顷$/.test(document.querySelector('.detail [data-field="area"]').textContent)`)
	want := fmt.Sprintf("%.2f 公顷", v3.Properties.AreaMu/15)
	if got := eval[string](p, `document.querySelector('.detail [data-field="area"]').textContent`); got != want {
		t.Errorf("area in hectares %q, want %q", got, want)
	}
	p.click(`#units [data-value="mu"]`)
}

// TestImportRefusedCommit: a commit the server refuses (a zone outside every
// county, with no default county chosen) writes nothing and keeps the dialog
// with its preview and the reason; choosing a county and confirming again
// imports the zone without a new upload.
func TestImportRefusedCommit(t *testing.T) {
	name := "县外" + randomHex(3)
	fc := map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "geometry": square(118.30, 28.90, 300), "properties": map[string]any{"name": name}},
	}}
	b, _ := json.Marshal(fc)
	file := filepath.Join(t.TempDir(), "outside.geojson")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p := newPage(t)
	p.login(editorUser)
	previewImport(p, file)
	p.click(`dialog.import[open] footer .btn-primary`)
	p.waitJS("the refusal", `(function () {
		var e = document.querySelector('dialog.import[open] .dialog-error');
		return !!e && !e.hidden && e.textContent.indexOf('未导入') >= 0 && !!document.querySelector('dialog.import[open] .preview-kv');
	})()`)
	p.screenshot("20-import-refused")
	if n := eval[int](p, `wanmu.app.zones.features().filter(function (f) { return f.properties.name === `+strconv.Quote(name)+`; }).length`); n != 0 {
		t.Fatalf("the refused commit wrote %d zones", n)
	}
	p.setValue(`dialog.import[open] select[name="default_county"]`, "331102")
	p.click(`dialog.import[open] footer .btn-primary`)
	p.waitJS("the imported zone selected", `!document.querySelector('dialog[open]') && wanmu.app.selection.count() === 1`)
	if got := eval[string](p, `wanmu.app.selection.features()[0].properties.name`); got != name {
		t.Errorf("selected after the second commit: %q, want %q", got, name)
	}
}

// previewImport opens the import dialog, uploads file and waits for its
// preview, ready to confirm.
func previewImport(p *page, file string) {
	p.t.Helper()
	p.click(`#btn-import`)
	p.waitJS("the import dialog", `!!document.querySelector('dialog.import[open]')`)
	p.do(setUploadFiles(`dialog.import[open] input[type="file"]`, file))
	p.click(`dialog.import[open] footer [data-value="preview"]`)
	p.waitJS("the preview", `!!document.querySelector('dialog.import[open] .preview-kv') && !document.querySelector('dialog.import[open] footer .btn-primary').disabled`)
}
