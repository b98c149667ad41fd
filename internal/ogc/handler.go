package ogc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/problem"
	"wanmu/internal/publicurl"
	"wanmu/internal/store"
)

// Media types of the responses.
const (
	typeJSON    = "application/json"
	typeGeoJSON = "application/geo+json"
	typeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
)

// CRS84 is the default coordinate reference system of every collection
// (Part 1); the others are those of crs.go.
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// Conformance classes implemented.
var conformsTo = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
}

// Reports computes (or returns cached) platform reports.
type Reports interface {
	Report(ctx context.Context, platformID int64) (store.Report, error)
}

// Options configure a Handler.
type Options struct {
	// Reports gives the platforms' figures; defaults to computing them
	// afresh through the store (pass the report cache).
	Reports Reports
	// TrustProxy honours X-Forwarded-Proto and X-Forwarded-Host in the
	// links: set it only behind a proxy that sets them.
	TrustProxy bool
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
	// Writes make the zones and the platforms' attributes editable (Part
	// 4, transactions.go); nil: the API is read-only.
	Writes *Writes
	// GKZones are the region's 3-degree Gauss-Kruger zones, main zone
	// first: the projected CRSs served (EPSG 4488 + zone, 4509 + zone).
	// Empty: 丽水's zone 40 (EPSG:4528, 4549).
	GKZones []int
	// City names the service in its landing page (the region's short name,
	// e.g. 丽水); empty: 丽水.
	City string
}

// Handler serves the OGC API – Features.
type Handler struct {
	st      *store.Store
	reports Reports
	opts    Options
	crs     crsList // the CRSs served
	log     *slog.Logger
	router  chi.Router
}

// New returns a Handler over st. Mount Routes at /ogc behind the API's
// Authenticate and Require(viewer).
func New(st *store.Store, opts Options) *Handler {
	h := &Handler{st: st, reports: opts.Reports, opts: opts, crs: newCRSList(opts.GKZones), log: opts.Logger}
	if h.reports == nil {
		h.reports = st
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	r := chi.NewRouter()
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Method(m, "/", h.handle(h.landing))
		r.Method(m, "/api", h.handle(h.openAPI))
		r.Method(m, "/conformance", h.handle(h.conformance))
		r.Method(m, "/collections", h.handle(h.collections))
		r.Method(m, "/collections/{collectionId}", h.handle(h.collection))
		r.Method(m, "/collections/{collectionId}/items", h.handle(h.items))
		r.Method(m, "/collections/{collectionId}/items/{featureId}", h.handle(h.item))
	}
	h.routeWrites(r)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, problem.New(http.StatusNotFound, "not-found",
			"there is no OGC API resource at %s: start at the landing page (/ogc) or /ogc/collections", problem.Clip(r.URL.Path, 200)))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		h.fail(w, r, problem.New(http.StatusMethodNotAllowed, "method-not-allowed",
			"%s is read-only here: use GET (%s, when the server allows it; and through /api/v1)", problem.Clip(r.URL.Path, 200), writable))
	})
	h.router = r
	return h
}

// city is the region's name for the titles.
func (h *Handler) city() string {
	if h.opts.City == "" {
		return "丽水"
	}
	return h.opts.City
}

// Routes returns the router to mount at /ogc.
func (h *Handler) Routes() chi.Router { return h.router }

// ServeHTTP serves the routes of Routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

func (h *Handler) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	}
}

// link is a link of a response.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// base is the absolute URL of the mount point (e.g. http://host/ogc), from
// the request: the path as routed, less what this router routed.
func (h *Handler) base(r *http.Request) string {
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePath != "" {
		path = strings.TrimSuffix(path, rc.RoutePath)
	}
	return publicurl.Origin(r, h.opts.TrustProxy) + strings.TrimSuffix(path, "/")
}

// write sends v as JSON of the given media type. Names and attributes are
// data: the encoder escapes <, > and & like the REST API.
func write(w http.ResponseWriter, contentType string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
	return nil
}

func (h *Handler) landing(w http.ResponseWriter, r *http.Request) error {
	if err := ParseQuery(r.URL.Query()); err != nil {
		return err
	}
	base := h.base(r)
	return write(w, typeJSON, map[string]any{
		"title": "万亩 wanmu — " + h.city() + "产业平台整合 OGC API – Features",
		"description": "The zones (园区与乡镇工业功能区), platforms (产业平台, with their developable area against the " +
			"10,000-mu threshold) and constraint layers (约束图层) of wanmu, and the same of each draft consolidation plan (方案); " +
			"editors may edit the zones and the platforms' attributes (Part 4) where the server allows it. Coordinates are CGCS2000 " +
			"longitude/latitude (EPSG:4490), served as CRS84 or, with crs=, as EPSG:4490, EPSG:4326 (taken as equal " +
			"to CGCS2000) and the region's Gauss-Kruger CRSs " + h.crs.gkCodes() + " (Part 2); areas are CGCS2000 ellipsoidal, 1 mu = 2000/3 m².",
		"links": []link{
			{Href: base, Rel: "self", Type: typeJSON, Title: "this document"},
			{Href: base + "/api", Rel: "service-desc", Type: typeOpenAPI, Title: "the API definition (OpenAPI 3.0)"},
			{Href: base + "/conformance", Rel: "conformance", Type: typeJSON, Title: "the conformance classes implemented"},
			{Href: base + "/collections", Rel: "data", Type: typeJSON, Title: "the collections: zones, platforms and the constraint layers"},
		},
	})
}

