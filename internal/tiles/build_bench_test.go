package tiles

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// syntheticFeatures scatters n small star-shaped parcels over the tile's
// data box, with attributes like a land survey's.
func syntheticFeatures(t Tile, n int) []store.TileFeature {
	rng := rand.New(rand.NewPCG(1, 2))
	b := t.Bound(Buffer)
	shared := map[string]any{"layer": "parcels"}
	out := make([]store.TileFeature, n)
	for i := range out {
		cx := b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0])
		cy := b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])
		r := (b.Max[0] - b.Min[0]) / 200 * (0.3 + rng.Float64())
		k := 5 + rng.IntN(5)
		ring := make(orb.Ring, 0, k+1)
		for j := range k {
			a := 2 * math.Pi * (float64(j) + rng.Float64()*0.8) / float64(k)
			rr := r * (0.6 + 0.4*rng.Float64())
			ring = append(ring, orb.Point{cx + rr*math.Cos(a), cy + rr*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		g := orb.MultiPolygon{{ring}}
		out[i] = store.TileFeature{
			ID: int64(i + 1), Props: shared, Geom: g, Bound: g.Bound(),
			Attrs: []byte(fmt.Sprintf(`{"dlbm": "0101 水田", "owner": "村集体 %d", "parcel": %d}`, i%97, i)),
		}
	}
	return out
}

func BenchmarkBuild(b *testing.B) {
	t := Tile{Z: 12, X: 3407, Y: 1713}
	src := syntheticFeatures(t, 5000)
	b.ResetTimer()
	for b.Loop() {
		lt, err := build(t, "layer-1", src)
		if err != nil {
			b.Fatal(err)
		}
		encodeMVT(lt)
	}
}
