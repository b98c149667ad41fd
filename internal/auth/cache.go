package auth

import (
	"sync"
	"time"
)

// Cache holds credentials (sessions, API tokens) recently found valid in
// the database, by the hash of their secret, so that a request is checked
// in memory. An entry lives at most its TTL (and never past its own
// expiry). Whoever changes a user's credentials announces it and Drop
// removes that user's entries; a lookup that started before a Drop is not
// stored (Begin, Put), so a credential revoked while it was being read is
// not cached as valid.
type Cache[V any] struct {
	mu      sync.RWMutex
	entries map[string]cacheEntry[V]
	gen     uint64
	ttl     time.Duration
	max     int
	now     func() time.Time
}

type cacheEntry[V any] struct {
	user    int64
	value   V
	expires time.Time
}

// NewCache returns a cache of at most max entries living at most ttl.
func NewCache[V any](ttl time.Duration, max int) *Cache[V] {
	return &Cache[V]{entries: map[string]cacheEntry[V]{}, ttl: ttl, max: max, now: time.Now}
}

// Get returns the value cached under key, if it has not expired.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || !c.now().Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Begin starts a lookup: pass what it returns to Put.
func (c *Cache[V]) Begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// Put stores the value of key, belonging to user, until the TTL or
// expires, whichever comes first, unless a Drop happened since gen was
// taken with Begin.
func (c *Cache[V]) Put(gen uint64, key string, user int64, v V, expires time.Time) {
	now := c.now()
	if until := now.Add(c.ttl); expires.IsZero() || until.Before(expires) {
		expires = until
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if !now.Before(e.expires) || len(c.entries) >= c.max {
				delete(c.entries, k)
			}
		}
	}
	c.entries[key] = cacheEntry[V]{user: user, value: v, expires: expires}
}

// Delete removes key.
func (c *Cache[V]) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, key)
}

// Drop removes the entries of users; nil removes every entry.
func (c *Cache[V]) Drop(users []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if users == nil {
		clear(c.entries)
		return
	}
	for k, e := range c.entries {
		for _, u := range users {
			if e.user == u {
				delete(c.entries, k)
				break
			}
		}
	}
}

// Len returns the number of entries held.
func (c *Cache[V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
