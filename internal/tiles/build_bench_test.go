package tiles

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
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

// fakeSource serves fixed features, to measure the handler alone.
type fakeSource struct{ fs []store.TileFeature }

func (s fakeSource) TileLayers(context.Context) ([]store.TileLayer, error) {
	return []store.TileLayer{{ID: "layer-1", Kind: "exclude"}}, nil
}

func (s fakeSource) TileLayerInfo(context.Context, string) (store.TileLayer, error) {
	return store.TileLayer{ID: "layer-1"}, nil
}

func (s fakeSource) TileFeatures(context.Context, string, store.TileQuery) ([]store.TileFeature, error) {
	return s.fs, nil
}

// BenchmarkColdHandler measures what a cold z16 tile costs besides the
// database: routing, building, encoding, hashing.
func BenchmarkColdHandler(b *testing.B) {
	t := Tile{Z: 16, X: 54522, Y: 27413}
	h := NewHandler(fakeSource{syntheticFeatures(t, 3)}, Options{CacheMB: -1})
	req := httptest.NewRequest(http.MethodGet, "/layer-1/16/54522/27413.mvt", nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
