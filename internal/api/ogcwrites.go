package api

// Editing through the OGC API – Features Part 4 (Create, Replace, Update,
// Delete), for QGIS and other clients: the /ogc routes call these handlers,
// which are the REST API's own — the same validation and messages, exact
// geometry, revisions with the author, If-Match (428 when missing, 412 when
// stale), county limits — in the scenario of the collection (?scenario=,
// set by the OGC routes: the official data's zones, or a draft plan's).

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"wanmu/internal/auth"
	"wanmu/internal/store"
)

// OGCWrites are the handlers of Part 4: the zones' create, replace, update
// and delete, and a platform's attributes' update. The item handlers read
// the id from the route parameter "id"; the scenario comes from ?scenario=.
type OGCWrites struct {
	Create, Replace, Update, Delete, UpdatePlatform http.Handler
	// CanEdit reports whether the request's caller may edit at all (for
	// OPTIONS).
	CanEdit func(*http.Request) bool
}

// OGCWrites returns the handlers of the Part 4 routes. A created zone's
// Location is under the items path it was posted to.
func (s *Server) OGCWrites() OGCWrites {
	editor := s.Require(auth.Editor)
	in := func(entity string, h http.Handler) http.Handler {
		// The {id} must be of the collection's scenario.
		return editor(s.scope(s.inScope(entity)(h)))
	}
	return OGCWrites{
		Create:         editor(s.scope(locationUnderItems(s.handle(s.createZone)))),
		Replace:        in("zone", s.handle(s.putZone)),
		Update:         in("zone", s.handle(s.patchZone)),
		Delete:         in("zone", s.handle(s.deleteZone)),
		UpdatePlatform: in("platform", s.handle(s.patchPlatformFeature)),
		CanEdit: func(r *http.Request) bool {
			u := currentUser(r.Context())
			return u != nil && auth.Rank(u.Role) >= auth.Rank(auth.Editor)
		},
	}
}

// platformFeature is the body of a platform's PATCH through the OGC API: a
// GeoJSON Feature (or just its members) whose properties are those the
// items serve; the figures and the outline are read-only.
type platformFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Links      json.RawMessage `json:"links"`
	Properties struct {
		platformBody
		// Served by the OGC items beyond the REST API's: read-only.
		Members       json.RawMessage `json:"members"`
		DeductedMu    json.RawMessage `json:"deducted_mu"`
		DevelopableHa json.RawMessage `json:"developable_ha"`
		MarginMu      json.RawMessage `json:"margin_mu"`
		LargestGapM   json.RawMessage `json:"largest_gap_m"`
	} `json:"properties"`
	Reason string `json:"reason"`
}

// patchPlatformFeature changes a platform's attributes as PATCH
// /api/v1/platforms/{id} does. Its outline is the union of its member
// zones, so a geometry is refused; so are other members than it has.
func (s *Server) patchPlatformFeature(w http.ResponseWriter, r *http.Request) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	var f platformFeature
	if err := decodeJSON(w, r, &f); err != nil {
		return err
	}
	if f.Type != "" && f.Type != "Feature" {
		return fieldProblem("type", "must be \"Feature\" (or left out), not %q", truncate(f.Type, 40))
	}
	if g := strings.TrimSpace(string(f.Geometry)); g != "" && g != "null" {
		return fieldProblem("geometry", "a platform's outline is the union of its member zones: edit the zones, or change the members with PUT /api/v1/platforms/%d/members", id)
	}
	b := f.Properties.platformBody
	if b.Reason == "" {
		b.Reason = f.Reason
	}
	// QGIS sends the whole feature back with one attribute changed: what
	// is as stored is no change (so an administrator's field as it is is
	// no administrator's change), and other members than the platform has
	// are refused.
	p, err := s.st(r).GetPlatform(r.Context(), id)
	if err != nil {
		return err
	}
	if p.Version != version { // what the client sent back is of another version: 412, not a diff against this one
		return &store.ConflictError{Entity: "platform", ID: id, Expected: version, Current: p.Version}
	}
	if b.ZoneIDs != nil {
		if !slices.Equal(sortedIDs(b.ZoneIDs), sortedIDs(p.ZoneIDs)) {
			return fieldProblem("properties.zone_ids", "the members are changed with PUT /api/v1/platforms/%d/members, not here", id)
		}
		b.ZoneIDs = nil
	}
	return s.updatePlatform(w, r, id, version, b, &p)
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// locationUnderItems answers a created zone's Location under the items
// path it was posted to instead of /api/v1/zones.
func locationUnderItems(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&relocating{ResponseWriter: w, to: strings.TrimSuffix(r.URL.Path, "/")}, r)
	})
}

type relocating struct {
	http.ResponseWriter
	to string
}

func (w *relocating) WriteHeader(code int) {
	if loc := w.Header().Get("Location"); strings.HasPrefix(loc, "/api/v1/zones/") {
		if _, err := strconv.ParseInt(strings.TrimPrefix(loc, "/api/v1/zones/"), 10, 64); err == nil {
			w.Header().Set("Location", w.to+"/"+strings.TrimPrefix(loc, "/api/v1/zones/"))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *relocating) Write(b []byte) (int, error) { return w.ResponseWriter.Write(b) }
