package api_test

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"testing"

	"wanmu/internal/api"
)

// The zone list filters by disposition (the zone table's filter), alone and
// with the other filters; an unknown disposition is a 400. GET /zones/totals
// counts and adds up what the list holds under the same filters.
func TestZoneListDisposition(t *testing.T) {
	e := newEnv(t, api.Options{})
	mk := func(name, disp string, x float64) {
		body := fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%[1]g,28.4],[%[2]g,28.4],[%[2]g,28.41],[%[1]g,28.4]]]},"properties":{"kind":"township","name":%[3]q,"county_adcode":"331102","disposition":%[4]q}}`, x, x+0.01, name, disp)
		if r := e.do(req{method: "POST", path: "/api/v1/zones", role: "editor", body: body}); r.status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", name, r.status, r.body)
		}
	}
	mk("筛甲", "撤", 119.50)
	mk("筛乙", "撤", 119.52)
	mk("筛丙", "并", 119.54)
	for _, c := range []struct {
		q    url.Values
		want int
	}{
		{url.Values{"disposition": {"撤"}, "q": {"筛"}}, 2},
		{url.Values{"disposition": {"并"}, "q": {"筛"}}, 1},
		{url.Values{"disposition": {"提"}, "q": {"筛"}}, 0},
		{url.Values{"q": {"筛"}}, 3},
		{url.Values{"disposition": {"撤"}, "county": {"331102"}, "kind": {"township"}, "q": {"筛乙"}}, 1},
	} {
		r := e.do(req{method: "GET", path: "/api/v1/zones?" + c.q.Encode(), role: "viewer"})
		fs, _ := r.json(t)["features"].([]any)
		if r.status != http.StatusOK || len(fs) != c.want {
			t.Errorf("GET /zones?%s: %d, %d zones, want %d", c.q.Encode(), r.status, len(fs), c.want)
		}
		for _, f := range fs {
			if d := c.q.Get("disposition"); d != "" && f.(map[string]any)["properties"].(map[string]any)["disposition"] != d {
				t.Errorf("GET /zones?%s: a zone of another disposition: %v", c.q.Encode(), f)
			}
		}
	}
	if r := e.do(req{method: "GET", path: "/api/v1/zones?disposition=x", role: "viewer"}); r.status != http.StatusBadRequest {
		t.Errorf("disposition=x: %d, want 400", r.status)
	}
	// The totals under the same filters are the list's count and area sum,
	// whatever the page size.
	for _, q := range []url.Values{{"q": {"筛"}}, {"disposition": {"撤"}, "q": {"筛"}, "limit": {"1"}}, {"disposition": {"提"}, "q": {"筛"}}, {}} {
		list := e.do(req{method: "GET", path: "/api/v1/zones?" + url.Values{"q": q["q"], "disposition": q["disposition"]}.Encode(), role: "viewer"})
		fs, _ := list.json(t)["features"].([]any)
		var sum float64
		for _, f := range fs {
			sum += f.(map[string]any)["properties"].(map[string]any)["area_mu"].(float64)
		}
		r := e.do(req{method: "GET", path: "/api/v1/zones/totals?" + q.Encode(), role: "viewer"})
		got := r.json(t)
		if r.status != http.StatusOK || got["count"] != float64(len(fs)) || math.Abs(got["area_mu"].(float64)-sum) > 1e-6*sum+1e-9 {
			t.Errorf("GET /zones/totals?%s: %d %s; the list has %d zones of %v mu", q.Encode(), r.status, r.body, len(fs), sum)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/v1/zones/totals?county=x", role: "viewer"}); r.status != http.StatusBadRequest {
		t.Errorf("totals with county=x: %d, want 400", r.status)
	}
}