func (h *Handler) conformance(w http.ResponseWriter, r *http.Request) error {
	if err := ParseQuery(r.URL.Query()); err != nil {
		return err
	}
	classes := conformsTo
	if h.opts.Writes != nil {
		classes = append(append([]string{}, conformsTo...), conformsToWrites...)
	}
	return write(w, typeJSON, map[string]any{"conformsTo": classes})
}

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	if err := ParseQuery(r.URL.Query()); err != nil {
		return err
	}
	return write(w, typeOpenAPI, openAPIDocument(h.base(r), h.crs.uris(), h.opts.Writes != nil))
}

// collectionJSON is one collection of /collections.
type collectionJSON struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Links       []link      `json:"links"`
	Extent      *extentJSON `json:"extent,omitempty"`
	ItemType    string      `json:"itemType"`
	CRS         []string    `json:"crs"`
	StorageCRS  string      `json:"storageCrs"`
}

type extentJSON struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
}

var kindDescriptions = map[string]string{
	"zones": "Live parks (开发区/园区) and township industrial zones (乡镇工业功能区), with the properties of the " +
		"REST API's zone features; areas are CGCS2000 ellipsoidal, 1 mu = 2000/3 m².",
	"platforms": "Industrial platforms (产业平台): the dissolved outline of each platform's live member zones, with " +
		"its figures from the developable-area report: developable_mu against threshold_mu, and meets.",
	"exclude":   "Constraint layer (约束图层) of kind exclude: its land is deducted from the developable area.",
	"include":   "Constraint layer (约束图层) of kind include: only land inside it counts as developable.",
	"reference": "Reference layer (参考图层): shown on the map, not used in the figures.",
	"vacant":    "Vacant land (闲置土地: 批而未供、供而未用): part of the platforms' low-efficiency land, never deducted from the developable area.",
}

func (h *Handler) collectionJSON(base string, c store.FeatureCollection) collectionJSON {
	self := base + "/collections/" + c.ID
	desc := kindDescriptions[c.Kind]
	if (c.Kind == "exclude" || c.Kind == "include") && !c.Enabled {
		desc += " Switched off: it does not count at present."
	}
	if c.Scenario != store.Official {
		desc += fmt.Sprintf(" Of the draft consolidation plan (方案) %q (scenario %d), not the official data: edits here change the plan only.",
			c.ScenarioName, c.Scenario)
	}
	out := collectionJSON{
		ID: c.ID, Title: c.Title, Description: desc, ItemType: "feature", CRS: h.crs.uris(), StorageCRS: storage.URI,
		Links: []link{
			{Href: self, Rel: "self", Type: typeJSON, Title: "this collection"},
			{Href: self + "/items", Rel: "items", Type: typeGeoJSON, Title: "the features of " + c.Title},
		},
	}
	if b := c.Bounds; b != nil {
		out.Extent = &extentJSON{}
		out.Extent.Spatial.BBox = [][4]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}
		out.Extent.Spatial.CRS = CRS84
	}
	return out
}

func (h *Handler) collections(w http.ResponseWriter, r *http.Request) error {
	if err := ParseQuery(r.URL.Query()); err != nil {
		return err
	}
	cs, err := h.st.FeatureCollections(r.Context())
	if err != nil {
		return err
	}
	base := h.base(r)
	out := make([]collectionJSON, len(cs))
	for i, c := range cs {
		out[i] = h.collectionJSON(base, c)
	}
	return write(w, typeJSON, map[string]any{
		"links":       []link{{Href: base + "/collections", Rel: "self", Type: typeJSON, Title: "this document"}},
		"collections": out,
	})
}

func (h *Handler) collection(w http.ResponseWriter, r *http.Request) error {
	if err := ParseQuery(r.URL.Query()); err != nil {
		return err
	}
	id := chi.URLParam(r, "collectionId")
	c, err := h.st.FeatureCollectionInfo(r.Context(), id, true)
	if err != nil {
		return unknownCollection(id, err)
	}
	return write(w, typeJSON, h.collectionJSON(h.base(r), c))
}

// findCollection describes the collection of the request's {collectionId},
// without reading its features.
func (h *Handler) findCollection(r *http.Request) (store.FeatureCollection, error) {
	id := chi.URLParam(r, "collectionId")
	c, err := h.st.FeatureCollectionInfo(r.Context(), id, false)
	if err != nil {
		return c, unknownCollection(id, err)
	}
	return c, nil
}

// unknownCollection turns a not-found error into the 404 problem.
func unknownCollection(id string, err error) error {
	if !isNotFound(err) {
		return err
	}
	return problem.New(http.StatusNotFound, "unknown-collection",
		"there is no collection %q: GET /ogc/collections lists them (zones, platforms, scenario-<id>-zones and scenario-<id>-platforms of each draft plan, layer-<id>)", problem.Clip(id, 80))
}
