package ogc_test

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"

	"wanmu/internal/geodesy"
	"wanmu/internal/ogc"
)

const (
	uri4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
	uri4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	uri4528 = "http://www.opengis.net/def/crs/EPSG/0/4528"
	uri4549 = "http://www.opengis.net/def/crs/EPSG/0/4549"
)

// The south-west corner of cityZone (119.86°E, 28.40°N) in each CRS, in
// the CRS's axis order. The Gauss-Kruger figures are PROJ's (gdaltransform
// -s_srs EPSG:4490 -t_srs EPSG:4528 of GDAL 3.6.2 / PROJ 9.1), not
// internal/geodesy's: the server must agree with an outside reference.
var cityCorner = map[string][2]float64{
	ogc.CRS84: {119.86, 28.40},
	uri4490:   {28.40, 119.86},
	uri4326:   {28.40, 119.86},
	uri4528:   {3142778.79386042, 40486280.5158325},
	uri4549:   {3142778.79386042, 486280.515832522},
}

// firstPoint is the first vertex of a GeoJSON feature's MultiPolygon.
func firstPoint(t *testing.T, f map[string]any) [2]float64 {
	t.Helper()
	g := f["geometry"].(map[string]any)
	if g["type"] != "MultiPolygon" {
		t.Fatalf("geometry %v", g)
	}
	p := g["coordinates"].([]any)[0].([]any)[0].([]any)[0].([]any)
	return [2]float64{p[0].(float64), p[1].(float64)}
}

