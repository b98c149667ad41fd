package api

import (
	"net/http"
	"time"

	"wanmu/internal/problem"
)

// gate bounds how many heavy requests (measuring and previewing drafts,
// reports, zone lists, OGC items) run at once. Each may hold tens of MB
// while it decodes a large geometry or encodes a page, so fifty at once
// from one script must queue, not all run: a request waits up to wait for
// a turn, then gets 503 with Retry-After. It waits before reading its
// body, so a queued request holds no more than its connection.
type gate struct {
	turns chan struct{}
	wait  time.Duration
}

func newGate(n int, wait time.Duration) *gate {
	return &gate{turns: make(chan struct{}, n), wait: wait}
}

// Heavy lets a request through when a turn is free.
func (g *gate) Heavy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case g.turns <- struct{}{}:
		default:
			t := time.NewTimer(g.wait)
			select {
			case g.turns <- struct{}{}:
				t.Stop()
			case <-t.C:
				p := problem.New(http.StatusServiceUnavailable, "busy",
					"the server is answering %d large requests at once; try again in a moment", cap(g.turns))
				p.RetryAfter = 2
				problem.Write(w, r, p)
				return
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		defer func() { <-g.turns }()
		next.ServeHTTP(w, r)
	})
}
