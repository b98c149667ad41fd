package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// A split whose line misses the zone is its own problem type (split-line),
// naming the zone, so the page can say in the planner's language what to do.
func TestSplitLineProblem(t *testing.T) {
	e := newEnv(t, api.Options{})
	z, err := e.st.CreateZone(context.Background(), store.ZoneFields{Kind: ptr("park"), Name: ptr("分割区"), CountyAdcode: ptr("331102"), Geom: square()}, store.Change{Actor: "editor1"})
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(req{method: "POST", path: fmt.Sprintf("/api/v1/zones/%d/split", z.ID), role: "editor",
		header: map[string]string{"If-Match": `"1"`},
		body:   `{"line":{"type":"LineString","coordinates":[[119.95,28.3],[119.95,28.5]]}}`})
	m := r.json(t)
	if typ, _ := m["type"].(string); r.status != http.StatusUnprocessableEntity || !strings.HasSuffix(typ, "/split-line") || m["zone"] != float64(z.ID) {
		t.Fatalf("split with a line that misses the zone: %d %s, want 422 split-line naming zone %d", r.status, r.body, z.ID)
	}
	if d, _ := m["detail"].(string); !strings.Contains(d, "from outside to outside") {
		t.Errorf("the detail does not say what to do: %q", d)
	}
}

// The repair hint of an invalid geometry depends on PostGIS's reason.
func TestInvalidGeometryHint(t *testing.T) {
	e := newEnv(t, api.Options{})
	z, err := e.st.CreateZone(context.Background(), store.ZoneFields{Kind: ptr("park"), Name: ptr("无效区"), CountyAdcode: ptr("331102"), Geom: square()}, store.Change{Actor: "editor1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, coords, hint string }{
		{"bow-tie", `[[[119.86,28.40],[119.88,28.42],[119.88,28.40],[119.86,28.42],[119.86,28.40]]]`, "no longer cross"},
		{"hole outside", `[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.42],[119.86,28.40]],[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]`, "keep the hole entirely inside"},
	} {
		r := e.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/zones/%d", z.ID), role: "editor",
			header: map[string]string{"If-Match": `"1"`},
			body:   `{"type":"Feature","geometry":{"type":"Polygon","coordinates":` + tc.coords + `},"properties":{}}`})
		d, _ := r.json(t)["detail"].(string)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(d, tc.hint) {
			t.Errorf("%s: %d %q, want 422 saying %q", tc.name, r.status, d, tc.hint)
		}
		if strings.Contains(d, "does not cross itself") && tc.name != "bow-tie" {
			t.Errorf("%s: the hint speaks of crossing: %q", tc.name, d)
		}
	}
	for reason, want := range map[string]string{
		"Self-intersection[119.87 28.41]": "no longer cross",
		"Too few points":                  "at least three",
		"Hole lies outside shell":         "hole entirely inside",
		"Ring Self-intersection":          "touches itself",
		"something new":                   "check the vertices",
	} {
		if got := store.RepairHint(reason); !strings.Contains(got, want) {
			t.Errorf("RepairHint(%q) = %q, want it to say %q", reason, got, want)
		}
	}
}
