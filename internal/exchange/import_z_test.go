package exchange

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestInspectDropsZ: elevations are dropped and said once, with the number
// of features that had them; zero elevations are no elevation.
func TestInspectDropsZ(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	square := func(name string, lon, z float64) string {
		pt := func(x, y float64) string { return "[" + num(x) + "," + num(y) + "," + num(z) + "]" }
		return `{"type":"Feature","properties":{"name":"` + name + `"},"geometry":{"type":"Polygon","coordinates":[[` +
			pt(lon, 28.4) + "," + pt(lon+0.01, 28.4) + "," + pt(lon+0.01, 28.41) + "," + pt(lon, 28.4) + `]]}}`
	}
	for _, tc := range []struct {
		name string
		zs   []float64
		want string
	}{
		{"elevations", []float64{12.5, 0, 310}, "已忽略 Z 值（高程）：2 个要素带有高程"},
		{"zero z", []float64{0, 0, 0}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs []string
			for i, z := range tc.zs {
				fs = append(fs, square(string(rune('甲'+i)), 119.9+0.02*float64(i), z))
			}
			src := filepath.Join(dir, tc.name+".geojson")
			os.WriteFile(src, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), 0o600)
			gpkg := filepath.Join(dir, tc.name+".gpkg")
			runGDAL(t, "ogr2ogr", "-f", "GPKG", "-nln", "zones", gpkg, src)
			ds, err := Inspect(context.Background(), gpkg, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var z []string
			for _, w := range ds.Warnings {
				if strings.Contains(w, "Z 值") {
					z = append(z, w)
				}
			}
			switch {
			case tc.want == "" && len(z) > 0:
				t.Errorf("warned about zero elevations: %q", z)
			case tc.want != "" && (len(z) != 1 || !strings.Contains(z[0], tc.want)):
				t.Errorf("Z warnings %q, want one saying %q", z, tc.want)
			}
			if len(ds.Features) != 3 {
				t.Errorf("%d features", len(ds.Features))
			}
		})
	}
}

// TestGDALChatterHidden: GDAL's notes about its own progress reporting are
// not passed on as warnings; real ones are.
func TestGDALChatterHidden(t *testing.T) {
	stderr := "Warning 1: Progress turned off as fast feature count is not available.\n" +
		"Warning 1: Field 名称 of width 300 truncated to 254.\n" +
		"Warning 1: Progress turned off as fast feature count is not available.\n" +
		"ERROR 1: PROJ: tmerc: Invalid latitude\n"
	got := gdalMessages(stderr, "Warning")
	if !slices.Equal(got, []string{"Field 名称 of width 300 truncated to 254."}) {
		t.Errorf("warnings %q", got)
	}
	if got := gdalMessages(stderr, "ERROR"); !slices.Equal(got, []string{"PROJ: tmerc: Invalid latitude"}) {
		t.Errorf("errors %q", got)
	}
	// GDAL says it for a CSV read with progress reporting on.
	requireGDAL(t)
	p := filepath.Join(t.TempDir(), "zones.csv")
	os.WriteFile(p, []byte("name,WKT\r\na,\"POLYGON ((119.9 28.44,119.91 28.44,119.91 28.45,119.9 28.44))\"\r\n"), 0o600)
	var calls int
	ds, err := Inspect(context.Background(), p, ImportOptions{Progress: func(int64, int64) { calls++ }})
	if err != nil || calls == 0 {
		t.Fatalf("Inspect: %v, %d progress calls", err, calls)
	}
	for _, w := range ds.Warnings {
		if strings.Contains(w, "Progress") || strings.Contains(w, "GDAL") {
			t.Errorf("GDAL chatter shown: %q", w)
		}
	}
}

// TestHandoverImportsAsZones: wanmu's own handover package, imported as
// zones, reads the zones layer of its GeoPackage without asking; the other
// layers are listed for any other import.
func TestHandoverImportsAsZones(t *testing.T) {
	requireGDAL(t)
	var buf bytes.Buffer
	pkg := testPackage(false)
	if err := Handover(context.Background(), &buf, pkg, HandoverOptions{CRS: CRS4528, Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "handover.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	ds, err := Inspect(context.Background(), p, ImportOptions{Zones: true})
	if err != nil {
		t.Fatal(err)
	}
	_, inside, _ := strings.Cut(ds.Layer, ".gpkg:")
	if !isZonesName(inside) || len(ds.Features) != len(pkg.Zones.Features) || !strings.HasPrefix(ds.SourceCRS, CRS4528) {
		t.Errorf("read layer %q (%d features, %s), want the GeoPackage's zones", ds.Layer, len(ds.Features), ds.SourceCRS)
	}
	if ds.Features[1].Properties["name"] != pkg.Zones.Features[1].Properties["name"] {
		t.Errorf("feature 2: %v", ds.Features[1].Properties)
	}
	_, err = Inspect(context.Background(), p, ImportOptions{})
	var xe *Error
	if !errors.As(err, &xe) || xe.Code != CodeChooseLayer || len(xe.Layers) != 2*len(pkg.layers()) {
		t.Errorf("handover as a constraint layer: %v; want choose_layer listing %d layers", err, 2*len(pkg.layers()))
	}
}
