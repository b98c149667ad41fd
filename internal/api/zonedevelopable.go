package api

import (
	"math"
	"net/http"
	"time"

	"wanmu/internal/store"
)

// zoneDevelopable answers GET /zones/{id}/developable: the zone's own
// developable area, computed by the platform report's engine for the zone
// alone (store.ZoneDevelopable). A retired zone is 410 Gone, like a retired
// platform's report: it no longer counts anywhere; its history keeps it.
func (s *Server) zoneDevelopable(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	z, rep, err := s.st(r).ZoneDevelopable(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, zoneFigures(z.ID, z.Version, rep))
	return nil
}

// zoneDevelopableAnswer is a zone's own developable area. Gross, layers,
// deducted, developable, parts, definition, computed_at and method are the
// platform report's fields for a platform of that zone alone.
type zoneDevelopableAnswer struct {
	ZoneID      int64                  `json:"zone_id"`
	Name        string                 `json:"name"`
	ZoneVersion int                    `json:"zone_version,omitempty"` // absent for a draft (POST /zones/{id}/preview)
	Gross       store.Area             `json:"gross"`
	Layers      []store.LayerDeduction `json:"layers"`
	// Deductions split gross − developable by reason, each taking only what
	// no reason before it took, so they add up to deducted.
	Deductions  []zoneDeduction  `json:"deductions"`
	Deducted    store.Area       `json:"deducted"`
	Developable store.Area       `json:"developable"`
	Parts       int              `json:"parts"`
	Definition  store.Definition `json:"definition"`
	ComputedAt  time.Time        `json:"computed_at"`
	Method      string           `json:"method"`
}

// zoneDeduction is what one reason takes from a zone: the land outside
// every include layer (kind outside_include, all of them named) or one
// exclude layer's land that no reason before it took (kind exclude).
type zoneDeduction struct {
	Kind     string     `json:"kind"`
	LayerIDs []int64    `json:"layer_ids"`
	Layers   []string   `json:"layers"`
	Area     store.Area `json:"area"`
}

// zoneFigures turns a report of one zone into its answer. The deductions
// are the steps of the report's cumulative figures (include layers share
// one), so they are the report's own numbers, not a second computation.
func zoneFigures(id int64, version int, rep store.Report) zoneDevelopableAnswer {
	a := zoneDevelopableAnswer{ZoneID: id, Name: rep.Name, ZoneVersion: version, Gross: rep.Gross, Layers: rep.Layers,
		Deductions: []zoneDeduction{}, Deducted: rep.Deducted, Developable: rep.Developable, Parts: rep.Parts,
		Definition: rep.Definition, ComputedAt: rep.ComputedAt, Method: rep.Method}
	var taken float64
	for _, l := range rep.Layers {
		if l.Kind == "include" { // listed first
			if len(a.Deductions) == 0 {
				a.Deductions = append(a.Deductions, zoneDeduction{Kind: "outside_include", Area: l.Cumulative})
				taken = l.Cumulative.M2
			}
			d := &a.Deductions[0]
			d.LayerIDs, d.Layers = append(d.LayerIDs, l.LayerID), append(d.Layers, l.Name)
			continue
		}
		a.Deductions = append(a.Deductions, zoneDeduction{Kind: "exclude", LayerIDs: []int64{l.LayerID},
			Layers: []string{l.Name}, Area: store.AreaOf(math.Max(0, l.Cumulative.M2-taken))})
		taken = l.Cumulative.M2
	}
	return a
}
