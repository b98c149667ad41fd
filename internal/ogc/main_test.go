package ogc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/api"
	"wanmu/internal/auth"
	"wanmu/internal/ogc"
	"wanmu/internal/report"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// env is a real server over a fresh PostGIS database, wired as
// cmd/wanmu/serve.go wires it: the REST API under /api/v1 and the OGC API
// under /ogc behind the API's Authenticate and Require(viewer). It has one
// user and bearer token per role.
type env struct {
	t      testing.TB
	pool   *pgxpool.Pool
	st     *store.Store
	srv    *httptest.Server
	tokens map[string]string // role → bearer token
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t testing.TB, publicRead bool) *env {
	t.Helper()
	return newEnvWith(t, envOptions{publicRead: publicRead})
}

// envOptions vary the server of a test.
type envOptions struct {
	publicRead bool
	writable   bool   // the zones editable through the OGC API (Part 4), as serve.go wires them
	zones      []int  // the region's Gauss-Kruger zones (none: 丽水's zone 40)
	city       string // the region's name in the titles (none: 丽水)
}

// newEnvWith is newEnv with options.
func newEnvWith(t testing.TB, o envOptions) *env {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	reports := report.New(st)
	a := api.New(st, api.Options{Logger: log, Reports: reports, PublicRead: o.publicRead})
	opts := ogc.Options{Reports: reports, Logger: log, GKZones: o.zones, City: o.city}
	if o.writable {
		ow := a.OGCWrites()
		opts.Writes = &ogc.Writes{Create: ow.Create, Replace: ow.Replace, Update: ow.Update, Delete: ow.Delete, UpdatePlatform: ow.UpdatePlatform, CanEdit: ow.CanEdit}
	}
	h := ogc.New(st, opts)
	r := chi.NewRouter()
	r.Use(api.Middleware(log)...)
	r.Mount("/api/v1", a.Routes())
	r.With(a.Authenticate, a.Require(auth.Viewer)).Mount("/ogc", h.Routes())
	e := &env{t: t, pool: pool, st: st, srv: httptest.NewServer(r), tokens: map[string]string{}, logs: logs}
	t.Cleanup(e.srv.Close)
	hash, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{auth.Viewer, auth.Editor, auth.Admin} {
		if _, err := st.CreateUser(context.Background(), role+"1", role, nil, hash); err != nil {
			t.Fatal(err)
		}
		secret := auth.NewSecret()
		if _, err := st.CreateToken(context.Background(), role+"1", auth.HashSecret(secret), "test"); err != nil {
			t.Fatal(err)
		}
		e.tokens[role] = secret
	}
	return e
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", r.status, err, r.body)
	}
	return m
}

// do sends a request as role ("" = anonymous) to path (relative to the
// server, or absolute).
func (e *env) do(method, path, role string) resp {
	e.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = e.srv.URL + path
	}
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// get reads path as a viewer and wants 200 with the given media type.
func (e *env) get(path, mediaType string) map[string]any {
	e.t.Helper()
	r := e.do("GET", path, "viewer")
	if r.status != 200 {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != mediaType {
		e.t.Fatalf("GET %s: Content-Type %q, want %q", path, ct, mediaType)
	}
	return r.json(e.t)
}

func ptr[T any](v T) *T { return &v }

func rect(w, s, e, n float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}

// Names used by the fixture: Chinese, and one that looks like markup.
const (
	cityZone    = "丽水经济技术开发区"
	jinyunZone  = "缙云工业园区（新碧）"
	hostileZone = `<script>alert("x")</script> & 丽水`
)

// fixture is a small world: three live zones and a retired one, a platform
// of two of them, an empty platform, a farmland layer of 250 parcels in a
// 25 × 10 grid, and a reference layer of one feature.
type fixture struct {
	zones    []store.Zone // live, by id
	retired  store.Zone
	platform store.Platform
	empty    store.Platform
	farmland store.Layer
	counties store.Layer
}

// Grid of the farmland layer: parcel (i, j) is the square of side
// gridSide at gridLon+i·gridStep, gridLat+j·gridStep.
const (
	gridLon, gridLat   = 119.70, 28.20
	gridStep, gridSide = 0.005, 0.004
	gridNX, gridNY     = 25, 10
)

func (e *env) fixture() fixture {
	e.t.Helper()
	ctx := context.Background()
	var f fixture
	zone := func(name string, g orb.MultiPolygon) store.Zone {
		z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr("331102"),
			Disposition: ptr("保留"), DocumentNo: ptr("浙政函〔2006〕1号"), ApprovedAreaHa: ptr(ptr(100.0)),
			Attributes: map[string]any{"备注": "<i>示例</i>"}, Geom: g}, store.Change{Actor: "test"})
		if err != nil {
			e.t.Fatal(err)
		}
		return z
	}
	f.zones = []store.Zone{
		zone(cityZone, rect(119.86, 28.40, 119.88, 28.42)),
		zone(jinyunZone, rect(120.06, 28.64, 120.09, 28.66)),
		zone(hostileZone, rect(119.88, 28.40, 119.90, 28.42)),
	}
	f.retired = zone("已撤销园区", rect(119.60, 28.10, 119.61, 28.11))
	if err := e.st.RetireZone(ctx, f.retired.ID, f.retired.Version, store.Change{Actor: "test"}); err != nil {
		e.t.Fatal(err)
	}
	var err error
	f.platform, err = e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("丽水市级平台（一心）"), Role: ptr("一心")},
		[]int64{f.zones[0].ID, f.zones[2].ID}, store.Change{Actor: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	f.empty, err = e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("空平台")}, nil, store.Change{Actor: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	var parcels []store.LayerFeature
	for j := range gridNY {
		for i := range gridNX {
			x, y := gridLon+float64(i)*gridStep, gridLat+float64(j)*gridStep
			g, _ := wkb.Marshal(rect(x, y, x+gridSide, y+gridSide))
			parcels = append(parcels, store.LayerFeature{Geom: g,
				Attributes: map[string]any{"地类": "水田", "编号": fmt.Sprintf("%d-%d", i, j), "备注": "<b>田</b>"}})
		}
	}
	if f.farmland, _, err = e.st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "test", parcels, nil); err != nil {
		e.t.Fatal(err)
	}
	g, _ := wkb.Marshal(rect(119.0, 27.5, 120.5, 28.9))
	if f.counties, _, err = e.st.CreateLayer(ctx, store.Change{}, "县界 <参考>", "reference", "test",
		[]store.LayerFeature{{Geom: g, Attributes: map[string]any{"name": "丽水市"}}}, nil); err != nil {
		e.t.Fatal(err)
	}
	return f
}

func layerID(l store.Layer) string { return fmt.Sprintf("layer-%d", l.ID) }
