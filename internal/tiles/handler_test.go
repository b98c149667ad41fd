package tiles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"wanmu/internal/change"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/tiles"
)

// get requests path from h.
func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://wanmu.test/tiles"+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// mount serves h under /tiles, as the lead's router does.
func mount(h *tiles.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/tiles/", http.StripPrefix("/tiles", h))
	return mux
}

func insertZone(t *testing.T, pool *pgxpool.Pool, name, wkt string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(context.Background(), `INSERT INTO zone (kind, name, county_adcode, disposition, geom)
		VALUES ('park', $1, '331102', '提', ST_Multi(ST_GeomFromText($2, 4490))) RETURNING id`, name, wkt).Scan(&id)
	if err != nil {
		t.Fatalf("insert zone %s: %v", name, err)
	}
	return id
}

// box is a WKT rectangle.
func box(w, s, e, n float64) string {
	return fmt.Sprintf("POLYGON((%[1]g %[2]g, %[3]g %[2]g, %[3]g %[4]g, %[1]g %[4]g, %[1]g %[2]g))", w, s, e, n)
}

// tileOf is the tile holding lon/lat p at zoom z.
func tileOf(z int, p orb.Point) tiles.Tile {
	mt := maptile.At(p, maptile.Zoom(z))
	return tiles.Tile{Z: z, X: mt.X, Y: mt.Y}
}

func TestTileResponses(t *testing.T) {
	pool := testdb.New(t)
	// A zone with a hole, crossing tile edges at z14.
	id := insertZone(t, pool, "丽水经济技术开发区", "POLYGON((119.80 28.40, 119.86 28.40, 119.86 28.45, 119.80 28.45, 119.80 28.40),(119.82 28.42, 119.84 28.42, 119.84 28.43, 119.82 28.43, 119.82 28.42))")
	h, _ := newHandler(t, pool, store.New(pool))
	srv := mount(h)
	tl := tileOf(14, orb.Point{119.86, 28.45}) // holds a corner
	base := fmt.Sprintf("/zones/%d/%d/%d", tl.Z, tl.X, tl.Y)

	m := get(t, srv, base+".mvt")
	if m.Code != http.StatusOK || m.Header().Get("Content-Type") != tiles.MVTType {
		t.Fatalf("mvt: %d %s %s", m.Code, m.Header().Get("Content-Type"), m.Body)
	}
	g := get(t, srv, base+".geojson")
	if g.Code != http.StatusOK || g.Header().Get("Content-Type") != tiles.GeoJSONType {
		t.Fatalf("geojson: %d %s", g.Code, g.Header().Get("Content-Type"))
	}
	tiles.CompareEncodings(t, tl, "zones", m.Body.Bytes(), g.Body.Bytes())
	fc, err := geojson.UnmarshalFeatureCollection(g.Body.Bytes())
	if err != nil || len(fc.Features) != 1 {
		t.Fatalf("geojson: %v, %d features", err, len(fc.Features))
	}
	props := fc.Features[0].Properties
	for k, v := range map[string]any{"id": float64(id), "name": "丽水经济技术开发区", "kind": "park", "disposition": "提", "county_adcode": "331102"} {
		if props[k] != v {
			t.Errorf("property %s = %v, want %v", k, props[k], v)
		}
	}
	if _, ok := props["platform_id"]; ok {
		t.Error("platform_id set for a zone in no platform")
	}

	t.Run("ETag and 304", func(t *testing.T) {
		etag := m.Header().Get("ETag")
		if etag == "" || m.Header().Get("Cache-Control") != tiles.DefaultCacheControl {
			t.Fatalf("headers: %v", m.Header())
		}
		again := get(t, srv, base+".mvt")
		if again.Header().Get("ETag") != etag || again.Body.String() != m.Body.String() {
			t.Error("same tile, different answer")
		}
		nm := get(t, srv, base+".mvt", "If-None-Match", etag)
		if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d with %d bytes", nm.Code, nm.Body.Len())
		}
		other := get(t, srv, base+".mvt", "If-None-Match", `"other"`)
		if other.Code != http.StatusOK {
			t.Errorf("If-None-Match with another tag: %d", other.Code)
		}
	})
	t.Run("gzip", func(t *testing.T) {
		gz := get(t, srv, base+".geojson", "Accept-Encoding", "gzip, deflate")
		if gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() >= g.Body.Len() {
			t.Errorf("gzip: encoding %q, %d bytes of %d", gz.Header().Get("Content-Encoding"), gz.Body.Len(), g.Body.Len())
		}
		if gz.Header().Get("ETag") == g.Header().Get("ETag") {
			t.Error("gzip and identity share an ETag")
		}
		if nm := get(t, srv, base+".geojson", "Accept-Encoding", "gzip", "If-None-Match", gz.Header().Get("ETag")); nm.Code != http.StatusNotModified {
			t.Errorf("If-None-Match with the gzip tag: %d", nm.Code)
		}
	})
	t.Run("empty tile is 204", func(t *testing.T) {
		for _, ext := range []string{"mvt", "geojson"} {
			r := get(t, srv, "/zones/14/0/0."+ext)
			if r.Code != http.StatusNoContent || r.Body.Len() != 0 {
				t.Errorf("%s: %d with %d bytes", ext, r.Code, r.Body.Len())
			}
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		for _, tc := range []struct {
			path   string
			status int
			detail string
		}{
			{"/zones/23/0/0.mvt", 400, "zoom 23 is outside 0–22"},
			{"/zones/3/8/0.mvt", 400, "x 8 is outside 0–7 at zoom 3"},
			{"/zones/3/0/-1.mvt", 400, `y "-1" is not a whole number`},
			{"/zones/a/0/0.mvt", 400, `zoom "a" is not a whole number`},
			{"/zones/3/0/0.png", 400, `unknown tile format "png"`},
			{"/zones/3/0/0", 400, "no format"},
			{"/roads/3/0/0.mvt", 404, `there is no layer "roads"`},
			{"/layer-999/3/0/0.mvt", 404, `there is no layer "layer-999"`},
			{"/layer-999.json", 404, `there is no layer "layer-999"`},
		} {
			r := get(t, srv, tc.path)
			var p struct {
				Type, Title, Detail string
				Status              int
			}
			if err := json.Unmarshal(r.Body.Bytes(), &p); err != nil || r.Code != tc.status || p.Status != tc.status ||
				r.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(p.Detail, tc.detail) || p.Type == "" || p.Title == "" {
				t.Errorf("%s: %d %s %s, want %d with %q", tc.path, r.Code, r.Header().Get("Content-Type"), r.Body, tc.status, tc.detail)
			}
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodHead, "http://wanmu.test/tiles"+base+".mvt", nil)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") == "" {
			t.Errorf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
		}
	})
}

