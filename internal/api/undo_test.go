package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// An editor may undo their own latest change of a zone (here: bring back a
// zone they retired by mistake) through …/restore, but nothing else: not an
// older revision, not someone else's change. An administrator may restore
// any revision.
func TestEditorUndoesOwnLatestChange(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("误删园区"), CountyAdcode: ptr("331102"), Geom: square()},
		store.Change{Actor: "editor1"})
	if err != nil {
		t.Fatal(err)
	}
	history := func() []store.Revision {
		h, err := e.st.History(ctx, "zone", z.ID)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	restore := func(role string, revision int64) resp {
		cur, err := e.st.GetZone(ctx, z.ID)
		if err != nil {
			t.Fatal(err)
		}
		return e.do(req{method: "POST", path: fmt.Sprintf("/api/v1/zones/%d/restore", z.ID), role: role,
			body: fmt.Sprintf(`{"revision_id":%d,"reason":"撤销"}`, revision), header: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, cur.Version)}})
	}
	if r := e.do(req{method: "DELETE", path: "/api/v1/zones/" + itoa(z.ID), role: "editor", header: map[string]string{"If-Match": `"1"`}}); r.status != http.StatusNoContent {
		t.Fatalf("retire: %d %s", r.status, r.body)
	}
	h := history() // created, retired
	if r := restore("viewer", h[0].ID); r.status != http.StatusForbidden {
		t.Errorf("viewer restore: %d, want 403", r.status)
	}
	if r := restore("editor", h[0].ID); r.status != http.StatusOK {
		t.Fatalf("editor undoing their retirement: %d %s", r.status, r.body)
	}
	if got, _ := e.st.GetZone(ctx, z.ID); got.RetiredAt != nil {
		t.Fatal("the zone is still retired after the undo")
	}

	// The admin changes it; the editor's undo of that is refused, as is a
	// jump back to an older revision.
	if _, err := e.st.UpdateZone(ctx, z.ID, 3, store.ZoneFields{Name: ptr("管理员改名")}, store.Change{Actor: "admin1"}); err != nil {
		t.Fatal(err)
	}
	h = history() // created, retired, restored, renamed by admin
	r := restore("editor", h[2].ID)
	if r.status != http.StatusForbidden || r.json(t)["detail"] == "" {
		t.Errorf("editor undoing the admin's change: %d %s, want 403 with a reason", r.status, r.body)
	}
	if r := restore("editor", h[0].ID); r.status != http.StatusForbidden {
		t.Errorf("editor restoring an older revision: %d, want 403", r.status)
	}
	if got, _ := e.st.GetZone(ctx, z.ID); got.Name != "管理员改名" || got.Version != 4 {
		t.Errorf("a refused undo changed the zone: %q version %d", got.Name, got.Version)
	}
	if r := restore("admin", h[0].ID); r.status != http.StatusOK {
		t.Errorf("admin restoring the first revision: %d %s", r.status, r.body)
	}
}
