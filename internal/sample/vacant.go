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

// loadVacant writes the vacant layer: a pure function of the seed and the
// official zones (every fourth zone or so gets a parcel of 5–80 亩,
// log-uniform, centred inside it).
func loadVacant(ctx context.Context, st *store.Store) error {
	zones, err := st.In(store.Official).ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return err
	}
	if len(zones) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(vacantSeed, 0x766163))
	features := make([]store.LayerFeature, 0, VacantCount)
	for i := range VacantCount {
		z := zones[r.IntN(len(zones))]
		mu := 5 * math.Pow(16, r.Float64())
		parcel := squareParcel(randomPointIn(r, z.Geom), mu*geodesy.SquareMetresPerMu)
		kind := "批而未供"
		if r.Float64() < 0.4 {
			kind = "供而未用"
		}
		b, err := wkb.Marshal(orb.Polygon(parcel[0]))
		if err != nil {
			return err
		}
		features = append(features, store.LayerFeature{Geom: b, Attributes: map[string]any{
			"illustrative": true, "name": fmt.Sprintf("闲置土地（示意）-%03d", i+1), "类型": kind,
			"county_adcode": z.CountyAdcode, "note": "示例数据，非测绘成果"}})
	}
	_, _, err = st.CreateLayer(ctx, VacantLayer, "vacant", vacantSource, features, nil)
	return err
}
