package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// Every route works inside a scenario given by ?scenario=: lists, figures,
// writes and undo are the scenario's; a zone of the official data is not
// found in a scenario nor a scenario's zone in the official data, so no
// request made in a draft can change what everyone else sees.
func TestScenarioRoutes(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲区"), CountyAdcode: ptr("331102"), Geom: square()}, store.Change{Actor: "admin1"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("甲平台")}, []int64{z.ID}, store.Change{Actor: "admin1"})
	if err != nil {
		t.Fatal(err)
	}
	expect := func(r resp, status int, what string) map[string]any {
		t.Helper()
		if r.status != status {
			t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
		}
		if len(r.body) == 0 || r.body[0] != '{' {
			return nil
		}
		return r.json(t)
	}

	r := e.do(req{method: "POST", path: "/api/v1/scenarios", role: "editor", body: `{"name":"方案甲","description":"试算"}`})
	sc := expect(r, 201, "create a scenario")
	sid := itoa(int64(sc["id"].(float64)))
	in := "?scenario=" + sid
	expect(e.do(req{method: "POST", path: "/api/v1/scenarios", role: "editor", body: `{"name":" "}`}), 422, "a scenario without a name")
	list := expect(e.do(req{method: "GET", path: "/api/v1/scenarios", role: "viewer"}), 200, "list scenarios")
	if n := len(list["scenarios"].([]any)); n != 1 {
		t.Errorf("%d scenarios listed, want 1", n)
	}

	// The scenario's zones are copies with their own ids.
	var zones struct {
		Features []struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	r = e.do(req{method: "GET", path: "/api/v1/zones" + in + "&kind=park", role: "viewer"})
	expect(r, 200, "list the scenario's zones")
	if err := json.Unmarshal(r.body, &zones); err != nil || len(zones.Features) != 1 || zones.Features[0].ID == z.ID {
		t.Fatalf("the scenario's zones: %s (%v); want one copy of 甲区 with its own id", r.body, err)
	}
	cp := zones.Features[0].ID
	version := itoa(int64(zones.Features[0].Properties["version"].(float64)))

	// Writes cross no scenario boundary.
	patch := `{"type":"Feature","properties":{"name":"甲区（方案）"}}`
	got := expect(e.do(req{method: "PATCH", path: "/api/v1/zones/" + itoa(z.ID) + in, role: "editor", body: patch, header: map[string]string{"If-Match": `"1"`}}), 404, "an official zone written in a scenario")
	if got["type"] == nil || !strings.HasSuffix(got["type"].(string), "not-in-scenario") {
		t.Errorf("the refusal is %v, want the not-in-scenario problem", got)
	}
	expect(e.do(req{method: "PATCH", path: "/api/v1/zones/" + itoa(cp), role: "editor", body: patch, header: map[string]string{"If-Match": `"` + version + `"`}}), 404, "a scenario's zone written outside it")
	expect(e.do(req{method: "PATCH", path: "/api/v1/zones/" + itoa(cp) + in, role: "editor", body: patch, header: map[string]string{"If-Match": `"` + version + `"`}}), 200, "the scenario's zone written in it")
	official := expect(e.do(req{method: "GET", path: "/api/v1/zones/" + itoa(z.ID), role: "viewer"}), 200, "the official zone")
	if name := official["properties"].(map[string]any)["name"]; name != "甲区" {
		t.Errorf("the official zone is now called %v", name)
	}
	expect(e.do(req{method: "GET", path: "/api/v1/platforms/" + itoa(p.ID) + "/report" + in, role: "viewer"}), 404, "an official platform's report in a scenario")

	// Undo in the scenario takes back the scenario's operation only.
	stacks := expect(e.do(req{method: "GET", path: "/api/v1/undo", role: "editor"}), 200, "the official undo stack")
	if n := len(stacks["undo"].([]any)); n != 0 {
		t.Errorf("the official undo stack holds %d operations of the scenario", n)
	}
	expect(e.do(req{method: "POST", path: "/api/v1/undo" + in, role: "editor", body: `{}`}), 200, "undo in the scenario")
	back := expect(e.do(req{method: "GET", path: "/api/v1/zones/" + itoa(cp) + in, role: "viewer"}), 200, "the scenario's zone after undo")
	if name := back["properties"].(map[string]any)["name"]; name != "甲区" {
		t.Errorf("after undo in the scenario its zone is called %v, want 甲区", name)
	}

	// A zone drawn in the scenario is the scenario's.
	feature := `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]},"properties":{"kind":"township","name":"新区","county_adcode":"331102"}}`
	created := expect(e.do(req{method: "POST", path: "/api/v1/zones" + in, role: "editor", body: feature}), 201, "draw in the scenario")
	if n, _ := e.st.ListZones(ctx, store.ZoneFilter{}); len(n) != 1 {
		t.Errorf("the official data has %d zones after drawing in the scenario, want 1", len(n))
	}
	if sc, err := e.st.ScenarioOf(ctx, "zone", int64(created["id"].(float64))); err != nil || itoa(sc) != sid {
		t.Errorf("the new zone belongs to scenario %d (%v), want %s", sc, err, sid)
	}

	// A bad or unknown scenario is refused; a retired one is gone.
	// An export made in the scenario is its data, and every feature says so.
	r = e.do(req{method: "GET", path: "/api/v1/exports" + in + "&format=geojson&layer=zones", role: "viewer"})
	if r.status != 200 || !strings.Contains(string(r.body), `方案：方案甲（基于 `) || !strings.Contains(string(r.body), "新区") ||
		!strings.Contains(r.header.Get("Content-Disposition"), "%E6%96%B9%E6%A1%88") {
		t.Errorf("an export in a scenario: %d %s %.300s", r.status, r.header.Get("Content-Disposition"), r.body)
	}
	if r := e.do(req{method: "GET", path: "/api/v1/exports?format=geojson&layer=zones", role: "viewer"}); strings.Contains(string(r.body), `"plan"`) || strings.Contains(string(r.body), "新区") {
		t.Errorf("the official export carries the plan: %.300s", r.body)
	}
	r = e.do(req{method: "GET", path: "/api/v1/exports/handover" + in, role: "viewer"})
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Disposition"), "_%E6%96%B9%E6%A1%88_") || !zipSays(t, r.body, "方案：方案甲（基于 ") {
		t.Errorf("the handover package of a scenario: %d %s (%d bytes); want its name and README to name the plan", r.status, r.header.Get("Content-Disposition"), len(r.body))
	}
	expect(e.do(req{method: "POST", path: "/api/v1/imports" + in, role: "editor", body: `{}`}), 409, "an import in a scenario")
	expect(e.do(req{method: "GET", path: "/api/v1/zones?scenario=x", role: "viewer"}), 400, "scenario=x")
	expect(e.do(req{method: "GET", path: "/api/v1/zones?scenario=999999", role: "viewer"}), 404, "an unknown scenario")
	expect(e.do(req{method: "GET", path: "/api/v1/zones?scenario=" + sid, role: ""}), 401, "an anonymous caller in a scenario")
	r = e.do(req{method: "POST", path: "/api/v1/scenarios", role: "admin", body: `{"name":"管理员方案"}`})
	other := itoa(int64(expect(r, 201, "the administrator's scenario")["id"].(float64)))
	expect(e.do(req{method: "DELETE", path: "/api/v1/scenarios/" + other, role: "editor", header: map[string]string{"If-Match": `"1"`}}), 403, "retire someone else's scenario")
	expect(e.do(req{method: "DELETE", path: "/api/v1/scenarios/" + sid, role: "editor", header: map[string]string{"If-Match": `"1"`}}), 204, "retire one's own scenario")
	expect(e.do(req{method: "GET", path: "/api/v1/zones" + in, role: "viewer"}), 410, "a retired scenario's zones")
}

// zipSays says whether a text file (.txt, .xml) in the zip archive holds s.
func zipSays(t *testing.T, archive []byte, s string) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("not a zip archive: %v", err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".txt") && !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}
