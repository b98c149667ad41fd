package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wanmu/internal/testdb"
	"wanmu/internal/testenv"
)

// TestImportSourceLayer: a file with two polygon layers is refused with
// the list of its layers, and --source-layer reads the one named.
func TestImportSourceLayer(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		testenv.Missing(t, "GDAL's ogr2ogr (Debian gdal-bin): %v", err)
	}
	t.Setenv("DATABASE_URL", testdb.ConnString(t))
	dir := t.TempDir()
	file := filepath.Join(dir, "two.gpkg")
	for i, name := range []string{"地块", "红线"} {
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
		args := []string{"-f", "GPKG", "-nln", name, file, src}
		if i > 0 {
			args = append([]string{"-update"}, args...)
		}
		if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v\n%s", err, out)
		}
	}
	cli := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		return out.String() + errb.String(), code
	}
	out, code := cli("import", file, "--layer", "zones", "--dry-run")
	if code == 0 || !strings.Contains(out, "--source-layer") || !strings.Contains(out, "红线\tPolygon\t2 features\tEPSG:4326") {
		t.Fatalf("two layers, none chosen: %d %s", code, out)
	}
	out, code = cli("import", file, "--layer", "zones", "--source-layer", "红线", "--dry-run")
	if code != 0 || !strings.Contains(out, "2 features") || !strings.Contains(out, "nothing written") {
		t.Fatalf("--source-layer 红线: %d %s", code, out)
	}
}
