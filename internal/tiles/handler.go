package tiles

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/change"
	"wanmu/internal/problem"
	"wanmu/internal/publicurl"
	"wanmu/internal/store"
)

// Source supplies layers and features; *store.Store implements it. A
// wrapper may add properties (e.g. a platform's developable_mu and meets)
// by filling TileFeature.Props in TileFeatures and TileLayer.Fields in
// TileLayerInfo; those figures must then be announced on the change bus
// like any edit.
type Source interface {
	// TileLayers lists the layers (ids, titles, kinds; no bounds or fields).
	TileLayers(ctx context.Context) ([]store.TileLayer, error)
	// TileLayerInfo describes one layer with its bounds and fields; it
	// returns an error wrapping store.ErrNotFound for an unknown layer.
	TileLayerInfo(ctx context.Context, layer string) (store.TileLayer, error)
	// TileFeatures returns the features of layer meeting q (see
	// store.TileQuery for the contract).
	TileFeatures(ctx context.Context, layer string, q store.TileQuery) ([]store.TileFeature, error)
}

// Options configure a Handler.
type Options struct {
	// Bus delivers the changes that invalidate the cache. Without a bus,
	// or while it is disconnected, tiles are built afresh for every
	// request: an unheard change must never leave a stale tile.
	Bus *change.Bus
	// CacheMB bounds the in-process tile cache in megabytes; 0 (or
	// less) means no cache: every tile is built for its request.
	CacheMB int
	// BaseURL is the public URL of the mount point, e.g.
	// "https://gis.example.org/tiles"; empty derives it from each request
	// (Host and TLS, or with TrustProxy X-Forwarded-Proto and -Host).
	BaseURL string
	// TrustProxy honours X-Forwarded-Proto and X-Forwarded-Host when
	// deriving URLs: set it only behind a proxy that sets them.
	TrustProxy bool
	// MaxZoom is the maxzoom advertised in TileJSON (clients overzoom past
	// it); 0 means 18. Tiles are served up to MaxZoom (22) regardless.
	MaxZoom int
	// CacheControl is sent with tiles. The default, "public, max-age=0,
	// must-revalidate", lets browsers and CDNs keep tiles but makes them
	// ask before each use; the strong ETag turns that into a cheap 304, and
	// an edit is visible on the very next request. Correctness after an
	// edit comes first, so no max-age: tile URLs carry no version that a
	// change would alter on every instance alike.
	CacheControl string
	// Logger receives build warnings and internal errors; nil discards.
	Logger *slog.Logger
}

// DefaultCacheControl is the Cache-Control of tiles unless configured.
const DefaultCacheControl = "public, max-age=0, must-revalidate"

// Handler serves the tiles, TileJSON and the layer list.
type Handler struct {
	src    Source
	opts   Options
	log    *slog.Logger
	cache  *cache
	unsub  func()
	router chi.Router

	flightMu sync.Mutex
	flights  map[flightKey]*flight

	metaMu   sync.Mutex
	metaGen  uint64
	layers   []store.TileLayer // nil: not loaded
	infos    map[string]store.TileLayer
	infoGens map[string]uint64
}

// flightKey names a build: a request that comes after an invalidation
// must not join a build that started before it.
type flightKey struct {
	key cacheKey
	gen [3]uint64
}

// flight is one tile build that concurrent requests for it share.
type flight struct {
	done chan struct{}
	e    *entry
	err  error
}

