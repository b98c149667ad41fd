package exchange

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// TestImpossibleCoordinates: a coordinate that cannot be a place stops the
// import with an error naming the feature and the coordinate, instead of
// reaching the database (where 1e308 failed as an internal error).
func TestImpossibleCoordinates(t *testing.T) {
	requireGDAL(t)
	square := func(x0, y0, d float64) string {
		return "[[[" + num(x0) + "," + num(y0) + "],[" + num(x0+d) + "," + num(y0) + "],[" + num(x0+d) + "," + num(y0+d) + "],[" + num(x0) + "," + num(y0) + "]]]"
	}
	good := `{"type":"Feature","properties":{"name":"甲"},"geometry":{"type":"Polygon","coordinates":` + square(119.90, 28.40, 0.01) + `}}`
	for _, tc := range []struct {
		name, second, crs string
		want              []string
	}{
		{"1e308 longitude", `{"type":"Feature","properties":{"name":"乙"},"geometry":{"type":"Polygon","coordinates":[[[119.9,28.4],[1e308,28.4],[119.91,28.41],[119.9,28.4]]]}}`, "",
			[]string{"第 2 个要素第 1 个环第 2 个点的坐标 (1e+308, 28.4)", "feature 2: the coordinate (1e+308, 28.4) at ring 1, point 2"}},
		{"latitude 95", `{"type":"Feature","properties":{"name":"乙"},"geometry":{"type":"MultiPolygon","coordinates":[` + square(119.9, 28.4, 0.01) + `,[[[119.9,28.4],[119.91,28.4],[119.91,95],[119.9,28.4]]]]}}`, "",
			[]string{"第 2 个要素第 2 个部分第 1 个环第 3 个点的坐标 (119.91, 95) 纬度超出 ±90°", "latitude beyond ±90°"}},
		{"longitude 200", `{"type":"Feature","properties":{"name":"乙"},"geometry":{"type":"Polygon","coordinates":` + square(199.9, 28.4, 0.01) + `}}`, "EPSG:4490",
			[]string{"第 2 个要素第 1 个环第 1 个点的坐标 (199.9, 28.4) 经度超出 ±180°", "longitude beyond ±180°"}},
		{"Gauss-Kruger northing 1e308", `{"type":"Feature","properties":{"name":"乙"},"geometry":{"type":"Polygon","coordinates":[[[40492359.95,3148425.44],[40492459.95,1e308],[40492459.95,3148525.44],[40492359.95,3148425.44]]]}}`, "EPSG:4528",
			[]string{"第 2 个要素第 1 个环第 2 个点的坐标 (40492459.95, 1e+308) 不是 EPSG:4528", "is not a valid EPSG:4528"}},
		{"Gauss-Kruger easting far away", `{"type":"Feature","properties":{"name":"乙"},"geometry":{"type":"Polygon","coordinates":[[[40492359.95,3148425.44],[-9e9,3148425.44],[40492459.95,3148525.44],[40492359.95,3148425.44]]]}}`, "EPSG:4528",
			[]string{"第 2 个要素第 1 个环第 2 个点的坐标 (-9000000000, 3148425.44)", "within 3900 km of the central meridian"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := good
			if tc.crs == "EPSG:4528" {
				first = `{"type":"Feature","properties":{"name":"甲"},"geometry":{"type":"Polygon","coordinates":[[[40492359.95,3148425.44],[40492459.95,3148425.44],[40492459.95,3148525.44],[40492359.95,3148425.44]]]}}`
			}
			p := filepath.Join(t.TempDir(), "zones.geojson")
			if err := os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[`+first+",\n"+tc.second+`]}`), 0o600); err != nil {
				t.Fatal(err)
			}
			ds, err := Inspect(context.Background(), p, ImportOptions{CRS: tc.crs})
			var xe *Error
			if !errors.As(err, &xe) || xe.Code != CodeBadCoordinate || xe.Feature != 2 {
				t.Fatalf("Inspect = %v, %v; want a bad_coordinate error about feature 2", ds, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(xe.Message+" | "+xe.English, w) {
					t.Errorf("the error does not say %q:\n%s\n%s", w, xe.Message, xe.English)
				}
			}
		})
	}
}

func num(v float64) string { return formatCoord(v) }

func TestCheckLonLat(t *testing.T) {
	ok := []Feature{{Geometry: orb.Polygon{rect(119.9, 28.4, 119.91, 28.41)}}, {Geometry: nil}, {Geometry: orb.Point{-180, -90}}}
	if err := checkLonLat(ok, 0); err != nil {
		t.Fatalf("valid features: %v", err)
	}
	for _, tc := range []struct {
		g    orb.Geometry
		want string
	}{
		{orb.Point{math.NaN(), 28}, "feature 8: the coordinate (NaN, 28) at the point is not a finite number"},
		{orb.LineString{{1, 2}, {math.Inf(1), 2}}, "(+Inf, 2) at point 2 is not"},
		{orb.MultiLineString{{{1, 2}}, {{1, 2}, {1, -90.5}}}, "at line 2, point 2 has a latitude"},
		{orb.Collection{orb.Point{1, 2}, orb.Polygon{{{1, 2}, {181, 2}}}}, "at part 2, ring 1, point 2 has a longitude"},
	} {
		err := checkLonLat([]Feature{{Geometry: tc.g}}, 7)
		var xe *Error
		if !errors.As(err, &xe) || xe.Feature != 8 || !strings.Contains(xe.English, tc.want) {
			t.Errorf("checkLonLat(%v) = %v, want feature 8 and %q", tc.g, err, tc.want)
		}
	}
}
