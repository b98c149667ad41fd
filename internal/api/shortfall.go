package api

// What closes a platform's shortfall (缺口补足建议, issue 17): the
// candidates of store.Shortfall as GeoJSON features, and adding one to the
// platform inside a plan.

import (
	"math"
	"net/http"
	"regexp"
	"strconv"

	"github.com/paulmach/orb/geojson"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

type shortfallJSON struct {
	PlatformID      int64                      `json:"platform_id"`
	Name            string                     `json:"name"`
	PlatformVersion int                        `json:"platform_version"`
	Developable     store.Area                 `json:"developable"`
	ThresholdMu     float64                    `json:"threshold_mu"`
	Meets           bool                       `json:"meets"`
	Shortfall       store.Area                 `json:"shortfall"`
	RadiusM         float64                    `json:"radius_m"`
	BlockM          float64                    `json:"block_m"`
	MinBlockMu      float64                    `json:"min_block_mu"`
	Candidates      *geojson.FeatureCollection `json:"candidates"`
	Suggested       []string                   `json:"suggested"`
	SuggestedGain   store.Area                 `json:"suggested_gain"`
	SuggestedKm     float64                    `json:"suggested_km"`
	Closes          bool                       `json:"closes"`
	Minimal         bool                       `json:"minimal"`
	Method          string                     `json:"method"`
}

// shortfall answers GET /platforms/{id}/shortfall[?radius_m=]: the
// candidates as GeoJSON features (properties: key, kind zone|block,
// zone_id, name, zone_kind, disposition, area_mu, marginal_m2, marginal_mu,
// distance_m, touches, county, county_name, cross_county, suggested — the
// place in the suggested set, 0 when not in it) and the suggested set.
func (s *Server) shortfall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	radius, err := parseRadius(r.URL.Query().Get("radius_m"))
	if err != nil {
		return err
	}
	sf, err := s.st(r).Shortfall(r.Context(), id, radius)
	if err != nil {
		return err
	}
	rep := sf.Report
	out := shortfallJSON{PlatformID: rep.PlatformID, Name: rep.Name, PlatformVersion: rep.PlatformVersion,
		Developable: rep.Developable, ThresholdMu: rep.ThresholdMu, Meets: rep.Meets, Shortfall: rep.Shortfall,
		RadiusM: sf.RadiusM, BlockM: sf.BlockM, MinBlockMu: sf.MinBlockMu, Candidates: geojson.NewFeatureCollection(),
		Suggested: sf.Suggested, SuggestedGain: sf.SuggestedGain, SuggestedKm: sf.SuggestedKm,
		Closes: sf.Closes, Minimal: sf.Minimal, Method: sf.Method}
	for _, c := range sf.Candidates {
		f := geojson.NewFeature(c.Geom)
		f.ID = c.Key
		name := ""
		if s.region != nil {
			if cy, ok := s.region.County(c.County); ok {
				name = cy.Name
			}
		}
		f.Properties = geojson.Properties{"key": c.Key, "kind": c.Kind, "zone_id": c.ZoneID, "name": c.Name,
			"zone_kind": c.ZoneKind, "disposition": c.Disposition, "area_m2": c.Area.M2, "area_mu": c.Area.Mu,
			"marginal_m2": c.Marginal.M2, "marginal_mu": c.Marginal.Mu, "distance_m": c.DistanceM, "touches": c.Touches,
			"county": c.County, "county_name": name, "cross_county": c.Cross, "suggested": c.Suggested}
		out.Candidates.Append(f)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type shortfallAddBody struct {
	Key     string  `json:"key"`
	RadiusM float64 `json:"radius_m"`
	Reason  string  `json:"reason"`
}

// shortfallAdd answers POST /platforms/{id}/shortfall/add (If-Match: the
// platform's version): the candidate key joins the platform inside the
// request's plan; the answer is the platform after.
func (s *Server) shortfallAdd(w http.ResponseWriter, r *http.Request) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	if scenarioOf(r) == store.Official {
		return problem.New(http.StatusConflict, "official-data",
			"suggestions are added inside a plan (方案): create or switch to a plan first; the official data changes by adopting a plan")
	}
	var b shortfallAddBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := checkShortfallKey(b.Key); err != nil {
		return err
	}
	if b.RadiusM != 0 && !(b.RadiusM >= store.MinShortfallRadiusM && b.RadiusM <= store.MaxShortfallRadiusM) {
		return fieldProblem("radius_m", "is the search radius the suggestions were listed with, %g–%g m (0: the default)",
			store.MinShortfallRadiusM, store.MaxShortfallRadiusM)
	}
	if err := checkText("reason", b.Reason, 2000); err != nil {
		return err
	}
	reason := b.Reason
	if reason == "" {
		reason = "缺口补足建议"
	}
	p, err := s.st(r).AddShortfallCandidate(r.Context(), id, version, b.Key, b.RadiusM, s.change(r, reason))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, platformJSON(p, nil))
	return nil
}

var shortfallKey = regexp.MustCompile(`^(zone:[1-9][0-9]{0,17}|block:[0-9a-f]{16})$`)

// checkShortfallKey accepts the keys the suggestions list.
func checkShortfallKey(k string) error {
	if !shortfallKey.MatchString(k) {
		return fieldProblem("key", "must be a candidate's key as the suggestions list it (zone:<id> or block:<16 hex digits>), not %q", truncate(k, 40))
	}
	return nil
}

// parseRadius reads the search radius in metres ("" is the default).
func parseRadius(v string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	m, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(m) || m < store.MinShortfallRadiusM || m > store.MaxShortfallRadiusM {
		return 0, problem.New(http.StatusBadRequest, "bad-parameter", "radius_m is the search radius in metres, %g–%g, not %q",
			store.MinShortfallRadiusM, store.MaxShortfallRadiusM, truncate(v, 40))
	}
	return m, nil
}
