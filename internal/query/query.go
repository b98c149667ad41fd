// Package query reads the query strings of every HTTP package strictly: a
// malformed query string (a ';' separator, a bad escape) or a repeated
// parameter is refused with 400 rather than half-read, so that a filter
// can never fail open by being dropped; and it parses the parameters the
// REST API and the OGC API share.
package query

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"wanmu/internal/problem"
)

// Strict refuses a request whose query string is malformed or repeats a
// parameter, before any handler reads it. net/http would otherwise drop
// the bad part silently (?bbox=0,0,1,1;x would list every zone).
func Strict(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			if err := Check(r.URL.RawQuery); err != nil {
				problem.Write(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Check returns a 400 problem if raw is not a well-formed query string
// with each parameter at most once.
func Check(raw string) *problem.Problem {
	if strings.Contains(raw, ";") {
		return problem.New(http.StatusBadRequest, "bad-query",
			"the query string contains ';': separate parameters with '&' (and escape a literal ';' as %%3B)")
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return problem.New(http.StatusBadRequest, "bad-query",
			"the query string is malformed (a '%%' not followed by two hex digits?): escape it as %%25")
	}
	for k, vs := range v {
		if len(vs) > 1 {
			return problem.New(http.StatusBadRequest, "repeated-parameter",
				"the parameter %q is given %d times: give it once", problem.Clip(k, 40), len(vs))
		}
	}
	return nil
}

// ParseBBox parses "west,south,east,north" in degrees, or the six numbers
// "west,south,bottom,east,north,top" of a 3D box (OGC API – Features), whose
// heights it ignores: wanmu's boundaries are flat.
func ParseBBox(s string) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) == 6 {
		for _, h := range []string{parts[2], parts[5]} {
			if f, err := strconv.ParseFloat(strings.TrimSpace(h), 64); err != nil || f != f || math.IsInf(f, 0) {
				return nil, problem.New(http.StatusBadRequest, "bad-bbox", "bbox height %q is not a number", problem.Clip(h, 40))
			}
		}
		parts = []string{parts[0], parts[1], parts[3], parts[4]}
	}
	if len(parts) != 4 {
		return nil, problem.New(http.StatusBadRequest, "bad-bbox", "bbox must be four numbers west,south,east,north in degrees, got %q (six add heights: west,south,bottom,east,north,top)", problem.Clip(s, 60))
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f != f || f > 1e300 || f < -1e300 {
			return nil, problem.New(http.StatusBadRequest, "bad-bbox", "bbox value %q is not a number", problem.Clip(p, 40))
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 {
		return nil, problem.New(http.StatusBadRequest, "bad-bbox", "bbox %q is outside longitude -180…180 / latitude -90…90", problem.Clip(s, 80))
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil, problem.New(http.StatusBadRequest, "bad-bbox", "bbox must be west,south,east,north with west ≤ east and south ≤ north")
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}
