package tiles_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// The zones and platforms tiles of a scenario (?scenario=ID) show its own
// zones, cached apart from the official data's; the official tile never
// shows a draft's change.
func TestScenarioTiles(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	id := insertZone(t, pool, "正式名称", box(119.90, 28.40, 119.95, 28.45))
	if _, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("平台")}, []int64{id}, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	sc, err := st.CreateScenario(ctx, "方案", "", store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	zs, err := st.In(sc.ID).ListZones(ctx, store.ZoneFilter{})
	if err != nil || len(zs) != 1 {
		t.Fatalf("the scenario's zones: %v, %v", zs, err)
	}
	if _, err := st.In(sc.ID).UpdateZone(ctx, zs[0].ID, zs[0].Version, store.ZoneFields{Name: ptr("方案名称")}, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	h, _ := newHandler(t, pool, st)
	srv := mount(h)
	tl := tileOf(12, orb.Point{119.92, 28.42})
	path := fmt.Sprintf("/zones/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y)
	for _, c := range []struct{ query, want, not string }{
		{"", "正式名称", "方案名称"},
		{fmt.Sprintf("?scenario=%d", sc.ID), "方案名称", "正式名称"},
		{"", "正式名称", "方案名称"}, // from the cache now: still the official one
		{"?scenario=0", "正式名称", "方案名称"},
	} {
		rec := get(t, srv, path+c.query)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, c.want) || strings.Contains(body, c.not) {
			t.Errorf("zones tile%s: %d %s; want %s and not %s", c.query, rec.Code, body, c.want, c.not)
		}
	}
	pp := fmt.Sprintf("/platforms/%d/%d/%d.geojson?scenario=%d", tl.Z, tl.X, tl.Y, sc.ID)
	if rec := get(t, srv, pp); rec.Code != 200 || !strings.Contains(rec.Body.String(), "平台") {
		t.Errorf("the scenario's platforms tile: %d %s", rec.Code, rec.Body.String())
	}
	for _, bad := range []string{"?scenario=x", "?scenario=-1"} {
		if rec := get(t, srv, path+bad); rec.Code != 400 {
			t.Errorf("zones tile%s: %d, want 400", bad, rec.Code)
		}
	}
	if rec := get(t, srv, "/layer-1/12/1/1.geojson?scenario=1"); rec.Code != 400 && rec.Code != 404 {
		t.Errorf("a constraint layer's tile with a scenario: %d, want 400 (or 404 without the layer)", rec.Code)
	}
}

func ptr[T any](v T) *T { return &v }
