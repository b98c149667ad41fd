package api_test

import (
	"context"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// Free attributes sent by a client keep their kind of number: 7 stays an
// integer and 7.0 a real in the store (and so in every export); a NUL is
// refused.
func TestAttributeNumbersFromClients(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲"), CountyAdcode: ptr("331102"), Geom: square()}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(req{method: "PATCH", path: "/api/v1/zones/" + itoa(z.ID), role: "editor",
		body:   `{"type":"Feature","properties":{"attributes":{"批次":7,"容积率":7.0,"比":1.5e3,"列":[1,2.0]}}}`,
		header: map[string]string{"If-Match": `"1"`}})
	if r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	got, err := e.st.GetZone(ctx, z.ID)
	if err != nil {
		t.Fatal(err)
	}
	a := got.Attributes
	if _, ok := a["批次"].(int64); !ok {
		t.Errorf("批次 = %#v, want an integer", a["批次"])
	}
	if v, ok := a["容积率"].(float64); !ok || v != 7 {
		t.Errorf("容积率 = %#v, want the real 7.0", a["容积率"])
	}
	if v, ok := a["比"].(float64); !ok || v != 1500 {
		t.Errorf("比 = %#v, want the real 1500.0", a["比"])
	}
	if l, _ := a["列"].([]any); len(l) != 2 || l[0] != int64(1) || l[1] != 2.0 {
		t.Errorf("列 = %#v, want [1, 2.0]", a["列"])
	}
	r = e.do(req{method: "PATCH", path: "/api/v1/zones/" + itoa(z.ID), role: "editor",
		body:   `{"type":"Feature","properties":{"attributes":{"x":"a\u0000b"}}}`,
		header: map[string]string{"If-Match": `"2"`}})
	if r.status != 422 {
		t.Errorf("a NUL in an attribute: %d %s, want 422", r.status, r.body)
	}
}
