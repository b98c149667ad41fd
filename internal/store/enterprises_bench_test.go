package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/uscc"
)

// BenchmarkEnterprises: a county-sized year (20,000 enterprises, half with
// parcels, half with points, over 400 zones) written, placed and listed:
//
//	go test ./internal/store -run '^$' -bench '^BenchmarkEnterprises$' -benchtime 1x -count=1 -v
func BenchmarkEnterprises(b *testing.B) {
	b.StopTimer()
	st, ctx := store.New(testdb.New(b)), context.Background()
	// 20 × 20 zones of 0.01° from (119.5, 28.0), every other one.
	for i := 0; i < 20; i++ {
		for j := 0; j < 20; j++ {
			w, s := 119.5+0.02*float64(i), 28.0+0.02*float64(j)
			if _, err := st.CreateZone(ctx, zoneFields(fmt.Sprintf("区%d-%d", i, j), rect(w, s, w+0.01, s+0.01)), store.Change{Actor: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	rows := make([]store.EnterpriseRecord, n)
	for k := range rows {
		first := fmt.Sprintf("91331102MA%07d", k)
		c, _ := uscc.CheckChar(first)
		r := enterprise(2024, first+string(c), fmt.Sprintf("企业%d", k), 1+rng.Float64()*50)
		lon, lat := 119.5+rng.Float64()*0.4, 28.0+rng.Float64()*0.4
		if k%2 == 0 {
			r.Parcel = rect(lon, lat, lon+0.002, lat+0.002)
		} else {
			r.Location = &orb.Point{lon, lat}
		}
		r.SourceRow = k + 2
		rows[k] = r
	}
	for i := 0; i < b.N; i++ {
		b.StartTimer()
		t0 := time.Now()
		if _, err := st.ReplaceEnterprises(ctx, 2024, rows, "bench", "bench"); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		ps, err := st.EnterprisePlacements(ctx, 2024)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		ys, err := st.EnterpriseYears(ctx)
		if err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		page, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		un, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024, Unplaced: true, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		t5 := time.Now()
		b.StopTimer()
		b.Logf("%d enterprises: write %v, placements %v (%d), years %v (%d unplaced), a page of %d %v, of %d unplaced %v",
			n, t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond), len(ps),
			t3.Sub(t2).Round(time.Millisecond), ys[0].Unplaced, len(page), t4.Sub(t3).Round(time.Millisecond),
			len(un), t5.Sub(t4).Round(time.Millisecond))
	}
}