// NewHandler returns a Handler reading from src and subscribed to
// opts.Bus. Mount Routes (or the Handler itself) at /tiles.
func NewHandler(src Source, opts Options) *Handler {
	if opts.MaxZoom <= 0 || opts.MaxZoom > MaxZoom {
		opts.MaxZoom = 18
	}
	if opts.CacheControl == "" {
		opts.CacheControl = DefaultCacheControl
	}
	h := &Handler{
		src:      src,
		opts:     opts,
		log:      opts.Logger,
		cache:    newCache(int64(opts.CacheMB) << 20),
		flights:  map[flightKey]*flight{},
		infos:    map[string]store.TileLayer{},
		infoGens: map[string]uint64{},
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if opts.Bus != nil {
		h.unsub = opts.Bus.Subscribe(h.apply)
	}
	r := chi.NewRouter()
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Method(m, "/", http.HandlerFunc(h.serveList))
		r.Method(m, "/{name}", http.HandlerFunc(h.serveTileJSON))
		r.Method(m, "/{layer}/{z}/{x}/{file}", http.HandlerFunc(h.serveTile))
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, problem.New(http.StatusNotFound, "not-found", "no such tile resource: use /tiles, /tiles/{layer}.json or /tiles/{layer}/{z}/{x}/{y}.mvt|.geojson"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		problem.Write(w, r, problem.New(http.StatusMethodNotAllowed, "method-not-allowed", "tiles are read-only: use GET"))
	})
	h.router = r
	return h
}

// Routes returns the router to mount at /tiles.
func (h *Handler) Routes() chi.Router { return h.router }

// ServeHTTP serves the routes of Routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

// Close unsubscribes the handler from its bus.
func (h *Handler) Close() {
	if h.unsub != nil {
		h.unsub()
	}
}

// CacheStats reports cache hits and misses so far, and the tiles and
// bytes held now.
func (h *Handler) CacheStats() (hits, misses uint64, tiles int, bytes int64) {
	return h.cache.stats()
}

// apply invalidates what a change touches. Tiles of a layer are dropped
// where they reach the change's bounds, in the scenarios it names (all
// when it names none); platform outlines derive from zones and carry
// figures that depend on constraint layers, and zone tiles carry the
// platform id, so those follow along. A constraint layer is shared by
// every scenario: its change reaches the platforms of all of them.
func (h *Handler) apply(c change.Change) {
	h.metaMu.Lock()
	h.metaGen++
	switch c.Layer {
	case change.All:
		h.layers = nil
		clear(h.infos)
	case change.Zones, change.Platforms:
		delete(h.infos, change.Zones)
		delete(h.infos, change.Platforms)
		if c.Layer == change.Platforms {
			// Switching a layer on or off for the report announces only
			// this (its tiles stay as they are); the list shows the switch.
			h.layers = nil
		}
	default:
		h.layers = nil
		delete(h.infos, c.Layer)
		delete(h.infos, change.Platforms)
	}
	h.metaMu.Unlock()

	switch c.Layer {
	case change.All:
		h.cache.clear()
	case change.Zones:
		h.cache.invalidate(change.Zones, c.Scenarios, c.Bounds, nil)
		if len(c.Bounds) > 0 || len(c.Platforms) > 0 {
			h.cache.invalidate(change.Platforms, c.Scenarios, c.Bounds, c.Platforms)
		} else {
			h.cache.invalidate(change.Platforms, c.Scenarios, nil, nil)
		}
	case change.Platforms:
		h.cache.invalidate(change.Platforms, c.Scenarios, c.Bounds, c.Platforms)
		h.cache.invalidate(change.Zones, c.Scenarios, c.Bounds, nil)
	default:
		h.cache.invalidate(c.Layer, nil, c.Bounds, nil)
		h.cache.invalidate(change.Platforms, nil, nil, nil)
	}
}

// caching reports whether the cache may be used: only while the bus is
// listening, since otherwise changes may go unheard.
func (h *Handler) caching() bool {
	return h.opts.Bus != nil && h.opts.Bus.Connected() && h.opts.CacheMB > 0
}

// layerList returns the layers, cached while the bus listens.
func (h *Handler) layerList(ctx context.Context) ([]store.TileLayer, error) {
	h.metaMu.Lock()
	if h.layers != nil && h.caching() {
		ls := h.layers
		h.metaMu.Unlock()
		return ls, nil
	}
	gen := h.metaGen
	h.metaMu.Unlock()
	ls, err := h.src.TileLayers(ctx)
	if err != nil {
		return nil, err
	}
	h.metaMu.Lock()
	if gen == h.metaGen {
		h.layers = ls
	}
	h.metaMu.Unlock()
	return ls, nil
}

