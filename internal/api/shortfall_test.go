package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/sample"
	"wanmu/internal/store"
)

type shortfallAnswer struct {
	PlatformVersion int        `json:"platform_version"`
	Developable     store.Area `json:"developable"`
	Meets           bool       `json:"meets"`
	Shortfall       store.Area `json:"shortfall"`
	Suggested       []string   `json:"suggested"`
	SuggestedGain   store.Area `json:"suggested_gain"`
	Closes          bool       `json:"closes"`
	Method          string     `json:"method"`
	Candidates      struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string         `json:"id"`
			Geometry   map[string]any `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	} `json:"candidates"`
}

// The shortfall routes: suggestions for 景宁 in the official data and in a
// plan, adding the suggested set in the plan (the platform then meets its
// threshold), and the refusals: the official data, a stale version, a key
// that is no candidate, a bad radius.
func TestShortfallAPI(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	if _, err := sample.LoadOnce(ctx, e.st, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "补足", "", store.Change{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	idOf := func(scenario int64) int64 {
		ps, err := e.st.In(scenario).ListPlatforms(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ps, func(p store.Platform) bool { return p.Name == "景宁产业平台" && p.ScenarioID == scenario })
		if i < 0 {
			t.Fatal("no 景宁产业平台")
		}
		return ps[i].ID
	}
	off, mine := idOf(0), idOf(sc.ID)
	get := func(path string) shortfallAnswer {
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var a shortfallAnswer
		if err := json.Unmarshal(r.body, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := get("/api/v1/platforms/" + itoa(off) + "/shortfall")
	if a.Meets || !a.Closes || len(a.Suggested) == 0 || a.Method == "" || a.Candidates.Type != "FeatureCollection" || len(a.Candidates.Features) == 0 {
		t.Fatalf("official suggestions: meets %v closes %v, %d suggested, %d candidates", a.Meets, a.Closes, len(a.Suggested), len(a.Candidates.Features))
	}
	f := a.Candidates.Features[0].Properties
	for _, k := range []string{"key", "kind", "marginal_mu", "distance_m", "touches", "county", "cross_county", "suggested"} {
		if _, ok := f[k]; !ok {
			t.Errorf("a candidate has no %s: %v", k, f)
		}
	}
	r := e.do(req{method: "POST", path: "/api/v1/platforms/" + itoa(off) + "/shortfall/add", role: "editor",
		body: `{"key":"` + a.Suggested[0] + `"}`, header: map[string]string{"If-Match": `"` + itoa(int64(a.PlatformVersion)) + `"`}})
	if r.status != http.StatusConflict || r.json(t)["type"] == nil {
		t.Errorf("adding in the official data: %d %s", r.status, r.body)
	}
	// The plan's platform is not found in the official scope, and the other way.
	if r := e.do(req{method: "GET", path: "/api/v1/platforms/" + itoa(mine) + "/shortfall", role: "viewer"}); r.status != 404 {
		t.Errorf("the plan's platform in the official data: %d", r.status)
	}
	q := "?scenario=" + itoa(sc.ID)
	for _, bad := range []string{"&radius_m=50", "&radius_m=x", "&radius_m=NaN", "&radius_m=1e9"} {
		if r := e.do(req{method: "GET", path: "/api/v1/platforms/" + itoa(mine) + "/shortfall" + q + bad, role: "viewer"}); r.status != 400 {
			t.Errorf("radius %s: %d %s", bad, r.status, r.body)
		}
	}
	a = get("/api/v1/platforms/" + itoa(mine) + "/shortfall" + q)
	version := a.PlatformVersion
	add := func(key string, v int) resp {
		return e.do(req{method: "POST", path: "/api/v1/platforms/" + itoa(mine) + "/shortfall/add" + q, role: "editor",
			body: `{"key":"` + key + `"}`, header: map[string]string{"If-Match": `"` + itoa(int64(v)) + `"`}})
	}
	for key, want := range map[string]int{"zone:0": 422, "block:xyz": 422, "block:0000000000000000": 422, `x\"`: 422} {
		if r := add(key, version); r.status != want {
			t.Errorf("key %s: %d %s", key, r.status, r.body)
		}
	}
	if r := add(a.Suggested[0], version+1); r.status != 412 {
		t.Errorf("another version: %d %s", r.status, r.body)
	}
	if r := e.do(req{method: "POST", path: "/api/v1/platforms/" + itoa(mine) + "/shortfall/add" + q, role: "viewer",
		body: `{"key":"` + a.Suggested[0] + `"}`, header: map[string]string{"If-Match": `"1"`}}); r.status != 403 {
		t.Errorf("a viewer adds: %d", r.status)
	}
	for _, k := range a.Suggested {
		r := add(k, version)
		if r.status != 200 {
			t.Fatalf("add %s: %d %s", k, r.status, r.body)
		}
		version = int(r.json(t)["version"].(float64))
	}
	after := get("/api/v1/platforms/" + itoa(mine) + "/shortfall" + q)
	if !after.Meets || math.Abs(after.Developable.Mu-a.Developable.Mu-a.SuggestedGain.Mu) > 0.01 {
		t.Errorf("after the set: %.4f mu (meets %v), before %.4f + suggested %.4f", after.Developable.Mu, after.Meets, a.Developable.Mu, a.SuggestedGain.Mu)
	}
}
