package tiles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/change"
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
	// A plan's TileJSON leads to the plan's tiles (the MapLibre style of a
	// plan reads it).
	rec := get(t, srv, fmt.Sprintf("/zones.json?scenario=%d", sc.ID))
	var doc struct{ Tiles []string }
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); rec.Code != 200 || err != nil || len(doc.Tiles) != 1 ||
		!strings.HasSuffix(doc.Tiles[0], fmt.Sprintf("/zones/{z}/{x}/{y}.mvt?scenario=%d", sc.ID)) {
		t.Errorf("the plan's TileJSON: %d %s", rec.Code, rec.Body.String())
	}
	for _, bad := range []string{"?scenario=x", "?scenario=-1"} {
		if rec := get(t, srv, "/zones.json"+bad); rec.Code != 400 {
			t.Errorf("zones.json%s: %d, want 400", bad, rec.Code)
		}
		if rec := get(t, srv, path+bad); rec.Code != 400 {
			t.Errorf("zones tile%s: %d, want 400", bad, rec.Code)
		}
	}
	if rec := get(t, srv, "/layer-1/12/1/1.geojson?scenario=1"); rec.Code != 400 && rec.Code != 404 {
		t.Errorf("a constraint layer's tile with a scenario: %d, want 400 (or 404 without the layer)", rec.Code)
	}
}