func (h *Handler) layerInfo(ctx context.Context, id string) (store.TileLayer, error) {
	h.metaMu.Lock()
	if l, ok := h.infos[id]; ok && h.caching() {
		h.metaMu.Unlock()
		return l, nil
	}
	gen := h.metaGen
	h.metaMu.Unlock()
	l, err := h.src.TileLayerInfo(ctx, id)
	if err != nil {
		return store.TileLayer{}, err
	}
	h.metaMu.Lock()
	if gen == h.metaGen {
		h.infos[id] = l
	}
	h.metaMu.Unlock()
	return l, nil
}

var errUnknownLayer = errors.New("unknown layer")

// findLayer checks that layer exists.
func (h *Handler) findLayer(ctx context.Context, layer string) (store.TileLayer, error) {
	ls, err := h.layerList(ctx)
	if err != nil {
		return store.TileLayer{}, err
	}
	for _, l := range ls {
		if l.ID == layer {
			return l, nil
		}
	}
	return store.TileLayer{}, errUnknownLayer
}

func (h *Handler) serveTile(w http.ResponseWriter, r *http.Request) {
	layer := chi.URLParam(r, "layer")
	file := chi.URLParam(r, "file")
	ys, ext, ok := strings.Cut(file, ".")
	var f format
	switch {
	case !ok:
		problem.Write(w, r, problem.New(http.StatusBadRequest, "bad-tile", "tile %q has no format: end the URL in .mvt or .geojson", problem.Clip(file, 40)))
		return
	case ext == "mvt" || ext == "pbf":
		f = formatMVT
	case ext == "geojson" || ext == "json":
		f = formatGeoJSON
	default:
		problem.Write(w, r, problem.New(http.StatusBadRequest, "bad-tile", "unknown tile format %q: use .mvt or .geojson", problem.Clip(ext, 20)))
		return
	}
	t, err := ParseTile(chi.URLParam(r, "z"), chi.URLParam(r, "x"), ys)
	if err != nil {
		problem.Write(w, r, problem.New(http.StatusBadRequest, "bad-tile", "%s", err.Error()))
		return
	}
	if _, err := h.findLayer(r.Context(), layer); err != nil {
		h.fail(w, r, layer, err)
		return
	}
	scenario, perr := scenarioParam(r, layer)
	if perr != nil {
		problem.Write(w, r, perr)
		return
	}
	e, err := h.tile(r.Context(), cacheKey{layer: layer, tile: t, format: f, scenario: scenario})
	if err != nil {
		h.fail(w, r, layer, err)
		return
	}
	h.writeEntry(w, r, e, f)
}

// tile returns the encoded tile, from the cache or built once for all
// concurrent requests.
func (h *Handler) tile(ctx context.Context, k cacheKey) (*entry, error) {
	useCache := h.caching()
	if useCache {
		if e := h.cache.get(k); e != nil {
			return e, nil
		}
	}
	gen := h.cache.generation(k)
	fk := flightKey{k, gen}
	h.flightMu.Lock()
	if fl, ok := h.flights[fk]; ok {
		h.flightMu.Unlock()
		select {
		case <-fl.done:
			return fl.e, fl.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	fl := &flight{done: make(chan struct{})}
	h.flights[fk] = fl
	h.flightMu.Unlock()

	// The build outlives a caller that gives up: others may be waiting. A
	// build that panics fails like one that errs, so that the flight ends
	// and the next request for the tile builds it afresh.
	func() {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				fl.e, fl.err = nil, fmt.Errorf("building tile %s %d/%d/%d: panic: %v\n%s", k.layer, k.tile.Z, k.tile.X, k.tile.Y, p, debug.Stack())
			}
		}()
		fl.e, fl.err = h.build(bctx, k)
	}()
	if fl.err == nil && useCache && h.caching() {
		h.cache.put(fl.e, gen)
	}
	h.flightMu.Lock()
	delete(h.flights, fk)
	h.flightMu.Unlock()
	close(fl.done)
	return fl.e, fl.err
}

