package ogc_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/ogc"
)

// TestAccessMatrix checks every /ogc route for every kind of caller, with
// and without --public-read, as internal/api/access_test.go does for the
// REST API. The routes come from the router itself, so a new route without
// a rule fails here. Every route is a read that needs the viewer role
// (anonymous visitors may read with public reading on); writes are refused
// before the router with 401, and by it with 405.
func TestAccessMatrix(t *testing.T) {
	for _, publicRead := range []bool{false, true} {
		e := newEnv(t, publicRead)
		f := e.fixture()
		layer := layerID(f.farmland)
		zone := strconv.FormatInt(f.zones[0].ID, 10)
		paths := map[string]string{
			"/":                                 "/ogc",
			"/api":                              "/ogc/api",
			"/conformance":                      "/ogc/conformance",
			"/collections":                      "/ogc/collections",
			"/collections/{collectionId}":       "/ogc/collections/" + layer,
			"/collections/{collectionId}/items": "/ogc/collections/" + layer + "/items?limit=5",
			"/collections/{collectionId}/items/{featureId}": "/ogc/collections/zones/items/" + zone,
		}
		seen := map[string]bool{}
		err := chi.Walk(ogc.New(e.st, ogc.Options{}).Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			route = strings.TrimSuffix(route, "/")
			if route == "" {
				route = "/"
			}
			seen[route] = true
			path, ok := paths[route]
			if !ok {
				t.Errorf("route %s %s has no access rule in this test: add one", method, route)
				return nil
			}
			if method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions {
				t.Errorf("route %s %s: without Writes the OGC API is read-only", method, route)
			}
			for _, role := range []string{"", "viewer", "editor", "admin"} {
				want := http.StatusOK
				if method == http.MethodOptions {
					want = http.StatusNoContent // what the caller may do (transactions.go)
				}
				if role == "" && (!publicRead || method == http.MethodOptions) {
					want = http.StatusUnauthorized
				}
				if got := e.do(method, path, role); got.status != want {
					t.Errorf("public-read %v: %s %s as %q: %d, want %d: %s", publicRead, method, path, role, got.status, want, got.body)
				}
			}
			// Writes: anonymous ones never pass the authentication (even
			// with public reading); signed-in ones reach a read-only router.
			for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
				if method != http.MethodGet {
					break
				}
				if got := e.do(m, path, ""); got.status != http.StatusUnauthorized {
					t.Errorf("public-read %v: anonymous %s %s: %d, want 401", publicRead, m, path, got.status)
				}
				if got := e.do(m, path, "admin"); got.status != http.StatusMethodNotAllowed {
					t.Errorf("public-read %v: admin %s %s: %d, want 405", publicRead, m, path, got.status)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for route := range paths {
			if !seen[route] {
				t.Errorf("rule for %s matches no route", route)
			}
		}
		// A revoked or made-up token is refused, not read as anonymous.
		e.tokens["bogus"] = "not-a-token"
		if got := e.do("GET", "/ogc/collections", "bogus"); got.status != http.StatusUnauthorized ||
			!strings.Contains(string(got.body), "the API token is unknown") {
			t.Errorf("public-read %v: a bad token: %d %s", publicRead, got.status, got.body)
		}
	}
}
