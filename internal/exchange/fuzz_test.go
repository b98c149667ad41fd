package exchange

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// FuzzCheckZipName: an accepted name never leaves the extraction directory.
func FuzzCheckZipName(f *testing.F) {
	for _, s := range []string{"zones.shp", "../a", `..\a`, "/abs", "C:/x", "a/./b", "a/../b", "数据/分区.dbf", "a\x00", "..", "...", "a/...", `\\h\s`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		clean, err := checkZipName(name)
		if err != nil {
			if CodeOf(err) != CodeUnsafeArchive {
				t.Fatalf("error without unsafe_archive code: %v", err)
			}
			return
		}
		if clean == "" || strings.HasPrefix(clean, "/") || strings.Contains(clean, `\`) || strings.ContainsRune(clean, 0) || strings.Contains(clean, ":") {
			t.Fatalf("accepted %q as %q", name, clean)
		}
		for _, part := range strings.Split(clean, "/") {
			if part == ".." || part == "." || part == "" {
				t.Fatalf("accepted %q with component %q (%q)", name, part, clean)
			}
		}
	})
}

// FuzzParseCRS: parseCRS never panics and returns codes in range.
func FuzzParseCRS(f *testing.F) {
	for _, s := range []string{"EPSG:4528", "4549", "urn:ogc:def:crs:EPSG::4490", "CRS84", "EPSG:", "epsg:0", "EPSG:1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := parseCRS(s)
		if err == nil && code != 0 && (code < 1024 || code > 999999) {
			t.Fatalf("parseCRS(%q) = %d", s, code)
		}
		if err != nil && CodeOf(err) != CodeInvalidOption {
			t.Fatalf("error without invalid_option code: %v", err)
		}
	})
}

// FuzzClassifyPoint: whatever a coordinate is classified as, reading it in
// that CRS gives a position in or near China.
func FuzzClassifyPoint(f *testing.F) {
	f.Add(119.922, 28.451)
	f.Add(40492359.95, 3148425.44)
	f.Add(3148425.44, 40492359.95)
	f.Add(492359.95, 3148425.44)
	f.Add(0.0, 0.0)
	f.Add(math.MaxFloat64, -math.MaxFloat64)
	f.Fuzz(func(t *testing.T, x, y float64) {
		c, ok := classifyPoint(x, y, unprefixedEPSG(40))
		if !ok {
			return
		}
		k, known := lookupCRS(c.EPSG)
		if !known {
			t.Fatalf("(%v, %v) classified as unknown EPSG:%d", x, y, c.EPSG)
		}
		p := orb.Point{x, y}
		if c.Swapped {
			p = orb.Point{y, x}
		}
		ll := k.toLonLat(p)
		// Unprefixed eastings are read on CM 120°E, so allow a zone's width either side.
		if math.IsNaN(ll[0]) || math.IsNaN(ll[1]) || ll[0] < 60 || ll[0] > 150 || ll[1] < 0 || ll[1] > 60 {
			t.Fatalf("(%v, %v) as %+v lands at %v", x, y, c, ll)
		}
		g, ok := guessCRS([]coordSample{{orb.Point{x, y}, 0}}, unprefixedEPSG(40))
		if !ok || g.pointClass != c {
			t.Fatalf("guessCRS of a single point %+v, want %+v", g, c)
		}
	})
}

// FuzzSniff: format sniffing and text-encoding judgement never panic.
func FuzzSniff(f *testing.F) {
	gbk, _ := gbkBytes("丽水经济技术开发区")
	for _, s := range [][]byte{[]byte("PK\x03\x04"), []byte("\x89PNG"), []byte("  0\nSECTION\n"), []byte("<kml"), gbk, []byte("丽水"), {0xff, 0xfe, 0x81}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sniffBytes(b)
		v := sniffText([][]byte{b})
		if v == textASCII && !isASCII(b) {
			t.Fatalf("%q judged ASCII", b)
		}
		trimPartialGBK(b)
		validUTF8Prefix(b)
	})
}

// FuzzDecodeFeatureCollection: the streaming GeoJSON decoder never panics
// and keeps each feature's keys unique.
func FuzzDecodeFeatureCollection(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1,"b":"丽水","a":2.5},"geometry":{"type":"Point","coordinates":[1,2]}}]}`))
	f.Add([]byte(`{"features":[{"geometry":null,"properties":null}]}`))
	f.Add([]byte(`{"crs":{"type":"name"},"features":[{"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"n":12345678901234567890}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = decodeFeatureCollection(bytes.NewReader(b), func(g orb.Geometry, props map[string]any, keys []string, _ bool) error {
			seen := map[string]bool{}
			for _, k := range keys {
				if seen[k] {
					t.Fatalf("key %q twice", k)
				}
				seen[k] = true
				if _, ok := props[k]; !ok {
					t.Fatalf("key %q without value", k)
				}
			}
			return nil
		})
	})
}

// FuzzParseOgrinfo: parsing GDAL's text output never panics.
func FuzzParseOgrinfo(f *testing.F) {
	f.Add("Layer name: a\nGeometry: Polygon\nFeature Count: 3\nExtent: (1, 2) - (3, 4)\nLayer SRS WKT:\nGEOGCRS[\"x\",\n    ID[\"EPSG\",4490]]\nname: String\n")
	f.Add("Layer SRS WKT:\n")
	f.Fuzz(func(t *testing.T, s string) {
		parseOgrinfo(s)
	})
}

// FuzzDXFText: MTEXT cleaning never panics and keeps valid text valid.
func FuzzDXFText(f *testing.F) {
	f.Add(`{\fSimSun;丽水}\P经开区`)
	f.Add(`\`)
	f.Fuzz(func(t *testing.T, s string) {
		if out := cleanMText(s); utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("cleanMText(%q) = %q: not valid UTF-8", s, out)
		}
	})
}

// FuzzParseGeometryJSON: the fast geometry parser agrees with orb's
// encoding/json-based one wherever that one succeeds, and never panics.
func FuzzParseGeometryJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"Point","coordinates":[119.9,28.4]}`,
		`{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}`,
		`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2,3]},{"type":"LineString","coordinates":[[1,2],[3,4]]}]}`,
		`{"type":"MultiLineString","coordinates":[[[1e3,-2.5E-2],[3,4]]],"bbox":[1,2,3,4]}`,
		`null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		mine, err := parseGeometryJSON(b)
		ref, rerr := geojson.UnmarshalGeometry(b)
		if rerr != nil || err != nil || !json.Valid(b) {
			return
		}
		if want := orbGeometry(ref); !orb.Equal(mine, want) {
			t.Fatalf("%s: parsed %#v, orb %#v", b, mine, want)
		}
	})
}

// orbGeometry is the orb geometry of a decoded geojson.Geometry, including
// collections, which orb keeps apart.
func orbGeometry(g *geojson.Geometry) orb.Geometry {
	if g == nil {
		return nil
	}
	if g.Type != "GeometryCollection" {
		return g.Coordinates
	}
	c := orb.Collection{}
	for _, m := range g.Geometries {
		if x := orbGeometry(m); x != nil {
			c = append(c, x)
		}
	}
	return c
}

// FuzzCSVCell: a neutralised cell never starts a formula, and restoreCell
// gives the original text back.
func FuzzCSVCell(f *testing.F) {
	for _, s := range hostileCells {
		f.Add(s)
	}
	for _, s := range []string{"", "'", "''", "'''=", "-0", "+.5e-3", "-1e", "\t", "＝1+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := neutralizeCell(s)
		if formulaLike(n) {
			t.Fatalf("neutralizeCell(%q) = %q still starts a formula", s, n)
		}
		if r := restoreCell(n); r != s {
			t.Fatalf("restoreCell(neutralizeCell(%q)) = %q", s, r)
		}
		if !formulaLike(s) && !escapedCell(s) && n != s {
			t.Fatalf("neutralizeCell(%q) = %q changed a harmless cell", s, n)
		}
	})
}

// FuzzCheckCoordinates: the coordinate checks never panic, pass only
// finite longitudes and latitudes in range, and name the feature when they
// refuse one.
func FuzzCheckCoordinates(f *testing.F) {
	for _, s := range []string{
		`{"type":"Polygon","coordinates":[[[119.9,28.4],[1e308,28.4],[119.91,28.41],[119.9,28.4]]]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,95],[0,0]]]]}`,
		`{"type":"Point","coordinates":[-180,-90]}`,
		`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[181,2],[3,4]]}]}`,
		`{"type":"Polygon","coordinates":[[[40492359.95,3148425.44],[40492459.95,1e308],[40492459.95,3148525.44],[40492359.95,3148425.44]]]}`,
	} {
		f.Add([]byte(s))
	}
	gk, _ := lookupCRS(4528)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := parseGeometryJSON(b)
		if err != nil || g == nil {
			return
		}
		features := []Feature{{Geometry: g}}
		err = checkLonLat(features, 41)
		inRange := walkPoints(g, func(p orb.Point, _ position) bool {
			return finite(p[0]) && finite(p[1]) && math.Abs(p[0]) <= 180 && math.Abs(p[1]) <= 90
		})
		var xe *Error
		switch {
		case err == nil && !inRange:
			t.Fatalf("%s passed with a coordinate out of range", b)
		case err != nil && (inRange || !errors.As(err, &xe) || xe.Feature != 42 || xe.Code != CodeBadCoordinate):
			t.Fatalf("%s: %v", b, err)
		}
		if err := checkGaussKruger(features, 0, gk, false); err != nil && CodeOf(err) != CodeBadCoordinate {
			t.Fatalf("%s: %v", b, err)
		}
	})
}

// FuzzCSVCRS: the crs column reader never panics; it returns a valid code,
// a note that the column holds no codes, or an error naming a row.
func FuzzCSVCRS(f *testing.F) {
	for _, s := range []string{"name,crs\na,EPSG:4528\n", "crs\nEPSG:4528\nEPSG:4549\n", "a;crs\n1;x\n", "\xEF\xBB\xBFcrs\n\"EPSG:4490\n", "crs\r\n\r\n,,,\r\n4326"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		code, notCodes, err := csvCRS(bytes.NewReader(b))
		var xe *Error
		switch {
		case notCodes != "" && (code != 0 || err != nil):
			t.Fatalf("csvCRS(%q) = %d, %q, %v: not codes, yet a code or an error", b, code, notCodes, err)
		case err != nil && (!errors.As(err, &xe) || xe.Feature < 1 || code != 0):
			t.Fatalf("csvCRS(%q) = %d, %v", b, code, err)
		case err == nil && code != 0 && code < 1024:
			t.Fatalf("csvCRS(%q) = %d", b, code)
		}
	})
}

// FuzzShapefileHeaders: the .shp/.shx and .dbf header readers never panic
// and never count more records than the bytes can hold.
func FuzzShapefileHeaders(f *testing.F) {
	shp := make([]byte, 100)
	binary.BigEndian.PutUint32(shp[0:4], 9994)
	binary.BigEndian.PutUint32(shp[24:28], 50+4+6)
	binary.LittleEndian.PutUint32(shp[28:32], 1000)
	binary.LittleEndian.PutUint32(shp[32:36], 5)
	shp = append(shp, 0, 0, 0, 1, 0, 0, 0, 6, 5, 0, 0, 0)
	dbf := make([]byte, 33)
	dbf[0] = 3
	binary.LittleEndian.PutUint32(dbf[4:8], 86)
	binary.LittleEndian.PutUint16(dbf[8:10], 65)
	binary.LittleEndian.PutUint16(dbf[10:12], 11)
	for _, b := range [][]byte{shp, dbf, nil, make([]byte, 100), append(shp, 0, 0, 0, 2, 0x7f, 0xff, 0xff, 0xff)} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := parseShpHeader(b); err == nil && h.FileBytes < 0 {
			t.Fatalf("negative length %d", h.FileBytes)
		}
		if len(b) >= 100 {
			n, err := countShpRecords(bytes.NewReader(b), int64(len(b)))
			if err != nil || n < 0 || n > int64(len(b)-100)/8 {
				t.Fatalf("countShpRecords = %d, %v for %d bytes", n, err, len(b))
			}
		}
		if d, err := parseDBFHeader(b); err == nil {
			if r := d.rowsIn(int64(len(b))); r < 0 || r > d.Records || r > 0 && d.HeaderLen+r*d.RecordLen > int64(len(b)) {
				t.Fatalf("rowsIn = %d of %+v for %d bytes", r, d, len(b))
			}
		}
	})
}