func (h *Handler) build(ctx context.Context, k cacheKey) (*entry, error) {
	src, err := h.src.TileFeatures(ctx, k.layer, query(k.tile, k.scenario))
	if err != nil {
		return nil, err
	}
	lt, err := build(k.tile, k.layer, src)
	if err != nil {
		return nil, err
	}
	if lt.invalid > 0 {
		h.log.Warn("tiles: features left invalid (invalid source geometry?)", "layer", k.layer, "tile", k.tile.String(), "features", lt.invalid)
	}
	var body []byte
	if k.format == formatGeoJSON {
		body = encodeGeoJSON(lt)
	} else {
		body = encodeMVT(lt)
	}
	var ids []int64
	if k.layer == change.Platforms {
		for _, f := range lt.features {
			ids = append(ids, f.id)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	return newEntry(k, body, ids), nil
}

// gzipMin is the body size below which compressing is not worth it.
const gzipMin = 200

// writeEntry answers with the tile, a 304 or a 204.
func (h *Handler) writeEntry(w http.ResponseWriter, r *http.Request, e *entry, f format) {
	hd := w.Header()
	hd.Set("Cache-Control", h.opts.CacheControl)
	body, etag := e.body, e.etag
	gz := len(body) > gzipMin && acceptsGzip(r)
	if len(body) > 0 {
		hd.Set("Vary", "Accept-Encoding")
	}
	if gz {
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	hd.Set("ETag", etag)
	if matches(r.Header.Get("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if len(body) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if f == formatGeoJSON {
		hd.Set("Content-Type", GeoJSONType)
	} else {
		hd.Set("Content-Type", MVTType)
	}
	if gz {
		var made bool
		body, made = e.gzipped()
		if made {
			h.cache.grow(e, int64(len(body)))
		}
		hd.Set("Content-Encoding", "gzip")
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// matches implements If-None-Match's weak comparison against a tile's
// tag (either of its encodings).
func matches(header, etag string) bool {
	if header == "" {
		return false
	}
	opaque := strings.Trim(etag, `"`)
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.Trim(strings.TrimPrefix(t, "W/"), `"`)
		if t == opaque || t == opaque+"-gz" {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// baseURL is the public URL of the mount point for r.
func (h *Handler) baseURL(r *http.Request, suffix string) string {
	if h.opts.BaseURL != "" {
		return strings.TrimSuffix(h.opts.BaseURL, "/")
	}
	// The path as the client sent it: a prefix-stripping mount changes
	// r.URL.Path but not RequestURI.
	path := r.URL.Path
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.Path != "" {
		path = u.Path
	}
	return publicurl.Origin(r, h.opts.TrustProxy) + strings.TrimSuffix(strings.TrimSuffix(path, suffix), "/")
}

// layerJSON is one entry of the layer list.
type layerJSON struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Kind         string   `json:"kind"`
	Enabled      bool     `json:"enabled"`
	TileJSON     string   `json:"tilejson"`
	Tiles        []string `json:"tiles"`
	GeoJSONTiles []string `json:"geojson_tiles"`
}

func (h *Handler) serveList(w http.ResponseWriter, r *http.Request) {
	ls, err := h.layerList(r.Context())
	if err != nil {
		h.fail(w, r, "", err)
		return
	}
	base := h.baseURL(r, "/")
	out := struct {
		Layers []layerJSON `json:"layers"`
	}{Layers: []layerJSON{}}
	for _, l := range ls {
		out.Layers = append(out.Layers, layerJSON{
			ID: l.ID, Title: l.Title, Kind: l.Kind, Enabled: l.Enabled,
			TileJSON:     base + "/" + l.ID + ".json",
			Tiles:        []string{base + "/" + l.ID + "/{z}/{x}/{y}.mvt"},
			GeoJSONTiles: []string{base + "/" + l.ID + "/{z}/{x}/{y}.geojson"},
		})
	}
	writeJSON(w, r, "application/json", out)
}

// tileJSON is a TileJSON 3.0.0 document.
type tileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	GeoJSONTiles []string      `json:"geojson_tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       *[3]float64   `json:"center,omitempty"`
	VectorLayers []vectorLayer `json:"vector_layers"`
}

type vectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

func (h *Handler) serveTileJSON(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	layer, ok := strings.CutSuffix(name, ".json")
	if !ok {
		problem.Write(w, r, problem.New(http.StatusNotFound, "not-found", "no such tile resource %q: TileJSON is at /tiles/{layer}.json", problem.Clip(name, 80)))
		return
	}
	if _, err := h.findLayer(r.Context(), layer); err != nil {
		h.fail(w, r, layer, err)
		return
	}
	l, err := h.layerInfo(r.Context(), layer)
	if err != nil {
		h.fail(w, r, layer, err)
		return
	}
	// A plan's zones and platforms: its tiles name it too.
	scenario, perr := scenarioParam(r, layer)
	if perr != nil {
		problem.Write(w, r, perr)
		return
	}
	query := ""
	if scenario != 0 {
		query = "?scenario=" + strconv.FormatInt(scenario, 10)
	}
	base := h.baseURL(r, "/"+name)
	doc := tileJSON{
		TileJSON:     "3.0.0",
		Name:         l.Title,
		Scheme:       "xyz",
		Tiles:        []string{base + "/" + layer + "/{z}/{x}/{y}.mvt" + query},
		GeoJSONTiles: []string{base + "/" + layer + "/{z}/{x}/{y}.geojson" + query},
		MinZoom:      0,
		MaxZoom:      h.opts.MaxZoom,
		Bounds:       [4]float64{-180, -maxLat, 180, maxLat},
		VectorLayers: []vectorLayer{{ID: layer, Description: l.Title, MinZoom: 0, MaxZoom: h.opts.MaxZoom, Fields: l.Fields}},
	}
	if doc.VectorLayers[0].Fields == nil {
		doc.VectorLayers[0].Fields = map[string]string{}
	}
	if !l.Bounds.IsZero() {
		b := l.Bounds
		doc.Bounds = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		c := b.Center()
		doc.Center = &[3]float64{c[0], c[1], 10}
	}
	writeJSON(w, r, "application/json", doc)
}

// writeJSON writes a small JSON document with a strong ETag.
func writeJSON(w http.ResponseWriter, r *http.Request, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		problem.Write(w, r, problem.New(http.StatusInternalServerError, "internal", "could not encode the answer"))
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:15]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// fail maps an error to a problem response: an unknown layer is 404, the
// shared faults (database down, client gone) are what problem.From says,
// and anything else a logged 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, layer string, err error) {
	if errors.Is(err, errUnknownLayer) || errors.Is(err, store.ErrNotFound) {
		err = problem.New(http.StatusNotFound, "unknown-layer",
			"there is no layer %q: GET /tiles lists the layers (zones, platforms, layer-<id>)", problem.Clip(layer, 80))
	}
	problem.Fail(w, r, h.log, err)
}

// scenarioParam reads ?scenario= of a tile of the zones or platforms: the
// consolidation plan whose zones it shows (none or 0: the official data).
// Constraint layers are the same in every scenario and take no parameter.
func scenarioParam(r *http.Request, layer string) (int64, *problem.Problem) {
	v, ok := r.URL.Query()["scenario"]
	if !ok {
		return 0, nil
	}
	if layer != change.Zones && layer != change.Platforms {
		return 0, problem.New(http.StatusBadRequest, "bad-parameter", "scenario applies to the zones and platforms tiles only, not %q", problem.Clip(layer, 40))
	}
	id, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || id < 0 {
		return 0, problem.New(http.StatusBadRequest, "bad-parameter", "scenario must be a scenario's id (0 or none: the official data), not %q", problem.Clip(v[0], 40))
	}
	return id, nil
}
