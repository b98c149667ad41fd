package api

// The annual assessment over the years (issue 18, item 4: "a chart over the
// years"): every stored year's ranks, tiers and scores, each year's moves
// against the year before.
//
// GET /evaluation/assessment/years

import (
	"net/http"

	"wanmu/internal/evaluation"
)

type assessmentYear struct {
	Year      int                   `json:"year"`
	Scheme    map[string]any        `json:"scheme"`
	Platforms []evaluation.Assessed `json:"platforms"`
}

func (s *Server) assessmentYears(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	ys, err := s.store.EvaluationYears(r.Context())
	if err != nil {
		return err
	}
	out := []assessmentYear{}
	var last []evaluation.Assessed
	for i := len(ys) - 1; i >= 0; i-- { // oldest first, so each year has the one before
		y := ys[i]
		if i < len(ys)-1 && ys[i+1] != y-1 {
			last = nil // a gap: no move to say
		}
		as, _, v, err := s.assessYear(r.Context(), y, last)
		if err != nil {
			return err
		}
		sc, _ := ParseAssessmentScheme(v.Scheme)
		out = append(out, assessmentYear{Year: y, Scheme: schemeRef(v, sc.Name), Platforms: as})
		last = as
	}
	writeJSON(w, http.StatusOK, map[string]any{"years": out})
	return nil
}
