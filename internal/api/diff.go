package api

// The differences between two states of the data (GET /scenarios/diff):
// the zones one consolidation plan added, removed or changed against
// another plan or the official data, as GeoJSON for the map.

import (
	"net/http"
	"strconv"

	"github.com/paulmach/orb/geojson"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// parseDiffed reads ?a=0&b=3: two distinct scenario ids (0: the official
// data), a being the state the differences are read from.
func parseDiffed(r *http.Request) (a, b int64, err error) {
	q := r.URL.Query()
	for k := range q {
		if k != "a" && k != "b" {
			return 0, 0, problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: only a and b are accepted", truncate(k, 40))
		}
	}
	ids := [2]int64{}
	for i, k := range []string{"a", "b"} {
		v := q.Get(k)
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			return 0, 0, problem.New(http.StatusBadRequest, "bad-parameter", "%s must be a scenario's id (0: the official data), e.g. a=0&b=3, not %q", k, truncate(v, 40))
		}
		ids[i] = id
	}
	if ids[0] == ids[1] {
		return 0, 0, problem.New(http.StatusBadRequest, "bad-parameter", "a and b are both %d: choose two different scenarios", ids[0])
	}
	return ids[0], ids[1], nil
}

// diffScenarios answers GeoJSON: one feature per side of each zone that
// differs (side "a" and/or "b": both for a changed zone, though only a new
// outline needs both drawn), with what changed and the area gained and
// lost; the two scenarios and the counts by status come alongside.
func (s *Server) diffScenarios(w http.ResponseWriter, r *http.Request) error {
	a, b, err := parseDiffed(r)
	if err != nil {
		return err
	}
	var sides [2]map[string]any
	for i, id := range []int64{a, b} {
		sc, err := s.liveScenario(r.Context(), id)
		if err != nil {
			return err
		}
		sides[i] = map[string]any{"id": sc.ID, "name": sc.Name}
		if id != store.Official {
			sides[i]["base_at"] = sc.BaseAt
		}
	}
	diffs, more, err := s.store.DiffZones(r.Context(), a, b)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	counts := map[string]int{"added": 0, "removed": 0, "changed": 0}
	for i, d := range diffs {
		counts[d.Status]++
		for _, side := range []struct {
			name string
			z    *store.DiffSide
		}{{"a", d.A}, {"b", d.B}} {
			if side.z == nil {
				continue
			}
			f := geojson.NewFeature(side.z.Geom)
			f.ID = side.name + strconv.FormatInt(side.z.ID, 10)
			f.Properties = geojson.Properties{
				"diff": i, "side": side.name, "status": d.Status, "changes": d.Changes,
				"zone_id": side.z.ID, "name": side.z.Name, "kind": side.z.Kind, "disposition": side.z.Disposition,
				"platform": side.z.Platform, "version": side.z.Version, "area_mu": store.AreaOf(side.z.AreaM2).Mu,
				"gained_mu": store.AreaOf(d.GainedM2).Mu, "lost_mu": store.AreaOf(d.LostM2).Mu,
			}
			fc.Append(f)
		}
	}
	fc.ExtraMembers = geojson.Properties{"a": sides[0], "b": sides[1], "counts": counts,
		"truncated": more, "limit": store.MaxDiffZones}
	writeJSON(w, http.StatusOK, fc)
	return nil
}
