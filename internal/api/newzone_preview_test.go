package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// POST /zones/preview gives, for a new zone being drawn, the report of the
// platform it would join (the one asked for, else the one whose zones it
// touches) as it will be once the zone is saved and added to it.
func TestPreviewNewZone(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	by := store.Change{Actor: "editor1"}
	a, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲园区"), CountyAdcode: ptr("331102"), Geom: square()}, by)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("新区预览平台")}, []int64{a.ID}, by)
	if err != nil {
		t.Fatal(err)
	}
	// Farmland across the new zone's east half: it deducts from it.
	farm, err := wkb.Marshal(orb.Polygon{{{119.89, 28.40}, {119.91, 28.40}, {119.91, 28.42}, {119.89, 28.42}, {119.89, 28.40}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "test", []store.LayerFeature{{Geom: farm}}, nil); err != nil {
		t.Fatal(err)
	}
	before, err := e.st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}

	// The new zone shares 甲's east edge.
	draft := orb.Polygon{{{119.88, 28.40}, {119.90, 28.40}, {119.90, 28.42}, {119.88, 28.42}, {119.88, 28.40}}}
	body, err := json.Marshal(geojson.NewGeometry(draft))
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		AreaMu    float64 `json:"area_mu"`
		Valid     bool    `json:"valid"`
		Joins     string  `json:"joins"`
		Platforms []struct {
			PlatformID int64         `json:"platform_id"`
			Preview    store.Report  `json:"preview"`
			Current    *store.Report `json:"current"`
		} `json:"platforms"`
	}
	preview := func(role, query, body string) (resp, answer) {
		r := e.do(req{method: "POST", path: "/api/v1/zones/preview" + query, role: role, body: body})
		var got answer
		if r.status == http.StatusOK {
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
		}
		return r, got
	}
	if r, _ := preview("viewer", "", string(body)); r.status != http.StatusForbidden {
		t.Errorf("viewer: %d, want 403", r.status)
	}
	r, got := preview("editor", "", string(body))
	if r.status != http.StatusOK || !got.Valid || got.Joins != "touching" || len(got.Platforms) != 1 ||
		got.Platforms[0].PlatformID != p.ID || got.Platforms[0].Current == nil {
		t.Fatalf("touching: %d %s", r.status, r.body)
	}
	pv := got.Platforms[0].Preview
	if cur := got.Platforms[0].Current; cur.Developable.M2 != before.Developable.M2 {
		t.Errorf("current %.4f mu, the saved report %.4f", cur.Developable.Mu, before.Developable.Mu)
	}
	if pv.Members != 2 || pv.Gross.Mu <= before.Gross.Mu+got.AreaMu-1e-6 || pv.Layers[0].Own.Mu <= before.Layers[0].Own.Mu {
		t.Errorf("preview: %d members, gross %.2f, farmland %.2f mu; before gross %.2f, farmland %.2f, new zone %.2f",
			pv.Members, pv.Gross.Mu, pv.Layers[0].Own.Mu, before.Gross.Mu, before.Layers[0].Own.Mu, got.AreaMu)
	}

	// Far from every platform: no platform, unless one is asked for.
	far := `{"type":"Polygon","coordinates":[[[119.5,28.0],[119.51,28.0],[119.51,28.01],[119.5,28.01],[119.5,28.0]]]}`
	if r, got := preview("editor", "", far); r.status != http.StatusOK || !got.Valid || len(got.Platforms) != 0 {
		t.Errorf("far away: %d %s", r.status, r.body)
	}
	if r, got := preview("editor", "?platform="+itoa(p.ID), far); r.status != http.StatusOK || got.Joins != "chosen" ||
		len(got.Platforms) != 1 || got.Platforms[0].Preview.Members != 2 {
		t.Errorf("chosen platform: %d %s", r.status, r.body)
	}
	if r, _ := preview("editor", "?platform=x", far); r.status != http.StatusBadRequest {
		t.Errorf("bad platform: %d, want 400", r.status)
	}
	if r, _ := preview("editor", "?platform=999999", far); r.status != http.StatusNotFound {
		t.Errorf("unknown platform: %d %s, want 404", r.status, r.body)
	}

	// Saved and added, the zone gives the report the preview showed.
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("township"), Name: ptr("新片区"), CountyAdcode: ptr("331102"), Geom: orb.MultiPolygon{draft}}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetMembers(ctx, p.ID, p.Version, []int64{a.ID, z.ID}, by); err != nil {
		t.Fatal(err)
	}
	after, err := e.st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		what      string
		pre, post store.Area
	}{{"gross", pv.Gross, after.Gross}, {"developable", pv.Developable, after.Developable},
		{"farmland", pv.Layers[0].Own, after.Layers[0].Own}, {"member sum", pv.MemberSum, after.MemberSum}} {
		if math.Abs(f.pre.Mu-f.post.Mu) > 1e-6 {
			t.Errorf("%s: preview %.6f mu, saved %.6f mu", f.what, f.pre.Mu, f.post.Mu)
		}
	}
}
