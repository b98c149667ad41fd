package api

import (
	"net/http"

	"wanmu/internal/problem"
)

// The county checks against the server's region (internal/region): the
// request parsers check a code's form, these whether the region has it, and
// say which counties it has.

// checkCounty refuses a zone's county the region does not have.
func (s *Server) checkCounty(field string, adcode *string) error {
	if adcode == nil || s.region.Has(*adcode) {
		return nil
	}
	return fieldProblem(field, "%s", s.region.NotACounty(truncate(*adcode, 40)))
}

// checkCounties refuses a platform's counties the region does not have.
func (s *Server) checkCounties(adcodes []string) error {
	for _, c := range adcodes {
		if !s.region.Has(c) {
			return fieldProblem("counties", "%s", s.region.NotACounty(truncate(c, 40)))
		}
	}
	return nil
}

// checkCountyParam refuses ?county= of a county the region does not have.
func (s *Server) checkCountyParam(adcode string) error {
	if adcode == "" || s.region.Has(adcode) {
		return nil
	}
	return problem.New(http.StatusBadRequest, "bad-parameter", "county %s", s.region.NotACounty(adcode))
}
