package ogc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/auth"
	"wanmu/internal/store"
)

// A county's editor edits through the OGC API what the REST API lets them
// edit: zones of their county only, and no platform that is not open to
// their county's editors.
func TestCountyEditorThroughOGC(t *testing.T) {
	e := newEnvWith(t, envOptions{writable: true})
	ctx := context.Background()
	hash, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateUser(ctx, "qingtian", auth.Editor, []string{"331121"}, hash); err != nil {
		t.Fatal(err)
	}
	secret := auth.NewSecret()
	if _, err := e.st.CreateToken(ctx, "qingtian", auth.HashSecret(secret), "test"); err != nil {
		t.Fatal(err)
	}
	e.tokens["county"] = secret

	c := store.Change{Actor: "t"}
	sq := orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}
	kind, name, lishui := "park", "莲都园", "331102"
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &lishui, Geom: sq}, c)
	if err != nil {
		t.Fatal(err)
	}
	pname := "莲都平台"
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: &pname, Counties: []string{lishui}}, []int64{z.ID}, c)
	if err != nil {
		t.Fatal(err)
	}

	other := strings.Replace(ogcZone, "331121", "331102", 1)
	if r := e.send("POST", "/ogc/collections/zones/items", "county", other, nil); r.status != 403 {
		t.Errorf("a 青田 editor creating a zone of 莲都: %d %s, want 403", r.status, r.body)
	}
	if r := e.send("POST", "/ogc/collections/zones/items", "county", ogcZone, nil); r.status != 201 {
		t.Errorf("a 青田 editor creating a zone of 青田: %d %s, want 201", r.status, r.body)
	}
	patch := `{"type":"Feature","properties":{"name":"改名"}}`
	if r := e.send("PATCH", fmt.Sprintf("/ogc/collections/zones/items/%d", z.ID), "county", patch, map[string]string{"If-Match": `W/"1"`}); r.status != 403 {
		t.Errorf("a 青田 editor renaming a zone of 莲都: %d %s, want 403", r.status, r.body)
	}
	if r := e.send("PATCH", fmt.Sprintf("/ogc/collections/platforms/items/%d", p.ID), "county", `{"properties":{"note":"x"}}`, map[string]string{"If-Match": `W/"1"`}); r.status != 403 {
		t.Errorf("a 青田 editor changing 莲都's platform: %d %s, want 403", r.status, r.body)
	}
	// A change that changes nothing is refused all the same: never "saved"
	// for a write its author may not make.
	same := fmt.Sprintf(`{"type":"Feature","properties":{"name":%q}}`, name)
	if r := e.send("PATCH", fmt.Sprintf("/ogc/collections/zones/items/%d", z.ID), "county", same, map[string]string{"If-Match": `W/"1"`}); r.status != 403 {
		t.Errorf("a 青田 editor's unchanged PATCH of a zone of 莲都: %d %s, want 403", r.status, r.body)
	}
	if r := e.send("PATCH", fmt.Sprintf("/ogc/collections/platforms/items/%d", p.ID), "county", `{"properties":{"note":""}}`, map[string]string{"If-Match": `W/"1"`}); r.status != 403 {
		t.Errorf("a 青田 editor's unchanged PATCH of 莲都's platform: %d %s, want 403", r.status, r.body)
	}
	if r := e.send("PATCH", fmt.Sprintf("/api/v1/platforms/%d", p.ID), "county", `{"note":""}`, map[string]string{"If-Match": `"1"`}); r.status != 403 {
		t.Errorf("the same through the REST API: %d %s, want 403", r.status, r.body)
	}
	if got, _ := e.st.GetZone(ctx, z.ID); got.Name != name || got.Version != 1 {
		t.Errorf("莲都's zone after the refused edits: %q version %d", got.Name, got.Version)
	}
}
