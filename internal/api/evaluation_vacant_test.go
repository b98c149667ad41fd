package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/api"
	"wanmu/internal/evaluation"
	"wanmu/internal/geodesy"
	"wanmu/internal/store"
)

// rectM2 is the CGCS2000 area of the lon/lat rectangle dLon degrees wide
// between the parallels s and n (the survey formula).
func rectM2(s, n, dLon float64) float64 {
	rad := math.Pi / 180
	return geodesy.TrapezoidArea(s*rad, n*rad, dLon*rad)
}

// TestVacantLand: a layer of kind vacant (闲置土地) with a square half in
// platform P's zone (甲区, lon ≤ 120.21) and half in Q's (乙区), and a second
// square overlapping it inside 甲区. The layer takes nothing from the
// developable area; each platform's low_efficiency counts the vacant land
// clipped to its zones, the overlap once, next to its C and D enterprises'
// land; the map lists the vacant features with kind, layer and area.
func TestVacantLand(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, api.Options{})
	p, q := evalFixture(t, e)
	body := schemeJSON(t, onlyTax, "null", "")
	if r := e.do(req{method: "PUT", path: "/api/v1/evaluation/scheme", role: "admin", body: body, header: map[string]string{"If-Match": `"1"`}}); r.status != 200 {
		t.Fatalf("scheme: %d %s", r.status, r.body)
	}
	before, err := e.st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	square := func(w, s, east, n float64) store.LayerFeature {
		b, err := wkb.Marshal(orb.Polygon{{{w, s}, {east, s}, {east, n}, {w, n}, {w, s}}})
		if err != nil {
			t.Fatal(err)
		}
		return store.LayerFeature{Geom: b, Attributes: map[string]any{"类型": "批而未供"}}
	}
	v1 := square(120.209, 28.104, 120.211, 28.106) // half in 甲区, half in 乙区
	v2 := square(120.208, 28.105, 120.210, 28.107) // in 甲区, overlapping v1
	if _, _, err := e.st.CreateLayer(ctx, store.Change{}, "闲置土地", "vacant", "自然资源局", []store.LayerFeature{v1, v2}, nil); err != nil {
		t.Fatal(err)
	}
	after, err := e.st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Developable.M2 != before.Developable.M2 || len(after.Layers) != len(before.Layers) {
		t.Errorf("a vacant layer changed the developable area: %+v → %+v", before.Developable, after.Developable)
	}

	var all struct {
		Platforms []evaluation.PlatformIndicators `json:"platforms"`
	}
	r := e.do(req{method: "GET", path: "/api/v1/evaluation/platforms?year=2024", role: "viewer"})
	if err := json.Unmarshal(r.body, &all); err != nil || r.status != 200 || len(all.Platforms) != 2 {
		t.Fatalf("platforms: %d %s", r.status, r.body)
	}
	// In 甲区: lon 120.209–120.21 over lat 28.104–28.107, and lon
	// 120.208–120.209 over 28.105–28.107 (the union of the two clipped squares).
	wantP := geodesy.Mu(rectM2(28.104, 28.107, 0.001) + rectM2(28.105, 28.107, 0.001))
	wantQ := geodesy.Mu(rectM2(28.104, 28.106, 0.001)) // v1's other half
	for _, c := range []struct {
		pi         evaluation.PlatformIndicators
		id         int64
		cd, vacant float64
	}{{all.Platforms[0], p.ID, 5, wantP}, {all.Platforms[1], q.ID, 5, wantQ}} { // e4 (C, 10 亩) straddles both
		le := c.pi.LowEfficiency
		if c.pi.Platform != itoa(c.id) || math.Abs(le.CDMu-c.cd) > 1e-6 || math.Abs(le.VacantMu-c.vacant) > 1e-5 ||
			math.Abs(le.TotalMu-le.CDMu-le.VacantMu) > 1e-9 || le.Share == nil || math.Abs(*le.Share-le.TotalMu/c.pi.LandMu) > 1e-12 {
			t.Errorf("%s: low efficiency %+v, want C+D %v, vacant %v", c.pi.Name, le, c.cd, c.vacant)
		}
	}
	// One platform's route says the same.
	var one struct {
		Platform evaluation.PlatformIndicators `json:"platform"`
	}
	r = e.do(req{method: "GET", path: "/api/v1/platforms/" + itoa(q.ID) + "/indicators?year=2024", role: "viewer"})
	if err := json.Unmarshal(r.body, &one); err != nil || math.Abs(one.Platform.LowEfficiency.VacantMu-wantQ) > 1e-5 {
		t.Errorf("Q's indicators: %d %s", r.status, r.body)
	}

	type mapFC struct {
		Features []struct {
			Geometry   struct{ Type string }
			Properties map[string]any
		}
	}
	get := func(path string, status int) mapFC {
		t.Helper()
		var fc mapFC
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if r.status != status {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		if status == 200 {
			if err := json.Unmarshal(r.body, &fc); err != nil {
				t.Fatal(err)
			}
		}
		return fc
	}
	fc := get("/api/v1/evaluation/map?year=2024&class=C,D&vacant=true", 200)
	kinds := map[string]int{}
	for _, f := range fc.Features {
		kinds[f.Properties["kind"].(string)]++
		if f.Properties["kind"] == "vacant" {
			// v1 whole: 0.002° by 0.002°.
			if f.Properties["layer"] != "闲置土地" || f.Properties["county"] != "331121" ||
				f.Geometry.Type != "MultiPolygon" || f.Properties["area_mu"].(float64) <= 0 {
				t.Errorf("vacant feature: %+v", f.Properties)
			}
		}
	}
	if kinds["enterprise"] != 1 || kinds["vacant"] != 2 {
		t.Errorf("C, D and vacant on the map: %v", kinds)
	}
	a := fc.Features[1].Properties["area_mu"].(float64)
	if w := geodesy.Mu(rectM2(28.104, 28.106, 0.002)); math.Abs(a-w) > 1e-6 {
		t.Errorf("v1's area: %v 亩, want %v", a, w)
	}
	if fc := get("/api/v1/evaluation/map?year=2024&vacant=false", 200); len(fc.Features) != 4 {
		t.Errorf("vacant=false: %d features", len(fc.Features))
	}
	if fc := get("/api/v1/evaluation/map?year=2024&class=A&vacant=true&county=331102", 200); len(fc.Features) != 0 {
		t.Errorf("another county: %d features", len(fc.Features))
	}
	get("/api/v1/evaluation/map?year=2024&vacant=yes", 400)
}