// An edit invalidates the tiles of its own scenario only: an official edit
// leaves a scenario's zones and platforms tiles cached, and a scenario's
// edit leaves the official ones cached. A constraint layer, shared by all,
// drops the platforms tiles of every scenario.
func TestEditInvalidatesItsScenarioOnly(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	official := insertZone(t, pool, "正式区块", box(119.90, 28.40, 119.95, 28.45))
	if _, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("平台")}, []int64{official}, store.Change{Actor: "t"}); err != nil {
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
	copyZone := zs[0]
	h, bus := newHandler(t, pool, st)
	srv := mount(h)
	tl := tileOf(12, orb.Point{119.92, 28.42})
	tile := func(layer string, scenario int64) string {
		return fmt.Sprintf("/%s/%d/%d/%d.geojson?scenario=%d", layer, tl.Z, tl.X, tl.Y, scenario)
	}
	// cached fetches path and reports whether the cache answered it.
	cached := func(path string) (bool, string) {
		t.Helper()
		_, before, _, _ := h.CacheStats()
		rec := get(t, srv, path)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		_, after, _, _ := h.CacheStats()
		return after == before, rec.Body.String()
	}
	all := []string{tile("zones", 0), tile("platforms", 0), tile("zones", sc.ID), tile("platforms", sc.ID)}
	for _, p := range all {
		cached(p)
		if hit, _ := cached(p); !hit {
			t.Fatalf("%s is not cached", p)
		}
	}
	sync := func() {
		t.Helper()
		if err := bus.Sync(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}

	// An official edit (the zone is a platform's member: both layers change).
	z, err := st.GetZone(ctx, official)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateZone(ctx, official, z.Version, store.ZoneFields{Name: ptr("正式区块（改）")}, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	sync()
	for _, p := range all[2:] {
		if hit, _ := cached(p); !hit {
			t.Errorf("an official edit dropped the scenario's tile %s", p)
		}
	}
	for _, p := range all[:2] {
		if hit, _ := cached(p); hit {
			t.Errorf("an official edit left the official tile %s cached", p)
		}
	}
	if _, body := cached(all[0]); !strings.Contains(body, "正式区块（改）") {
		t.Errorf("the official tile after the edit: %s", body)
	}

	// A scenario's edit, moving a vertex.
	moved := orb.MultiPolygon{{{{119.90, 28.40}, {119.96, 28.40}, {119.96, 28.45}, {119.90, 28.45}, {119.90, 28.40}}}}
	if _, err := st.In(sc.ID).UpdateZone(ctx, copyZone.ID, copyZone.Version, store.ZoneFields{Geom: moved}, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	sync()
	for _, p := range all[:2] {
		if hit, _ := cached(p); !hit {
			t.Errorf("a scenario's edit dropped the official tile %s", p)
		}
	}
	for _, p := range all[2:] {
		if hit, _ := cached(p); hit {
			t.Errorf("a scenario's edit left its tile %s cached", p)
		}
	}
	if _, body := cached(all[0]); !strings.Contains(body, "正式区块（改）") || strings.Contains(body, "119.96") {
		t.Errorf("the official tile shows the scenario's edit: %s", body)
	}

	// A constraint layer is every scenario's: all platforms tiles go.
	if err := change.Publish(ctx, pool, change.Change{Layer: change.ConstraintLayer(1)}); err != nil {
		t.Fatal(err)
	}
	sync()
	for _, p := range []string{all[1], all[3]} {
		if hit, _ := cached(p); hit {
			t.Errorf("a constraint layer's change left %s cached", p)
		}
	}
	for _, p := range []string{all[0], all[2]} {
		if hit, _ := cached(p); !hit {
			t.Errorf("a constraint layer's change dropped the zones tile %s", p)
		}
	}
}

// Rebasing a scenario drops its own tiles only; adopting one drops the
// official data's (and the adopted scenario's), not another scenario's.
func TestRebaseAndAdoptInvalidate(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	id := insertZone(t, pool, "正式区块", box(119.90, 28.40, 119.95, 28.45))
	a, err := st.CreateScenario(ctx, "甲", "", store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateScenario(ctx, "乙", "", store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	h, bus := newHandler(t, pool, st)
	srv := mount(h)
	tl := tileOf(12, orb.Point{119.92, 28.42})
	tile := func(scenario int64) string {
		return fmt.Sprintf("/zones/%d/%d/%d.geojson?scenario=%d", tl.Z, tl.X, tl.Y, scenario)
	}
	cached := func(path string) bool {
		t.Helper()
		_, before, _, _ := h.CacheStats()
		if rec := get(t, srv, path); rec.Code != 200 {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		_, after, _, _ := h.CacheStats()
		return after == before
	}
	warm := func(ids ...int64) {
		t.Helper()
		for _, sc := range ids {
			cached(tile(sc))
			if !cached(tile(sc)) {
				t.Fatalf("%s is not cached", tile(sc))
			}
		}
	}
	sync := func() {
		t.Helper()
		if err := bus.Sync(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	// An official edit, then scenario a brought up to date with it.
	z, err := st.GetZone(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateZone(ctx, id, z.Version, store.ZoneFields{Name: ptr("正式区块（改）")}, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	sync()
	warm(0, a.ID, other.ID)
	if _, err := st.RebaseScenario(ctx, a.ID, a.Version, nil, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	sync()
	for sc, want := range map[int64]bool{0: true, a.ID: false, other.ID: true} {
		if got := cached(tile(sc)); got != want {
			t.Errorf("after rebasing scenario %d: %s cached = %v, want %v", a.ID, tile(sc), got, want)
		}
	}

	// Scenario a renames its copy and is adopted.
	a, err = st.GetScenario(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	zs, err := st.In(a.ID).ListZones(ctx, store.ZoneFilter{})
	if err != nil || len(zs) != 1 {
		t.Fatalf("scenario %d's zones: %v, %v", a.ID, zs, err)
	}
	if _, err := st.In(a.ID).UpdateZone(ctx, zs[0].ID, zs[0].Version, store.ZoneFields{Name: ptr("采纳名称")}, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	sync()
	warm(0, other.ID)
	if a, err = st.GetScenario(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AdoptScenario(ctx, a.ID, a.Version, nil, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	sync()
	if !cached(tile(other.ID)) {
		t.Errorf("adopting scenario %d dropped scenario %d's tile", a.ID, other.ID)
	}
	if cached(tile(0)) {
		t.Errorf("adopting scenario %d left the official tile cached", a.ID)
	}
	if body := get(t, srv, tile(0)).Body.String(); !strings.Contains(body, "采纳名称") {
		t.Errorf("the official tile after adopting: %s", body)
	}
}

// A tile asked for with a scenario id before that scenario exists is empty;
// once the scenario is created it shows the scenario's copies.
func TestNewScenarioTiles(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	insertZone(t, pool, "正式区块", box(119.90, 28.40, 119.95, 28.45))
	h, bus := newHandler(t, pool, st)
	srv := mount(h)
	var next int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) + 1 FROM scenario`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	tl := tileOf(12, orb.Point{119.92, 28.42})
	path := fmt.Sprintf("/zones/%d/%d/%d.geojson?scenario=%d", tl.Z, tl.X, tl.Y, next)
	if rec := get(t, srv, path); rec.Code != 204 {
		t.Fatalf("a scenario that does not exist yet: %d %s, want an empty tile", rec.Code, rec.Body)
	}
	sc, err := st.CreateScenario(ctx, "新方案", "", store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.ID != next {
		t.Fatalf("the scenario is %d, want %d", sc.ID, next)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if rec := get(t, srv, path); rec.Code != 200 || !strings.Contains(rec.Body.String(), "正式区块") {
		t.Errorf("the new scenario's tile: %d %s", rec.Code, rec.Body)
	}
}

func ptr[T any](v T) *T { return &v }
