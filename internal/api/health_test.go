package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/api"
	"wanmu/internal/dbwatch"
	"wanmu/internal/testdb"
)

type healthBody struct {
	Status string
	Since  string
	Pool   struct {
		Max   int32 `json:"max"`
		InUse int32 `json:"in_use"`
		Idle  int32 `json:"idle"`
	} `json:"pool"`
}

func healthOf(t *testing.T, h func(w *httptest.ResponseRecorder)) (int, string, healthBody) {
	t.Helper()
	rec := httptest.NewRecorder()
	h(rec)
	var b healthBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("/healthz body %q: %v", rec.Body, err)
	}
	return rec.Code, rec.Header().Get("Retry-After"), b
}

// TestHealth: ok, busy (every pooled connection in use: 200, so a load
// balancer keeps the instance) and down (503 with Retry-After).
func TestHealth(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(testdb.ConnString(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 2
	w := dbwatch.New(cfg, dbwatch.Options{Interval: 50 * time.Millisecond})
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	w.Start(pool)
	defer w.Stop()
	health := api.Health(w, pool)
	get := func(rec *httptest.ResponseRecorder) { health(rec, httptest.NewRequest("GET", "/healthz", nil)) }

	if code, _, b := healthOf(t, get); code != 200 || b.Status != "ok" || b.Pool.Max != 2 {
		t.Errorf("healthy: %d %+v", code, b)
	}
	var held []*pgxpool.Conn
	for range 2 {
		c, err := pool.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	if code, _, b := healthOf(t, get); code != 200 || b.Status != "busy" || b.Pool.InUse != 2 {
		t.Errorf("pool full: %d %+v, want 200 busy", code, b)
	}
	withoutWatcher := api.Health(nil, pool)
	if code, _, b := healthOf(t, func(rec *httptest.ResponseRecorder) {
		withoutWatcher(rec, httptest.NewRequest("GET", "/healthz", nil))
	}); code != 200 || b.Status != "busy" {
		t.Errorf("pool full, no watcher: %d %+v, want 200 busy", code, b)
	}
	for _, c := range held {
		c.Release()
	}

	// A database nobody answers for.
	dead, err := pgxpool.ParseConfig("host=/nonexistent-wanmu-socket-dir user=nobody dbname=none connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	dw := dbwatch.New(dead, dbwatch.Options{Interval: 50 * time.Millisecond})
	deadPool, err := pgxpool.NewWithConfig(context.Background(), dead)
	if err != nil {
		t.Fatal(err)
	}
	defer deadPool.Close()
	dw.Start(deadPool)
	defer dw.Stop()
	for deadline := time.Now().Add(5 * time.Second); !dw.Status().Down; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("watcher of a dead database not down within 5 s")
		}
	}
	deadHealth := api.Health(dw, deadPool)
	code, retry, b := healthOf(t, func(rec *httptest.ResponseRecorder) { deadHealth(rec, httptest.NewRequest("GET", "/healthz", nil)) })
	if code != 503 || retry == "" || b.Status != "down" || b.Since == "" {
		t.Errorf("dead database: %d Retry-After %q %+v, want 503 down with Retry-After and since", code, retry, b)
	}
}
