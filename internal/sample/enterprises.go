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
	EnterpriseCount = 10_000 // a year: 20,000 enterprise-years in all
)

// EnterpriseYears are the years of the sample's enterprise figures.
var EnterpriseYears = []int{2024, 2025}

// loadEnterprises writes the sample's enterprise figures, placed in the
// sample's official zones (丽水's, region.Default), clear of the vacant land
// (vacant.go) that is written after them.
func loadEnterprises(ctx context.Context, st *store.Store) error {
	zones, err := st.In(store.Official).ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return err
	}
	_, err = enterprises(ctx, st, region.Default(), enterpriseSeed, EnterpriseCount, EnterpriseYears, vacantRects(planVacant(zones)))
	return err
}
