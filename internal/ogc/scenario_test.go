package ogc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// Each draft plan is a pair of collections of its own, scenario-<id>-zones
// and scenario-<id>-platforms: read, and written through Part 4, apart from
// the official data; a plan's copy is not in the official collections nor
// the official zone in the plan's. An adopted or deleted plan's
// collections are gone.
func TestScenarioCollections(t *testing.T) {
	e := newEnvWith(t, envOptions{writable: true})
	ctx := context.Background()
	c := store.Change{Actor: "t"}
	sq := orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}
	kind, name, county := "park", "甲", "331102"
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &county, Geom: sq}, c)
	if err != nil {
		t.Fatal(err)
	}
	pname := "平台"
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: &pname}, []int64{z.ID}, c)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "南扩方案", "", c)
	if err != nil {
		t.Fatal(err)
	}
	zs, _ := e.st.In(sc.ID).ListZones(ctx, store.ZoneFilter{})
	ps, _ := e.st.In(sc.ID).ListPlatforms(ctx, false)
	if len(zs) != 1 || len(ps) != 1 {
		t.Fatalf("the plan's copies: %d zones, %d platforms", len(zs), len(ps))
	}
	planZones := fmt.Sprintf("/ogc/collections/scenario-%d-zones", sc.ID)
	planPlatforms := fmt.Sprintf("/ogc/collections/scenario-%d-platforms", sc.ID)

	// Listed, with the plan named.
	cs := e.get("/ogc/collections", "application/json")
	titles := map[string]string{}
	for _, c := range cs["collections"].([]any) {
		m := c.(map[string]any)
		titles[m["id"].(string)] = m["title"].(string)
	}
	for _, id := range []string{"zones", "platforms", strings.TrimPrefix(planZones, "/ogc/collections/"), strings.TrimPrefix(planPlatforms, "/ogc/collections/")} {
		if _, ok := titles[id]; !ok {
			t.Errorf("/collections lacks %s: %v", id, titles)
		}
	}
	if title := titles[strings.TrimPrefix(planZones, "/ogc/collections/")]; !strings.Contains(title, "南扩方案") {
		t.Errorf("the plan's zones are titled %q, without the plan's name", title)
	}

	// Each collection serves its own scenario's features only.
	for _, c := range []struct {
		path string
		want int
	}{
		{fmt.Sprintf("/ogc/collections/zones/items/%d?f=json", z.ID), 200},
		{fmt.Sprintf("/ogc/collections/zones/items/%d?f=json", zs[0].ID), 404},
		{fmt.Sprintf("/ogc/collections/platforms/items/%d?f=json", ps[0].ID), 404},
		{fmt.Sprintf("%s/items/%d?f=json", planZones, zs[0].ID), 200},
		{fmt.Sprintf("%s/items/%d?f=json", planZones, z.ID), 404},
		{fmt.Sprintf("%s/items/%d?f=json", planPlatforms, ps[0].ID), 200},
		{fmt.Sprintf("%s/items/%d?f=json", planPlatforms, p.ID), 404},
		{"/ogc/collections/scenario-0-zones", 404},
		{"/ogc/collections/scenario-999-zones", 404},
		{fmt.Sprintf("/ogc/collections/scenario-%d-layers", sc.ID), 404},
		{fmt.Sprintf("/ogc/collections/scenario-0%d-zones", sc.ID), 404},
	} {
		if r := e.do("GET", c.path, "viewer"); r.status != c.want {
			t.Errorf("%s: %d, want %d", c.path, r.status, c.want)
		}
	}
	items := e.get(planZones+"/items?f=json", "application/geo+json")
	if f := items["features"].([]any); len(f) != 1 || int64(f[0].(map[string]any)["id"].(float64)) != zs[0].ID {
		t.Errorf("the plan's zones collection lists %v, want the plan's one zone %d", f, zs[0].ID)
	}

	// Part 4 in the plan: a new zone goes into the plan, not the official data.
	r := e.send("POST", planZones+"/items", "editor", ogcZone, nil)
	if r.status != 201 || !strings.HasPrefix(r.header.Get("Location"), planZones+"/items/") {
		t.Fatalf("create in the plan: %d Location %q: %s", r.status, r.header.Get("Location"), r.body)
	}
	newID, _ := strconv.ParseInt(strings.TrimPrefix(r.header.Get("Location"), planZones+"/items/"), 10, 64)
	if got, err := e.st.GetZone(ctx, newID); err != nil || got.ScenarioID != sc.ID {
		t.Errorf("the zone created in the plan's collection is in scenario %d (%v), want %d", got.ScenarioID, err, sc.ID)
	}
	if off, _ := e.st.ListZones(ctx, store.ZoneFilter{}); len(off) != 1 {
		t.Errorf("the official data has %d zones after a create in the plan, want 1", len(off))
	}
	// An official zone cannot be edited through the plan's collection, nor
	// the plan's through the official one, whatever ?scenario= says.
	patch := `{"type":"Feature","properties":{"name":"乙"}}`
	if r := e.send("PATCH", fmt.Sprintf("%s/items/%d", planZones, z.ID), "editor", patch, map[string]string{"If-Match": `"1"`}); r.status != 404 {
		t.Errorf("the official zone through the plan's collection: %d, want 404", r.status)
	}
	if r := e.send("PATCH", fmt.Sprintf("/ogc/collections/zones/items/%d?scenario=%d", zs[0].ID, sc.ID), "editor", patch, map[string]string{"If-Match": `"1"`}); r.status != 404 {
		t.Errorf("the plan's zone through the official collection with ?scenario=: %d, want 404", r.status)
	}
	if r := e.send("PATCH", fmt.Sprintf("%s/items/%d", planZones, zs[0].ID), "editor", patch, map[string]string{"If-Match": `W/"1"`}); r.status != 200 {
		t.Errorf("PATCH the plan's zone: %d %s", r.status, r.body)
	}
	if got, _ := e.st.GetZone(ctx, z.ID); got.Name != "甲" {
		t.Errorf("the official zone was renamed %q by an edit of the plan", got.Name)
	}

	// A platform's attributes: PATCH with its ETag, in either collection.
	for _, c := range []struct{ path, role, allow string }{
		{fmt.Sprintf("/ogc/collections/platforms/items/%d", p.ID), "editor", "GET, HEAD, OPTIONS, PATCH"},
		{fmt.Sprintf("%s/items/%d", planPlatforms, ps[0].ID), "viewer", "GET, HEAD, OPTIONS"},
		{planPlatforms + "/items", "editor", "GET, HEAD, OPTIONS"},
		{planZones + "/items", "editor", "GET, HEAD, OPTIONS, POST"},
	} {
		if r := e.send("OPTIONS", c.path, c.role, "", nil); r.status != 204 || r.header.Get("Allow") != c.allow {
			t.Errorf("OPTIONS %s as %s: %d Allow %q, want %q", c.path, c.role, r.status, r.header.Get("Allow"), c.allow)
		}
	}
	item := fmt.Sprintf("%s/items/%d", planPlatforms, ps[0].ID)
	got := e.send("GET", item, "viewer", "", nil)
	etag := got.header.Get("ETag")
	if got.status != 200 || etag != `W/"1"` {
		t.Fatalf("GET the plan's platform: %d ETag %q", got.status, etag)
	}
	// As QGIS sends it: the whole feature back, one attribute changed.
	var feature map[string]any
	_ = json.Unmarshal(got.body, &feature)
	feature["geometry"] = nil
	props := feature["properties"].(map[string]any)
	props["note"] = "南扩后复核"
	body, _ := json.Marshal(feature)
	if r := e.send("PATCH", item, "editor", string(body), nil); r.status != 428 {
		t.Errorf("PATCH a platform without If-Match: %d, want 428", r.status)
	}
	if r := e.send("PATCH", item, "editor", string(body), map[string]string{"If-Match": etag}); r.status != 200 {
		t.Fatalf("PATCH the plan's platform: %d %s", r.status, r.body)
	}
	if r := e.send("PATCH", item, "editor", string(body), map[string]string{"If-Match": etag}); r.status != 412 {
		t.Errorf("PATCH with a stale ETag: %d, want 412", r.status)
	}
	if got, _ := e.st.GetPlatform(ctx, ps[0].ID); got.Note != "南扩后复核" || got.Version != 2 || got.UpdatedBy != "editor1" {
		t.Errorf("the plan's platform after PATCH: note %q version %d by %q", got.Note, got.Version, got.UpdatedBy)
	}
	if r := e.send("PATCH", item, "editor", string(body), map[string]string{"If-Match": `W/"2"`}); r.status != 200 {
		t.Errorf("PATCH with nothing changed: %d %s", r.status, r.body)
	} else if got, _ := e.st.GetPlatform(ctx, ps[0].ID); got.Version != 2 {
		t.Errorf("a PATCH that changes nothing made version %d, want 2 (no revision)", got.Version)
	}
	if got, _ := e.st.GetPlatform(ctx, p.ID); got.Note != "" {
		t.Errorf("the official platform's note became %q", got.Note)
	}
	for _, c := range []struct{ body, field string }{
		{`{"type":"Feature","geometry":{"type":"Point","coordinates":[119.9,28.4]},"properties":{"note":"x"}}`, "geometry"},
		{`{"type":"Feature","properties":{"zone_ids":[]}}`, "properties.zone_ids"},
		{`{"type":"Feature","properties":{"role":"省级"}}`, "role"},
	} {
		r := e.send("PATCH", item, "editor", c.body, map[string]string{"If-Match": `W/"2"`})
		if r.status != 422 || !strings.Contains(string(r.body), c.field) {
			t.Errorf("PATCH %s: %d %s, want 422 naming %s", c.body, r.status, r.body, c.field)
		}
	}
	// An administrator raised the threshold meanwhile: the editor's QGIS
	// sends back the feature it read (the old threshold, the old ETag).
	// That is a conflict to reload (412), not an administrator's field.
	fresh := e.send("GET", item, "admin", "", nil)
	if r := e.send("PATCH", item, "admin", `{"properties":{"threshold_mu":12000}}`, map[string]string{"If-Match": fresh.header.Get("ETag")}); r.status != 200 {
		t.Fatalf("the administrator's PATCH: %d %s", r.status, r.body)
	}
	var stale map[string]any
	_ = json.Unmarshal(fresh.body, &stale)
	stale["geometry"] = nil // as QGIS sends it: the attributes only
	staleBody, _ := json.Marshal(stale)
	if r := e.send("PATCH", item, "editor", string(staleBody), map[string]string{"If-Match": fresh.header.Get("ETag")}); r.status != 412 {
		t.Errorf("an editor's stale whole feature: %d %s, want 412", r.status, r.body)
	}
	if r := e.send("PATCH", item, "editor", `{"properties":{"color":"red"}}`, map[string]string{"If-Match": `W/"2"`}); r.status != 400 {
		t.Errorf("PATCH an unknown attribute: %d, want 400", r.status)
	}
	if r := e.send("PATCH", item, "viewer", `{"properties":{"note":"y"}}`, map[string]string{"If-Match": `W/"2"`}); r.status != 403 {
		t.Errorf("a viewer's PATCH: %d, want 403", r.status)
	}
	if r := e.send("PUT", item, "admin", string(body), map[string]string{"If-Match": `W/"2"`}); r.status != 405 || r.header.Get("Allow") != "GET, HEAD, OPTIONS, PATCH" {
		t.Errorf("PUT a platform: %d Allow %q, want 405 naming PATCH", r.status, r.header.Get("Allow"))
	}

	// A deleted plan's collections are gone.
	if err := e.st.RetireScenario(ctx, sc.ID, sc.Version, c); err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", planZones+"/items?f=json", "viewer"); r.status != 404 {
		t.Errorf("a deleted plan's zones: %d, want 404", r.status)
	}
}
