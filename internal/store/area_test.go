package store_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/geodesy"
)

// TestAreaMatchesSurveyFormula cross-checks the store's ellipsoidal area with
// the independent Go implementation of the land-survey formula on polygons
// across 丽水 with edges up to 3 km: both read an edge as the straight line
// in longitude and latitude (ellipsoidal_area densifies before PostGIS's
// geodesic-edge ST_Area).
func TestAreaMatchesSurveyFormula(t *testing.T) {
	st, ctx := newStore(t)
	rng := rand.New(rand.NewPCG(2020, 55))
	var polys []orb.MultiPolygon
	// The reference rectangle of shared/reference/README.md.
	polys = append(polys, rect(119.845, 28.370, 119.875, 28.3905))
	for range 40 {
		cx, cy := 118.8+rng.Float64()*1.5, 27.5+rng.Float64()*1.4
		n := 8 + rng.IntN(40)
		r := 0.002 + rng.Float64()*0.04
		var ring orb.Ring
		for i := range n {
			a := 2 * math.Pi * float64(i) / float64(n)
			rr := r * (0.6 + 0.4*rng.Float64())
			ring = append(ring, orb.Point{cx + rr*math.Cos(a), cy + rr*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		polys = append(polys, orb.MultiPolygon{{ring}})
	}
	for i, p := range polys {
		b, _ := wkb.Marshal(p)
		a, reason, err := st.Measure(ctx, b)
		if err != nil || reason != "" {
			t.Fatalf("polygon %d: measure: %v %s", i, err, reason)
		}
		// The formula's trapezoids assume short edges: densify its input.
		want := geodesy.EllipsoidalAreaMulti(densify(p, 0.0001))
		ppm := math.Abs(a.M2-want) / want * 1e6
		if ppm > 0.02 {
			t.Errorf("polygon %d: PostGIS %.3f m², survey formula %.3f m²: %.3f ppm apart, want ≤ 0.02", i, a.M2, want, ppm)
		}
		if i == 0 && math.Abs(geodesy.Mu(a.M2)-10020.66) > 0.01 {
			t.Errorf("reference rectangle: PostGIS gives %.4f mu, want 10020.66", geodesy.Mu(a.M2))
		}
	}
}

// densify inserts vertices so no edge is longer than step degrees.
func densify(mp orb.MultiPolygon, step float64) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range mp {
		var np orb.Polygon
		for _, r := range p {
			var nr orb.Ring
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				n := int(math.Ceil(math.Max(math.Abs(b[0]-a[0]), math.Abs(b[1]-a[1])) / step))
				n = max(n, 1)
				for k := range n {
					f := float64(k) / float64(n)
					nr = append(nr, orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])})
				}
			}
			nr = append(nr, r[len(r)-1])
			np = append(np, nr)
		}
		out = append(out, np)
	}
	return out
}
