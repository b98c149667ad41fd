package browser

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportChooseLayer: a GeoPackage with two polygon layers fails the
// preview with the list of its layers; clicking one previews it.
func TestImportChooseLayer(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	dir := t.TempDir()
	file := filepath.Join(dir, "two.gpkg")
	for i, name := range []string{"地块", "红线"} {
		var fs []string
		for k := range i + 1 {
			x := lng + 0.01*float64(k) + 0.03*float64(i)
			fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"name":"%s%d"},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
				name, k+1, x, lat, x+0.004, lat, x+0.004, lat+0.004, x, lat))
		}
		src := filepath.Join(dir, name+".geojson")
		if err := os.WriteFile(src, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-f", "GPKG", "-nln", name, file, src}
		if i > 0 {
			args = append([]string{"-update"}, args...)
		}
		if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v\n%s", err, out)
		}
	}
	p := newPage(t)
	p.login(editorUser)
	p.click(`#btn-import`)
	p.waitJS("the import dialog", `!!document.querySelector('dialog.import[open]')`)
	p.do(setUploadFiles(`dialog.import[open] input[type="file"]`, file))
	p.click(`dialog.import[open] footer [data-value="preview"]`)
	p.waitJS("the layer list", `document.querySelectorAll('dialog.import[open] .layer-choice tbody tr').length === 2`)
	row := eval[string](p, `document.querySelectorAll('dialog.import[open] .layer-choice tbody tr')[1].textContent`)
	if !strings.Contains(row, "红线") || !strings.Contains(row, "2") || !strings.Contains(row, "EPSG:4326") {
		t.Errorf("second row %q", row)
	}
	p.screenshot("16b-import-layers")
	p.click(`dialog.import[open] .layer-choice tbody tr:nth-child(2)`)
	p.waitJS("the preview of the chosen layer", `!!document.querySelector('dialog.import[open] .preview-kv') && document.querySelector('dialog.import[open] .preview-kv dd').textContent === '2'`)
	p.screenshot("16c-import-layer-chosen")
}
