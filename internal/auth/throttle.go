package auth

import (
	"sync"
	"time"
)

// Throttle slows down repeated failed sign-ins per key (a user name, an
// address): after a few free failures each further attempt must wait twice
// as long as the last, up to a ceiling. A success clears the key.
type Throttle struct {
	mu      sync.Mutex
	entries map[string]*throttleEntry
	free    int
	ceiling time.Duration
	now     func() time.Time
}

type throttleEntry struct {
	failures int
	until    time.Time
}

// NewThrottle allows free failures per key before delays start.
func NewThrottle(free int, ceiling time.Duration) *Throttle {
	return &Throttle{entries: map[string]*throttleEntry{}, free: free, ceiling: ceiling, now: time.Now}
}

// Wait returns how long key must wait before its next attempt (0 = go ahead).
func (t *Throttle) Wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e == nil {
		return 0
	}
	if d := e.until.Sub(t.now()); d > 0 {
		return d
	}
	return 0
}

// Fail records a failed attempt for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) > 100_000 { // bounded memory under a spray of keys
		for k, e := range t.entries {
			if e.until.Before(t.now()) {
				delete(t.entries, k)
			}
		}
	}
	e := t.entries[key]
	if e == nil {
		e = &throttleEntry{}
		t.entries[key] = e
	}
	e.failures++
	if over := e.failures - t.free; over > 0 {
		d := time.Second << min(over-1, 16)
		e.until = t.now().Add(min(d, t.ceiling))
	}
}

// Succeed clears key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}
