// Package report caches platform reports. A cached report is served only
// while the store's fingerprint of its inputs is unchanged, so it is never
// stale, and only platforms whose inputs changed are recomputed.
package report

import (
	"context"
	"strconv"
	"sync"

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
	v, err, _ := c.flight.Do(key+"@"+strconv.FormatInt(platformID, 10), func() (any, error) {
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
	if err != nil {
		return store.Report{}, err
	}
	return v.(store.Report), nil
}

// Len returns the number of cached reports.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
