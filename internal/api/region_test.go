package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/region"
)

// wenzhou is a made-up second region: two of 温州's divisions, the first
// moved east into Gauss-Kruger zone 41.
const wenzhou = `{
  "adcode": "330300", "name": "温州市", "short": "温州", "name_en": "Wenzhou",
  "extent": {"min_lon": 119.6, "min_lat": 27.0, "max_lon": 121.7, "max_lat": 28.4},
  "counties": [
    {"adcode": "330302", "name": "鹿城区", "short": "鹿城", "lon": 121.6, "lat": 28.0},
    {"adcode": "330328", "name": "文成县", "short": "文成", "lon": 120.09, "lat": 27.79}
  ]
}`

// TestSecondRegion: a server started with another city's region accepts its
// counties for zones, platforms and filters, refuses 丽水's with a message
// naming the region and its counties, and serves the region to the page.
func TestSecondRegion(t *testing.T) {
	rg, err := region.Parse([]byte(wenzhou))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, api.Options{Region: rg})
	zone := func(county string) string {
		return `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.08,27.78],[120.1,27.78],[120.1,27.8],[120.08,27.8],[120.08,27.78]]]},` +
			`"properties":{"kind":"park","name":"文成园区` + county + `","county_adcode":"` + county + `"}}`
	}
	if r := e.do(req{method: "POST", path: "/api/v1/zones", body: zone("330328"), role: "editor"}); r.status != http.StatusCreated {
		t.Fatalf("zone in 文成县: %d %s", r.status, r.body)
	}
	refused := func(what string, r resp, status int) {
		t.Helper()
		if r.status != status || !strings.Contains(string(r.body), `\"331102\" is not a county of 温州: use one of 330302 鹿城区, 330328 文成县`) {
			t.Errorf("%s: %d %s", what, r.status, r.body)
		}
	}
	refused("zone in 莲都区", e.do(req{method: "POST", path: "/api/v1/zones", body: zone("331102"), role: "editor"}), http.StatusUnprocessableEntity)
	refused("platform over 莲都区", e.do(req{method: "POST", path: "/api/v1/platforms", body: `{"name":"跨区","counties":["330302","331102"]}`, role: "editor"}), http.StatusUnprocessableEntity)
	refused("zone list of 莲都区", e.do(req{method: "GET", path: "/api/v1/zones?county=331102", role: "viewer"}), http.StatusBadRequest)
	if r := e.do(req{method: "POST", path: "/api/v1/platforms", body: `{"name":"瓯江片区","counties":["330302","330328"]}`, role: "editor"}); r.status != http.StatusCreated {
		t.Fatalf("platform over 鹿城 and 文成: %d %s", r.status, r.body)
	}
	r := e.do(req{method: "GET", path: "/api/v1/zones?county=330328", role: "viewer"})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "文成园区330328") {
		t.Errorf("zone list of 文成县: %d %s", r.status, r.body)
	}

	// Exports offer the region's Gauss-Kruger zones, 40 then 41.
	var formats struct {
		CRS []struct{ Code string } `json:"crs"`
	}
	if r := e.do(req{method: "GET", path: "/api/v1/exports/formats", role: "viewer"}); json.Unmarshal(r.body, &formats) != nil {
		t.Fatalf("formats: %d %s", r.status, r.body)
	}
	var codes []string
	for _, c := range formats.CRS {
		codes = append(codes, c.Code)
	}
	if got := strings.Join(codes, " "); got != "EPSG:4490 EPSG:4326 EPSG:4549 EPSG:4528 EPSG:4550 EPSG:4529" {
		t.Errorf("export CRSs: %s", got)
	}

	var cfg struct {
		Region region.Page `json:"region"`
	}
	r = e.do(req{method: "GET", path: "/api/v1/config", role: "viewer"})
	if err := json.Unmarshal(r.body, &cfg); err != nil {
		t.Fatalf("config %d: %v: %s", r.status, err, r.body)
	}
	g := cfg.Region
	if g.Adcode != "330300" || g.Short != "温州" || len(g.Counties) != 2 || g.Counties[0].Zone != 41 || g.Counties[1].Zone != 40 ||
		len(g.Zones) != 2 || g.Extent.MaxLon != 121.7 {
		t.Errorf("config region: %+v", g)
	}
}

// TestDefaultRegion: without a region the server is 丽水's, and says so.
func TestDefaultRegion(t *testing.T) {
	e := newEnv(t, api.Options{})
	r := e.do(req{method: "POST", path: "/api/v1/platforms", body: `{"name":"x","counties":["330302"]}`, role: "editor"})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `is not a county of 丽水: use one of 331102 莲都区, 331121 青田县`) {
		t.Errorf("platform in 鹿城区: %d %s", r.status, r.body)
	}
	r = e.do(req{method: "GET", path: "/api/v1/config"})
	if !strings.Contains(string(r.body), `"adcode":"331127","name":"景宁畲族自治县","short":"景宁","name_en":"Jingning"`) {
		t.Errorf("config: %s", r.body)
	}
}
