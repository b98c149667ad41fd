package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/auth"
	"wanmu/internal/store"
)

// countyEnv is an API test server with an editor limited to 青田 (331121)
// signed in as role "county", beside the usual viewer, editor and admin.
func countyEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateUser(ctx, "qingtian1", auth.Editor, []string{"331121"}, hash); err != nil {
		t.Fatal(err)
	}
	secret := auth.NewSecret()
	if _, err := e.st.CreateToken(ctx, "qingtian1", auth.HashSecret(secret), "test"); err != nil {
		t.Fatal(err)
	}
	e.tokens["county"] = secret
	return e
}

// hundredth is a square of 0.01° with its south-west corner at (w, s).
func hundredth(w, s float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {w + 0.01, s}, {w + 0.01, s + 0.01}, {w, s + 0.01}, {w, s}}}}
}

// TestCountyEditorRoutes walks every write route of the API as an editor
// limited to 青田, aimed at 莲都's zones and platform or at the city's
// draft, with requests that would succeed for the city's editors: each is
// refused (403) and nothing changes. The routes come from the router, so a
// new write route without a rule here fails the test.
func TestCountyEditorRoutes(t *testing.T) {
	e := countyEnv(t)
	ctx := context.Background()
	c := store.Change{Actor: "editor1"}
	zf := func(name, county string, g orb.MultiPolygon) store.ZoneFields {
		return store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr(county), Geom: g}
	}
	a, err := e.st.CreateZone(ctx, zf("莲都甲", "331102", hundredth(119.90, 28.40)), c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.st.CreateZone(ctx, zf("莲都乙", "331102", hundredth(119.91, 28.40)), c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("莲都平台"), Counties: []string{"331102"}}, []int64{a.ID}, c)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "市级方案", "", c)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := e.st.In(sc.ID).ListPlatforms(ctx, false)
	if err != nil || len(ps) != 1 {
		t.Fatal(ps, err)
	}
	hist, err := e.st.History(ctx, "zone", a.ID)
	if err != nil || len(hist) == 0 {
		t.Fatal(hist, err)
	}
	phist, err := e.st.History(ctx, "platform", p.ID)
	if err != nil || len(phist) == 0 {
		t.Fatal(phist, err)
	}
	bs, err := e.st.In(sc.ID).ListZones(ctx, store.ZoneFilter{Text: "莲都乙"})
	if err != nil || len(bs) != 1 {
		t.Fatal(bs, err)
	}
	z, pl, sp := itoa(a.ID), itoa(p.ID), itoa(ps[0].ID)
	zm, pm := fmt.Sprintf(`"%d"`, a.Version), fmt.Sprintf(`"%d"`, p.Version)
	feature := `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.905,28.40],[119.905,28.41],[119.90,28.40]]]},"properties":{"kind":"park","name":"莲都甲","county_adcode":"331102"}}`

	forbidden := http.StatusForbidden
	// What the county's editor gets; skip: no data is written (sign-in).
	type rule struct {
		path, body, ifm string
		status          int
	}
	const skip = -1
	rules := map[string]rule{
		"POST /auth/login":  {status: skip},
		"POST /auth/logout": {status: skip},
		"POST /auth/token":  {status: skip},

		"POST /zones":                  {body: strings.Replace(feature, `"type":"Feature"`, `"type":"Feature","id":null`, 1), status: forbidden},
		"POST /zones/merge":            {body: fmt.Sprintf(`{"zone_ids":[%d,%d],"versions":{"%d":%d,"%d":%d},"platform_id":0}`, a.ID, b.ID, a.ID, a.Version, b.ID, b.Version), status: forbidden},
		"POST /zones/preview":          {path: "/zones/preview?platform=" + pl, body: validPolygon, status: http.StatusOK}, // a question, not a write
		"PUT /zones/{id}":              {path: "/zones/" + z, body: feature, ifm: zm, status: forbidden},
		"PATCH /zones/{id}":            {path: "/zones/" + z, body: `{"type":"Feature","properties":{"name":"越权"}}`, ifm: zm, status: forbidden},
		"DELETE /zones/{id}":           {path: "/zones/" + z, ifm: zm, status: forbidden},
		"POST /zones/{id}/split":       {path: "/zones/" + z + "/split", body: `{"line":{"type":"LineString","coordinates":[[119.905,28.39],[119.905,28.42]]}}`, ifm: zm, status: forbidden},
		"POST /zones/{id}/preview":     {path: "/zones/" + z + "/preview", body: validPolygon, status: http.StatusOK},
		"POST /zones/{id}/restore":     {path: "/zones/" + z + "/restore", body: fmt.Sprintf(`{"revision_id":%d}`, hist[len(hist)-1].ID), ifm: zm, status: forbidden},
		"POST /platforms":              {body: `{"name":"越权平台","counties":["331102"]}`, status: forbidden},
		"PUT /platforms/{id}":          {path: "/platforms/" + pl, body: `{"note":"越权"}`, ifm: pm, status: forbidden},
		"PATCH /platforms/{id}":        {path: "/platforms/" + pl, body: `{"note":"越权"}`, ifm: pm, status: forbidden},
		"DELETE /platforms/{id}":       {path: "/platforms/" + pl, ifm: pm, status: forbidden},
		"PUT /platforms/{id}/members":  {path: "/platforms/" + pl + "/members", body: `{"zone_ids":[]}`, ifm: pm, status: forbidden},
		"POST /platforms/{id}/restore": {path: "/platforms/" + pl + "/restore", body: fmt.Sprintf(`{"revision_id":%d}`, phist[len(phist)-1].ID), ifm: pm, status: forbidden},
		"POST /platforms/{id}/shortfall/add": {path: "/platforms/" + sp + "/shortfall/add?scenario=" + itoa(sc.ID),
			body: fmt.Sprintf(`{"key":"zone:%d"}`, bs[0].ID), ifm: fmt.Sprintf(`"%d"`, ps[0].Version), status: forbidden},
		"POST /scenarios":             {body: `{"name":"青田的方案"}`, status: http.StatusCreated}, // a draft of 青田's own
		"DELETE /scenarios/{id}":      {path: "/scenarios/" + itoa(sc.ID), ifm: fmt.Sprintf(`"%d"`, sc.Version), status: forbidden},
		"POST /scenarios/{id}/adopt":  {path: "/scenarios/" + itoa(sc.ID) + "/adopt", body: `{}`, ifm: fmt.Sprintf(`"%d"`, sc.Version), status: forbidden},
		"POST /scenarios/{id}/rebase": {path: "/scenarios/" + itoa(sc.ID) + "/rebase", body: `{}`, ifm: fmt.Sprintf(`"%d"`, sc.Version), status: forbidden},
		"POST /undo":                  {status: http.StatusConflict}, // nothing of theirs: TestCountyEditorUndo
		"POST /redo":                  {status: http.StatusConflict},
		"PATCH /layers/{id}":          {path: "/layers/1", body: `{"enabled":false}`, ifm: `"1"`, status: forbidden},
		"POST /measure":               {body: validPolygon, status: http.StatusOK},
		"POST /measure/length":        {body: `{"type":"LineString","coordinates":[[119.86,28.40],[119.88,28.40]]}`, status: http.StatusOK},
		"POST /imports":               {body: `{}`, status: forbidden},
		"POST /imports/{id}/commit":   {path: "/imports/0123456789abcdef01234567/commit", body: `{}`, status: forbidden},
		"DELETE /imports/{id}":        {path: "/imports/0123456789abcdef01234567", status: http.StatusNotFound},
		"POST /users":                 {body: `{}`, status: forbidden},
		"PATCH /users/{name}":         {path: "/users/qingtian1", body: `{"counties":[]}`, status: forbidden},
		"DELETE /tokens/{id}":         {path: "/tokens/1", status: forbidden},
		"PUT /settings/basemap":       {body: `{}`, status: forbidden},

		// Enterprise imports are for the city's editors too (issue 18).
		"POST /enterprises/imports":             {path: "/enterprises/imports?year=2024", body: `{}`, status: forbidden},
		"POST /enterprises/imports/{id}/commit": {path: "/enterprises/imports/0123456789abcdef01234567/commit", body: `{}`, status: forbidden},
		// The evaluation schemes are the administrators' (issue 18).
		"PUT /evaluation/scheme":            {body: `{}`, ifm: `"1"`, status: forbidden},
		"PUT /evaluation/assessment-scheme": {body: `{}`, ifm: `"1"`, status: forbidden},
	}
	seen := map[string]bool{}
	err = chi.Walk(api.New(e.st, api.Options{}).Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet || method == http.MethodHead {
			return nil
		}
		key := method + " " + strings.TrimSuffix(route, "/")
		seen[key] = true
		r, ok := rules[key]
		if !ok {
			t.Errorf("write route %s has no rule for county editors in this test: add one", key)
			return nil
		}
		if r.status == skip {
			return nil
		}
		path := r.path
		if path == "" {
			path = strings.TrimSuffix(route, "/")
		}
		q := req{method: method, path: "/api/v1" + path, body: r.body, role: "county"}
		if r.ifm != "" {
			q.header = map[string]string{"If-Match": r.ifm}
		}
		got := e.do(q)
		if got.status != r.status {
			t.Errorf("%s as 青田's editor: %d, want %d: %s", key, got.status, r.status, got.body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range rules {
		if !seen[key] {
			t.Errorf("rule for %s matches no write route", key)
		}
	}
	// Nothing moved.
	if z, _ := e.st.GetZone(ctx, a.ID); z.Version != a.Version || z.RetiredAt != nil || z.Name != "莲都甲" {
		t.Errorf("莲都甲 changed under the refusals: %+v", z)
	}
	if now, _ := e.st.GetPlatform(ctx, p.ID); now.Version != p.Version || now.RetiredAt != nil {
		t.Errorf("莲都平台 changed under the refusals: %+v", now)
	}
	// The city's editor is not limited: the same PATCH passes.
	if r := e.do(req{method: "PATCH", path: "/api/v1/zones/" + z, body: `{"type":"Feature","properties":{"name":"莲都甲（市）"}}`,
		role: "editor", header: map[string]string{"If-Match": zm}}); r.status != http.StatusOK {
		t.Errorf("the city's editor renaming 莲都甲: %d %s", r.status, r.body)
	}
}

// TestCountyEditor: an editor limited to 青田 sees its counties in
// /auth/me, edits 青田's zones, and gets a problem naming the zone and the
// counties when it reaches beyond them — also through undo, after the
// city moved the zone to another county. Administrators set the limit;
// only editors can have one, and only of the region's counties.
func TestCountyEditor(t *testing.T) {
	e := countyEnv(t)
	ctx := context.Background()
	var me struct {
		User struct {
			Counties []string `json:"counties"`
		} `json:"user"`
	}
	r := e.do(req{method: "GET", path: "/api/v1/auth/me", role: "county"})
	if err := json.Unmarshal(r.body, &me); err != nil || len(me.User.Counties) != 1 || me.User.Counties[0] != "331121" {
		t.Fatalf("/auth/me: %s", r.body)
	}
	q, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("township"), Name: ptr("青田功能区"), CountyAdcode: ptr("331121"), Geom: hundredth(120.2, 28.1)}, store.Change{Actor: "editor1"})
	if err != nil {
		t.Fatal(err)
	}
	r = e.do(req{method: "PATCH", path: "/api/v1/zones/" + itoa(q.ID), body: `{"type":"Feature","properties":{"disposition":"并"}}`,
		role: "county", header: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, q.Version)}})
	if r.status != http.StatusOK {
		t.Fatalf("青田's editor on a 青田 zone: %d %s", r.status, r.body)
	}
	// The city moves it to 莲都; undoing 青田's change would now write a
	// 莲都 zone.
	q, _ = e.st.GetZone(ctx, q.ID)
	if _, err := e.st.UpdateZone(ctx, q.ID, q.Version, store.ZoneFields{CountyAdcode: ptr("331102"), Name: ptr("青田功能区（划入莲都）")}, store.Change{Actor: "admin1"}); err != nil {
		t.Fatal(err)
	}
	r = e.do(req{method: "POST", path: "/api/v1/undo", role: "county"})
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
		Entity string `json:"entity"`
		ID     int64  `json:"id"`
	}
	_ = json.Unmarshal(r.body, &p)
	if r.status == http.StatusOK {
		t.Errorf("undo wrote a zone now in 莲都: %s", r.body)
	} else if r.status == http.StatusForbidden && (!strings.HasSuffix(p.Type, "outside-counties") || p.ID != q.ID || !strings.Contains(p.Detail, "331121")) {
		t.Errorf("the refusal does not name the zone and the counties: %s", r.body)
	}

	// Setting the limit.
	for _, c := range []struct {
		body   string
		status int
	}{
		{`{"name":"v2","role":"viewer","password":"long enough password","counties":["331121"]}`, http.StatusUnprocessableEntity},
		{`{"name":"e2","role":"editor","password":"long enough password","counties":["330302"]}`, http.StatusUnprocessableEntity},
		{`{"name":"e2","role":"editor","password":"long enough password","counties":["331121","331121"]}`, http.StatusUnprocessableEntity},
		{`{"name":"e2","role":"editor","password":"long enough password","counties":["331121","331122"]}`, http.StatusCreated},
	} {
		if r := e.do(req{method: "POST", path: "/api/v1/users", body: c.body, role: "admin"}); r.status != c.status {
			t.Errorf("POST /users %s: %d, want %d: %s", c.body, r.status, c.status, r.body)
		}
	}
	r = e.do(req{method: "PATCH", path: "/api/v1/users/e2", body: `{"counties":[]}`, role: "admin"})
	var u struct {
		Counties []string `json:"counties"`
	}
	if err := json.Unmarshal(r.body, &u); r.status != 200 || err != nil || len(u.Counties) != 0 {
		t.Errorf("lifting e2's limit: %d %s", r.status, r.body)
	}
	r = e.do(req{method: "PATCH", path: "/api/v1/users/e2", body: `{"role":"admin"}`, role: "admin"})
	if err := json.Unmarshal(r.body, &u); r.status != 200 || err != nil || len(u.Counties) != 0 {
		t.Errorf("e2 made an administrator: %d %s", r.status, r.body)
	}
	if r := e.do(req{method: "PATCH", path: "/api/v1/users/e2", body: `{"counties":["331121"]}`, role: "admin"}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("limiting an administrator: %d %s", r.status, r.body)
	}
	// Opening a cross-county platform to its counties is the administrators'.
	if r := e.do(req{method: "POST", path: "/api/v1/platforms", body: `{"name":"跨区","counties":["331121","331102"],"county_editable":true}`, role: "editor"}); r.status != http.StatusForbidden {
		t.Errorf("an editor opening a platform to the counties: %d %s", r.status, r.body)
	}
	if r := e.do(req{method: "POST", path: "/api/v1/platforms", body: `{"name":"跨区","counties":["331121","331102"],"county_editable":true}`, role: "admin"}); r.status != http.StatusCreated || !strings.Contains(string(r.body), `"county_editable":true`) {
		t.Errorf("an administrator opening a platform to the counties: %d %s", r.status, r.body)
	}
}
