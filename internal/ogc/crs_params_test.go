package ogc_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"wanmu/internal/geodesy"
	"wanmu/internal/ogc"
	"wanmu/internal/problem"
)

// The crs and bbox-crs parameters, without a database: the forms accepted,
// the axis order of a bbox, and the 400s.
func TestCRSParams(t *testing.T) {
	parse := func(raw string) (ogc.ItemsQuery, error) {
		t.Helper()
		v, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		return ogc.ParseItemsQuery(v)
	}
	for in, want := range map[string]string{
		"":                ogc.CRS84,
		"crs=OGC:CRS84":   ogc.CRS84,
		"crs=EPSG:4528":   uri4528,
		"crs=epsg:4549":   uri4549,
		"crs=[EPSG:4490]": uri4490,
		"crs=" + uri4326:  uri4326,
		"crs=https://www.opengis.net/def/crs/EPSG/0/4528": uri4528,
	} {
		q, err := parse(in)
		if err != nil || q.CRS != want {
			t.Errorf("%q: crs %q, %v; want %q", in, q.CRS, err, want)
		}
		if c, err := ogc.ParseItemQuery(url.Values{"crs": {strings.TrimPrefix(in, "crs=")}}); in != "" && (err != nil || c != want) {
			t.Errorf("one feature, %q: crs %q, %v; want %q", in, c, err, want)
		}
	}

	// EPSG:4490 and 4326 boxes are latitude first; the box kept is lon/lat.
	for _, uri := range []string{uri4490, uri4326} {
		q, err := parse("bbox=28.2,119.7,0,28.3,119.8,50&bbox-crs=" + url.QueryEscape(uri)) // heights ignored
		if err != nil || q.BBoxCRS != uri || q.BBox.Min[0] != 119.7 || q.BBox.Min[1] != 28.2 || q.BBox.Max[0] != 119.8 || q.BBox.Max[1] != 28.3 {
			t.Errorf("bbox in %s: %+v, %v", uri, q.BBox, err)
		}
	}
	// A Gauss-Kruger box (northing first) becomes the lon/lat box that
	// encloses it: every corner inside, tight to a micro-degree.
	const s, w, n, e = 3120000.0, 40460000.0, 3130000.0, 40470000.0
	q, err := parse(fmt.Sprintf("bbox=%.0f,%.0f,%.0f,%.0f&bbox-crs=EPSG:4528", s, w, n, e))
	if err != nil {
		t.Fatal(err)
	}
	b := *q.BBox
	var lons, lats []float64
	for _, c := range [][2]float64{{s, w}, {s, e}, {n, w}, {n, e}} {
		lon, lat := geodesy.FromEPSG4528(c[0], c[1])
		if !b.Contains([2]float64{lon, lat}) {
			t.Errorf("corner %v (%v, %v) outside %v", c, lon, lat, b)
		}
		lons, lats = append(lons, lon), append(lats, lat)
	}
	// Its west edge is the west corners' longitude to 1e-6° (padding and
	// sampling), its north edge no lower than the north corners and not
	// far above them (a line of constant northing is no parallel).
	if d := min(lons[0], lons[2]) - b.Min[0]; d < 0 || d > 1e-6 {
		t.Errorf("west edge %v, west corners %v: %g° apart", b.Min[0], lons, d)
	}
	if d := max(lats[2], lats[3]) - b.Max[1]; d > 0 || d < -1e-3 {
		t.Errorf("north edge %v, north corners %v", b.Max[1], lats)
	}
	// The same box in EPSG:4549 (no zone prefix) is the same place.
	q2, err := parse(fmt.Sprintf("bbox=%.0f,%.0f,%.0f,%.0f&bbox-crs=EPSG:4549", s, w-40e6, n, e-40e6))
	if err != nil || *q2.BBox != b {
		t.Errorf("bbox in EPSG:4549: %v, %v; want %v", q2.BBox, err, b)
	}

	supported := strings.Join([]string{ogc.CRS84, uri4490, uri4326, uri4528, uri4549}, ", ")
	for in, want := range map[string]string{
		"crs=EPSG:3857":                                         `crs "EPSG:3857" is not served: use one of ` + supported,
		"crs=EPSG:4528x":                                        `crs "EPSG:4528x" is not served`,
		"bbox=1,2,3,4&bbox-crs=CRS84":                           `bbox-crs "CRS84" is not served: use one of ` + supported,
		"bbox-crs=EPSG:4326":                                    "bbox-crs is given without a bbox",
		"bbox=119.7,28.2,119.8,28.3&bbox-crs=EPSG:4326":         "is outside latitude -90…90 / longitude -180…180",
		"bbox=1,2,3&bbox-crs=EPSG:4549":                         "must be four numbers in its axis order (northing,easting in metres",
		"bbox=3130000,460000,3120000,470000&bbox-crs=EPSG:4549": "lower corner first",
		"bbox=3120000,460000,3130000,470000&bbox-crs=EPSG:4528": "outside zone 40",
		"bbox=NaN,460000,3130000,470000&bbox-crs=EPSG:4549":     "is not a number",
		"bbox=28.2,119.7,x,28.3,119.8,0&bbox-crs=EPSG:4490":     `bbox height "x" is not a number`,
	} {
		_, err := parse(in)
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != 400 || !strings.Contains(p.Detail, want) {
			t.Errorf("%q: %v, want 400 with %q", in, err, want)
		}
	}
}
