package evaluation

import (
	"slices"

	"wanmu/internal/policy"
)

// PlatformDefs describes the platform indicators, in the order they are given.
var PlatformDefs = []struct{ Code, Label, Unit, Definition string }{
	{PValueAddedPerMu, "亩均增加值", "万元/亩", "平台内企业工业增加值 ÷ 其用地面积（跨平台企业按用地比例分摊）"},
	{PTaxPerMu, "亩均税收", "万元/亩", "平台内企业实缴税金 ÷ 其用地面积"},
	{PInvestment, "投资强度", "万元/亩", "平台内企业固定资产投资 ÷ 其用地面积"},
	{PEconomicDensity, "经济密度", "万元/亩", "平台内企业工业增加值 ÷ 平台用地面积"},
	{PTaxDensity, "税收密度", "万元/亩", "平台内企业实缴税金 ÷ 平台用地面积"},
	{PRDIntensity, "R&D经费投入强度", "%", "R&D 经费支出 ÷ 营业收入 × 100"},
	{PHighTechShare, "高新技术企业增加值占比", "%", "高新技术企业工业增加值 ÷ 工业增加值 × 100（已填报是否高新的企业）"},
	{PGoodLandShare, "A、B类企业用地占比", "%", "A、B 类企业用地 ÷ 参评（A–D 类）企业用地 × 100"},
}

// acc sums a ratio's numerator and denominator over enterprises that report both.
type acc struct {
	num, den float64
	n        int
}

func (a *acc) add(num, den *float64, share float64) {
	if num != nil && den != nil {
		a.num += *num * share
		a.den += *den * share
		a.n++
	}
}

func (a acc) value(f float64) *float64 {
	if a.n == 0 || a.den <= 0 {
		return nil
	}
	v := a.num / a.den * f
	return &v
}

