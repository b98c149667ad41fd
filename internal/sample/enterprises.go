package sample

import (
	"context"

	"wanmu/internal/region"
	"wanmu/internal/store"
)

// The sample's enterprise figures (亩均论英雄, issue 18): illustrative
// tables (示例数据, every name starts with 示例) of two years, so that the
// evaluation's benchmarks come from the year before as a county's do.
const (
	enterpriseSeed  = 18
	EnterpriseCount = 8_000 // two years of 20,000 would add about 4 s to the first start (benchmarked instead)
)

// EnterpriseYears are the years of the sample's enterprise figures.
var EnterpriseYears = []int{2024, 2025}

// loadEnterprises writes the sample's enterprise figures, placed in the
// sample's official zones (丽水's, region.Default).
func loadEnterprises(ctx context.Context, st *store.Store) error {
	_, err := Enterprises(ctx, st, region.Default(), enterpriseSeed, EnterpriseCount, EnterpriseYears)
	return err
}
