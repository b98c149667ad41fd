package api_test

import (
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/region"
)

// TestGaussKrugerHintOfTheRegion: Gauss-Kruger metres posted as degrees are
// recognised in the region's zone (here a made-up city in zone 41), and the
// hint names that zone's CRSs, for zones and for the measuring tool.
func TestGaussKrugerHintOfTheRegion(t *testing.T) {
	rg, err := region.Parse([]byte(`{"adcode": "339900", "name": "海州市", "short": "海州",
		"extent": {"min_lon": 121.0, "min_lat": 27.5, "max_lon": 123.0, "max_lat": 29.0},
		"counties": [{"adcode": "339901", "name": "东港区", "lon": 121.6, "lat": 28.4}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, api.Options{Region: rg})
	geom := `{"type":"Polygon","coordinates":[[[492359.95,3148425.44],[492459.95,3148425.44],[492459.95,3148525.44],[492359.95,3148425.44]]]}`
	want := "looks like Gauss-Kruger metres (easting, northing, EPSG:4550), not longitude/latitude: reproject to EPSG:4490 first, or import the file with its CRS set to EPSG:4529 (easting with the 41 zone prefix) or EPSG:4550"
	for _, r := range []resp{
		e.do(req{method: "POST", path: "/api/v1/zones", role: "editor",
			body: `{"type":"Feature","geometry":` + geom + `,"properties":{"kind":"park","name":"港区园区","county_adcode":"339901"}}`}),
		e.do(req{method: "POST", path: "/api/v1/measure", role: "viewer", body: geom}),
	} {
		if r.status < 400 || r.status >= 500 || !strings.Contains(string(r.body), want) {
			t.Errorf("%d %s", r.status, r.body)
		}
	}
}
