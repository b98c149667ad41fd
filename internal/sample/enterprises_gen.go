package sample

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"wanmu/internal/evaluation"
	"wanmu/internal/geodesy"
	"wanmu/internal/region"
	"wanmu/internal/store"
)

// The generator of illustrative enterprise tables, here rather than in
// internal/transfer (whose SampleEnterprises calls it) so that the first
// start's sample can write them without an import cycle.

// Enterprises writes illustrative enterprise tables (示例数据 from
// evaluation.Synthesize, grown year by year with evaluation.Grow) for the
// years given, n enterprises over the region's counties, so that the
// evaluation, the placements and the unplaced list have data to show. Most
// enterprises get a square parcel of their land's area inside a live
// official zone of their county (some then straddle its edge, or a
// neighbour); about one in eight gets a point elsewhere in its county and
// lies outside every zone. A pure function of the seed and the zones.
// Years that hold figures already are left alone; the written count is
// returned.
func Enterprises(ctx context.Context, st *store.Store, rg *region.Region, seed uint64, n int, years []int) (int, error) {
	if len(years) == 0 {
		return 0, nil
	}
	have, err := st.EnterpriseYears(ctx)
	if err != nil {
		return 0, err
	}
	done := map[int]bool{}
	for _, y := range have {
		done[y.Year] = true
	}
	zones, err := st.In(store.Official).ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return 0, err
	}
	byCounty := map[string][]store.Zone{}
	for _, z := range zones {
		byCounty[z.CountyAdcode] = append(byCounty[z.CountyAdcode], z)
	}
	r := rand.New(rand.NewPCG(seed, 0x656e74))
	es := evaluation.Synthesize(seed, n, rg.Adcodes(), years[0])
	// Where each enterprise is, the same every year.
	type where struct {
		parcel orb.MultiPolygon
		point  *orb.Point
	}
	at := make([]where, len(es))
	for i, e := range es {
		zs := byCounty[e.County]
		if len(zs) > 0 && r.Float64() < 0.875 {
			z := zs[r.IntN(len(zs))]
			c := randomPointIn(r, z.Geom)
			land := 1.0
			if e.LandMu != nil && *e.LandMu > 0 {
				land = *e.LandMu
			}
			at[i].parcel = squareParcel(c, land*geodesy.SquareMetresPerMu)
			continue
		}
		c, _ := rg.County(e.County)
		p := orb.Point{c.Lon + 0.15*(r.Float64()-0.5), c.Lat + 0.15*(r.Float64()-0.5)}
		at[i].point = &p
	}
	written := 0
	for k, year := range years {
		if k > 0 {
			es = evaluation.Grow(seed+uint64(k), es, year)
		}
		if done[year] {
			continue
		}
		rows := make([]store.EnterpriseRecord, len(es))
		for i, e := range es {
			e.Year = year
			rows[i] = store.EnterpriseRecord{Enterprise: e, Parcel: at[i].parcel, Location: at[i].point, SourceRow: i + 2}
		}
		res, err := st.ReplaceEnterprises(ctx, year, rows, fmt.Sprintf("sample-%d", seed), "wanmu sample")
		if err != nil {
			return written, fmt.Errorf("sample enterprises of %d: %w", year, err)
		}
		written += res.Written
	}
	return written, nil
}

// randomPointIn picks a point inside mp (rejection in its bounding box).
func randomPointIn(r *rand.Rand, mp orb.MultiPolygon) orb.Point {
	b := mp.Bound()
	for range 200 {
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		if planar.MultiPolygonContains(mp, p) {
			return p
		}
	}
	return b.Center()
}

// squareParcel is a lon/lat square of about m2 square metres centred on c.
func squareParcel(c orb.Point, m2 float64) orb.MultiPolygon {
	side := math.Sqrt(m2)
	dLat := side / 111_320 / 2
	dLon := side / (111_320 * math.Cos(c[1]*math.Pi/180)) / 2
	w, e, s, n := c[0]-dLon, c[0]+dLon, c[1]-dLat, c[1]+dLat
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}
