package api

import (
	"fmt"
	"net/http"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/store"
)

// developable answers GET /platforms/{id}/developable: the platform's
// developable land and the land each reason deducts, as a GeoJSON
// FeatureCollection computed like the report (store.DevelopableLand), so the
// features' areas add up to the report's developable and deducted figures.
// Properties: kind (developable | outside_include | exclude), layer_ids and
// layers (the include layers, or the one exclude layer), layer_id and layer
// (exclude only), reason, area_m2, area_mu, area_ha. Parts with no area are
// left out.
func (s *Server) developable(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	land, err := s.st(r).DevelopableLand(r.Context(), id)
	if err != nil {
		return err
	}
	ls, err := s.store.ListLayers(r.Context())
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, l := range ls {
		names[l.ID] = l.Name
	}
	fc := geojson.NewFeatureCollection()
	if land.Developable != nil {
		f, err := areaFeature(land.Developable, land.Area)
		if err != nil {
			return fmt.Errorf("developable land of platform %d: %w", id, err)
		}
		f.Properties["kind"] = "developable"
		fc.Append(f)
	}
	for _, d := range land.Deducted {
		f, err := areaFeature(d.Geom, d.Area)
		if err != nil {
			return fmt.Errorf("deducted land of platform %d (%s): %w", id, d.Reason, err)
		}
		layers := make([]string, len(d.LayerIDs))
		for i, l := range d.LayerIDs {
			layers[i] = names[l]
		}
		f.Properties["kind"] = "outside_include"
		if d.Kind == "exclude" {
			f.Properties["kind"] = "exclude"
			f.Properties["layer_id"], f.Properties["layer"] = d.LayerIDs[0], d.Reason
		}
		f.Properties["layer_ids"], f.Properties["layers"], f.Properties["reason"] = d.LayerIDs, layers, d.Reason
		fc.Append(f)
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

// areaFeature is a feature of a WKB geometry with its area in every unit.
func areaFeature(b []byte, a store.Area) (*geojson.Feature, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	if _, ok := g.(orb.MultiPolygon); !ok {
		return nil, fmt.Errorf("geometry is %s, not MultiPolygon", g.GeoJSONType())
	}
	f := geojson.NewFeature(g)
	f.Properties = geojson.Properties{"area_m2": a.M2, "area_mu": a.Mu, "area_ha": a.Ha}
	return f, nil
}
