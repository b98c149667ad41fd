package api

import (
	"net/http"
	"sync"
	"time"

	"wanmu/internal/problem"
)

// gate bounds how many heavy requests (measuring and previewing drafts,
// merges, reports, zone lists, OGC requests) run at once. Each may hold
// tens of MB while it decodes a large geometry or encodes a page, so fifty
// at once from one script must queue, not all run. And one caller may hold
// at most half the turns, so a script hammering the server leaves turns for
// everyone else's map. A request waits up to wait for a turn, then gets 503
// with Retry-After. It waits before reading its body, so a queued request
// holds no more than its connection.
type gate struct {
	turns   chan struct{}
	wait    time.Duration
	share   int // turns one caller may hold
	mu      sync.Mutex
	holding map[string]int // caller → turns held
	freed   chan struct{}  // closed and replaced whenever a caller's turn ends
	callers func(*http.Request) string
}

func newGate(n int, wait time.Duration, caller func(*http.Request) string) *gate {
	return &gate{turns: make(chan struct{}, n), wait: wait, share: max(1, n/2), holding: map[string]int{},
		freed: make(chan struct{}), callers: caller}
}

// Heavy lets a request through when a turn is free and its caller holds
// less than its share.
func (g *gate) Heavy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := g.callers(r)
		timeout := time.NewTimer(g.wait)
		defer timeout.Stop()
		if !g.takeShare(who, timeout.C, r) {
			g.refuse(w, r)
			return
		}
		defer g.releaseShare(who)
		select {
		case g.turns <- struct{}{}:
		case <-timeout.C:
			g.refuse(w, r)
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-g.turns }()
		next.ServeHTTP(w, r)
	})
}

// takeShare waits until who holds fewer than its share of turns, and counts
// one more; false when the time is up or the client went away.
func (g *gate) takeShare(who string, timeout <-chan time.Time, r *http.Request) bool {
	for {
		g.mu.Lock()
		if g.holding[who] < g.share {
			g.holding[who]++
			g.mu.Unlock()
			return true
		}
		freed := g.freed
		g.mu.Unlock()
		select {
		case <-freed:
		case <-timeout:
			return false
		case <-r.Context().Done():
			return false
		}
	}
}

func (g *gate) releaseShare(who string) {
	g.mu.Lock()
	if g.holding[who]--; g.holding[who] <= 0 {
		delete(g.holding, who)
	}
	close(g.freed)
	g.freed = make(chan struct{})
	g.mu.Unlock()
}

func (g *gate) refuse(w http.ResponseWriter, r *http.Request) {
	if r.Context().Err() != nil {
		return
	}
	p := problem.New(http.StatusServiceUnavailable, "busy",
		"the server is answering as many large requests as it can (%d at once, %d per user); try again in a moment", cap(g.turns), g.share)
	p.RetryAfter = 2
	problem.Write(w, r, p)
}

// caller names whoever sends r, for the gate's shares: the user signed in,
// else the client's address.
func (s *Server) caller(r *http.Request) string {
	if u := currentUser(r.Context()); u != nil {
		return "user:" + u.Name
	}
	return "addr:" + s.clientAddr(r)
}
