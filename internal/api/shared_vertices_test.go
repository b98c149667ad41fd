package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// TestZoneSharedVertices: PATCH with "shared_vertices" moves the vertex in
// the neighbour too and answers which neighbours followed, with their
// features; entries that are not vertices of the zone, malformed or too
// many are refused with 422 naming the entry, and nothing is written.
func TestZoneSharedVertices(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	mk := func(name string, g orb.MultiPolygon) store.Zone {
		z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr("331102"), Geom: g}, store.Change{})
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	a := mk("甲", orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}})
	b := mk("乙", orb.MultiPolygon{{{{119.88, 28.40}, {119.90, 28.40}, {119.90, 28.42}, {119.88, 28.42}, {119.88, 28.40}}}})
	patch := func(shared string) resp {
		t.Helper()
		return e.do(req{method: "PATCH", path: "/api/v1/zones/" + itoa(a.ID), role: "editor",
			body: `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[119.86,28.40],[119.881,28.40],[119.88,28.42],[119.86,28.42],[119.86,28.40]]]},` +
				`"shared_vertices":` + shared + `}`,
			header: map[string]string{"If-Match": `"1"`}})
	}
	for _, tc := range []struct{ shared, path string }{
		{`[{"from":[119.88,28.4],"to":[119.881,28.4]},{"from":[119.8800001,28.4],"to":null}]`, "shared_vertices[1].from"},
		{`[{"from":[119.88,28.4],"to":[119.9,28.4]}]`, "shared_vertices[0].to"},
		{`[{"from":[119.88,28.4]}]`, "shared_vertices[0].to"},
		{`[{"from":[119.88],"to":null}]`, "shared_vertices[0].from"},
		{`[{"from":[119.88,28.4],"to":null,"by":1}]`, "shared_vertices"},
		{`[` + strings.Repeat(`{"from":[119.88,28.4],"to":null},`, 1000) + `{"from":[119.88,28.4],"to":null}]`, "shared_vertices"},
	} {
		r := patch(tc.shared)
		if r.status != 422 {
			t.Errorf("%.80s: %d %s, want 422", tc.shared, r.status, r.body)
			continue
		}
		errs, _ := r.json(t)["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["path"] != tc.path {
			t.Errorf("%.80s: errors %v, want one naming %s", tc.shared, errs, tc.path)
		}
	}
	if z, _ := e.st.GetZone(ctx, a.ID); z.Version != 1 {
		t.Fatalf("a refused update was written: version %d", z.Version)
	}

	r := patch(`[{"from":[119.88,28.4],"to":[119.881,28.4]}]`)
	if r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	sv, _ := r.json(t)["shared_vertices"].(map[string]any)
	up, _ := sv["updated"].([]any)
	if len(up) != 1 {
		t.Fatalf("shared_vertices %v, want one neighbour updated", sv)
	}
	u := up[0].(map[string]any)
	f, _ := u["feature"].(map[string]any)
	if u["id"] != float64(b.ID) || u["name"] != "乙" || u["moved"] != float64(1) || f == nil || f["geometry"] == nil {
		t.Errorf("updated %v, want 乙 with 1 moved and its feature", u)
	}
	nb, _ := e.st.GetZone(ctx, b.ID)
	if p := nb.Geom[0][0][0]; p != (orb.Point{119.881, 28.40}) || nb.Geom[0][0][4] != p {
		t.Errorf("neighbour stored %v, want its start at [119.881, 28.4]", nb.Geom)
	}
}
