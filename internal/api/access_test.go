package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

const (
	public = "public" // anyone, signed in or not
	signed = "signed" // any signed-in user
)

// accessRule is what one route needs and what a request that passes the
// access check answers (the requests are chosen so that they change nothing).
type accessRule struct {
	min    string // public, signed, viewer, editor, admin
	path   string // with the fixture ids filled in
	body   string
	ifm    string
	status int
}

const validPolygon = `{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]]}`

func accessRules(zone, platform, layer int64) map[string]accessRule {
	z, p, l := fmt.Sprint(zone), fmt.Sprint(platform), fmt.Sprint(layer)
	feature := `{"type":"Feature","geometry":` + validPolygon + `,"properties":{"kind":"park","name":"x","county_adcode":"331102"}}`
	return map[string]accessRule{
		"POST /auth/login":  {min: public, body: `{}`, status: 422},
		"POST /auth/logout": {min: public, status: 204},
		"POST /auth/token":  {min: public, body: `{}`, status: 422},
		"GET /auth/me":      {min: signed, status: 200},
		"GET /config":       {min: public, status: 200},

		"GET /zones":                   {min: "viewer", status: 200},
		"GET /zones/summary":           {min: "viewer", status: 200},
		"GET /zones/totals":            {min: "viewer", status: 200},
		"POST /zones":                  {min: "editor", body: `{}`, status: 422},
		"POST /zones/merge":            {min: "editor", body: `{"zone_ids":[]}`, status: 422},
		"POST /zones/preview":          {min: "editor", path: "/zones/preview?platform=" + p, body: validPolygon, status: 200},
		"GET /zones/{id}":              {min: "viewer", path: "/zones/" + z, status: 200},
		"PUT /zones/{id}":              {min: "editor", path: "/zones/" + z, body: feature, ifm: `"99"`, status: 412},
		"PATCH /zones/{id}":            {min: "editor", path: "/zones/" + z, body: `{"type":"Feature","properties":{"name":"y"}}`, ifm: `"99"`, status: 412},
		"DELETE /zones/{id}":           {min: "editor", path: "/zones/" + z, ifm: `"99"`, status: 412},
		"POST /zones/{id}/split":       {min: "editor", path: "/zones/" + z + "/split", body: `{"line":{"type":"LineString","coordinates":[[119.87,28.3],[119.87,28.5]]}}`, ifm: `"99"`, status: 412},
		"GET /zones/{id}/history":      {min: "viewer", path: "/zones/" + z + "/history", status: 200},
		"GET /zones/{id}/developable":  {min: "viewer", path: "/zones/" + z + "/developable", status: 200},
		"POST /zones/{id}/preview":     {min: "editor", path: "/zones/" + z + "/preview", body: validPolygon, status: 200},
		"POST /zones/{id}/restore":     {min: "editor", path: "/zones/" + z + "/restore", body: `{"revision_id":999999}`, ifm: `"99"`, status: 412},
		"GET /platforms":               {min: "viewer", status: 200},
		"POST /platforms":              {min: "editor", body: `{}`, status: 422},
		"GET /platforms/{id}":          {min: "viewer", path: "/platforms/" + p, status: 200},
		"PUT /platforms/{id}":          {min: "editor", path: "/platforms/" + p, body: `{"note":"n"}`, ifm: `"99"`, status: 412},
		"PATCH /platforms/{id}":        {min: "editor", path: "/platforms/" + p, body: `{"note":"n"}`, ifm: `"99"`, status: 412},
		"DELETE /platforms/{id}":       {min: "editor", path: "/platforms/" + p, ifm: `"99"`, status: 412},
		"PUT /platforms/{id}/members":  {min: "editor", path: "/platforms/" + p + "/members", body: `{"zone_ids":[]}`, ifm: `"99"`, status: 412},
		"GET /platforms/{id}/report":   {min: "viewer", path: "/platforms/" + p + "/report", status: 200},
		"GET /platforms/{id}/history":  {min: "viewer", path: "/platforms/" + p + "/history", status: 200},
		"POST /platforms/{id}/restore": {min: "editor", path: "/platforms/" + p + "/restore", body: `{"revision_id":999999}`, ifm: `"99"`, status: 412},
		"GET /layers":                  {min: "viewer", status: 200},
		"GET /undo":                    {min: "editor", status: 200},
		"POST /undo":                   {min: "editor", status: 409}, // nothing of theirs to undo
		"POST /redo":                   {min: "editor", status: 409},
		"PATCH /layers/{id}":           {min: "admin", path: "/layers/" + l, body: `{"enabled":false}`, ifm: `"99"`, status: 412},
		"POST /measure":                {min: "viewer", body: validPolygon, status: 200},
		"POST /measure/length":         {min: "viewer", body: `{"type":"LineString","coordinates":[[119.86,28.40],[119.88,28.40]]}`, status: 200},
		"POST /imports":                {min: "editor", body: `{}`, status: 415},
		"GET /imports/{id}":            {min: "editor", path: "/imports/0123456789abcdef01234567", status: 404},
		"POST /imports/{id}/commit":    {min: "editor", path: "/imports/0123456789abcdef01234567/commit", body: `{}`, status: 404},
		"DELETE /imports/{id}":         {min: "editor", path: "/imports/0123456789abcdef01234567", status: 404},
		"GET /exports":                 {min: "viewer", path: "/exports?format=nope", status: 400},
		"GET /exports/handover":        {min: "viewer", path: "/exports/handover?crs=EPSG:3857", status: 400},
		"GET /exports/formats":         {min: "viewer", status: 200},
		"GET /users":                   {min: "admin", status: 200},
		"POST /users":                  {min: "admin", body: `{}`, status: 422},
		"PATCH /users/{name}":          {min: "admin", path: "/users/nosuch", body: `{"role":"viewer"}`, status: 404},
		"GET /tokens":                  {min: "admin", status: 200},
		"DELETE /tokens/{id}":          {min: "admin", path: "/tokens/999999", status: 404},
		"PUT /settings/basemap":        {min: "admin", body: `{"tianditu_key":"not-a-key"}`, status: 422},

		// Enterprise figures (issue 18).
		"GET /enterprises":                      {min: "viewer", status: 200},
		"GET /enterprises/years":                {min: "viewer", status: 200},
		"GET /enterprises/unplaced":             {min: "viewer", path: "/enterprises/unplaced?year=2024", status: 200},
		"POST /enterprises/imports":             {min: "editor", status: 400}, // no ?year=
		"POST /enterprises/imports/{id}/commit": {min: "editor", path: "/enterprises/imports/0123456789abcdef01234567/commit", body: `{}`, status: 404},
		"GET /evaluation/scheme":                {min: "viewer", status: 200},
		"PUT /evaluation/scheme":                {min: "admin", body: `{}`, ifm: `"1"`, status: 422},
		"GET /evaluation/assessment-scheme":     {min: "viewer", status: 200},
		"PUT /evaluation/assessment-scheme":     {min: "admin", body: `{}`, ifm: `"1"`, status: 422},
		"GET /evaluation":                       {min: "viewer", path: "/evaluation?year=2024", status: 200},
		"GET /evaluation/platforms":             {min: "viewer", path: "/evaluation/platforms?year=2024", status: 200},
		"GET /evaluation/assessment":            {min: "viewer", path: "/evaluation/assessment?year=2024", status: 200},
		"GET /evaluation.xlsx":                  {min: "viewer", path: "/evaluation.xlsx?year=2024", status: 200},
		"GET /evaluation/assessment.xlsx":       {min: "viewer", path: "/evaluation/assessment.xlsx?year=2024", status: 200},
		"GET /evaluation/map":                   {min: "viewer", path: "/evaluation/map?year=2024", status: 200},
		"GET /evaluation/assessment/years":      {min: "viewer", status: 200},
		"GET /platforms/{id}/indicators":        {min: "viewer", path: "/platforms/" + p + "/indicators?year=2024", status: 200},

		"GET /platforms/{id}/developable": {min: "viewer", path: "/platforms/" + p + "/developable", status: 200},

		"GET /platforms/{id}/shortfall":      {min: "viewer", path: "/platforms/" + p + "/shortfall", status: 200},
		"POST /platforms/{id}/shortfall/add": {min: "editor", path: "/platforms/" + p + "/shortfall/add", body: `{"key":"zone:1"}`, ifm: `"99"`, status: 409}, // official data: in a plan only

		"GET /exports/qgis-project":   {min: "viewer", status: 200},
		"GET /exports/maplibre-style": {min: "viewer", status: 200},
		"GET /scenarios":              {min: "viewer", status: 200},
		"POST /scenarios":             {min: "editor", body: `{}`, status: 422},
		"GET /scenarios/{id}":         {min: "viewer", path: "/scenarios/999999", status: 404},
		"GET /scenarios/compare":      {min: "viewer", path: "/scenarios/compare?ids=0", status: 400},
		"GET /scenarios/compare.xlsx": {min: "viewer", path: "/scenarios/compare.xlsx?ids=0", status: 400},
		"GET /scenarios/diff":         {min: "viewer", path: "/scenarios/diff?a=0&b=0", status: 400},
		"POST /scenarios/{id}/adopt":  {min: "admin", path: "/scenarios/999999/adopt", body: `{}`, ifm: `"1"`, status: 404},
		"POST /scenarios/{id}/rebase": {min: "editor", path: "/scenarios/999999/rebase", body: `{}`, ifm: `"1"`, status: 404},
		"DELETE /scenarios/{id}":      {min: "editor", path: "/scenarios/999999", ifm: `"99"`, status: 404},
	}
}

