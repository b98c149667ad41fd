package api_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// GET /scenarios/compare lines the official data and scenarios up platform
// by platform: a member shrunk in a scenario lowers that scenario's figure
// only; a platform new in a scenario has no figure in the others.
func TestCompareScenarios(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	c := store.Change{Actor: "editor1"}
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("township"), Name: ptr("甲区"), CountyAdcode: ptr("331102"), Disposition: ptr("并"), Geom: square()}, c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("甲平台")}, []int64{z.ID}, c)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "方案甲", "", c)
	if err != nil {
		t.Fatal(err)
	}
	in := e.st.In(sc.ID)
	zs, err := in.ListZones(ctx, store.ZoneFilter{})
	if err != nil || len(zs) != 1 {
		t.Fatalf("scenario zones %v %v", zs, err)
	}
	half := orb.MultiPolygon{{{{119.86, 28.40}, {119.87, 28.40}, {119.87, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}
	if _, err := in.UpdateZone(ctx, zs[0].ID, zs[0].Version, store.ZoneFields{Geom: half, Disposition: ptr("提")}, c); err != nil {
		t.Fatal(err)
	}
	extra, err := in.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("新区"), CountyAdcode: ptr("331102"),
		Geom: orb.MultiPolygon{{{{119.90, 28.40}, {119.91, 28.40}, {119.91, 28.41}, {119.90, 28.41}, {119.90, 28.40}}}}}, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.CreatePlatform(ctx, store.PlatformFields{Name: ptr("新平台")}, []int64{extra.ID}, c); err != nil {
		t.Fatal(err)
	}

	r := e.do(req{method: "GET", path: "/api/v1/scenarios/compare?ids=0," + itoa(sc.ID), role: "viewer"})
	if r.status != 200 {
		t.Fatalf("compare: %d %s", r.status, r.body)
	}
	var got struct {
		Scenarios []struct {
			ID           int64          `json:"id"`
			Platforms    int            `json:"platforms"`
			Dispositions map[string]int `json:"dispositions"`
		} `json:"scenarios"`
		Platforms []struct {
			Key     string `json:"key"`
			Name    string `json:"name"`
			Figures []*struct {
				GrossMu       float64 `json:"gross_mu"`
				DevelopableMu float64 `json:"developable_mu"`
				Zones         int     `json:"zones"`
			} `json:"figures"`
		} `json:"platforms"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Platforms) != 2 || got.Platforms[0].Key != itoa(p.ID) || got.Platforms[1].Figures[0] != nil || got.Platforms[1].Figures[1] == nil {
		t.Fatalf("rows: %s; want 甲平台 under the official id, then 新平台 in the scenario only", r.body)
	}
	off, draft := got.Platforms[0].Figures[0], got.Platforms[0].Figures[1]
	rep, err := e.st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if off.GrossMu != rep.Gross.Mu || !(draft.GrossMu < off.GrossMu*0.6) || draft.Zones != 1 {
		t.Errorf("甲平台: official %+v (report %v), scenario %+v; want the report's figure and about half in the scenario", off, rep.Gross.Mu, draft)
	}
	if d := got.Scenarios[0].Dispositions; d["并"] != 1 || d["提"] != 0 {
		t.Errorf("official dispositions %v", d)
	}
	if d := got.Scenarios[1].Dispositions; d["提"] != 1 || d["并"] != 0 || got.Scenarios[1].Platforms != 2 {
		t.Errorf("scenario dispositions %v, platforms %d", d, got.Scenarios[1].Platforms)
	}
	for _, bad := range []string{"ids=0", "ids=0,0", "ids=0,x", "ids=0,1,2,3,4,5,6", "ids=0,3&x=1"} {
		if r := e.do(req{method: "GET", path: "/api/v1/scenarios/compare?" + bad, role: "viewer"}); r.status != 400 {
			t.Errorf("compare?%s: %d, want 400", bad, r.status)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/v1/scenarios/compare?ids=0,999999", role: "viewer"}); r.status != 404 {
		t.Errorf("compare with an unknown scenario: %d, want 404", r.status)
	}
}
