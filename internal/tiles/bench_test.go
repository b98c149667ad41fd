package tiles_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/api"
	"wanmu/internal/auth"
	"wanmu/internal/change"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/tiles"
)

// The tile benchmark (make bench-tiles):
//
//	go test ./internal/tiles -run '^$' -bench '^BenchmarkTiles$' -benchtime 1x -v -timeout 30m
//
// It loads 100,000 small polygons over 丽水 into a constraint layer and,
// for z10–z16, prints tiles/s and p50/p99 latency of the database floor (a
// plain ST_AsMVT query), of this package with a cold cache and with a
// warm one, then the size of the largest z8 tile. WANMU_BENCH_N changes
// the number of polygons; WANMU_BENCH_TILES_PER_ZOOM the sample size.
// Last it serves warm z14 tiles through the API's authentication, as
// wanmu serve mounts them, anonymously (public reading), with a bearer
// token and with a session cookie, and prints tiles/s of each and the
// ratio of anonymous to signed-in throughput.

// lishui is the box the parcels are scattered over.
var lishui = orb.Bound{Min: orb.Point{118.7, 27.5}, Max: orb.Point{120.4, 28.9}}

// parcels makes n small star-shaped (hence simple, valid) polygons of
// 5–9 vertices and 20–150 m radius over 丽水, deterministically.
func parcels(n int) []orb.Polygon {
	rng := rand.New(rand.NewPCG(7, 55))
	out := make([]orb.Polygon, n)
	for i := range out {
		cx := lishui.Min[0] + rng.Float64()*(lishui.Max[0]-lishui.Min[0])
		cy := lishui.Min[1] + rng.Float64()*(lishui.Max[1]-lishui.Min[1])
		r := (20 + rng.Float64()*130) / 111_000
		k := 5 + rng.IntN(5)
		ring := make(orb.Ring, 0, k+1)
		for j := range k {
			// Jittered but increasing angles less than π apart: star-shaped
			// around the centre, hence simple.
			a := 2 * math.Pi * (float64(j) + 0.8*rng.Float64()) / float64(k)
			rr := r * (0.6 + 0.4*rng.Float64())
			ring = append(ring, orb.Point{cx + rr*math.Cos(a)/math.Cos(cy*math.Pi/180), cy + rr*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		if ring.Orientation() != orb.CCW {
			slices.Reverse(ring)
		}
		out[i] = orb.Polygon{ring}
	}
	return out
}

var landClasses = []string{"0101 水田", "0102 水浇地", "0103 旱地", "0201 果园", "0301 乔木林地"}

// loadLayer creates a constraint layer holding polys, fills its pieces
// and analyses the tables. It returns the layer id.
func loadLayer(tb testing.TB, pool *pgxpool.Pool, name string, polys []orb.Polygon) int64 {
	tb.Helper()
	ctx := context.Background()
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO constraint_layer (name, kind, source) VALUES ($1, 'exclude', 'bench') RETURNING id`, name).Scan(&id); err != nil {
		tb.Fatal(err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE staging (n int, g bytea)`); err != nil {
		tb.Fatal(err)
	}
	rows := make([][]any, len(polys))
	for i, p := range polys {
		b, err := wkb.Marshal(orb.MultiPolygon{p})
		if err != nil {
			tb.Fatal(err)
		}
		rows[i] = []any{i, b}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"staging"}, []string{"n", "g"}, pgx.CopyFromRows(rows)); err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO constraint_feature (layer_id, geom, attributes)
		SELECT $1, ST_GeomFromWKB(g, 4490),
		       jsonb_build_object('parcel', n, 'dlbm', ($2::text[])[1 + n % 5], 'owner', '村集体 ' || (n % 97))
		FROM staging ORDER BY n`, id, landClasses); err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO constraint_piece (feature_id, layer_id, geom)
		SELECT id, layer_id, ST_Subdivide(geom, 256) FROM constraint_feature WHERE layer_id = $1`, id); err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DROP TABLE staging; ANALYZE constraint_feature; ANALYZE constraint_piece`); err != nil {
		tb.Fatal(err)
	}
	return id
}

// tilesOver lists the tiles of zoom z over box b, at most max of them
// (a fixed random sample).
func tilesOver(z int, b orb.Bound, max int) []tiles.Tile {
	lo := tiles.Tile{Z: z}.Project(orb.Point{b.Min[0], b.Max[1]})
	hi := tiles.Tile{Z: z}.Project(orb.Point{b.Max[0], b.Min[1]})
	var out []tiles.Tile
	for x := int64(lo[0] / tiles.Extent); x <= int64(hi[0]/tiles.Extent); x++ {
		for y := int64(lo[1] / tiles.Extent); y <= int64(hi[1]/tiles.Extent); y++ {
			t, err := tiles.NewTile(int64(z), x, y)
			if err == nil {
				out = append(out, t)
			}
		}
	}
	if len(out) > max {
		rng := rand.New(rand.NewPCG(uint64(z), 1))
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		out = out[:max]
	}
	return out
}

// floorSQL is the database floor: one plain ST_AsMVT query per tile, with
// the index filter given as a lon/lat box (as fast as PostGIS makes it).
const floorSQL = `SELECT ST_AsMVT(m.*, $9, 4096, 'geom', 'id') FROM (
	SELECT f.id, f.attributes,
	       ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
	FROM constraint_feature f
	WHERE f.layer_id = $4 AND f.geom && ST_MakeEnvelope($5, $6, $7, $8, 4490)) m`

type timing struct {
	lat   []time.Duration
	total time.Duration
}

func (t timing) pct(p float64) time.Duration {
	s := slices.Clone(t.lat)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(math.Ceil(p*float64(len(s))))-1)]
}

func (t timing) rate() float64 { return float64(len(t.lat)) / t.total.Seconds() }

func measure(n int, fn func(i int)) timing {
	var t timing
	start := time.Now()
	for i := range n {
		t0 := time.Now()
		fn(i)
		t.lat = append(t.lat, time.Since(t0))
	}
	t.total = time.Since(start)
	return t
}

// BenchmarkTiles prints the table of the README (make bench-tiles). It
// measures its own latencies and runs once whatever b.N is; run it with
// -benchtime 1x.
func BenchmarkTiles(b *testing.B) { benchTiles(b) }

func benchTiles(t testing.TB) {
	n := envInt("WANMU_BENCH_N", 100_000)
	perZoom := envInt("WANMU_BENCH_TILES_PER_ZOOM", 200)
	ctx := context.Background()
	pool := testdb.New(t)
	t0 := time.Now()
	id := loadLayer(t, pool, "bench parcels", parcels(n))
	layer := fmt.Sprintf("layer-%d", id)
	t.Logf("loaded %d polygons in %v", n, time.Since(t0).Round(time.Millisecond))

	st := store.New(pool)
	h, bus := newHandler(t, pool, st)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}

	serve := func(tl tiles.Tile, ext string) (int, int) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/"+layer+"/"+path(tl)+"."+ext, nil))
		if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
			t.Fatalf("%s: %d %s", path(tl), rec.Code, rec.Body)
		}
		return rec.Code, rec.Body.Len()
	}
	floor := func(tl tiles.Tile) int {
		b := tl.Bound(tiles.Buffer)
		var mvt []byte
		if err := pool.QueryRow(ctx, floorSQL, tl.Z, tl.X, tl.Y, id, b.Min[0], b.Min[1], b.Max[0], b.Max[1], layer).Scan(&mvt); err != nil {
			t.Fatal(err)
		}
		return len(mvt)
	}

	var report strings.Builder
	fmt.Fprintf(&report, "\n%d polygons over 丽水; MVT tiles; latency p50/p99 in ms; tiles/s on one connection\n", n)
	fmt.Fprintf(&report, "%-4s %5s %13s | %-22s | %-22s | %-22s | %-22s | %9s %9s\n",
		"z", "tiles", "KB/tile fl/us", "floor (ST_AsMVT)", "cold (in-process)", "warm (in-process)", "warm (HTTP loopback)", "cold/floor", "warm/floor")
	for z := 10; z <= 16; z++ {
		ts := tilesOver(z, lishui, perZoom)
		// Warm the database's pages and plans for both paths.
		for _, tl := range ts {
			floor(tl)
		}
		// Floor and cold (these tiles were never asked for) alternate tile
		// by tile, so that both see the same machine.
		bytes, ours := 0, 0
		var fl, cold timing
		for _, tl := range ts {
			t0 := time.Now()
			bytes += floor(tl)
			t1 := time.Now()
			_, n := serve(tl, "mvt")
			t2 := time.Now()
			ours += n
			fl.lat, cold.lat = append(fl.lat, t1.Sub(t0)), append(cold.lat, t2.Sub(t1))
			fl.total, cold.total = fl.total+t1.Sub(t0), cold.total+t2.Sub(t1)
		}
		const rounds = 20
		warm := measure(rounds*len(ts), func(i int) { serve(ts[i%len(ts)], "mvt") })
		web := measure(rounds*len(ts), func(i int) {
			res, err := client.Get(srv.URL + "/" + layer + "/" + path(ts[i%len(ts)]) + ".mvt")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		})
		fmt.Fprintf(&report, "%-4d %5d %6.1f/%6.1f | %s | %s | %s | %s | %8.2fx %8.1fx\n", z, len(ts),
			float64(bytes)/float64(len(ts))/1024, float64(ours)/float64(len(ts))/1024,
			cell(fl), cell(cold), cell(warm), cell(web),
			float64(cold.pct(0.5))/float64(fl.pct(0.5)), warm.rate()/fl.rate())
	}
	var maxMVT, maxJSON int
	var maxTile tiles.Tile
	for _, tl := range tilesOver(8, lishui, 100) {
		if _, size := serve(tl, "mvt"); size > maxMVT {
			maxMVT, maxTile = size, tl
		}
		if _, size := serve(tl, "geojson"); size > maxJSON {
			maxJSON = size
		}
	}
	fmt.Fprintf(&report, "largest z8 tile: %s, MVT %.1f KB (GeoJSON %.1f KB)\n", maxTile, float64(maxMVT)/1024, float64(maxJSON)/1024)
	report.WriteString(signedIn(t, st, h, bus, layer, tilesOver(14, lishui, perZoom)))
	t.Log(report.String())
	if maxMVT > 500<<10 {
		t.Errorf("largest z8 MVT tile is %d bytes, over 500 KB", maxMVT)
	}
}

func cell(t timing) string {
	return fmt.Sprintf("%6.2f %6.2f %8.0f/s", ms(t.pct(0.5)), ms(t.pct(0.99)), t.rate())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func envInt(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(os.Getenv(name), &v); err == nil && v > 0 {
		return v
	}
	return def
}

// signedIn serves warm tiles ts through the API's authentication and
// access check, as wanmu serve mounts /tiles, for an anonymous reader
// (public reading), a bearer token and a session cookie, in-process and
// over HTTP loopback, and reports tiles/s and the ratios. The modes take
// turns and each figure is the median turn, so that a busy moment of the
// machine does not land on one mode only.
func signedIn(t testing.TB, st *store.Store, h *tiles.Handler, bus *change.Bus, layer string, ts []tiles.Tile) string {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	a := api.New(st, api.Options{Logger: log, PublicRead: true, Bus: bus})
	r := chi.NewRouter()
	r.Use(api.Middleware(log)...)
	r.With(a.Authenticate, a.Require(auth.Viewer)).Mount("/tiles", h.Routes())
	srv := httptest.NewServer(r)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}

	hash, err := auth.HashPassword("bench password 1")
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "bench", auth.Viewer, nil, hash)
	if err != nil {
		t.Fatal(err)
	}
	token, sid := auth.NewSecret(), auth.NewSecret()
	if _, err := st.CreateToken(ctx, u.Name, auth.HashSecret(token), "bench"); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(ctx, auth.HashSecret(sid), u.ID, auth.NewSecret(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	modes := []struct {
		name   string
		header map[string]string
	}{
		{"anonymous (public read)", nil},
		{"bearer token", map[string]string{"Authorization": "Bearer " + token}},
		{"session cookie", map[string]string{"Cookie": api.SessionCookie + "=" + sid}},
	}
	paths := make([]string, len(ts))
	for i, tl := range ts {
		paths[i] = "/tiles/" + layer + "/" + path(tl) + ".mvt"
	}
	inProcess := func(header map[string]string) func(i int) {
		return func(i int) {
			req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
			for k, v := range header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
				t.Fatalf("%s: %d %s", req.URL, rec.Code, rec.Body)
			}
		}
	}
	loopback := func(header map[string]string) func(i int) {
		return func(i int) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+paths[i%len(paths)], nil)
			for k, v := range header {
				req.Header.Set(k, v)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
				t.Fatalf("%s: %d", req.URL, res.StatusCode)
			}
		}
	}
	// Warm the tile cache and the credential cache, then measure the modes
	// in turns, three times, so that each sees the same machine.
	for _, m := range modes {
		measure(len(paths), inProcess(m.header))
	}
	const rounds, turns = 50, 5
	ways := []struct {
		name string
		fn   func(map[string]string) func(int)
	}{{"in-process", inProcess}, {"HTTP loopback", loopback}}
	var out strings.Builder
	fmt.Fprintf(&out, "warm z14 tiles through authentication (%d tiles × %d rounds, median of %d turns); tiles/s\n", len(paths), rounds, turns)
	fmt.Fprintf(&out, "%-14s", "")
	for _, m := range modes {
		fmt.Fprintf(&out, " | %-23s", m.name)
	}
	fmt.Fprintf(&out, " | anonymous/signed-in\n")
	for _, w := range ways {
		rates := make([][]float64, len(modes))
		for range turns {
			for k, m := range modes {
				rates[k] = append(rates[k], measure(rounds*len(paths), w.fn(m.header)).rate())
			}
		}
		med := make([]float64, len(modes))
		fmt.Fprintf(&out, "%-14s", w.name)
		for k := range modes {
			slices.Sort(rates[k])
			med[k] = rates[k][turns/2]
			fmt.Fprintf(&out, " | %21.0f/s", med[k])
		}
		fmt.Fprintf(&out, " | token %.2fx, cookie %.2fx\n", med[0]/med[1], med[0]/med[2])
	}
	return out.String()
}
