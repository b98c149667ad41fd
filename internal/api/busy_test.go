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

// A write whose transaction loses to serialisation failures every time it
// is tried (here a trigger that always fails so) answers 503 busy, as
// problem+json with Retry-After, never 500.
func TestBusyWriteAnswers503(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("忙园"), CountyAdcode: ptr("331102"), Geom: square()},
		store.Change{Actor: "editor1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool().Exec(ctx, `
		CREATE FUNCTION test_always_busy() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure'; END $$;
		CREATE TRIGGER test_always_busy BEFORE UPDATE ON zone FOR EACH ROW EXECUTE FUNCTION test_always_busy();`); err != nil {
		t.Fatal(err)
	}
	before := e.st.Stats().GaveUp.Load()
	r := e.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/zones/%d", z.ID), role: "editor",
		body:   `{"type":"Feature","properties":{"name":"改名"}}`,
		header: map[string]string{"If-Match": `"1"`}})
	p := r.json(t)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || !strings.HasSuffix(fmt.Sprint(p["type"]), "/busy") {
		t.Fatalf("a write that always loses: %d Retry-After %q %s, want 503 busy with Retry-After", r.status, r.header.Get("Retry-After"), r.body)
	}
	if e.st.Stats().GaveUp.Load() != before+1 {
		t.Errorf("the store did not retry and give up (gave up %d, was %d)", e.st.Stats().GaveUp.Load(), before)
	}
}
