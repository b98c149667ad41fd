package api_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wanmu/internal/api"
)

// twoLayerGPKG writes a GeoPackage with two polygon layers, named as
// given, of 1 and 2 squares near 丽水, and returns its bytes.
func twoLayerGPKG(t *testing.T, first, second string) []byte {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "two.gpkg")
	for i, name := range []string{first, second} {
		var fs []string
		for k := range i + 1 {
			x := 119.90 + 0.02*float64(k) + 0.1*float64(i)
			fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"名称":"%s%d"},"geometry":{"type":"Polygon","coordinates":[[[%g,28.40],[%g,28.40],[%g,28.41],[%g,28.40]]]}}`,
				name, k+1, x, x+0.01, x+0.01, x))
		}
		src := filepath.Join(dir, name+".geojson")
		if err := os.WriteFile(src, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-f", "GPKG", "-nln", name, p, src}
		if i > 0 {
			args = append([]string{"-update"}, args...)
		}
		if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v\n%s", err, out)
		}
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportSourceLayer: a file with several polygon layers fails the
// preview with choose_layer and the layers (name, geometry, feature count,
// CRS) to choose from; sent again with source_layer, that layer is read.
// Imported as zones, a layer called zones is read without asking.
func TestImportSourceLayer(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	gpkg := twoLayerGPKG(t, "地块", "红线")
	j := e.upload("editor", "two.gpkg", gpkg, nil)
	e0, _ := j["error"].(map[string]any)
	layers, _ := e0["layers"].([]any)
	if j["state"] != "failed" || e0["code"] != "choose_layer" || len(layers) != 2 {
		t.Fatalf("two layers, none chosen: %s", toJSON(j))
	}
	second, _ := layers[1].(map[string]any)
	if second["name"] != "红线" || second["features"] != float64(2) || !strings.Contains(fmt.Sprint(second["geometry"]), "Polygon") ||
		!strings.HasPrefix(fmt.Sprint(second["crs"]), "EPSG:4326") {
		t.Errorf("layer listed as %s", toJSON(second))
	}
	j = e.upload("editor", "two.gpkg", gpkg, map[string]string{"source_layer": "红线"})
	p, _ := j["result"].(map[string]any)
	if j["state"] != "waiting" || p["features"] != float64(2) {
		t.Fatalf("with source_layer: %s", toJSON(j))
	}
	j = e.upload("editor", "two.gpkg", gpkg, map[string]string{"source_layer": "道路"})
	if e0, _ := j["error"].(map[string]any); j["state"] != "failed" || e0["code"] != "layer_not_found" || len(e0["layers"].([]any)) != 2 {
		t.Errorf("unknown source_layer: %s", toJSON(j))
	}
	// wanmu's own export: zones is read for a zones import.
	j = e.upload("editor", "wanmu.gpkg", twoLayerGPKG(t, "platforms", "zones"), nil)
	p, _ = j["result"].(map[string]any)
	if j["state"] != "waiting" || p["features"] != float64(2) || !strings.Contains(toJSON(p["warnings"]), "读取了图层 zones") {
		t.Fatalf("wanmu's GeoPackage as zones: %s", toJSON(j))
	}
	if status, b := e.postUpload("editor", "two.gpkg", gpkg, map[string]string{"source_layer": "a\x01b"}); status != 422 || !strings.Contains(string(b), "source_layer") {
		t.Errorf("a control character in source_layer: %d %s", status, b)
	}
}
