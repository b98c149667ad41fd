package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// POST /zones/{id}/preview gives, for a zone geometry being edited, the
// reports of its platforms as they will be once it is saved: the same
// figures the saved report then has. It writes nothing.
func TestPreviewZone(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	by := store.Change{Actor: "editor1"}
	a, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲园区"), CountyAdcode: ptr("331102"), Geom: square()}, by)
	if err != nil {
		t.Fatal(err)
	}
	east := orb.MultiPolygon{{{{119.88, 28.40}, {119.90, 28.40}, {119.90, 28.42}, {119.88, 28.42}, {119.88, 28.40}}}}
	b, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("township"), Name: ptr("乙片区"), CountyAdcode: ptr("331102"), Geom: east}, by)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("预览平台")}, []int64{a.ID, b.ID}, by)
	if err != nil {
		t.Fatal(err)
	}
	// Farmland across the west edge of zone 甲, so that moving that edge
	// changes the deduction as well as the gross area.
	farm, err := wkb.Marshal(orb.Polygon{{{119.855, 28.405}, {119.865, 28.405}, {119.865, 28.415}, {119.855, 28.415}, {119.855, 28.405}}})
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

	// The draft moves zone 甲's west edge 0.003° further west.
	draft := orb.Polygon{{{119.857, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.857, 28.42}, {119.857, 28.40}}}
	body, err := json.Marshal(geojson.NewGeometry(draft))
	if err != nil {
		t.Fatal(err)
	}
	preview := func(role string, zone int64, body string) resp {
		return e.do(req{method: "POST", path: "/api/v1/zones/" + itoa(zone) + "/preview", role: role, body: body})
	}
	if r := preview("viewer", a.ID, string(body)); r.status != http.StatusForbidden {
		t.Errorf("viewer: %d, want 403", r.status)
	}
	r := preview("editor", a.ID, string(body))
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	var got struct {
		AreaMu    float64 `json:"area_mu"`
		Valid     bool    `json:"valid"`
		Platforms []struct {
			PlatformID int64         `json:"platform_id"`
			Name       string        `json:"name"`
			Preview    store.Report  `json:"preview"`
			Current    *store.Report `json:"current"`
		} `json:"platforms"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if !got.Valid || len(got.Platforms) != 1 || got.Platforms[0].PlatformID != p.ID || got.Platforms[0].Current == nil {
		t.Fatalf("preview answer: %s", r.body)
	}
	pv, cur := got.Platforms[0].Preview, *got.Platforms[0].Current
	if cur.Developable.M2 != before.Developable.M2 || cur.Gross.M2 != before.Gross.M2 {
		t.Errorf("current = %.4f mu developable, the saved report %.4f", cur.Developable.Mu, before.Developable.Mu)
	}
	if pv.Gross.Mu <= before.Gross.Mu+1 || pv.Layers[0].Own.Mu <= before.Layers[0].Own.Mu {
		t.Errorf("preview gross %.2f and farmland %.2f mu, before %.2f and %.2f: the moved edge should add to both",
			pv.Gross.Mu, pv.Layers[0].Own.Mu, before.Gross.Mu, before.Layers[0].Own.Mu)
	}

	// Nothing was written: same version, same report.
	if z, _ := e.st.GetZone(ctx, a.ID); z.Version != a.Version {
		t.Errorf("the preview wrote the zone: version %d, was %d", z.Version, a.Version)
	}
	if again, _ := e.st.Report(ctx, p.ID); again.Developable.M2 != before.Developable.M2 {
		t.Errorf("the report changed after a preview: %.4f mu, was %.4f", again.Developable.Mu, before.Developable.Mu)
	}

	// Saved, the draft gives the report the preview showed.
	if _, err := e.st.UpdateZone(ctx, a.ID, a.Version, store.ZoneFields{Geom: orb.MultiPolygon{draft}}, by); err != nil {
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
	if z, _ := e.st.GetZone(ctx, a.ID); math.Abs(got.AreaMu-store.AreaOf(z.AreaM2).Mu) > 1e-6 {
		t.Errorf("area_mu %.6f, the saved zone %.6f", got.AreaMu, store.AreaOf(z.AreaM2).Mu)
	}

	// A self-intersecting draft: its reason, no figures.
	bow := `{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.42],[119.88,28.40],[119.86,28.42],[119.86,28.40]]]}`
	r = preview("editor", a.ID, bow)
	if m := r.json(t); r.status != http.StatusOK || m["valid"] != false || m["reason"] == "" || len(m["platforms"].([]any)) != 0 {
		t.Errorf("bow tie: %d %s", r.status, r.body)
	}
	if r := preview("editor", 999999, string(body)); r.status != http.StatusNotFound {
		t.Errorf("unknown zone: %d, want 404", r.status)
	}
	if err := e.st.RetireZone(ctx, b.ID, b.Version, by); err != nil {
		t.Fatal(err)
	}
	if r := preview("editor", b.ID, string(body)); r.status != http.StatusGone {
		t.Errorf("retired zone: %d %s, want 410", r.status, r.body)
	}
}

// Measuring and previewing only read: they do not wait for the change bus
// as writes do (the map asks them several times a second while dragging).
func TestReadOnlyPostsSkipAfterWrite(t *testing.T) {
	var waits atomic.Int32
	e := newEnv(t, api.Options{AfterWrite: func(context.Context) error { waits.Add(1); return nil }})
	z, err := e.st.CreateZone(context.Background(), store.ZoneFields{Kind: ptr("park"), Name: ptr("量算"), CountyAdcode: ptr("331102"), Geom: square()},
		store.Change{Actor: "editor1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/measure", "/api/v1/zones/" + itoa(z.ID) + "/preview"} {
		if r := e.do(req{method: "POST", path: path, role: "editor", body: validPolygon}); r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
	}
	if n := waits.Load(); n != 0 {
		t.Errorf("measure and preview waited for the change bus %d times", n)
	}
	feature := `{"type":"Feature","geometry":` + validPolygon + `,"properties":{"kind":"park","name":"新建","county_adcode":"331102"}}`
	if r := e.do(req{method: "POST", path: "/api/v1/zones", role: "editor", body: feature}); r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if n := waits.Load(); n != 1 {
		t.Errorf("a write waited for the change bus %d times, want 1", n)
	}
}
