package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"wanmu/internal/api"
)

// The server keeps each editor's undo and redo stacks: a reload loses
// nothing, another editor's stack is their own, and the answer carries the
// zones as they are now.
func TestUndoRedoStacks(t *testing.T) {
	e := newEnv(t, api.Options{})
	create := e.do(req{method: "POST", path: "/api/v1/zones", role: "editor",
		body: `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[119.86,28.4],[119.88,28.4],[119.88,28.42],[119.86,28.4]]]},"properties":{"kind":"park","name":"新园","county_adcode":"331102"}}`})
	if create.status != http.StatusCreated {
		t.Fatalf("create: %d %s", create.status, create.body)
	}
	id := int64(create.json(t)["properties"].(map[string]any)["id"].(float64))
	stacks := func(role string) (undo, redo []map[string]any) {
		r := e.do(req{method: "GET", path: "/api/v1/undo", role: role})
		var v struct{ Undo, Redo []map[string]any }
		if r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil {
			t.Fatalf("GET /undo as %s: %d %s", role, r.status, r.body)
		}
		return v.Undo, v.Redo
	}
	undo, _ := stacks("editor")
	if len(undo) != 1 {
		t.Fatalf("editor's undo stack: %v, want the creation", undo)
	}
	if other, _ := stacks("admin"); len(other) != 0 {
		t.Fatalf("admin's undo stack holds the editor's operation: %v", other)
	}
	// A page showing a stale top (another tab moved on) is refused.
	if r := e.do(req{method: "POST", path: "/api/v1/undo", role: "editor", body: `{"op":999999}`}); r.status != http.StatusConflict {
		t.Fatalf("undo of a stale op: %d %s", r.status, r.body)
	}
	r := e.do(req{method: "POST", path: "/api/v1/undo", role: "editor", body: fmt.Sprintf(`{"op":%v}`, undo[0]["op"])})
	zones, _ := r.json(t)["zones"].(map[string]any)
	features, _ := zones["features"].([]any)
	if r.status != http.StatusOK || len(features) != 1 {
		t.Fatalf("undo: %d %s", r.status, r.body)
	}
	if props := features[0].(map[string]any)["properties"].(map[string]any); props["retired_at"] == nil || int64(props["id"].(float64)) != id {
		t.Fatalf("undo of a creation answers %v, want the zone retired", props)
	}
	// A retired zone is found by part of its name among the retired ones.
	for q, want := range map[string]int{"retired=only&q=新": 1, "retired=only&q=%25": 0, "q=新": 0} {
		r := e.do(req{method: "GET", path: "/api/v1/zones?" + q, role: "viewer"})
		if fs, _ := r.json(t)["features"].([]any); r.status != http.StatusOK || len(fs) != want {
			t.Errorf("GET /zones?%s: %d, %d zones, want %d", q, r.status, len(fs), want)
		}
	}
	undo, redo := stacks("editor")
	if len(undo) != 0 || len(redo) != 1 {
		t.Fatalf("after undo: %d to undo, %d to redo", len(undo), len(redo))
	}
	if r := e.do(req{method: "POST", path: "/api/v1/redo", role: "editor"}); r.status != http.StatusOK {
		t.Fatalf("redo: %d %s", r.status, r.body)
	}
	if r := e.do(req{method: "GET", path: fmt.Sprintf("/api/v1/zones/%d", id), role: "viewer"}); r.json(t)["properties"].(map[string]any)["retired_at"] != nil {
		t.Fatalf("after redo the zone is still retired: %s", r.body)
	}
	if r := e.do(req{method: "POST", path: "/api/v1/redo", role: "editor"}); r.status != http.StatusConflict {
		t.Fatalf("redo with nothing to redo: %d %s", r.status, r.body)
	}
}
