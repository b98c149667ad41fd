package ogc_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"wanmu/internal/ogc"
)

// A region in zone 41 is offered EPSG:4529 and 4550 (not 丽水's 4528 and
// 4549, which are refused with the list), in the collections, the OpenAPI
// document and the items, with PROJ's coordinates.
func TestCRSOfAnotherZone(t *testing.T) {
	e := newEnvWith(t, envOptions{zones: []int{41}, city: "舟山"})
	f := e.fixture()
	if title := e.get("/ogc", "application/json")["title"].(string); !strings.Contains(title, "舟山产业平台整合") {
		t.Errorf("the landing page's title %q does not name the region", title)
	}
	const (
		uri4529 = "http://www.opengis.net/def/crs/EPSG/0/4529"
		uri4550 = "http://www.opengis.net/def/crs/EPSG/0/4550"
	)
	want := []any{ogc.CRS84, uri4490, uri4326, uri4529, uri4550}
	for _, c := range e.get("/ogc/collections", "application/json")["collections"].([]any) {
		c := c.(map[string]any)
		if !slices.Equal(c["crs"].([]any), want) {
			t.Errorf("%s: crs %v, want %v", c["id"], c["crs"], want)
		}
	}
	if api := e.do("GET", "/ogc/api", "viewer"); !strings.Contains(string(api.body), uri4550) || strings.Contains(string(api.body), uri4549) {
		t.Errorf("the OpenAPI document does not list zone 41's CRSs only: %.300s", api.body)
	}
	// 119.86°E 28.40°N by gdaltransform -s_srs EPSG:4490 -t_srs EPSG:4529
	// (GDAL 3.6.2 / PROJ 9.1): 3° west of zone 41's central meridian.
	corners := map[string][2]float64{
		uri4529: {3146784.84732342, 41192206.7789568},
		uri4550: {3146784.84732342, 192206.778956753},
	}
	zone := f.zones[0]
	for uri, corner := range corners {
		path := fmt.Sprintf("/ogc/collections/zones/items/%d?crs=%s", zone.ID, url.QueryEscape(uri))
		r := e.do("GET", path, "viewer")
		if r.status != 200 || r.header.Get("Content-Crs") != "<"+uri+">" {
			t.Fatalf("%s: %d %s %s", path, r.status, r.header.Get("Content-Crs"), r.body)
		}
		if p := firstPoint(t, r.json(t)); !near(p, corner, 0.001) {
			t.Errorf("%s: first vertex %v, want %v", path, p, corner)
		}
	}
	for _, q := range []string{"crs=EPSG:4528", "bbox-crs=EPSG:4549&bbox=1,2,3,4"} {
		r := e.do("GET", "/ogc/collections/zones/items?"+q, "viewer")
		if r.status != 400 || !strings.Contains(string(r.body), "is not served: use one of") || !strings.Contains(string(r.body), uri4529+", "+uri4550) {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
}
