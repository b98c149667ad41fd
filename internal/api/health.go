package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/dbwatch"
)

// health is the body of /healthz.
type health struct {
	// Status is "ok", "busy" (every pooled connection is in use: requests
	// queue, but taking this instance out of a load balancer would not
	// help) or "down" (the database does not answer).
	Status string `json:"status"`
	// Since: when the database went down.
	Since string `json:"since,omitempty"`
	// DatabaseMS is how long the database took to answer the last probe.
	DatabaseMS *float64  `json:"database_ms,omitempty"`
	Pool       poolState `json:"pool"`
}

type poolState struct {
	Max   int32 `json:"max"`
	InUse int32 `json:"in_use"`
	Idle  int32 `json:"idle"`
}

// Health answers GET /healthz from what watch last found (it probes on a
// connection of its own every few hundred milliseconds, so a busy pool
// never looks like a dead database): 503 {"status":"down"} with
// Retry-After when the database does not answer, 200 {"status":"busy"}
// when it does but every pooled connection is in use, else 200
// {"status":"ok"}; each with the pool's figures. The answer is never
// cached and touches neither the pool nor the database. A nil watch makes
// it ask the database through the pool (see Healthz).
func Health(watch *dbwatch.Watcher, pool *pgxpool.Pool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := pool.Stat()
		h := health{Status: "ok", Pool: poolState{Max: st.MaxConns(), InUse: st.AcquiredConns(), Idle: st.IdleConns()}}
		if h.Pool.InUse >= h.Pool.Max {
			h.Status = "busy"
		}
		var down bool
		var since time.Time
		if watch != nil {
			s := watch.Status()
			down, since = s.Down, s.Since
			if !down {
				ms := float64(s.Latency.Microseconds()) / 1000
				h.DatabaseMS = &ms
			}
		} else if h.Status != "busy" {
			down = ping(r.Context(), pool) != nil
		}
		w.Header().Set("Cache-Control", "no-store")
		if down {
			h.Status = "down"
			if !since.IsZero() {
				h.Since = since.UTC().Format(time.RFC3339)
			}
			w.Header().Set("Retry-After", strconv.Itoa(1))
			writeJSON(w, http.StatusServiceUnavailable, h)
			return
		}
		writeJSON(w, http.StatusOK, h)
	}
}

// Healthz is Health without a watcher, for servers that run none (tests):
// it pings the database through the pool unless the pool is full.
func (s *Server) Healthz(w http.ResponseWriter, r *http.Request) {
	Health(nil, s.store.Pool())(w, r)
}

// ping asks the database for an answer within 3 s.
func ping(ctx context.Context, pool *pgxpool.Pool) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return pool.Ping(ctx)
}