var rank = map[string]int{"": 0, "viewer": 1, "editor": 2, "admin": 3}

// TestAccessMatrix checks every route for every kind of caller. The routes
// come from the router itself, so a new route without a rule fails here.
func TestAccessMatrix(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("Z"), CountyAdcode: ptr("331102"), Geom: square()}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("P")}, []int64{z.ID}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := e.st.CreateLayer(ctx, store.Change{}, "L", "exclude", "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := accessRules(z.ID, p.ID, l.ID)
	seen := map[string]bool{}
	err = chi.Walk(api.New(e.st, api.Options{}).Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		key := method + " " + strings.TrimSuffix(route, "/")
		seen[key] = true
		rule, ok := rules[key]
		if !ok {
			t.Errorf("route %s has no access rule in this test: add one", key)
			return nil
		}
		path := rule.path
		if path == "" {
			path = strings.TrimSuffix(route, "/")
		}
		for _, role := range []string{"", "viewer", "editor", "admin"} {
			want := rule.status
			switch {
			case rule.min == public:
			case role == "":
				want = http.StatusUnauthorized
			case rule.min == signed:
			case rank[role] < rank[rule.min]:
				want = http.StatusForbidden
			}
			if key == "GET /auth/me" && role == "" {
				want = http.StatusUnauthorized
			}
			q := req{method: method, path: "/api/v1" + path, body: rule.body, role: role}
			if rule.ifm != "" {
				q.header = map[string]string{"If-Match": rule.ifm}
			}
			got := e.do(q)
			if got.status != want {
				t.Errorf("%s as %q: status %d, want %d: %s", key, role, got.status, want, got.body)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range rules {
		if !seen[key] {
			t.Errorf("rule for %s matches no route", key)
		}
	}
	// Nothing was changed by any of these requests.
	after, _ := e.st.GetZone(ctx, z.ID)
	if after.Version != z.Version || after.RetiredAt != nil {
		t.Errorf("zone changed by the access checks: v%d → v%d", z.Version, after.Version)
	}
}

func TestPublicRead(t *testing.T) {
	e := newEnv(t, api.Options{PublicRead: true})
	if got := e.do(req{method: "GET", path: "/api/v1/zones"}); got.status != 200 {
		t.Fatalf("anonymous read with public-read: %d", got.status)
	}
	if got := e.do(req{method: "POST", path: "/api/v1/zones", body: `{}`}); got.status != 401 {
		t.Fatalf("anonymous write with public-read: %d", got.status)
	}
	if got := e.do(req{method: "GET", path: "/api/v1/users"}); got.status != 401 {
		t.Fatalf("anonymous user list with public-read: %d", got.status)
	}
}