// TestVacantLayerImport: 闲置土地 comes in through the layer import flow
// like any layer, with kind vacant, and counts in no developable figure.
func TestVacantLayerImport(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	file := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"类型":"批而未供"},"geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]}}]}`
	j := e.upload("admin", "vacant.geojson", []byte(file), map[string]string{"layer": "constraint:闲置土地", "kind": "vacant"})
	if j["state"] != "waiting" {
		t.Fatalf("preview: %v", j)
	}
	if c := e.do(req{method: "POST", path: "/api/v1/imports/" + j["id"].(string) + "/commit", role: "admin", body: `{"reason":"自然资源局"}`}); c.status != 202 {
		t.Fatalf("commit: %d %s", c.status, c.body)
	}
	if done := e.waitJob("admin", j["id"].(string)); done["state"] != "done" {
		t.Fatalf("import: %v", done)
	}
	ls, err := e.st.ListLayers(context.Background())
	if err != nil || len(ls) != 1 || ls[0].Kind != "vacant" || ls[0].Features != 1 {
		t.Fatalf("layers: %+v %v", ls, err)
	}
	if st, b := e.postUpload("admin", "vacant.geojson", []byte(file), map[string]string{"layer": "constraint:别的", "kind": "idle"}); st != http.StatusUnprocessableEntity && st != http.StatusBadRequest || !strings.Contains(string(b), "vacant") {
		t.Errorf("kind idle: %d %s", st, b)
	}
}
