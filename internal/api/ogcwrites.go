package api

// Editing zones through the OGC API – Features Part 4 (Create, Replace,
// Update, Delete), for QGIS and other clients: the /ogc routes call these
// handlers, which are the REST API's own — the same validation and
// messages, exact geometry, revisions with the author, If-Match (428 when
// missing, 412 when stale), county limits — on the official data only.

import (
	"net/http"
	"strings"

	"wanmu/internal/auth"
)

// ZoneWrites are the handlers of Part 4 on the zones collection. The item
// handlers read the zone's id from the route parameter "id"; Create
// answers its Location under itemsPath.
type ZoneWrites struct {
	Create, Replace, Update, Delete http.Handler
	// CanEdit reports whether the request's caller may edit zones at all
	// (for OPTIONS).
	CanEdit func(*http.Request) bool
}

// OGCZoneWrites returns the handlers of the zones' Part 4 routes; itemsPath
// is where the items live (e.g. /ogc/collections/zones/items), for the
// Location of a created zone.
func (s *Server) OGCZoneWrites(itemsPath string) ZoneWrites {
	editor := s.Require(auth.Editor)
	official := officialOnlyFor("the OGC API edits the official data")
	inOfficial := func(h http.Handler) http.Handler {
		// The official data's zone only: a plan's zone is not in the collection.
		return official(s.inScope("zone")(h))
	}
	return ZoneWrites{
		Create:  editor(official(locationUnder(itemsPath, s.handle(s.createZone)))),
		Replace: editor(inOfficial(s.handle(s.putZone))),
		Update:  editor(inOfficial(s.handle(s.patchZone))),
		Delete:  editor(inOfficial(s.handle(s.deleteZone))),
		CanEdit: func(r *http.Request) bool {
			u := currentUser(r.Context())
			return u != nil && auth.Rank(u.Role) >= auth.Rank(auth.Editor)
		},
	}
}

// locationUnder answers the created zone's Location under itemsPath
// instead of /api/v1/zones.
func locationUnder(itemsPath string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&relocating{ResponseWriter: w, to: itemsPath}, r)
	})
}

type relocating struct {
	http.ResponseWriter
	to string
}

func (w *relocating) WriteHeader(code int) {
	if loc := w.Header().Get("Location"); strings.HasPrefix(loc, "/api/v1/zones/") {
		w.Header().Set("Location", w.to+"/"+strings.TrimPrefix(loc, "/api/v1/zones/"))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *relocating) Write(b []byte) (int, error) { return w.ResponseWriter.Write(b) }
