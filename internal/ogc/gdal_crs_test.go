package ogc_test

import (
	"encoding/json"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// gdalPartTwo reports whether GDAL's OAPIF driver requests a CRS (Part 2,
// GDAL 3.7 and later: the CRS open option). GDAL 3.6's does not: it asks
// for CRS84 and labels every layer WGS 84.
func gdalPartTwo(t testing.TB) bool {
	out, _, err := gdal(t, "", "ogrinfo", "--format", "OAPIF")
	return err == nil && strings.Contains(out, `name="CRS"`)
}

// readGeoJSON reads the vertices of every feature of a GeoJSON file of
// MultiPolygons or Polygons, in file order.
func readGeoJSON(t *testing.T, path string) [][][2]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out [][][2]float64
	for _, f := range fc.Features {
		var pts [][2]float64
		var mp [][][][2]float64
		if f.Geometry.Type == "Polygon" {
			var p [][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			mp = [][][][2]float64{p}
		} else {
			err = json.Unmarshal(f.Geometry.Coordinates, &mp)
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, p := range mp {
			for _, r := range p {
				pts = append(pts, r...)
			}
		}
		out = append(out, pts)
	}
	return out
}

// TestGDALCRS reads the zones in each CRS of Part 2 with GDAL and checks
// them against PROJ. PROJ projects the CRS84 zones that GDAL's OAPIF
// driver reads (ogr2ogr -t_srs EPSG:4528 …); GDAL's GeoJSON driver reads
// the server's ?crs= pages. GeoJSON readers take the first coordinate as
// x, so where the server follows the EPSG axis order (latitude or
// northing first) the two agree once swapped: to a millimetre in metres,
// 1e-9° in degrees. With GDAL 3.7 or later the OAPIF driver itself asks
// for the CRS (-oo CRS=EPSG:4528) and the layer must say EPSG:4528 and
// hold the zone where PROJ puts it.
func TestGDALCRS(t *testing.T) {
	requireOGR(t)
	e := newEnv(t, false)
	e.fixture()
	root := "OAPIF:" + e.srv.URL + "/ogc"
	token := e.tokens["viewer"]
	dir := t.TempDir()
	partTwo := gdalPartTwo(t)
	if !partTwo {
		t.Log("GDAL's OAPIF driver does not request a CRS here (GDAL < 3.7): the OAPIF layer is read in CRS84 only")
	}
	for _, c := range []struct {
		epsg int
		tol  float64
	}{{4490, 1e-9}, {4326, 1e-9}, {4528, 0.001}, {4549, 0.001}} {
		code := "EPSG:" + strconv.Itoa(c.epsg)
		ref := filepath.Join(dir, strconv.Itoa(c.epsg)+"-proj.geojson")
		if _, errOut, err := gdal(t, token, "ogr2ogr", "-f", "GeoJSON", "-t_srs", code, ref, root, "zones"); err != nil {
			t.Fatalf("ogr2ogr -t_srs %s: %v\n%s", code, err, errOut)
		}
		got := filepath.Join(dir, strconv.Itoa(c.epsg)+"-server.geojson")
		src := "GeoJSON:" + e.srv.URL + "/ogc/collections/zones/items?crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/"+strconv.Itoa(c.epsg))
		if _, errOut, err := gdal(t, token, "ogr2ogr", "-f", "GeoJSON", got, src); err != nil {
			t.Fatalf("ogr2ogr %s: %v\n%s", src, err, errOut)
		}
		want, have := readGeoJSON(t, ref), readGeoJSON(t, got)
		if len(want) != 3 || len(have) != len(want) {
			t.Fatalf("%s: %d zones from the server, %d through PROJ", code, len(have), len(want))
		}
		worst := 0.0
		for i := range want {
			if len(have[i]) != len(want[i]) {
				t.Fatalf("%s zone %d: %d vertices, PROJ %d", code, i, len(have[i]), len(want[i]))
			}
			for k, p := range want[i] {
				q := have[i][k]
				worst = max(worst, math.Abs(q[0]-p[1]), math.Abs(q[1]-p[0])) // axis order swapped
			}
		}
		t.Logf("%s: the server's coordinates, axes swapped, within %.3g of PROJ's", code, worst)
		if worst > c.tol {
			t.Errorf("%s: the server's coordinates are %g from PROJ's (axes swapped), more than %g", code, worst, c.tol)
		}

		if !partTwo {
			continue
		}
		out, errOut, err := gdal(t, token, "ogrinfo", "-ro", "-al", "-oo", "CRS="+code, root, "zones")
		if err != nil {
			t.Fatalf("ogrinfo -oo CRS=%s: %v\n%s", code, err, errOut)
		}
		if !strings.Contains(out, `ID["EPSG",`+strconv.Itoa(c.epsg)+`]`) {
			t.Errorf("ogrinfo -oo CRS=%s: the layer is not in %s:\n%s", code, code, out)
		}
		m := regexp.MustCompile(`MULTIPOLYGON \(\(\(([-0-9.e+]+) ([-0-9.e+]+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("ogrinfo -oo CRS=%s: no geometry:\n%s", code, out)
		}
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		if p := want[0][0]; math.Abs(x-p[0]) > max(c.tol, 1e-6) || math.Abs(y-p[1]) > max(c.tol, 1e-6) {
			t.Errorf("ogrinfo -oo CRS=%s: the first zone starts at %v %v, PROJ says %v", code, x, y, p)
		}
	}
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, "msg=request") && !strings.Contains(line, "status=200") {
			t.Errorf("a request of GDAL's failed: %s", line)
		}
	}
}
