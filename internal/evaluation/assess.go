package evaluation

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// DefaultAssessment is the shipped annual assessment of the platforms: the two
// 2025 targets against their values (亩均增加值 120, 亩均税收 30 万元/亩, 25
// each), the doubling indicators against the best platform of the year
// (投资强度 15, 经济密度 10, 税收密度 10, R&D 强度 10) and the land of A/B
// enterprises (5); no score above the weight (cap 1: reaching the target is
// full marks). Three tiers by rank thirds.
func DefaultAssessment() AssessmentScheme {
	return AssessmentScheme{
		Name: "产业平台年度考核评估（默认方案）",
		Criteria: []Criterion{
			{Code: PValueAddedPerMu, Weight: 25, Target: 120},
			{Code: PTaxPerMu, Weight: 25, Target: 30},
			{Code: PInvestment, Weight: 15},
			{Code: PEconomicDensity, Weight: 10},
			{Code: PTaxDensity, Weight: 10},
			{Code: PRDIntensity, Weight: 10},
			{Code: PGoodLandShare, Weight: 5},
		},
		Tiers: []string{"第一档", "第二档", "第三档"},
	}
}

// Validate checks an assessment scheme, naming the field.
func (a AssessmentScheme) Validate() error {
	var errs []error
	known := map[string]bool{}
	for _, d := range PlatformDefs {
		known[d.Code] = true
	}
	if len(a.Criteria) == 0 {
		errs = append(errs, errors.New("criteria: at least one criterion is needed"))
	}
	seen := map[string]bool{}
	for i, c := range a.Criteria {
		f := fmt.Sprintf("criteria[%d]", i)
		if !known[c.Code] {
			errs = append(errs, fmt.Errorf("%s.code: unknown platform indicator %q", f, c.Code))
		} else if seen[c.Code] {
			errs = append(errs, fmt.Errorf("%s.code: %q appears twice", f, c.Code))
		}
		seen[c.Code] = true
		if !finite(c.Weight) || c.Weight <= 0 {
			errs = append(errs, fmt.Errorf("%s.weight: must be > 0, got %v", f, c.Weight))
		}
		if !finite(c.Target) || c.Target < 0 {
			errs = append(errs, fmt.Errorf("%s.target: must be ≥ 0 (0: against the best platform), got %v", f, c.Target))
		}
		if !finite(c.Cap) || c.Cap != 0 && c.Cap < 1 {
			errs = append(errs, fmt.Errorf("%s.cap: must be 0 (= 1) or ≥ 1, got %v", f, c.Cap))
		}
	}
	if len(a.Tiers) == 0 {
		errs = append(errs, errors.New("tiers: at least one tier is needed"))
	}
	return errors.Join(errs...)
}

// Assess ranks the platforms of one year. Each criterion scores
// min(value ÷ reference, cap) × weight, at least 0, where the reference is the
// criterion's target, or else the best platform's value that year; a platform
// without the value scores 0 for it. Ranks are competition ranks on the total
// rounded to 1e-6 (ties share a rank and a tier). The n ranked platforms are
// cut into len(Tiers) parts: position p goes to tier ⌈p × k ÷ n⌉ (10 platforms,
// 3 tiers: 3, 3, 4), a tie taking its best position's tier. Move compares with
// last (last year's assessment, may be nil): +1 up a tier, −1 down. The last
// place (all platforms tied there) is flagged for 约谈, when there are at least
// two platforms. The result is ordered by rank, then platform id.
func Assess(a AssessmentScheme, year []PlatformIndicators, last []Assessed) ([]Assessed, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	best := map[string]float64{}
	for _, c := range a.Criteria {
		for _, p := range year {
			if v := p.Value(c.Code); v != nil && *v > best[c.Code] {
				best[c.Code] = *v
			}
		}
	}
	out := make([]Assessed, len(year))
	for i, p := range year {
		r := Assessed{Platform: p.Platform, Name: p.Name, Scores: map[string]float64{}}
		total := 0.0
		for _, c := range a.Criteria {
			ref := c.Target
			if ref == 0 {
				ref = best[c.Code]
			}
			score := 0.0
			if v := p.Value(c.Code); v != nil && ref > 0 {
				score = min(max(*v/ref, 0), max(c.Cap, 1)) * c.Weight
			}
			r.Scores[c.Code] = score
			total += score
		}
		r.Score = math.Round(total*1e6) / 1e6
		out[i] = r
	}
	slices.SortStableFunc(out, func(x, y Assessed) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.Platform, y.Platform))
	})
	lastTier := map[string]int{}
	for _, l := range last {
		lastTier[l.Platform] = l.Tier
	}
	n, k := len(out), len(a.Tiers)
	for p := 0; p < n; {
		q := p
		for q < n && out[q].Score == out[p].Score {
			q++
		}
		tier := (int(math.Ceil(float64((p+1)*k) / float64(n))))
		tier = min(max(tier, 1), k)
		for i := p; i < q; i++ {
			o := &out[i]
			o.Rank, o.Tier, o.TierName = p+1, tier, a.Tiers[tier-1]
			if lt := lastTier[o.Platform]; lt > 0 {
				o.LastTier = lt
				o.Move = cmp.Compare(lt, tier)
			}
			o.Interview = q == n && n >= 2 && p > 0
		}
		p = q
	}
	return out, nil
}
