package api

import (
	"net/http"
	"strconv"

	"wanmu/internal/problem"
)

// previewNewZone answers, for a new zone being drawn (POST
// /zones/preview?platform=ID, the body a GeoJSON geometry), its area and the
// report of the platform it would join, as that report would be with it:
// the platform given, else the one whose zones the outline touches or comes
// within about 100 m of (none: no platforms). Same answer as previewZone;
// "joins" says how the platform was chosen. It writes nothing.
func (s *Server) previewNewZone(w http.ResponseWriter, r *http.Request) error {
	var platformID int64
	how := "touching"
	if v := r.URL.Query().Get("platform"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return problem.New(http.StatusBadRequest, "bad-parameter", "platform must be a platform id")
		}
		platformID, how = id, "chosen"
	}
	wkb, err := s.measureWKB(w, r)
	if err != nil {
		return err
	}
	pv, err := s.st(r).PreviewNewZone(r.Context(), platformID, wkb)
	if err != nil {
		return err
	}
	answer := measured(pv.Area, pv.Reason)
	answer["platforms"] = s.platformPreviews(r.Context(), pv.Reports)
	answer["joins"] = how
	writeJSON(w, http.StatusOK, answer)
	return nil
}
