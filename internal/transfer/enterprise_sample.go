package transfer

import (
	"context"

	"wanmu/internal/sample"
)

// SampleEnterprises writes illustrative enterprise tables for the years
// given, n enterprises over the region's counties, placed in the live
// official zones (sample.Enterprises, which the first start's sample uses
// too). Years that hold figures already are left alone; the written count
// is returned.
func (s *Service) SampleEnterprises(ctx context.Context, seed uint64, n int, years []int) (int, error) {
	return sample.Enterprises(ctx, s.Store, s.region(), seed, n, years)
}
