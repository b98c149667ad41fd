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

// Restoring a merged source while the merged zone is live would count its
// land twice: 409 successor-live naming the merged zone (id and name) and
// what to do; nothing changes.
func TestRestoreMergedSourceRefused(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	by := store.Change{Actor: "editor1"}
	a, b := westEast(t, e, by)
	m, err := e.st.MergeZones(ctx, []int64{a.ID, b.ID}, nil, store.MergeOptions{Fields: store.ZoneFields{Name: ptr("合并园")}}, by)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := e.st.History(ctx, "zone", a.ID)
	src, _ := e.st.GetZone(ctx, a.ID)
	r := e.do(req{method: "POST", path: fmt.Sprintf("/api/v1/zones/%d/restore", a.ID), role: "admin",
		body:   fmt.Sprintf(`{"revision_id":%d}`, h[0].ID),
		header: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, src.Version)}})
	p := r.json(t)
	succ, _ := p["successors"].([]any)
	first, _ := func() (map[string]any, bool) {
		if len(succ) != 1 {
			return nil, false
		}
		s, ok := succ[0].(map[string]any)
		return s, ok
	}()
	if r.status != http.StatusConflict || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") ||
		!strings.HasSuffix(fmt.Sprint(p["type"]), "/successor-live") || first == nil ||
		first["id"] != float64(m.Zone.ID) || first["name"] != "合并园" || !strings.Contains(fmt.Sprint(p["detail"]), "Undo the merge") {
		t.Fatalf("restore of a merged source: %d %s, want 409 successor-live naming zone %d 合并园", r.status, r.body, m.Zone.ID)
	}
	if z, _ := e.st.GetZone(ctx, a.ID); z.RetiredAt == nil || z.Version != src.Version {
		t.Errorf("the refused restore changed the source: retired %v, version %d", z.RetiredAt, z.Version)
	}
}
