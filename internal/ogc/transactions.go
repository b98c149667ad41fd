package ogc

// OGC API – Features Part 4 (Create, Replace, Update, Delete) on the zones
// collections — the official data's and each draft plan's — and Update
// (PATCH) of a platform's attributes. The handlers come from the REST API
// (Options.Writes), so every rule of /api/v1 holds here: validation and its
// messages, exact geometry, revisions with the author, If-Match against the
// ETag (428 when missing, 412 when stale), county limits, the plan's
// scenario. The layers stay read-only.

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/change"
	"wanmu/internal/problem"
)

// Writes are Part 4's handlers. The item handlers read the feature's id
// from the chi route parameter "id"; every handler reads the scenario the
// collection belongs to from the query parameter "scenario" (0: the
// official data), which the OGC routes set from the collection's id.
type Writes struct {
	// The zones: create, replace, update and delete.
	Create, Replace, Update, Delete http.Handler
	// UpdatePlatform changes a platform's attributes (PATCH); its outline
	// is its member zones' and is not edited here.
	UpdatePlatform http.Handler
	// CanEdit reports whether the caller may edit at all (OPTIONS says so).
	CanEdit func(*http.Request) bool
}

// Part 4's conformance classes, declared when the zones are writable.
var conformsToWrites = []string{
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
}

// routeWrites adds the write and OPTIONS routes.
func (h *Handler) routeWrites(r chi.Router) {
	r.Options("/collections/{collectionId}/items", h.handle(h.itemsOptions))
	r.Options("/collections/{collectionId}/items/{featureId}", h.handle(h.itemOptions))
	if h.opts.Writes == nil {
		return
	}
	wr := h.opts.Writes
	r.Post("/collections/{collectionId}/items", h.write(false, map[string]http.Handler{change.Zones: wr.Create}))
	r.Put("/collections/{collectionId}/items/{featureId}", h.write(true, map[string]http.Handler{change.Zones: wr.Replace}))
	r.Patch("/collections/{collectionId}/items/{featureId}", h.write(true, map[string]http.Handler{change.Zones: wr.Update, change.Platforms: wr.UpdatePlatform}))
	r.Delete("/collections/{collectionId}/items/{featureId}", h.write(true, map[string]http.Handler{change.Zones: wr.Delete}))
}

// write passes a write to the handler of the collection's kind, with the
// feature's id as "id" and the collection's scenario as ?scenario=; on a
// collection of another kind it answers 405 with what is allowed.
func (h *Handler) write(item bool, byKind map[string]http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.findCollection(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		next := byKind[c.Kind]
		if next == nil {
			w.Header().Set("Allow", h.allow(r, c.Kind, item))
			h.fail(w, r, problem.New(http.StatusMethodNotAllowed, "method-not-allowed",
				"%s is not allowed on %s: %s", r.Method, c.ID, writable))
			return
		}
		if item {
			chi.RouteContext(r.Context()).URLParams.Add("id", chi.URLParam(r, "featureId"))
		}
		// The scenario is the collection's, whatever the client sent.
		q := r.URL.Query()
		q.Set("scenario", strconv.FormatInt(c.Scenario, 10))
		u := *r.URL
		u.RawQuery = q.Encode()
		r.URL = &u
		next.ServeHTTP(w, r)
	}
}

// writable says what the OGC API lets a client edit.
const writable = "zones are created, replaced, updated and deleted in the zones collections (the official data's and each plan's), " +
	"platforms' attributes are updated with PATCH, and the layers are read-only"

// allow is what the caller may do on a collection's items (item: one item).
func (h *Handler) allow(r *http.Request, kind string, item bool) string {
	methods := []string{"GET", "HEAD", "OPTIONS"}
	if wr := h.opts.Writes; wr != nil && wr.CanEdit != nil && wr.CanEdit(r) {
		switch {
		case kind == change.Zones && item:
			methods = append(methods, "PUT", "PATCH", "DELETE")
		case kind == change.Zones:
			methods = append(methods, "POST")
		case kind == change.Platforms && item && wr.UpdatePlatform != nil:
			methods = append(methods, "PATCH")
		}
	}
	return strings.Join(methods, ", ")
}

func (h *Handler) itemsOptions(w http.ResponseWriter, r *http.Request) error {
	c, err := h.findCollection(r)
	if err != nil {
		return err
	}
	w.Header().Set("Allow", h.allow(r, c.Kind, false))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) itemOptions(w http.ResponseWriter, r *http.Request) error {
	c, err := h.findCollection(r)
	if err != nil {
		return err
	}
	w.Header().Set("Allow", h.allow(r, c.Kind, true))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
