package geomcheck_test

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/geomcheck"
)

const (
	ring     = `[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.42],[119.86,28.40]]`
	hole     = `[[119.865,28.405],[119.87,28.405],[119.87,28.41],[119.865,28.405]]`
	polygon  = `{"type":"Polygon","coordinates":[` + ring + `]}`
	lonLatGK = "[[40492359.95,3148425.44],[40492459.95,3148425.44],[40492459.95,3148525.44],[40492359.95,3148425.44]]"
)

func poly(rings ...string) string {
	return `{"type":"Polygon","coordinates":[` + strings.Join(rings, ",") + `]}`
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		parts int
		rings []int // rings per part
	}{
		{"polygon", polygon, 1, []int{1}},
		{"polygon with a hole", poly(ring, hole), 1, []int{2}},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[` + ring + `],[` + ring + `,` + hole + `]]}`, 2, []int{1, 2}},
		{"positions with a height", `{"type":"Polygon","coordinates":[[[119.86,28.40,12],[119.88,28.40,12],[119.88,28.42,12],[119.86,28.40,12]]]}`, 1, []int{1}},
		{"members in another order and extra members", `{"coordinates":[` + ring + `],"bbox":[1,2,3,4],"type":"Polygon","crs":null}`, 1, []int{1}},
		{"surrounding white space", " \n" + polygon + "\t", 1, []int{1}},
		{"repeated consecutive positions", `{"type":"Polygon","coordinates":[[[119.86,28.40],[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]]}`, 1, []int{1}},
		// Self-intersections are PostGIS's to judge, not Decode's.
		{"bow-tie passes the structural check", poly(`[[119.86,28.40],[119.88,28.42],[119.88,28.40],[119.86,28.42],[119.86,28.40]]`), 1, []int{1}},
		{"corners of China's box", poly(`[[73,3],[136,3],[136,54],[73,3]]`), 1, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := geomcheck.Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(mp) != tt.parts {
				t.Fatalf("%d polygons, want %d", len(mp), tt.parts)
			}
			for i, p := range mp {
				if len(p) != tt.rings[i] {
					t.Errorf("polygon %d has %d rings, want %d", i, len(p), tt.rings[i])
				}
			}
		})
	}
	mp, err := geomcheck.Decode([]byte(polygon))
	if err != nil {
		t.Fatal(err)
	}
	want := orb.Ring{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}
	if !mp[0][0].Equal(want) {
		t.Errorf("ring %v, want %v", mp[0][0], want)
	}
}

// TestDecodeRefuses checks that each broken geometry is refused with the
// path of the wrong part and a message that says what is wrong. Cases
// marked with a bug id fail until that bug (testdata/badinput/README.md in
// internal/api) is fixed.
func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		name, in string
		path     string // the Error's Path
		msg      string // substring of its Message
		bug      string
	}{
		{"empty input", ``, "", "geometry is missing", ""},
		{"null", `null`, "", "geometry is missing", ""},
		{"no type", `{"coordinates":[` + ring + `]}`, "type", "geometry has no type", ""},
		{"no type, no coordinates", `{}`, "type", "geometry has no type", ""},
		{"Point", `{"type":"Point","coordinates":[119.86,28.40]}`, "type", `"Point" is not accepted: zones are areas`, ""},
		{"LineString", `{"type":"LineString","coordinates":[[119.86,28.40],[119.88,28.40]]}`, "type", `"LineString" is not accepted`, ""},
		{"MultiLineString", `{"type":"MultiLineString","coordinates":[[[119.86,28.40],[119.88,28.40]]]}`, "type", `"MultiLineString" is not accepted`, ""},
		{"MultiPoint", `{"type":"MultiPoint","coordinates":[[119.86,28.40]]}`, "type", `"MultiPoint" is not accepted`, ""},
		{"GeometryCollection", `{"type":"GeometryCollection","geometries":[` + polygon + `]}`, "type", `"GeometryCollection" is not accepted`, ""},
		{"Feature", `{"type":"Feature","geometry":` + polygon + `}`, "type", `"Feature" is not accepted`, ""},
		{"lower-case type", `{"type":"polygon","coordinates":[` + ring + `]}`, "type", `unknown geometry type "polygon"`, ""},
		{"no coordinates", `{"type":"Polygon"}`, "coordinates", "geometry has no coordinates", ""},
		{"null coordinates", `{"type":"MultiPolygon","coordinates":null}`, "coordinates", "geometry has no coordinates", ""},
		{"empty polygon", `{"type":"Polygon","coordinates":[]}`, "coordinates", "the polygon is empty", ""},
		{"empty multipolygon", `{"type":"MultiPolygon","coordinates":[]}`, "coordinates", "the MultiPolygon is empty", ""},
		{"empty part", `{"type":"MultiPolygon","coordinates":[[` + ring + `],[]]}`, "coordinates[1]", "the polygon is empty", ""},
		{"unclosed ring", poly(`[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.42]]`), "coordinates[0]", "the outer ring is not closed: its last position [119.86 28.42] must repeat its first [119.86 28.4]", ""},
		{"unclosed hole", poly(ring, `[[119.865,28.405],[119.87,28.405],[119.87,28.41],[119.866,28.405]]`), "coordinates[1]", "the hole 1 is not closed", ""},
		{"three positions", poly(`[[119.86,28.40],[119.88,28.40],[119.86,28.40]]`), "coordinates[0]", "the outer ring has 3 positions; a ring needs at least 4", ""},
		{"empty ring", poly(`[]`), "coordinates[0]", "has 0 positions", ""},
		{"hole of three positions", poly(ring, `[[119.865,28.405],[119.87,28.405],[119.865,28.405]]`), "coordinates[1]", "the hole 1 has 3 positions", ""},
		{"one point four times", poly(`[[119.86,28.40],[119.86,28.40],[119.86,28.40],[119.86,28.40]]`), "coordinates[0]", "fewer than 3 distinct corners", ""},
		{"two points back and forth", poly(`[[119.86,28.40],[119.88,28.40],[119.86,28.40],[119.88,28.40],[119.86,28.40]]`), "coordinates[0]", "fewer than 3 distinct corners", ""},
		{"position of one number", poly(`[[119.86,28.40],[119.88],[119.88,28.42],[119.86,28.40]]`), "coordinates[0][1]", "not 1 numbers", ""},
		{"position of four numbers", poly(`[[119.86,28.40,1,2],[119.88,28.40],[119.88,28.42],[119.86,28.40]]`), "coordinates[0][0]", "not 4 numbers", ""},
		{"longitude out of range", poly(`[[200,28.40],[119.88,28.40],[119.88,28.42],[200,28.40]]`), "coordinates[0][0]", "[200, 28.4] is out of range", ""},
		{"latitude out of range", poly(`[[119.86,28.40],[119.88,-91],[119.88,28.42],[119.86,28.40]]`), "coordinates[0][1]", "is out of range", ""},
		{"swapped around 丽水", poly(`[[28.40,119.86],[28.40,119.88],[28.42,119.88],[28.40,119.86]]`), "coordinates[0][0]", "GeoJSON order is longitude first", ""},
		{"swapped inside the range", poly(`[[40,80],[40,80.1],[40.1,80.1],[40,80]]`), "coordinates[0][0]", "would be inside it with longitude and latitude swapped", ""},
		{"outside China", poly(`[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]`), "coordinates[0][0]", "lies far outside China", ""},
		{"Gauss-Kruger 4528", poly(lonLatGK), "coordinates[0][0]", "(easting, northing, EPSG:4528)", ""},
		{"Gauss-Kruger 4528 survey order", poly(`[[3148425.44,40492359.95],[3148425.44,40492459.95],[3148525.44,40492459.95],[3148425.44,40492359.95]]`), "coordinates[0][0]", "(northing (X), easting (Y), EPSG:4528)", ""},
		{"Gauss-Kruger 4549", poly(`[[492359.95,3148425.44],[492459.95,3148425.44],[492459.95,3148525.44],[492359.95,3148425.44]]`), "coordinates[0][0]", "(easting, northing, EPSG:4549)", ""},
		{"Gauss-Kruger 4549 survey order", poly(`[[3148425.44,492359.95],[3148425.44,492459.95],[3148525.44,492459.95],[3148425.44,492359.95]]`), "coordinates[0][0]", "(northing (X), easting (Y), EPSG:4549)", ""},
		{"Gauss-Kruger in the second part", `{"type":"MultiPolygon","coordinates":[[` + ring + `],[` + lonLatGK + `]]}`, "coordinates[1][0][0]", "EPSG:4528", ""},
		{"Gauss-Kruger written as the surveyor wrote it", poly(lonLatGK), "coordinates[0][0]", "[40492359.95, 3148425.44] looks like Gauss-Kruger", "B11"},
		{"unclosed ring written as the surveyor wrote it", poly(`[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40000001]]`), "coordinates[0]", "[119.86 28.40000001]", ""},
		// B3: errors of the JSON decoder must be turned into planner's words
		// with the path, never show Go types.
		{"geometry as a string", `"POLYGON((119.86 28.40, 119.88 28.40, 119.88 28.42, 119.86 28.40))"`, "", "geometry is not a GeoJSON object", "B3"},
		{"geometry as an array", `[` + ring + `]`, "", "geometry is not a GeoJSON object", "B3"},
		{"type as a number", `{"type":7,"coordinates":[` + ring + `]}`, "type", "type", "B3"},
		{"coordinates as an object", `{"type":"Polygon","coordinates":{"x":1}}`, "coordinates", "", "B3"},
		{"coordinates as a string", `{"type":"MultiPolygon","coordinates":"[[[1,2]]]"}`, "coordinates", "", "B3"},
		{"one bracket level short", `{"type":"Polygon","coordinates":` + ring + `}`, "coordinates[0][0]", "", "B3"},
		{"multipolygon one level short", `{"type":"MultiPolygon","coordinates":[` + ring + `]}`, "coordinates[0][0][0]", "", "B3"},
		{"NaN as a string", poly(`[[119.86,28.40],["NaN",28.40],[119.88,28.42],[119.86,28.40]]`), "coordinates[0][1]", "", "B3"},
		{"number as a string", poly(`[[119.86,28.40],[119.88,"28.40"],[119.88,28.42],[119.86,28.40]]`), "coordinates[0][1]", "", "B3"},
		{"position as an object", poly(`[[119.86,28.40],{"x":119.88,"y":28.40},[119.88,28.42],[119.86,28.40]]`), "coordinates[0][1]", "", "B3"},
		{"coordinate true", poly(`[[119.86,28.40],[119.88,28.40],[119.88,true],[119.86,28.40]]`), "coordinates[0][2]", "", "B3"},
		{"1e999", poly(`[[119.86,28.40],[1e999,28.40],[119.88,28.42],[119.86,28.40]]`), "coordinates[0][1]", "finite", "B3"},
		{"-1e999 height", poly(`[[119.86,28.40,-1e999],[119.88,28.40],[119.88,28.42],[119.86,28.40]]`), "coordinates[0][0]", "finite", "B3"},
		{"1e999 in the second part", `{"type":"MultiPolygon","coordinates":[[` + ring + `],[[[119.86,28.40],[119.88,28.40],[119.88,1e999],[119.86,28.40]]]]}`, "coordinates[1][0][2]", "finite", "B3"},
		{"broken JSON", `{"type":"Polygon","coordinates":[[[119.86,28.40]`, "", "not a GeoJSON object", ""},
	}
	for _, tt := range tests {
		name := tt.name
		if tt.bug != "" {
			name += " (bug " + tt.bug + ")"
		}
		t.Run(name, func(t *testing.T) {
			_, err := geomcheck.Decode([]byte(tt.in))
			if err == nil {
				t.Fatal("accepted")
			}
			var ge *geomcheck.Error
			if !errors.As(err, &ge) {
				t.Fatalf("error %T %v is not a *geomcheck.Error", err, err)
			}
			if ge.Path != tt.path {
				t.Errorf("path %q, want %q (%v)", ge.Path, tt.path, err)
			}
			if !strings.Contains(ge.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", ge.Message, tt.msg)
			}
			for _, internal := range []string{"Go value", "Go struct", "json:", "[]float64", "struct {", "reflect"} {
				if strings.Contains(ge.Message, internal) {
					t.Errorf("message shows decoder internals (%q): %s", internal, ge.Message)
				}
			}
			if want := tt.path + ": "; tt.path != "" && !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() %q does not start with the path", err.Error())
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	square := func(i int) string { // the i-th of 100×101 small squares
		x, y := 119+float64(i%100)*0.002, 28+float64(i/100)*0.002
		return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", x, y, x+0.001, y, x+0.001, y+0.001, x, y)
	}
	repeat := func(n int, f func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, ",")
	}
	ringOf := func(n int) string { // n positions, closed
		b := []byte("[")
		for i := range n - 1 {
			b = append(b, '[')
			b = strconv.AppendFloat(b, 119.9+0.01*float64(i%2), 'f', 6, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, 28.4+0.000001*float64(i), 'f', 6, 64)
			b = append(b, "],"...)
		}
		return string(append(b, "[119.900000,28.400000]]"...))
	}
	tests := []struct {
		name, in string
		ok       bool
		msg      string
	}{
		{"200,000 positions", poly(ringOf(geomcheck.MaxVertices)), true, ""},
		{"200,001 positions", poly(ringOf(geomcheck.MaxVertices + 1)), false, "more than 200000 positions"},
		{"200,001 positions over two parts", `{"type":"MultiPolygon","coordinates":[[` + ringOf(100_000) + `],[` + ringOf(100_001) + `]]}`, false, "more than 200000 positions"},
		{"200,001 positions over two rings", poly(ringOf(100_000), ringOf(100_001)), false, "more than 200000 positions"},
		{"10,000 parts", `{"type":"MultiPolygon","coordinates":[` + repeat(geomcheck.MaxParts, func(i int) string { return "[" + square(i) + "]" }) + `]}`, true, ""},
		{"10,001 parts", `{"type":"MultiPolygon","coordinates":[` + repeat(geomcheck.MaxParts+1, func(i int) string { return "[" + square(i) + "]" }) + `]}`, false, "the MultiPolygon has 10001 polygons; at most 10000"},
		{"10,000 rings", poly(repeat(geomcheck.MaxRings, square)), true, ""},
		{"10,001 rings", poly(repeat(geomcheck.MaxRings+1, square)), false, "the polygon has 10001 rings; at most 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := geomcheck.Decode([]byte(tt.in))
			switch {
			case tt.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tt.ok && err == nil:
				t.Fatal("accepted")
			case !tt.ok && !strings.Contains(err.Error(), tt.msg):
				t.Fatalf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

// TestDecodeMemory bounds what it costs to refuse a geometry that is over
// the limits: 700,000 empty rings, or 300,000 positions, in about 2 MB (an
// 8 MB body holds four times as many). Refusing them must not cost far more
// memory than the body itself (bug B16: Decode unmarshals everything before
// counting, about 55 times the body for empty rings).
func TestDecodeMemory(t *testing.T) {
	for _, tt := range []struct{ name, body string }{
		{"empty rings", `{"type":"Polygon","coordinates":[` + strings.Repeat("[],", 700_000) + `[]]}`},
		{"positions", `{"type":"Polygon","coordinates":[[` + strings.Repeat("[99,9],", 300_000) + `[99,9]]]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := geomcheck.Decode([]byte(tt.body))
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("accepted")
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("refusing %d bytes allocates %d MB: %v", len(tt.body), alloc>>20, err)
			if limit := uint64(4 * len(tt.body)); alloc > limit {
				t.Errorf("refusing a %d-byte geometry allocates %d MB, more than 4× its size: count before decoding (bug B16)", len(tt.body), alloc>>20)
			}
		})
	}
}
