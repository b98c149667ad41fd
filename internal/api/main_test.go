package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/api"
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
	return newInstance(t, testdb.New(t), opts, false, true).env
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
