package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"wanmu/internal/api"
	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/transfer"
)

// memoReports keeps each platform's report, as the server's report cache does.
type memoReports struct {
	st *store.Store
	mu sync.Mutex
	m  map[int64]store.Report
}

func (m *memoReports) Report(ctx context.Context, id int64) (store.Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.m[id]; ok {
		return r, nil
	}
	r, err := m.st.Report(ctx, id)
	if err == nil {
		m.m[id] = r
	}
	return r, err
}

// BenchmarkEvaluation: 20,000 stored illustrative enterprises of 2023 (and
// 2022 for the benchmarks) over the sample's zones, evaluated through the API
// with the scheme changed before every round (so nothing is cached), then
// the same question again (cached), the platforms' indicators and the
// assessment:
//
//	go test ./internal/api -run '^$' -bench '^BenchmarkEvaluation$' -benchtime 3x -count=1 -v
func BenchmarkEvaluation(b *testing.B) {
	b.StopTimer()
	ctx := context.Background()
	st := store.New(testdb.New(b))
	if _, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	if _, err := (&transfer.Service{Store: st}).SampleEnterprises(ctx, 20, 20_000, []int{2022, 2023}); err != nil {
		b.Fatal(err)
	}
	h := api.New(st, api.Options{PublicRead: true, Logger: slog.New(slog.DiscardHandler),
		Reports: &memoReports{st: st, m: map[int64]store.Report{}}}).Routes()
	get := func(path string) time.Duration {
		t0 := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
		return time.Since(t0)
	}
	// The first placement of 20,000 parcels in the zones (then cached), and
	// the platforms' reports (cached as in the server).
	b.Logf("first platform indicators: %v", get("/evaluation/platforms?year=2023").Round(time.Millisecond))
	version := 1
	for i := 0; i < b.N; i++ {
		// A new version of the (default) scheme: the next request recomputes.
		v, err := st.SaveScheme(ctx, store.SchemeEnterprise, version, nil, []byte(`{"name":"bench","min_land_mu":3,"groups":[{"scale":"规上","evaluated":true,"indicators":[{"code":"tax_per_mu","weight":50,"benchmark":{"kind":"county_average","multiple":2}},{"code":"value_added_per_mu","weight":50,"benchmark":{"kind":"county_average","multiple":2}}]},{"scale":"规下","evaluated":true,"indicators":[{"code":"tax_per_mu","weight":100,"benchmark":{"kind":"county_average","multiple":2}}]}],"classes":[{"class":"A","up_to":0.2},{"class":"B","up_to":0.6},{"class":"C","up_to":0.95},{"class":"D","up_to":1}]}`), store.Change{Actor: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		version = v.Version
		b.StartTimer()
		cold := get("/evaluation?year=2023&limit=100")
		b.StopTimer()
		warm := get("/evaluation?year=2023&limit=100")
		plat := get("/evaluation/platforms?year=2023&base=2022")
		assess := get("/evaluation/assessment?year=2023")
		b.Logf("20,000 enterprises: evaluation %v (load and engine), again %v (cached); platform indicators with base year %v; assessment %v",
			cold.Round(time.Millisecond), warm.Round(time.Millisecond), plat.Round(time.Millisecond), assess.Round(time.Millisecond))
	}
}
