package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/encoding/simplifiedchinese"

	"wanmu/internal/geodesy"
	"wanmu/internal/testenv"
)

// requireGDAL stops the test when the GDAL utilities are missing: skipped
// on a developer's machine, failed under CI (testenv.Missing decides).
func requireGDAL(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ogr2ogr", "ogrinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "%s not found: install gdal-bin", tool)
		}
	}
}

// runGDAL runs a GDAL utility and returns its stdout.
func runGDAL(t testing.TB, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// square returns a closed ring of a lon/lat rectangle.
func rect(lon0, lat0, lon1, lat1 float64) orb.Ring {
	return orb.Ring{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}
}

// areaOf is the CGCS2000 ellipsoidal area of a polygonal geometry in m².
func areaOf(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		return geodesy.EllipsoidalArea(g)
	case orb.MultiPolygon:
		return geodesy.EllipsoidalAreaMulti(g)
	}
	return 0
}

// testZones is a small zone layer around 丽水: a plain parcel, one with a
// hole, a two-part one and an irregular one, with Chinese names and the
// ellipsoidal areas the report would pass.
func testZones() ExportLayer {
	geoms := []orb.Geometry{
		orb.Polygon{rect(119.9000, 28.4400, 119.9100, 28.4500)},
		orb.Polygon{rect(119.8300, 28.3700, 119.8500, 28.3850), rect(119.8350, 28.3750, 119.8400, 28.3800)},
		orb.MultiPolygon{{rect(120.1000, 28.6000, 120.1050, 28.6050)}, {rect(120.1100, 28.6000, 120.1120, 28.6030)}},
		orb.Polygon{{{119.1234567, 28.0512345}, {119.1351234, 28.0498765}, {119.1409876, 28.0601234}, {119.1298765, 28.0687654}, {119.1187654, 28.0623456}, {119.1234567, 28.0512345}}},
	}
	names := []string{"丽水经济技术开发区", "空港园（丽水机场）", "缙云县壶镇工业功能区", "龙泉市\"剑瓷\"产业园"}
	counties := []string{"331102", "331102", "331122", "331181"}
	kinds := []string{"park", "park", "township", "park"}
	l := ExportLayer{Name: "zones", Title: "分区", Fields: []Field{
		{Name: "name", Type: FieldString, Title: "名称"},
		{Name: "kind", Type: FieldString, Title: "类型"},
		{Name: "county", Type: FieldString, Title: "县（市、区）代码"},
		{Name: "disposition", Type: FieldString, Title: "处置方式"},
		{Name: "area_m2", Type: FieldReal, Title: "面积（平方米）"},
		{Name: "area_mu", Type: FieldReal, Title: "面积（亩）"},
		{Name: "members", Type: FieldInteger, Title: "成员数"},
	}}
	disp := []string{"保留", "并", "提", "转"}
	for i, g := range geoms {
		m2 := areaOf(g)
		l.Features = append(l.Features, Feature{Geometry: g, Properties: map[string]any{
			"name": names[i], "kind": kinds[i], "county": counties[i], "disposition": disp[i],
			"area_m2": math.Round(m2*100) / 100, "area_mu": geodesy.Mu(m2), "members": int64(i + 1),
		}})
	}
	return l
}

// testPlatforms is a platform layer built from the zones.
func testPlatforms() ExportLayer {
	z := testZones()
	mp := orb.MultiPolygon{z.Features[0].Geometry.(orb.Polygon), z.Features[1].Geometry.(orb.Polygon)}
	m2 := areaOf(mp)
	return ExportLayer{Name: "platforms", Title: "平台", Fields: []Field{
		{Name: "name", Type: FieldString, Title: "平台名称"},
		{Name: "role", Type: FieldString, Title: "类型"},
		{Name: "area_m2", Type: FieldReal, Title: "毛面积（平方米）"},
		{Name: "area_mu", Type: FieldReal, Title: "毛面积（亩）"},
		{Name: "developable_mu", Type: FieldReal, Title: "可开发面积（亩）"},
		{Name: "meets", Type: FieldString, Title: "是否达标"},
	}, Features: []Feature{{Geometry: mp, Properties: map[string]any{
		"name": "丽水市级产业平台", "role": "一心", "area_m2": math.Round(m2*100) / 100, "area_mu": geodesy.Mu(m2),
		"developable_mu": geodesy.Mu(m2) * 0.8, "meets": false,
	}}}}
}

// exportFile runs Export into dir and returns the written file's path.
func exportFile(t testing.TB, dir string, layers []ExportLayer, opts ExportOptions) string {
	t.Helper()
	var buf bytes.Buffer
	name, _, err := Export(context.Background(), &buf, layers, opts)
	if err != nil {
		t.Fatalf("Export %s %s: %v", opts.Format, opts.CRS, err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// unzipTo unpacks a zip (trusted: made by the tests) into dir.
func unzipTo(t testing.TB, path, dir string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		target := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, err = b.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// readBack converts a layer of a data source to GeoJSON in EPSG:4490 with
// ogr2ogr and parses it with orb, independently of Inspect.
func readBack(t testing.TB, src, layer string, extra ...string) *geojson.FeatureCollection {
	t.Helper()
	args := append([]string{"-f", "GeoJSON", "-lco", "RFC7946=NO", "-t_srs", "EPSG:4490"}, extra...)
	args = append(args, "/vsistdout/", src)
	if layer != "" {
		args = append(args, layer)
	}
	out := runGDAL(t, "ogr2ogr", args...)
	fc, err := geojson.UnmarshalFeatureCollection([]byte(out))
	if err != nil {
		t.Fatalf("parse readback of %s: %v", src, err)
	}
	return fc
}

// layerEPSG returns the authority code ogrinfo reports for a layer.
func layerEPSG(t testing.TB, src, layer string) int {
	t.Helper()
	args := []string{"-ro", "-so", src}
	if layer != "" {
		args = append(args, layer)
	} else {
		args = append(args, "-al")
	}
	_, layers := parseOgrinfo(runGDAL(t, "ogrinfo", args...))
	if len(layers) == 0 {
		t.Fatalf("ogrinfo %s: no layers", src)
	}
	return layers[0].EPSG
}

// writeJSON writes v as JSON to path.
func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// maxVertexDistance returns the largest distance in degrees between
// corresponding vertices of two geometries of the same shape, or +Inf if
// their shapes differ. Rings may start elsewhere and run the other way.
func maxVertexDistance(a, b orb.Geometry) float64 {
	pa, pb := polygonsOf(a), polygonsOf(b)
	if len(pa) != len(pb) {
		return math.Inf(1)
	}
	var worst float64
	for i := range pa {
		if len(pa[i]) != len(pb[i]) {
			return math.Inf(1)
		}
		for k := range pa[i] {
			d := ringDistance(pa[i][k], pb[i][k])
			worst = max(worst, d)
		}
	}
	return worst
}

func polygonsOf(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// ringDistance matches every vertex of a to the nearest vertex of b.
func ringDistance(a, b orb.Ring) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var worst float64
	for _, p := range a {
		best := math.Inf(1)
		for _, q := range b {
			best = min(best, math.Hypot(p[0]-q[0], p[1]-q[1]))
		}
		worst = max(worst, best)
	}
	return worst
}

// metres converts a small lon/lat offset near 丽水 to metres.
func metres(dLonLat float64) float64 { return dLonLat * 111320 }

// gbkBytes encodes s as GBK.
func gbkBytes(s string) ([]byte, error) {
	return simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
}
