package api

// The evaluation on the map (issue 18, items 3 and 5): a year's enterprises
// as GeoJSON, their parcels (else points) with the class, so the page can
// colour them and show the low-efficiency land (the C and D enterprises'
// land: the 存量 the policy wants revitalised). With vacant=true the
// features of the vacant layers (闲置土地) come too, the rest of that land.
// Every feature says its kind: enterprise or vacant.
//
// GET /evaluation/map?year=Y[&county=331102][&class=C,D][&vacant=true]

import (
	"net/http"
	"strings"

	"github.com/paulmach/orb/geojson"

	"wanmu/internal/evaluation"
	"wanmu/internal/problem"
)

func (s *Server) evaluationMap(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r, "year", "county", "class", "vacant"); err != nil {
		return err
	}
	q := r.URL.Query()
	withVacant := false
	switch v := q.Get("vacant"); v {
	case "", "false":
	case "true":
		withVacant = true
	default:
		return problem.New(http.StatusBadRequest, "bad-parameter", "vacant must be true or false, not %q", truncate(v, 20))
	}
	county := q.Get("county")
	if county != "" && !validAdcode(county) {
		return problem.New(http.StatusBadRequest, "bad-parameter", "county must be a 6-digit code, not %q", truncate(county, 40))
	}
	classes := map[evaluation.Class]bool{}
	if c := q.Get("class"); c != "" {
		for _, k := range strings.Split(c, ",") {
			if len(k) != 1 || !strings.Contains("ABCDT", k) {
				return problem.New(http.StatusBadRequest, "bad-parameter", "class must be a list of A, B, C, D, T (e.g. C,D), not %q", truncate(c, 20))
			}
			classes[evaluation.Class(k)] = true
		}
	}
	year, err := s.evalYear(r)
	if err != nil {
		return err
	}
	run, err := s.evaluateYear(r.Context(), year)
	if err != nil {
		return err
	}
	shapes, err := s.store.EnterpriseShapes(r.Context(), year, county)
	if err != nil {
		return err
	}
	byCode := make(map[string]*evaluation.Result, len(run.Eval.Results))
	for i := range run.Eval.Results {
		byCode[run.Eval.Results[i].CreditCode] = &run.Eval.Results[i]
	}
	fc := geojson.NewFeatureCollection()
	for _, sh := range shapes {
		e := byCode[sh.CreditCode]
		if e == nil || len(classes) > 0 && !classes[e.Class] {
			continue
		}
		f := geojson.NewFeature(sh.Geom)
		f.Properties = geojson.Properties{"kind": "enterprise", "credit_code": e.CreditCode, "name": e.Name, "county": e.County,
			"scale": string(e.Scale), "land_mu": e.LandMu, "class": string(e.Class), "score": e.Score, "rank": e.Rank, "of": e.Of}
		if e.Reason != "" {
			f.Properties["reason"] = e.Reason
		}
		fc.Append(f)
	}
	if withVacant {
		vs, err := s.store.VacantFeatures(r.Context(), county)
		if err != nil {
			return err
		}
		for _, v := range vs {
			f := geojson.NewFeature(v.Geom)
			f.Properties = geojson.Properties{"kind": "vacant", "id": v.ID, "layer": v.Layer, "county": v.County, "area_mu": v.AreaMu}
			fc.Append(f)
		}
	}
	fc.ExtraMembers = geojson.Properties{"year": year, "scheme": schemeRef(run.Scheme, run.Eval.Scheme)}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}
