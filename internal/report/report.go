// Package report caches platform reports. A cached report is served only
// while the store's fingerprint of its inputs is unchanged, so it is never
// stale, and only platforms whose inputs changed are recomputed.
package report

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"wanmu/internal/store"
)

// Cache computes platform reports through the store and keeps the latest per
// platform.
type Cache struct {
	st      *store.Store
	mu      sync.Mutex
	entries map[int64]entry
	flight  singleflight.Group
}

type entry struct {
	key    string
	report store.Report
}

// New returns an empty cache over st.
func New(st *store.Store) *Cache {
	return &Cache{st: st, entries: map[int64]entry{}}
}

// Report returns the platform's report, computing it only when its inputs
// changed since the cached one.
func (c *Cache) Report(ctx context.Context, platformID int64) (store.Report, error) {
	key, err := c.st.ReportKey(ctx, platformID)
	if err != nil {
		return store.Report{}, err
	}
	c.mu.Lock()
	e, ok := c.entries[platformID]
	c.mu.Unlock()
	if ok && e.key == key {
		return e.report, nil
	}
	// The computation is shared by every caller asking for the same key, so
	// it must not end when the one that started it gives up (a closed tab, a
	// listing cancelled after another platform failed): it runs on its own
	// context, and each caller waits only as long as its own allows.
	done := c.flight.DoChan(key+"@"+strconv.FormatInt(platformID, 10), func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
		defer cancel()
		r, err := c.st.Report(ctx, platformID)
		if err != nil {
			return store.Report{}, err
		}
		// The report was computed in a snapshot at least as new as key; keep
		// it under key only if nothing changed meanwhile.
		if after, err := c.st.ReportKey(ctx, platformID); err == nil && after == key {
			c.mu.Lock()
			c.entries[platformID] = entry{key: key, report: r}
			c.mu.Unlock()
		}
		return r, nil
	})
	select {
	case res := <-done:
		if res.Err != nil {
			return store.Report{}, res.Err
		}
		return res.Val.(store.Report), nil
	case <-ctx.Done():
		return store.Report{}, ctx.Err()
	}
}

// computeTimeout bounds a report computation that no caller waits for any
// more; the heaviest take tens of milliseconds.
const computeTimeout = time.Minute

// Len returns the number of cached reports.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
