package ogc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"wanmu/internal/store"
)

// send is do with a body and headers.
func (e *env) send(method, path, role, body string, header map[string]string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/geo+json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

const ogcZone = `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.42],[119.86,28.40]]]},` +
	`"properties":{"kind":"township","name":"青田东源","county_adcode":"331121","disposition":"并"}}`

// TestTransactions: Part 4 on the zones — create, replace, update and
// delete with the zone's ETag in If-Match (428 without, 412 when stale),
// each a revision by its author; OPTIONS says what the caller may do; the
// REST API's validation and messages; the other collections and a plan's
// zones are not writable.
func TestTransactions(t *testing.T) {
	e := newEnvWith(t, envOptions{writable: true})
	ctx := context.Background()

	conf := e.get("/ogc/conformance", "application/json")
	for _, c := range []string{"create-replace-delete", "update", "features"} {
		if !slices.Contains(conf["conformsTo"].([]any), any("http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/"+c)) {
			t.Errorf("conformsTo lacks Part 4's %s", c)
		}
	}
	doc := e.get("/ogc/api", "application/vnd.oai.openapi+json;version=3.0")
	paths := doc["paths"].(map[string]any)
	for path, ops := range map[string][]string{"/collections/{collectionId}/items": {"get", "post"},
		"/collections/{collectionId}/items/{featureId}": {"get", "put", "patch", "delete"}} {
		for _, op := range ops {
			if _, ok := paths[path].(map[string]any)[op]; !ok {
				t.Errorf("the API definition lacks %s %s", op, path)
			}
		}
	}
	for _, c := range []struct{ path, role, allow string }{
		{"/ogc/collections/zones/items", "viewer", "GET, HEAD, OPTIONS"},
		{"/ogc/collections/zones/items", "editor", "GET, HEAD, OPTIONS, POST"},
		{"/ogc/collections/zones/items/1", "editor", "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"},
		{"/ogc/collections/platforms/items", "admin", "GET, HEAD, OPTIONS"},
	} {
		if r := e.send("OPTIONS", c.path, c.role, "", nil); r.status != 204 || r.header.Get("Allow") != c.allow {
			t.Errorf("OPTIONS %s as %s: %d Allow %q, want %q", c.path, c.role, r.status, r.header.Get("Allow"), c.allow)
		}
	}

	if r := e.send("POST", "/ogc/collections/zones/items", "viewer", ogcZone, nil); r.status != 403 {
		t.Errorf("a viewer creating: %d", r.status)
	}
	if r := e.send("POST", "/ogc/collections/zones/items", "", ogcZone, nil); r.status != 401 {
		t.Errorf("anonymous creating: %d", r.status)
	}
	r := e.send("POST", "/ogc/collections/zones/items", "editor", ogcZone, nil)
	if r.status != 201 || !strings.HasPrefix(r.header.Get("Location"), "/ogc/collections/zones/items/") || r.header.Get("ETag") != `"1"` {
		t.Fatalf("create: %d Location %q ETag %q: %s", r.status, r.header.Get("Location"), r.header.Get("ETag"), r.body)
	}
	loc := r.header.Get("Location")
	got := e.send("GET", loc, "viewer", "", nil)
	if got.status != 200 || got.header.Get("ETag") != `W/"1"` {
		t.Fatalf("GET the created zone: %d ETag %q", got.status, got.header.Get("ETag"))
	}

	// Replace with the ETag read; then the old one is stale.
	replaced := strings.Replace(ogcZone, "青田东源", "青田东源（改）", 1)
	if r := e.send("PUT", loc, "editor", replaced, map[string]string{"If-Match": got.header.Get("ETag")}); r.status != 200 || r.header.Get("ETag") != `"2"` {
		t.Errorf("PUT with the ETag: %d %s", r.status, r.body)
	}
	if r := e.send("PUT", loc, "editor", replaced, map[string]string{"If-Match": `W/"1"`}); r.status != 412 {
		t.Errorf("PUT with a stale ETag: %d, want 412", r.status)
	}
	if r := e.send("PATCH", loc, "editor", `{"type":"Feature","properties":{"disposition":"提"}}`, nil); r.status != 428 {
		t.Errorf("PATCH without If-Match: %d, want 428", r.status)
	}
	if r := e.send("PATCH", loc, "editor", `{"type":"Feature","properties":{"disposition":"提"}}`, map[string]string{"If-Match": `W/"2"`}); r.status != 200 {
		t.Errorf("PATCH: %d %s", r.status, r.body)
	}

	// The REST API's validation, word for word.
	bad := strings.Replace(ogcZone, "331121", "330302", 1)
	o := e.send("POST", "/ogc/collections/zones/items", "editor", bad, nil)
	rest := e.send("POST", "/api/v1/zones", "editor", bad, nil)
	var po, pr map[string]any
	_ = json.Unmarshal(o.body, &po)
	_ = json.Unmarshal(rest.body, &pr)
	if o.status != 422 || po["detail"] != pr["detail"] {
		t.Errorf("an unknown county through the OGC API: %d %v; REST says %v", o.status, po["detail"], pr["detail"])
	}

	var id int64
	_ = json.Unmarshal([]byte(strings.TrimPrefix(loc, "/ogc/collections/zones/items/")), &id)
	hist, err := e.st.History(ctx, "zone", id)
	if err != nil || len(hist) != 3 {
		t.Fatalf("the zone's history: %d revisions, %v; want create, replace, update", len(hist), err)
	}
	for _, h := range hist {
		if h.Actor != "editor1" {
			t.Errorf("revision %s by %q, want editor1", h.Action, h.Actor)
		}
	}

	// Other collections and plans.
	if r := e.send("POST", "/ogc/collections/platforms/items", "admin", ogcZone, nil); r.status != 405 || r.header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("POST to platforms: %d Allow %q", r.status, r.header.Get("Allow"))
	}
	sc, err := e.st.CreateScenario(ctx, "方案", "", store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	zs, _ := e.st.In(sc.ID).ListZones(ctx, store.ZoneFilter{})
	if len(zs) == 0 {
		t.Fatal("the plan has no zones")
	}
	if r := e.send("PATCH", "/ogc/collections/zones/items/"+strconv.FormatInt(zs[0].ID, 10), "editor", `{"type":"Feature","properties":{"name":"x"}}`, map[string]string{"If-Match": `"1"`}); r.status != 404 {
		t.Errorf("a plan's zone through the OGC API: %d, want 404", r.status)
	}

	if r := e.send("DELETE", loc, "editor", "", map[string]string{"If-Match": `W/"3"`}); r.status != 204 {
		t.Errorf("DELETE: %d %s", r.status, r.body)
	}
	if r := e.send("GET", loc, "viewer", "", nil); r.status != 404 {
		t.Errorf("GET a deleted zone: %d", r.status)
	}
}
