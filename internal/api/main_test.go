package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/auth"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// env is a real API server over a fresh PostGIS database, with one user and
// one bearer token per role.
type env struct {
	t      *testing.T
	st     *store.Store
	srv    *httptest.Server
	tokens map[string]string // role → bearer token
	logs   *bytes.Buffer
}

const testPassword = "correct horse battery"

func newEnv(t *testing.T, opts api.Options) *env {
	t.Helper()
	st := store.New(testdb.New(t))
	logs := &bytes.Buffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	a := api.New(st, opts)
	r := chi.NewRouter()
	r.Use(api.Middleware(opts.Logger)...)
	r.Get("/healthz", a.Healthz)
	r.Mount("/api/v1", a.Routes())
	e := &env{t: t, st: st, srv: httptest.NewServer(r), tokens: map[string]string{}, logs: logs}
	t.Cleanup(e.srv.Close)
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{auth.Viewer, auth.Editor, auth.Admin} {
		if _, err := st.CreateUser(context.Background(), role+"1", role, hash); err != nil {
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

// req is one HTTP request in a test.
type req struct {
	method, path, body string
	role               string // "" = anonymous
	header             map[string]string
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", r.status, err, r.body)
	}
	return m
}

func (e *env) do(q req) resp {
	e.t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	hr, err := http.NewRequest(q.method, e.srv.URL+q.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if q.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if q.role != "" {
		hr.Header.Set("Authorization", "Bearer "+e.tokens[q.role])
	}
	for k, v := range q.header {
		hr.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func ptr[T any](v T) *T { return &v }

// square is a small valid zone near 丽水.
func square() orb.MultiPolygon {
	return orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func bufCopy(w io.Writer, r *http.Response) (int64, error) { return io.Copy(w, r.Body) }
