package sample_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// TestSampleEnterprises: the first start writes two years of illustrative
// enterprises, most placed in the sample's zones, and says how long the
// whole sample took.
func TestSampleEnterprises(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	start := time.Now()
	if loaded, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil || !loaded {
		t.Fatalf("LoadOnce: %v %v", loaded, err)
	}
	t.Logf("sample loaded in %v", time.Since(start).Round(time.Millisecond))
	ys, err := st.EnterpriseYears(ctx)
	if err != nil || len(ys) != len(sample.EnterpriseYears) {
		t.Fatalf("years: %+v %v", ys, err)
	}
	for _, y := range ys {
		if y.Enterprises != sample.EnterpriseCount || y.Unplaced > y.Enterprises/4 || y.Unplaced == 0 {
			t.Errorf("%d: %d enterprises, %d outside every zone", y.Year, y.Enterprises, y.Unplaced)
		}
	}
}

// TestSampleVacantLand: the sample's vacant layer (闲置土地（示意）) is
// marked illustrative, lies in zones and counts in platforms' low-efficiency
// land, not in the developable area.
func TestSampleVacantLand(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if loaded, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil || !loaded {
		t.Fatalf("LoadOnce: %v %v", loaded, err)
	}
	ls, err := st.ListLayers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range ls {
		if l.Name == sample.VacantLayer {
			found = l.Kind == "vacant" && l.Features == sample.VacantCount && strings.Contains(l.Source, "示例数据")
		}
	}
	if !found {
		t.Fatalf("no vacant layer of %d illustrative features: %+v", sample.VacantCount, ls)
	}
	vs, err := st.VacantFeatures(ctx, "")
	if err != nil || len(vs) != sample.VacantCount || vs[0].County == "" || vs[0].AreaMu < 4 || vs[0].AreaMu > 81 {
		t.Fatalf("vacant features: %d %v %+v", len(vs), err, vs[0])
	}
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	land, err := st.VacantLand(ctx, ids)
	if err != nil || len(land) < 3 {
		t.Fatalf("vacant land in %d of %d platforms: %v", len(land), len(ps), err)
	}
}
