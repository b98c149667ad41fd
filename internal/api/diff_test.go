package api_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// TestDiffScenarios: GET /scenarios/diff draws what a plan changed against
// the official data — both outlines of a reshaped zone, one feature for a
// zone whose attributes changed, the new zone — and refuses a retired plan.
func TestDiffScenarios(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	c := store.Change{Actor: "editor1"}
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("township"), Name: ptr("甲区"), CountyAdcode: ptr("331102"), Disposition: ptr("并"), Geom: square()}, c)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("乙区"), CountyAdcode: ptr("331102"),
		Geom: orb.MultiPolygon{{{{119.95, 28.40}, {119.96, 28.40}, {119.96, 28.41}, {119.95, 28.41}, {119.95, 28.40}}}}}, c)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "方案甲", "", c)
	if err != nil {
		t.Fatal(err)
	}
	in := e.st.In(sc.ID)
	zs, err := in.ListZones(ctx, store.ZoneFilter{})
	if err != nil || len(zs) != 2 {
		t.Fatalf("scenario zones %v %v", zs, err)
	}
	for _, cz := range zs {
		f := store.ZoneFields{Disposition: ptr("提")}
		if cz.Name == "甲区" {
			f = store.ZoneFields{Geom: orb.MultiPolygon{{{{119.86, 28.40}, {119.87, 28.40}, {119.87, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}}
		}
		if _, err := in.UpdateZone(ctx, cz.ID, cz.Version, f, c); err != nil {
			t.Fatal(err)
		}
	}
	extra, err := in.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("新区"), CountyAdcode: ptr("331102"),
		Geom: orb.MultiPolygon{{{{119.90, 28.40}, {119.91, 28.40}, {119.91, 28.41}, {119.90, 28.41}, {119.90, 28.40}}}}}, c)
	if err != nil {
		t.Fatal(err)
	}

	r := e.do(req{method: "GET", path: "/api/v1/scenarios/diff?a=0&b=" + itoa(sc.ID), role: "viewer"})
	if r.status != 200 {
		t.Fatalf("diff: %d %s", r.status, r.body)
	}
	var got struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry   json.RawMessage `json:"geometry"`
			Properties struct {
				Side     string   `json:"side"`
				Status   string   `json:"status"`
				Changes  []string `json:"changes"`
				ZoneID   int64    `json:"zone_id"`
				Name     string   `json:"name"`
				LostMu   float64  `json:"lost_mu"`
				GainedMu float64  `json:"gained_mu"`
			} `json:"properties"`
		} `json:"features"`
		A      struct{ ID int64 }    `json:"a"`
		B      struct{ Name string } `json:"b"`
		Counts map[string]int        `json:"counts"`
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != "FeatureCollection" || got.B.Name != "方案甲" || got.Counts["added"] != 1 || got.Counts["changed"] != 2 || got.Counts["removed"] != 0 {
		t.Fatalf("diff summary: %s", r.body)
	}
	sides := map[string][]string{}
	for _, f := range got.Features {
		p := f.Properties
		sides[p.Name] = append(sides[p.Name], p.Side)
		if len(f.Geometry) < 20 {
			t.Errorf("%s (%s) has no outline: %s", p.Name, p.Side, f.Geometry)
		}
		if p.Name == "甲区" && (p.LostMu < 1 || p.GainedMu != 0) {
			t.Errorf("甲区 shrank to its west half: lost %.2f 亩, gained %.2f 亩", p.LostMu, p.GainedMu)
		}
		if p.Name == "甲区" && (p.Side == "a") != (p.ZoneID == z.ID) {
			t.Errorf("甲区's side %s is zone %d; the official zone is %d", p.Side, p.ZoneID, z.ID)
		}
		if p.Name == "新区" && (p.ZoneID != extra.ID || p.Status != "added") {
			t.Errorf("新区: %+v", p)
		}
		if p.Name == "乙区" && (p.Side == "a") != (p.ZoneID == other.ID) {
			t.Errorf("乙区's side %s is zone %d; the official zone is %d", p.Side, p.ZoneID, other.ID)
		}
	}
	if len(sides["甲区"]) != 2 || len(sides["乙区"]) != 2 || len(sides["新区"]) != 1 || sides["新区"][0] != "b" {
		t.Errorf("features by zone and side: %v; want 甲区 a+b, 乙区 a+b, 新区 b", sides)
	}

	if r := e.do(req{method: "GET", path: "/api/v1/scenarios/diff?a=0&b=999999", role: "viewer"}); r.status != 404 {
		t.Errorf("an unknown scenario: %d %s", r.status, r.body)
	}
	if r := e.do(req{method: "DELETE", path: "/api/v1/scenarios/" + itoa(sc.ID), role: "admin", header: map[string]string{"If-Match": `"` + itoa(int64(sc.Version)) + `"`}}); r.status != 204 {
		t.Fatalf("retire: %d %s", r.status, r.body)
	}
	if r := e.do(req{method: "GET", path: "/api/v1/scenarios/diff?a=" + itoa(sc.ID) + "&b=0", role: "viewer"}); r.status != 410 {
		t.Errorf("a retired scenario: %d %s", r.status, r.body)
	}
}
