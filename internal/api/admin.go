package api

import (
	"net/http"

	"wanmu/internal/auth"
	"wanmu/internal/problem"
)

type restoreBody struct {
	RevisionID int64  `json:"revision_id"`
	Reason     string `json:"reason"`
}

// decodeRestore reads a restore: the path's id, the body, and the version the
// client saw (If-Match), since a restore overwrites the current state like
// any edit.
func (s *Server) decodeRestore(w http.ResponseWriter, r *http.Request) (int64, int, restoreBody, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, 0, restoreBody{}, err
	}
	var b restoreBody
	if err := decodeJSON(w, r, &b); err != nil {
		return 0, 0, b, err
	}
	if b.RevisionID <= 0 {
		return 0, 0, b, fieldProblem("revision_id", "is required: the id of the revision to go back to (see …/history)")
	}
	if err := checkText("reason", b.Reason, 2000); err != nil {
		return 0, 0, b, err
	}
	version, err := ParseIfMatch(r.Header.Get("If-Match"))
	return id, version, b, err
}

func (s *Server) restoreZone(w http.ResponseWriter, r *http.Request) error {
	id, version, b, err := s.decodeRestore(w, r)
	if err != nil {
		return err
	}
	restore := s.store.RestoreZone
	if !isAdmin(r) {
		restore = s.store.UndoZone
	}
	z, err := restore(r.Context(), id, version, b.RevisionID, s.change(r, b.Reason))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(z.Version))
	writeGeoJSON(w, http.StatusOK, zoneJSON(z))
	return nil
}

func (s *Server) restorePlatform(w http.ResponseWriter, r *http.Request) error {
	id, version, b, err := s.decodeRestore(w, r)
	if err != nil {
		return err
	}
	restore := s.store.RestorePlatform
	if !isAdmin(r) {
		restore = s.store.UndoPlatform
	}
	p, err := restore(r.Context(), id, version, b.RevisionID, s.change(r, b.Reason))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, platformJSON(p, nil))
	return nil
}

type layerPatch struct {
	Enabled *bool `json:"enabled"`
}

func (s *Server) patchLayer(w http.ResponseWriter, r *http.Request) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	var b layerPatch
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if b.Enabled == nil {
		return fieldProblem("enabled", "is required: true to count the layer in reports, false to leave it out")
	}
	l, err := s.store.SetLayerEnabled(r.Context(), id, version, *b.Enabled, s.change(r, ""))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(l.Version))
	writeJSON(w, http.StatusOK, l)
	return nil
}

// requireAdminFor refuses changes that only an administrator may make.
func isAdmin(r *http.Request) bool {
	u := currentUser(r.Context())
	return u != nil && auth.Rank(u.Role) >= auth.Rank(auth.Admin)
}

func requireAdminFor(r *http.Request, field string) error {
	if !isAdmin(r) {
		return problem.New(http.StatusForbidden, "forbidden", "only an administrator may set %s", field)
	}
	return nil
}
