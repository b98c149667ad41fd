package api_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// A split shares the approved area among the pieces by their area (adding
// up to the source's); the source's JSON names every piece in split_into.
func TestSplitKeepsApprovedAreaJSON(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	approved := 37.5
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("分割园"), CountyAdcode: ptr("331102"),
		ApprovedAreaHa: ptr(&approved), Geom: square()}, store.Change{Actor: "editor1"})
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(req{method: "POST", path: fmt.Sprintf("/api/v1/zones/%d/split", z.ID), role: "editor",
		body:   `{"line":{"type":"LineString","coordinates":[[119.865,28.39],[119.865,28.43]]}}`,
		header: map[string]string{"If-Match": `"1"`}})
	feats, _ := r.json(t)["features"].([]any)
	if len(feats) != 2 {
		t.Fatalf("split: %d %s", r.status, r.body)
	}
	var sum float64
	var ids []float64
	for _, f := range feats {
		props := f.(map[string]any)["properties"].(map[string]any)
		v, ok := props["approved_area_ha"].(float64)
		if !ok {
			t.Fatalf("piece %v has no approved area: %v", props["name"], props["approved_area_ha"])
		}
		sum += v
		ids = append(ids, props["id"].(float64))
	}
	if math.Abs(sum-approved) > 1e-9 {
		t.Errorf("pieces' approved areas add to %.10f, source %.4f", sum, approved)
	}
	g := e.do(req{method: "GET", path: fmt.Sprintf("/api/v1/zones/%d", z.ID), role: "viewer"})
	props, _ := g.json(t)["properties"].(map[string]any)
	into, _ := props["split_into"].([]any)
	if len(into) != 2 || into[0] != ids[0] || into[1] != ids[1] {
		t.Errorf("source's split_into = %v, want %v", props["split_into"], ids)
	}
}
