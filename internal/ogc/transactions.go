package ogc

// OGC API – Features Part 4 (Create, Replace, Update, Delete) on the zones
// collection. The handlers come from the REST API (Options.ZoneWrites), so
// every rule of /api/v1 holds here: validation and its messages, exact
// geometry, revisions with the author, If-Match against the zone's ETag
// (428 when missing, 412 when stale), county limits. Other collections
// stay read-only.

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/change"
	"wanmu/internal/problem"
)

// ZoneWrites are Part 4's handlers for the zones. The item handlers read
// the zone's id from the chi route parameter "id".
type ZoneWrites struct {
	Create, Replace, Update, Delete http.Handler
	// CanEdit reports whether the caller may edit zones (OPTIONS says so).
	CanEdit func(*http.Request) bool
}

// Part 4's conformance classes, declared when zones are writable.
var conformsToWrites = []string{
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
}

// routeWrites adds the write and OPTIONS routes.
func (h *Handler) routeWrites(r chi.Router) {
	r.Options("/collections/{collectionId}/items", h.handle(h.itemsOptions))
	r.Options("/collections/{collectionId}/items/{featureId}", h.handle(h.itemOptions))
	if h.opts.ZoneWrites == nil {
		return
	}
	zw := h.opts.ZoneWrites
	r.Post("/collections/{collectionId}/items", h.zonesOnly(zw.Create, false))
	r.Put("/collections/{collectionId}/items/{featureId}", h.zonesOnly(zw.Replace, true))
	r.Patch("/collections/{collectionId}/items/{featureId}", h.zonesOnly(zw.Update, true))
	r.Delete("/collections/{collectionId}/items/{featureId}", h.zonesOnly(zw.Delete, true))
}

// zonesOnly passes a write on the zones to next (with the feature's id as
// "id"); on another collection it answers 405 with what is allowed.
func (h *Handler) zonesOnly(next http.Handler, item bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.findCollection(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if c.Kind != change.Zones {
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			h.fail(w, r, problem.New(http.StatusMethodNotAllowed, "method-not-allowed",
				"collection %s is read-only: only the zones are edited through the OGC API", c.ID))
			return
		}
		if item {
			chi.RouteContext(r.Context()).URLParams.Add("id", chi.URLParam(r, "featureId"))
		}
		next.ServeHTTP(w, r)
	}
}

// allow is what the caller may do on a collection's items (item: one item).
func (h *Handler) allow(r *http.Request, kind string, item bool) string {
	methods := []string{"GET", "HEAD", "OPTIONS"}
	if kind == change.Zones && h.opts.ZoneWrites != nil && h.opts.ZoneWrites.CanEdit != nil && h.opts.ZoneWrites.CanEdit(r) {
		if item {
			methods = append(methods, "PUT", "PATCH", "DELETE")
		} else {
			methods = append(methods, "POST")
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
