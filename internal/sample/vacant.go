package sample

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/geodesy"
	"wanmu/internal/store"
)

// The sample's vacant land (闲置土地, issue 18): an illustrative layer of
// kind vacant, parcels 批而未供 or 供而未用 inside some of the official zones,
// so that the low-efficiency land has both parts to show.
const (
	VacantLayer  = "闲置土地（示意）"
	vacantSeed   = 1805
	VacantCount  = 40
	vacantSource = "wanmu internal/sample, seed 1805：示例数据，非测绘成果"
)

// vacantParcel is one parcel of the vacant layer.
type vacantParcel struct {
	rect orb.Bound
	zone store.Zone
}

// planVacant places the vacant parcels: a pure function of the seed and the
// official zones, laid out before the enterprises' parcels, which keep clear
// of them. A zone is picked in proportion to its area, the parcel is 5–80
// 亩 (log-uniform, at most an eighth of the zone), at a random spot wholly
// inside the zone and clear of the other vacant parcels.
func planVacant(zones []store.Zone) []vacantParcel {
	if len(zones) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(vacantSeed, 0x766163))
	areas := make([]float64, len(zones))
	for k, z := range zones {
		areas[k] = geodesy.EllipsoidalAreaMulti(z.Geom)
	}
	var out []vacantParcel
	var taken []orb.Bound
	for try := 0; len(out) < VacantCount && try < 20*VacantCount; try++ {
		k := pick(r, areas)
		mu := min(5*math.Pow(16, r.Float64()), geodesy.Mu(areas[k])/8)
		if mu < 4 {
			continue
		}
		st := newSite(zones[k].Geom, nil)
		b := rectAround(st, randomPointIn(r, zones[k].Geom), mu*geodesy.SquareMetresPerMu, 1.3)
		if !st.contains(b) || clash(b, taken, 20/st.mLat) {
			continue
		}
		out = append(out, vacantParcel{rect: b, zone: zones[k]})
		taken = append(taken, b)
	}
	return out
}

func vacantRects(vs []vacantParcel) []orb.Bound {
	out := make([]orb.Bound, len(vs))
	for i, v := range vs {
		out[i] = v.rect
	}
	return out
}

// loadVacant writes the vacant layer planned by planVacant.
func loadVacant(ctx context.Context, st *store.Store) error {
	zones, err := st.In(store.Official).ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return err
	}
	vs := planVacant(zones)
	if len(vs) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(vacantSeed, 0x6b696e64))
	features := make([]store.LayerFeature, 0, len(vs))
	for i, v := range vs {
		kind := "批而未供"
		if r.Float64() < 0.4 {
			kind = "供而未用"
		}
		b, err := wkb.Marshal(v.rect.ToPolygon())
		if err != nil {
			return err
		}
		features = append(features, store.LayerFeature{Geom: b, Attributes: map[string]any{
			"illustrative": true, "name": fmt.Sprintf("闲置土地（示意）-%03d", i+1), "类型": kind,
			"county_adcode": v.zone.CountyAdcode, "note": "示例数据，非测绘成果"}})
	}
	_, _, err = st.CreateLayer(ctx, store.Change{}, VacantLayer, "vacant", vacantSource, features, nil)
	return err
}
