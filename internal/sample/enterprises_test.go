package sample_test

import (
	"context"
	"log/slog"
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