// Platforms computes each platform's indicators for a year from its
// enterprises. An enterprise counts in a platform with the share of its land
// that lies there (placements; an enterprise straddling two platforms is split
// by land share, every figure with it). A ratio sums only the enterprises that
// report both of its figures, and says how many did (Reporting). results (may
// be nil) give the classes for the land shares; base (may be nil) is each
// platform's base-year indicators, for the doubling goals. The 2025 targets
// (亩均增加值 and 亩均税收) come from policy.DefaultTargets by role and counties.
func Platforms(year int, platforms []PlatformInput, es []Enterprise, results []Result, placements []Placement, base map[string]PlatformIndicators) []PlatformIndicators {
	byCode := make(map[string]int, len(es))
	for i := range es {
		if _, dup := byCode[es[i].CreditCode]; !dup {
			byCode[es[i].CreditCode] = i
		}
	}
	class := make(map[string]Class, len(results))
	for _, r := range results {
		if _, dup := class[r.CreditCode]; !dup {
			class[r.CreditCode] = r.Class
		}
	}
	type sumsP struct {
		va, tax, inv, rd, ht acc
		vaAll, taxAll        float64
		vaN, taxN            int
		land                 float64
		n                    int
		classLand            map[Class]float64
	}
	sums := make(map[string]*sumsP, len(platforms))
	for _, p := range platforms {
		sums[p.ID] = &sumsP{classLand: map[Class]float64{}}
	}
	for _, pl := range placements {
		s, ok := sums[pl.Platform]
		i, found := byCode[pl.CreditCode]
		if !ok || !found || pl.Share <= 0 {
			continue
		}
		e, w := &es[i], min(pl.Share, 1) // a share over 1 would count more land than the enterprise has
		land := e.LandMu
		if land != nil && *land < 0 {
			land = nil
		}
		s.n++
		s.va.add(e.ValueAdded, land, w)
		s.tax.add(e.Tax, land, w)
		s.inv.add(e.Investment, land, w)
		s.rd.add(e.RD, e.Revenue, w)
		if e.HighTech != nil && e.ValueAdded != nil {
			hv := 0.0
			if *e.HighTech {
				hv = *e.ValueAdded
			}
			s.ht.add(&hv, e.ValueAdded, w)
		}
		if e.ValueAdded != nil {
			s.vaAll += *e.ValueAdded * w
			s.vaN++
		}
		if e.Tax != nil {
			s.taxAll += *e.Tax * w
			s.taxN++
		}
		if land != nil {
			s.land += *land * w
			if c, ok := class[e.CreditCode]; ok {
				s.classLand[c] += *land * w
			}
		}
	}

	out := make([]PlatformIndicators, 0, len(platforms))
	for _, p := range platforms {
		s := sums[p.ID]
		pi := PlatformIndicators{Platform: p.ID, Name: p.Name, Year: year, LandMu: p.LandMu,
			EnterpriseLandMu: s.land, Enterprises: s.n, ClassLand: s.classLand, ClassLandShare: map[Class]float64{}}
		for c, l := range s.classLand {
			if s.land > 0 {
				pi.ClassLandShare[c] = l / s.land
			}
		}
		le := LowEfficiency{CDMu: s.classLand[ClassC] + s.classLand[ClassD], VacantMu: p.VacantMu}
		le.TotalMu = le.CDMu + le.VacantMu
		if p.LandMu > 0 {
			sh := le.TotalMu / p.LandMu
			le.Share = &sh
		}
		pi.LowEfficiency = le
		density := func(sum float64, n int) (*float64, int) {
			if p.LandMu <= 0 || n == 0 {
				return nil, n
			}
			v := sum / p.LandMu
			return &v, n
		}
		evaluated := s.classLand[ClassA] + s.classLand[ClassB] + s.classLand[ClassC] + s.classLand[ClassD]
		good := acc{num: s.classLand[ClassA] + s.classLand[ClassB], den: evaluated}
		if evaluated > 0 {
			good.n = 1
		}
		t := policy.DefaultTargets(p.Role, p.Counties)
		b, hasBase := base[p.ID]
		for _, d := range PlatformDefs {
			v := PlatformValue{Code: d.Code, Label: d.Label, Unit: d.Unit, Definition: d.Definition}
			switch d.Code {
			case PValueAddedPerMu:
				v.Value, v.Reporting = s.va.value(1), s.va.n
				v.Target = &t.ValueAddedPerMu
			case PTaxPerMu:
				v.Value, v.Reporting = s.tax.value(1), s.tax.n
				v.Target = &t.TaxPerMu
			case PInvestment:
				v.Value, v.Reporting = s.inv.value(1), s.inv.n
			case PEconomicDensity:
				v.Value, v.Reporting = density(s.vaAll, s.vaN)
			case PTaxDensity:
				v.Value, v.Reporting = density(s.taxAll, s.taxN)
			case PRDIntensity:
				v.Value, v.Reporting = s.rd.value(100), s.rd.n
			case PHighTechShare:
				v.Value, v.Reporting = s.ht.value(100), s.ht.n
			case PGoodLandShare:
				v.Value, v.Reporting = good.value(100), good.n
			}
			if v.Value != nil && v.Target != nil {
				meets := *v.Value >= *v.Target
				v.MeetsTarget = &meets
			}
			if hasBase && d.Code != PGoodLandShare && d.Code != PHighTechShare {
				if bv := b.Value(d.Code); bv != nil && *bv > 0 {
					v.Base = bv
					dbl := 2 * *bv
					v.Doubling = &dbl
					if v.Value != nil {
						prog := (*v.Value - *bv) / *bv
						v.Progress = &prog
					}
				}
			}
			pi.Values = append(pi.Values, v)
		}
		out = append(out, pi)
	}
	return out
}

// Value is the value of one of the platform's indicators, nil when absent.
func (p PlatformIndicators) Value(code string) *float64 {
	i := slices.IndexFunc(p.Values, func(v PlatformValue) bool { return v.Code == code })
	if i < 0 {
		return nil
	}
	return p.Values[i].Value
}
