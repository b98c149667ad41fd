package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// POST /scenarios/{id}/adopt (administrators): a conflict comes back as a
// 409 listing it, with nothing written; with a choice the scenario becomes
// the official data.
func TestAdoptRoute(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	c := store.Change{Actor: "editor1"}
	a, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲"), CountyAdcode: ptr("331102"), Geom: square()}, c)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "方案", "", c)
	if err != nil {
		t.Fatal(err)
	}
	copies, err := e.st.In(sc.ID).ListZones(ctx, store.ZoneFilter{})
	if err != nil || len(copies) != 1 {
		t.Fatal(copies, err)
	}
	if _, err := e.st.In(sc.ID).UpdateZone(ctx, copies[0].ID, copies[0].Version, store.ZoneFields{Name: ptr("甲（方案）")}, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.UpdateZone(ctx, a.ID, a.Version, store.ZoneFields{Name: ptr("甲（正式）")}, c); err != nil {
		t.Fatal(err)
	}
	// Rebasing meets the same conflict, listed the same way.
	rr := e.do(req{method: "POST", path: "/api/v1/scenarios/" + itoa(sc.ID) + "/rebase", role: "editor", body: `{}`, header: map[string]string{"If-Match": `"1"`}})
	if rr.status != 409 || !strings.Contains(string(rr.body), `"official_id":`+itoa(a.ID)) {
		t.Errorf("rebase over a conflict: %d %s", rr.status, rr.body)
	}
	path := "/api/v1/scenarios/" + itoa(sc.ID) + "/adopt"
	ifm := map[string]string{"If-Match": `"1"`}
	if r := e.do(req{method: "POST", path: path, role: "editor", body: `{}`, header: ifm}); r.status != 403 {
		t.Errorf("an editor adopts: %d, want 403", r.status)
	}
	r := e.do(req{method: "POST", path: path, role: "admin", body: `{}`, header: ifm})
	var p struct {
		Type      string                `json:"type"`
		Conflicts []store.AdoptConflict `json:"conflicts"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil || r.status != 409 || len(p.Conflicts) != 1 || p.Conflicts[0].OfficialID != a.ID {
		t.Fatalf("adopt over a conflict: %d %s", r.status, r.body)
	}
	if r := e.do(req{method: "POST", path: path, role: "admin", body: `{"choices":{"zone:1":"mine"}}`, header: ifm}); r.status != 422 {
		t.Errorf("a choice that is neither scenario nor official: %d", r.status)
	}
	body := `{"choices":{"zone:` + itoa(a.ID) + `":"scenario"}}`
	if r := e.do(req{method: "POST", path: path, role: "admin", body: body, header: ifm}); r.status != 200 {
		t.Fatalf("adopt with the choice: %d %s", r.status, r.body)
	}
	if z, _ := e.st.GetZone(ctx, a.ID); z.Name != "甲（方案）" {
		t.Errorf("after adopting, the official zone is %q", z.Name)
	}
	if r := e.do(req{method: "GET", path: "/api/v1/zones?scenario=" + itoa(sc.ID), role: "viewer"}); r.status != 410 {
		t.Errorf("an adopted scenario is closed: %d, want 410", r.status)
	}
	// It is no longer a draft; the record of adopted plans names it.
	var drafts, adopted struct {
		Scenarios []struct {
			ID        int64   `json:"id"`
			AdoptedBy string  `json:"adopted_by"`
			AdoptedAt *string `json:"adopted_at"`
		} `json:"scenarios"`
	}
	for path, into := range map[string]any{"/api/v1/scenarios": &drafts, "/api/v1/scenarios?state=adopted": &adopted} {
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if err := json.Unmarshal([]byte(r.body), into); r.status != 200 || err != nil {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	for _, d := range drafts.Scenarios {
		if d.ID == sc.ID {
			t.Errorf("the adopted scenario is still listed as a draft")
		}
	}
	if len(adopted.Scenarios) != 1 || adopted.Scenarios[0].ID != sc.ID || adopted.Scenarios[0].AdoptedBy != "admin1" || adopted.Scenarios[0].AdoptedAt == nil {
		t.Errorf("adopted scenarios: %+v, want scenario %d adopted by admin1", adopted.Scenarios, sc.ID)
	}
	if r := e.do(req{method: "GET", path: "/api/v1/scenarios?state=retired", role: "viewer"}); r.status != 400 {
		t.Errorf("state=retired: %d, want 400", r.status)
	}
}