func TestTileJSONAndList(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	insertZone(t, pool, "缙云工业园区", box(120.0, 28.6, 120.1, 28.7))
	var layerID int64
	if err := pool.QueryRow(ctx, `INSERT INTO constraint_layer (name, kind) VALUES ('永久基本农田', 'exclude') RETURNING id`).Scan(&layerID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO constraint_feature (layer_id, geom, attributes)
		VALUES ($1, ST_Multi(ST_GeomFromText($2, 4490)), '{"dlbm": "0101", "area": 12.5, "keep": true}')`, layerID, box(119.1, 28.1, 119.2, 28.2)); err != nil {
		t.Fatal(err)
	}
	h, _ := newHandler(t, pool, store.New(pool))
	srv := mount(h)

	r := get(t, srv, fmt.Sprintf("/layer-%d.json", layerID), "X-Forwarded-Proto", "https")
	if r.Code != http.StatusOK {
		t.Fatalf("tilejson: %d %s", r.Code, r.Body)
	}
	var tj struct {
		TileJSON     string     `json:"tilejson"`
		Name         string     `json:"name"`
		Tiles        []string   `json:"tiles"`
		Bounds       [4]float64 `json:"bounds"`
		MinZoom      int        `json:"minzoom"`
		MaxZoom      int        `json:"maxzoom"`
		VectorLayers []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(r.Body.Bytes(), &tj); err != nil {
		t.Fatal(err)
	}
	layer := fmt.Sprintf("layer-%d", layerID)
	if tj.TileJSON != "3.0.0" || tj.Name != "永久基本农田" || len(tj.Tiles) != 1 ||
		tj.Tiles[0] != "https://wanmu.test/tiles/"+layer+"/{z}/{x}/{y}.mvt" || tj.MaxZoom < tj.MinZoom {
		t.Errorf("tilejson: %+v", tj)
	}
	if tj.Bounds != [4]float64{119.1, 28.1, 119.2, 28.2} {
		t.Errorf("bounds %v", tj.Bounds)
	}
	want := map[string]string{"id": "Number", "layer": "String", "dlbm": "String", "area": "Number", "keep": "Boolean"}
	if len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != layer || fmt.Sprint(tj.VectorLayers[0].Fields) != fmt.Sprint(want) {
		t.Errorf("vector_layers %+v, want fields %v", tj.VectorLayers, want)
	}

	r = get(t, srv, "/zones.json")
	if r.Code != http.StatusOK || !strings.Contains(r.Body.String(), `"platform_id":"Number"`) {
		t.Errorf("zones tilejson: %d %s", r.Code, r.Body)
	}

	r = get(t, srv, "/")
	var list struct {
		Layers []struct{ ID, Kind, TileJSON string }
	}
	if err := json.Unmarshal(r.Body.Bytes(), &list); err != nil || r.Code != http.StatusOK {
		t.Fatalf("list: %d %v", r.Code, err)
	}
	var ids []string
	for _, l := range list.Layers {
		ids = append(ids, l.ID+":"+l.Kind)
	}
	if got := strings.Join(ids, " "); got != "zones:zones platforms:platforms "+layer+":exclude" {
		t.Errorf("layers: %s", got)
	}
	if list.Layers[2].TileJSON != "http://wanmu.test/tiles/"+layer+".json" {
		t.Errorf("tilejson url %s", list.Layers[2].TileJSON)
	}

	// The constraint layer's tiles carry its name and attributes.
	tl := tileOf(12, orb.Point{119.15, 28.15})
	g := get(t, srv, fmt.Sprintf("/%s/%d/%d/%d.geojson", layer, tl.Z, tl.X, tl.Y))
	fc, err := geojson.UnmarshalFeatureCollection(g.Body.Bytes())
	if err != nil || len(fc.Features) != 1 {
		t.Fatalf("layer tile: %d %v", g.Code, err)
	}
	p := fc.Features[0].Properties
	if p["layer"] != "永久基本农田" || p["dlbm"] != "0101" || p["area"] != 12.5 || p["keep"] != true || p["id"] == nil {
		t.Errorf("properties %v", p)
	}
}

// withFigures is the kind of wrapper the lead adds: platform figures.
type withFigures struct{ *store.Store }

func (w withFigures) TileFeatures(ctx context.Context, layer string, q store.TileQuery) ([]store.TileFeature, error) {
	fs, err := w.Store.TileFeatures(ctx, layer, q)
	if layer == store.TilePlatforms {
		for i := range fs {
			fs[i].Props["developable_mu"] = 12345.67
			fs[i].Props["meets"] = true
		}
	}
	return fs, err
}

func TestPlatformOutlines(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	a := insertZone(t, pool, "a", box(119.90, 28.40, 119.95, 28.45))
	b := insertZone(t, pool, "b", box(119.95, 28.40, 120.00, 28.45))
	insertZone(t, pool, "c", box(119.70, 28.40, 119.75, 28.45))
	var pid int64
	if err := pool.QueryRow(ctx, `INSERT INTO platform (name) VALUES ('丽水市级平台') RETURNING id`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO platform_member (zone_id, platform_id) VALUES ($1, $3), ($2, $3)`, a, b, pid); err != nil {
		t.Fatal(err)
	}
	h, _ := newHandler(t, pool, withFigures{store.New(pool)})
	srv := mount(h)
	tl := tileOf(9, orb.Point{119.95, 28.42})
	r := get(t, srv, fmt.Sprintf("/platforms/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y))
	fc, err := geojson.UnmarshalFeatureCollection(r.Body.Bytes())
	if err != nil || len(fc.Features) != 1 {
		t.Fatalf("platforms tile: %d %v %s", r.Code, err, r.Body)
	}
	f := fc.Features[0]
	if f.Properties["name"] != "丽水市级平台" || f.Properties["id"] != float64(pid) || f.Properties["developable_mu"] != 12345.67 || f.Properties["meets"] != true {
		t.Errorf("properties %v", f.Properties)
	}
	// Dissolved: one ring, not two touching squares.
	if p, ok := f.Geometry.(orb.Polygon); !ok || len(p) != 1 || len(p[0]) != 5 {
		t.Errorf("outline %v is not one dissolved rectangle", f.Geometry)
	}
	// Zones carry their platform.
	r = get(t, srv, fmt.Sprintf("/zones/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y))
	fc, _ = geojson.UnmarshalFeatureCollection(r.Body.Bytes())
	n := 0
	for _, f := range fc.Features {
		if f.Properties["platform_id"] == float64(pid) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d zones carry platform_id %d, want 2", n, pid)
	}
}

func TestEditInvalidatesNextTile(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	id := insertZone(t, pool, "莲都工业区", box(119.90, 28.40, 119.95, 28.45))
	h, bus := newHandler(t, pool, store.New(pool))
	srv := mount(h)
	tl := tileOf(12, orb.Point{119.92, 28.42})
	far := tileOf(12, orb.Point{119.2, 28.0})
	insertZone(t, pool, "far", box(119.19, 27.99, 119.21, 28.01))
	path := fmt.Sprintf("/zones/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y)
	farPath := fmt.Sprintf("/zones/%d/%d/%d.mvt", far.Z, far.X, far.Y)
	before := get(t, srv, path)
	get(t, srv, farPath)
	if hits, _, n, _ := h.CacheStats(); n != 2 || hits != 0 {
		t.Fatalf("cache: %d tiles, %d hits", n, hits)
	}
	get(t, srv, path)
	if hits, _, _, _ := h.CacheStats(); hits != 1 {
		t.Fatalf("second request missed the cache")
	}

	// Move the zone and announce it in the same transaction.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE zone SET geom = ST_Multi(ST_GeomFromText($2, 4490)) WHERE id = $1`, id, box(119.90, 28.40, 119.93, 28.43)); err != nil {
		t.Fatal(err)
	}
	old := orb.Bound{Min: orb.Point{119.90, 28.40}, Max: orb.Point{119.95, 28.45}}
	if err := change.Publish(ctx, tx, change.Change{Layer: change.Zones, Bounds: []orb.Bound{old}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	after := get(t, srv, path)
	if after.Code != http.StatusOK || after.Body.String() == before.Body.String() || after.Header().Get("ETag") == before.Header().Get("ETag") {
		t.Fatal("the tile did not change after the edit")
	}
	if nm := get(t, srv, path, "If-None-Match", before.Header().Get("ETag")); nm.Code != http.StatusOK {
		t.Errorf("stale ETag answered %d", nm.Code)
	}
	// The far tile was not touched: still cached.
	_, misses, _, _ := h.CacheStats()
	get(t, srv, farPath)
	if _, m, _, _ := h.CacheStats(); m != misses {
		t.Error("a tile outside the change was dropped")
	}

	// A new zone shows up too.
	tx, _ = pool.Begin(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO zone (kind, name, county_adcode, geom) VALUES ('township', '新区块', '331102', ST_Multi(ST_GeomFromText($1, 4490)))`, box(119.96, 28.40, 119.97, 28.41)); err != nil {
		t.Fatal(err)
	}
	if err := change.Publish(ctx, tx, change.Change{Layer: change.Zones, Bounds: []orb.Bound{{Min: orb.Point{119.96, 28.40}, Max: orb.Point{119.97, 28.41}}}}); err != nil {
		t.Fatal(err)
	}
	tx.Commit(ctx)
	bus.Sync(ctx, pool)
	g := get(t, srv, fmt.Sprintf("/zones/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y))
	if !strings.Contains(g.Body.String(), "新区块") {
		t.Error("the new zone is not in the next tile")
	}
}

func TestTwoInstances(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	other, err := pgxpool.New(ctx, pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	id := insertZone(t, pool, "青田经济开发区", box(120.20, 28.10, 120.25, 28.15))
	ha, busA := newHandler(t, pool, store.New(pool))
	hb, busB := newHandler(t, other, store.New(other))
	a, b := mount(ha), mount(hb)
	tl := tileOf(13, orb.Point{120.22, 28.12})
	path := fmt.Sprintf("/zones/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y)
	get(t, b, path)
	before := get(t, b, path)
	if hits, _, _, _ := hb.CacheStats(); hits != 1 {
		t.Fatal("instance b does not cache")
	}
	if get(t, a, path).Body.String() != before.Body.String() {
		t.Fatal("instances disagree")
	}

	// Instance a's write, published on a's connection.
	tx, _ := pool.Begin(ctx)
	if _, err := tx.Exec(ctx, `UPDATE zone SET name = '青田经济开发区（扩区）' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	b0 := orb.Bound{Min: orb.Point{120.20, 28.10}, Max: orb.Point{120.25, 28.15}}
	if err := change.Publish(ctx, tx, change.Change{Layer: change.Zones, Bounds: []orb.Bound{b0}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := busB.Sync(ctx, other); err != nil {
		t.Fatal(err)
	}
	after := get(t, b, path)
	if !strings.Contains(after.Body.String(), "扩区") {
		t.Fatalf("instance b still serves the old tile: %s", after.Body)
	}
	// Instance a hears its own change through NOTIFY too.
	if err := busA.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if get(t, a, path).Body.String() != after.Body.String() {
		t.Error("instances disagree after the edit")
	}
}

func TestProxyHeadersNeedTrust(t *testing.T) {
	pool := testdb.New(t)
	h := tiles.NewHandler(store.New(pool), tiles.Options{})
	r := get(t, mount(h), "/zones.json", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https")
	if !strings.Contains(r.Body.String(), `"http://wanmu.test/tiles/zones/{z}/{x}/{y}.mvt"`) {
		t.Errorf("untrusted forwarding headers were used: %s", r.Body)
	}
	h = tiles.NewHandler(store.New(pool), tiles.Options{BaseURL: "https://gis.example.org/tiles/"})
	r = get(t, mount(h), "/zones.json")
	if !strings.Contains(r.Body.String(), `"https://gis.example.org/tiles/zones/{z}/{x}/{y}.mvt"`) {
		t.Errorf("BaseURL not used: %s", r.Body)
	}
}

func TestNoBusNoCache(t *testing.T) {
	pool := testdb.New(t)
	insertZone(t, pool, "z", box(119.90, 28.40, 119.95, 28.45))
	h := tiles.NewHandler(store.New(pool), tiles.Options{})
	tl := tileOf(12, orb.Point{119.92, 28.42})
	path := fmt.Sprintf("/zones/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y)
	for range 2 {
		if r := get(t, mount(h), path); r.Code != http.StatusOK {
			t.Fatalf("%d", r.Code)
		}
	}
	if _, _, n, _ := h.CacheStats(); n != 0 {
		t.Errorf("cached %d tiles with no bus", n)
	}
}

func TestOverLoopback(t *testing.T) {
	pool := testdb.New(t)
	insertZone(t, pool, "z", box(119.90, 28.40, 119.95, 28.45))
	h, _ := newHandler(t, pool, store.New(pool))
	srv := httptest.NewServer(mount(h))
	defer srv.Close()
	tl := tileOf(12, orb.Point{119.92, 28.42})
	res, err := http.Get(fmt.Sprintf("%s/tiles/zones/%d/%d/%d.geojson", srv.URL, tl.Z, tl.X, tl.Y))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !res.Uncompressed || !strings.Contains(string(body), `"FeatureCollection"`) {
		t.Errorf("over HTTP: %d, gzip %v, %.60s", res.StatusCode, res.Uncompressed, body)
	}
}

func TestChiMount(t *testing.T) {
	pool := testdb.New(t)
	insertZone(t, pool, "z", box(119.90, 28.40, 119.95, 28.45))
	h, _ := newHandler(t, pool, store.New(pool))
	r := chi.NewRouter()
	r.Mount("/tiles", h.Routes())
	for _, p := range []string{"", "/"} {
		if rec := get(t, r, p); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"tilejson":"http://wanmu.test/tiles/zones.json"`) {
			t.Errorf("GET /tiles%s: %d %s", p, rec.Code, rec.Body)
		}
	}
	rec := get(t, r, "/zones.json")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"tiles":["http://wanmu.test/tiles/zones/{z}/{x}/{y}.mvt"]`) {
		t.Errorf("GET /tiles/zones.json: %d %s", rec.Code, rec.Body)
	}
	tl := tileOf(12, orb.Point{119.92, 28.42})
	if rec := get(t, r, fmt.Sprintf("/zones/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y)); rec.Code != http.StatusOK {
		t.Errorf("tile: %d", rec.Code)
	}
	post := httptest.NewRecorder()
	r.ServeHTTP(post, httptest.NewRequest(http.MethodPost, "http://wanmu.test/tiles/zones.json", nil))
	if post.Code != http.StatusMethodNotAllowed || post.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("POST: %d %s", post.Code, post.Header().Get("Content-Type"))
	}
}

func TestConcurrentRequestsAndChanges(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	id := insertZone(t, pool, "v0", box(119.90, 28.40, 119.95, 28.45))
	h, bus := newHandler(t, pool, store.New(pool))
	srv := mount(h)
	tl := tileOf(12, orb.Point{119.92, 28.42})
	p := fmt.Sprintf("/zones/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y)
	done := make(chan struct{})
	errs := make(chan string, 100)
	for range 8 {
		go func() {
			for {
				select {
				case <-done:
					errs <- ""
					return
				default:
				}
				if r := get(t, srv, p); r.Code != http.StatusOK {
					errs <- fmt.Sprintf("%d %s", r.Code, r.Body)
				}
			}
		}()
	}
	b0 := orb.Bound{Min: orb.Point{119.90, 28.40}, Max: orb.Point{119.95, 28.45}}
	for i := 1; i <= 10; i++ {
		tx, _ := pool.Begin(ctx)
		if _, err := tx.Exec(ctx, `UPDATE zone SET name = $2 WHERE id = $1`, id, fmt.Sprintf("v%d", i)); err != nil {
			t.Fatal(err)
		}
		change.Publish(ctx, tx, change.Change{Layer: change.Zones, Bounds: []orb.Bound{b0}})
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := bus.Sync(ctx, pool); err != nil {
			t.Fatal(err)
		}
		// Read your own write, with requests in flight all along.
		if r := get(t, srv, p); !strings.Contains(r.Body.String(), fmt.Sprintf(`"v%d"`, i)) {
			t.Fatalf("after edit %d: %s", i, r.Body)
		}
	}
	close(done)
	for range 8 {
		for e := range errs {
			if e == "" {
				break
			}
			t.Error(e)
		}
	}
}

// panicsOnce is a source whose first tile build panics.
type panicsOnce struct {
	*store.Store
	done atomic.Bool
}

func (p *panicsOnce) TileFeatures(ctx context.Context, layer string, q store.TileQuery) ([]store.TileFeature, error) {
	if p.done.CompareAndSwap(false, true) {
		panic("the first build fails")
	}
	return p.Store.TileFeatures(ctx, layer, q)
}

// TestPanickingBuildDoesNotBlockTheTile: a build that panics answers 500,
// and the next request for the same tile builds it again instead of waiting
// for the failed build forever.
func TestPanickingBuildDoesNotBlockTheTile(t *testing.T) {
	pool := testdb.New(t)
	insertZone(t, pool, "a", box(119.90, 28.40, 119.95, 28.45))
	h, _ := newHandler(t, pool, &panicsOnce{Store: store.New(pool)})
	srv := mount(h)
	tl := tileOf(9, orb.Point{119.92, 28.42})
	path := fmt.Sprintf("/zones/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y)
	if r := get(t, srv, path); r.Code != http.StatusInternalServerError {
		t.Fatalf("the panicking build: %d, want 500", r.Code)
	}
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- get(t, srv, path) }()
	select {
	case r := <-done:
		fc, err := geojson.UnmarshalFeatureCollection(r.Body.Bytes())
		if r.Code != http.StatusOK || err != nil || len(fc.Features) != 1 {
			t.Fatalf("the tile after a failed build: %d %v %s", r.Code, err, r.Body)
		}
	case <-time.After(time.Minute):
		t.Fatal("the tile after a failed build never came: the failed build still blocks it")
	}
}

// TestLayerSwitchShowsInTheList: switching a constraint layer off for the
// report shows at once in the layer list, on every instance (through the
// change bus), not after the next import.
func TestLayerSwitchShowsInTheList(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	farm, err := wkb.Marshal(orb.Polygon{{{119.1, 28.1}, {119.2, 28.1}, {119.2, 28.2}, {119.1, 28.2}, {119.1, 28.1}}})
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "test", []store.LayerFeature{{Geom: farm}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, bus := newHandler(t, pool, st)
	srv := mount(h)
	enabled := func() bool {
		t.Helper()
		r := get(t, srv, "/")
		var list struct {
			Layers []struct {
				ID      string
				Enabled bool
			}
		}
		if err := json.Unmarshal(r.Body.Bytes(), &list); err != nil || r.Code != http.StatusOK {
			t.Fatalf("list: %d %v", r.Code, err)
		}
		for _, x := range list.Layers {
			if x.ID == fmt.Sprintf("layer-%d", l.ID) {
				return x.Enabled
			}
		}
		t.Fatalf("layer %d is not in the list %s", l.ID, r.Body)
		return false
	}
	if !enabled() {
		t.Fatal("a new layer is listed as switched off")
	}
	if _, err := st.SetLayerEnabled(ctx, l.ID, l.Version, false, store.Change{}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if enabled() {
		t.Error("the list still shows the layer switched on after it was switched off")
	}
}