func near(a, b [2]float64, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

// Part 2: the collections declare their CRSs and storage CRS, items and a
// feature come in the CRS asked for, in its axis order, with Content-Crs,
// and the links keep the CRS.
func TestCRS(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()

	conf := e.get("/ogc/conformance", "application/json")
	if !slices.Contains(conf["conformsTo"].([]any), any("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs")) {
		t.Errorf("conformsTo lacks Part 2's crs: %v", conf["conformsTo"])
	}
	want := []any{ogc.CRS84, uri4490, uri4326, uri4528, uri4549}
	for _, c := range e.get("/ogc/collections", "application/json")["collections"].([]any) {
		c := c.(map[string]any)
		if !slices.Equal(c["crs"].([]any), want) || c["storageCrs"] != uri4490 {
			t.Errorf("%s: crs %v storageCrs %v", c["id"], c["crs"], c["storageCrs"])
		}
	}

	zone := f.zones[0]
	for uri, corner := range cityCorner {
		tol := 1e-12
		if strings.HasSuffix(uri, "/4528") || strings.HasSuffix(uri, "/4549") {
			tol = 0.001 // 1 mm against PROJ
		}
		// The URI, and the short form people type (EPSG:4528, OGC:CRS84).
		short := strings.Replace(strings.Replace(uri, "http://www.opengis.net/def/crs/EPSG/0/", "EPSG:", 1),
			"http://www.opengis.net/def/crs/OGC/1.3/", "OGC:", 1)
		for _, short := range []string{uri, short} {
			path := "/ogc/collections/zones/items?limit=1&crs=" + url.QueryEscape(short)
			r := e.do("GET", path, "viewer")
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			if got := r.header.Get("Content-Crs"); got != "<"+uri+">" {
				t.Errorf("%s: Content-Crs %q", path, got)
			}
			doc := r.json(t)
			ft := doc["features"].([]any)[0].(map[string]any)
			if ft["id"] != float64(zone.ID) {
				t.Fatalf("%s: first feature %v", path, ft["id"])
			}
			if p := firstPoint(t, ft); !near(p, corner, tol) {
				t.Errorf("%s: first vertex %v, want %v", path, p, corner)
			}
			// The next link keeps the CRS (in its URI form).
			if next := href(t, doc, "next", "application/geo+json"); uri != ogc.CRS84 && !strings.Contains(next, "crs="+url.QueryEscape(uri)) {
				t.Errorf("%s: next link %s", path, next)
			}
		}
		path := fmt.Sprintf("/ogc/collections/zones/items/%d?crs=%s", zone.ID, url.QueryEscape(uri))
		r := e.do("GET", path, "viewer")
		if r.status != 200 || r.header.Get("Content-Crs") != "<"+uri+">" {
			t.Fatalf("%s: %d %s %s", path, r.status, r.header.Get("Content-Crs"), r.body)
		}
		if p := firstPoint(t, r.json(t)); !near(p, corner, tol) {
			t.Errorf("%s: first vertex %v, want %v", path, p, corner)
		}
	}
	// Without crs: CRS84, said so.
	if r := e.do("GET", "/ogc/collections/platforms/items", "viewer"); r.header.Get("Content-Crs") != "<"+ogc.CRS84+">" {
		t.Errorf("platforms without crs: Content-Crs %q", r.header.Get("Content-Crs"))
	}
	// A platform's outline and a layer's parcels are projected too.
	p := e.get("/ogc/collections/platforms/items?crs="+url.QueryEscape(uri4528), "application/geo+json")
	if pt := firstPoint(t, p["features"].([]any)[0].(map[string]any)); pt[0] < 3e6 || pt[1] < 40e6 {
		t.Errorf("platform outline in EPSG:4528 starts at %v", pt)
	}

	// bbox-crs: the test box given latitude first in EPSG:4326 selects
	// what it selects in CRS84; given in Gauss-Kruger metres (the box
	// enclosing its corners) at least that, and nothing far off.
	items := "/ogc/collections/" + layerID(f.farmland) + "/items?limit=1000"
	count := func(q string) int {
		t.Helper()
		return len(e.get(items+q, "application/geo+json")["features"].([]any))
	}
	b := testBox
	latFirst := fmt.Sprintf("&bbox=%v,%v,%v,%v&bbox-crs=%s", b[1], b[0], b[3], b[2], url.QueryEscape(uri4326))
	if got, want := count(latFirst), parcelsIn(b); got != want {
		t.Errorf("bbox in EPSG:4326: %d parcels, want %d", got, want)
	}
	gk := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, c := range [][2]float64{{b[0], b[1]}, {b[2], b[1]}, {b[0], b[3]}, {b[2], b[3]}} {
		n, e := gkOf(c[0], c[1])
		gk = [4]float64{min(gk[0], n), min(gk[1], e), max(gk[2], n), max(gk[3], e)}
	}
	page := e.get(items+fmt.Sprintf("&bbox=%.3f,%.3f,%.3f,%.3f&bbox-crs=%s", gk[0], gk[1], gk[2], gk[3], url.QueryEscape(uri4528)), "application/geo+json")
	wider := [4]float64{b[0] - 0.002, b[1] - 0.002, b[2] + 0.002, b[3] + 0.002}
	if got := len(page["features"].([]any)); got < parcelsIn(b) || got > parcelsIn(wider) {
		t.Errorf("bbox in EPSG:4528: %d parcels, want %d…%d", got, parcelsIn(b), parcelsIn(wider))
	}
	if self := href(t, page, "self", "application/geo+json"); !strings.Contains(self, "bbox-crs="+url.QueryEscape(uri4528)) {
		t.Errorf("self link without the bbox-crs: %s", self)
	}

	for _, c := range []struct{ path, detail string }{
		{"/ogc/collections/zones/items?crs=EPSG:3857", `crs "EPSG:3857" is not served: use one of ` + ogc.CRS84 + ", " + uri4490 + ", " + uri4326 + ", " + uri4528 + ", " + uri4549},
		{"/ogc/collections/zones/items/1?crs=EPSG:4547", `crs "EPSG:4547" is not served: use one of`},
		{"/ogc/collections/zones/items?bbox=28,119,29,120&bbox-crs=urn:ogc:def:crs:EPSG::4326", `bbox-crs "urn:ogc:def:crs:EPSG::4326" is not served`},
		{"/ogc/collections/zones/items?bbox=119,28,120,29&bbox-crs=" + url.QueryEscape(uri4490), "is outside latitude -90…90 / longitude -180…180"},
		{"/ogc/collections/zones/items?bbox=29,120,28,119&bbox-crs=" + url.QueryEscape(uri4490), "lower corner first"},
		{"/ogc/collections/zones/items?bbox=486280,3142778,490000,3150000&bbox-crs=" + url.QueryEscape(uri4528), "is outside zone 40"},
		{"/ogc/collections/zones/items?crs=", `crs "" is not served`},
		{"/ogc/collections/zones/items?crs=EPSG:4528&crs=EPSG:4549", "is given 2 times"},
	} {
		r := e.do("GET", c.path, "viewer")
		if r.status != 400 || !strings.Contains(string(r.body), strings.ReplaceAll(c.detail, `"`, `\"`)) {
			t.Errorf("%s: %d %s, want 400 with %q", c.path, r.status, r.body, c.detail)
		}
	}
}

// gkOf is EPSG:4528's northing and easting of a CGCS2000 lon/lat.
func gkOf(lon, lat float64) (northing, easting float64) { return geodesy.ToEPSG4528(lon, lat) }
