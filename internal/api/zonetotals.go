package api

import (
	"net/http"

	"wanmu/internal/store"
)

// zoneTotals answers how many zones match the zone list's filters and their
// area in all units, so the zone table shows the totals of 200,000 zones
// while it loads them a page at a time.
func (s *Server) zoneTotals(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseZoneFilter(r.URL.Query())
	if err == nil {
		err = s.checkCountyParam(f.County)
	}
	if err != nil {
		return err
	}
	n, m2, err := s.st(r).ZoneTotals(r.Context(), f)
	if err != nil {
		return err
	}
	a := store.AreaOf(m2)
	writeJSON(w, http.StatusOK, map[string]any{"count": n, "area_m2": a.M2, "area_mu": a.Mu, "area_ha": a.Ha})
	return nil
}
