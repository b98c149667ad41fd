package tiles

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"sync"

	"github.com/paulmach/orb"
)

// format is a tile encoding.
type format uint8

const (
	formatMVT format = iota
	formatGeoJSON
)

func (f format) String() string {
	if f == formatGeoJSON {
		return "geojson"
	}
	return "mvt"
}

type cacheKey struct {
	layer    string
	tile     Tile
	format   format
	scenario int64 // zones and platforms: whose (0: the official data)
}

// entry is one encoded tile. body is nil for an empty tile.
type entry struct {
	key   cacheKey
	body  []byte
	etag  string
	bound orb.Bound // lon/lat reach of the tile's data (tile plus buffer)
	ids   []int64   // platform ids in a platforms tile, sorted

	gzOnce sync.Once
	gz     []byte

	elem *list.Element
	size int64
}

// newEntry hashes body into a strong ETag: equal bytes, equal tag, on
// every instance.
func newEntry(key cacheKey, body []byte, ids []int64) *entry {
	sum := sha256.Sum256(body)
	return &entry{
		key:   key,
		body:  body,
		etag:  `"` + base64.RawURLEncoding.EncodeToString(sum[:15]) + `"`,
		bound: key.tile.Bound(Buffer),
		ids:   ids,
		size:  int64(len(body)) + 256,
	}
}

// gzipped returns the body gzip-compressed, computing it once; made
// tells whether this call did.
func (e *entry) gzipped() (gz []byte, made bool) {
	e.gzOnce.Do(func() {
		made = true
		var buf bytes.Buffer
		buf.Grow(len(e.body) / 3)
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(e.body)
		zw.Close()
		e.gz = buf.Bytes()
	})
	return e.gz, made
}

// cache is a size-bounded LRU of encoded tiles with generations per
// layer and per scenario of a layer: a tile built while its layer changed
// (in its scenario) is not stored, so a slow build can never put
// pre-change data back after an invalidation.
type cache struct {
	mu    sync.Mutex
	max   int64
	used  int64
	lru   *list.List // front = most recent
	m     map[cacheKey]*entry
	gen   map[string]uint64   // changes of a layer in every scenario
	scGen map[scopeKey]uint64 // changes of a layer in one scenario
	epoch uint64

	hits, misses uint64
}

func newCache(maxBytes int64) *cache {
	return &cache{max: maxBytes, lru: list.New(), m: map[cacheKey]*entry{}, gen: map[string]uint64{}, scGen: map[scopeKey]uint64{}}
}

// scopeKey is a layer in one scenario.
type scopeKey struct {
	layer    string
	scenario int64
}

// generation returns a token that changes whenever the tiles of k's layer
// in k's scenario are invalidated.
func (c *cache) generation(k cacheKey) [3]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.genLocked(k)
}

func (c *cache) genLocked(k cacheKey) [3]uint64 {
	return [3]uint64{c.epoch, c.gen[k.layer], c.scGen[scopeKey{k.layer, k.scenario}]}
}

func (c *cache) get(k cacheKey) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[k]
	if e == nil {
		c.misses++
		return nil
	}
	c.hits++
	c.lru.MoveToFront(e.elem)
	return e
}

// put stores e unless its layer changed since generation gen was taken.
func (c *cache) put(e *entry, gen [3]uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max <= 0 || e.size > c.max/8 {
		return
	}
	if c.genLocked(e.key) != gen {
		return
	}
	if old := c.m[e.key]; old != nil {
		c.remove(old)
	}
	e.elem = c.lru.PushFront(e)
	c.m[e.key] = e
	c.used += e.size
	for c.used > c.max {
		c.remove(c.lru.Back().Value.(*entry))
	}
}

// grow accounts for bytes added to a stored entry (its gzip copy).
func (c *cache) grow(e *entry, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[e.key] == e {
		e.size += n
		c.used += n
		for c.used > c.max && c.lru.Len() > 1 {
			c.remove(c.lru.Back().Value.(*entry))
		}
	}
}

func (c *cache) remove(e *entry) {
	c.lru.Remove(e.elem)
	delete(c.m, e.key)
	c.used -= e.size
}

// clear drops everything.
func (c *cache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Init()
	clear(c.m)
	c.used = 0
}

// invalidate drops the tiles of layer in scenarios (none given: in every
// scenario) that reach one of bounds or hold one of platforms; with
// neither given, all of them.
func (c *cache) invalidate(layer string, scenarios []int64, bounds []orb.Bound, platforms []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(scenarios) == 0 {
		c.gen[layer]++
	}
	for _, sc := range scenarios {
		c.scGen[scopeKey{layer, sc}]++
	}
	all := len(bounds) == 0 && len(platforms) == 0
	for k, e := range c.m {
		if k.layer != layer || len(scenarios) > 0 && !slices.Contains(scenarios, k.scenario) {
			continue
		}
		hit := all
		for _, b := range bounds {
			if hit {
				break
			}
			hit = e.bound.Intersects(b)
		}
		for _, id := range platforms {
			if hit {
				break
			}
			_, hit = slices.BinarySearch(e.ids, id)
		}
		if hit {
			c.remove(e)
		}
	}
}

// stats reports hits, misses, stored tiles and their bytes.
func (c *cache) stats() (hits, misses uint64, tiles int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, len(c.m), c.used
}
