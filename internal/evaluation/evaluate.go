package evaluation

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Reasons for class T.
const (
	ReasonNoLand       = "用地面积缺失"
	ReasonZeroLand     = "用地面积为零"
	ReasonNegLand      = "用地面积为负（数据有误）"
	ReasonSmallLand    = "用地面积不足%g亩"
	ReasonNotEvaluated = "%s企业不参评"
	ReasonNoGroup      = "规模（规上/规下）未知"
	ReasonDuplicate    = "统一社会信用代码重复，仅评价第一条"
)

type groupKey struct {
	county string
	scale  Scale
}

type benchKey struct {
	groupKey
	code IndicatorCode
}

// Evaluate evaluates one year's enterprises by the scheme; last is the year
// before, whose county averages make the "N × last year's county average"
// benchmarks. Rules, as a county's 亩均 office applies them:
//   - class T (not evaluated, with the reason): land missing, zero or negative;
//     an exemption (the scheme's list or the enterprise's ExemptReason); land
//     under the scheme's minimum; a scale the scheme does not evaluate;
//   - indicator score = value ÷ benchmark × weight, at least 0 (a negative tax
//     or value added scores 0) and at most cap × weight; a zero denominator with
//     a positive numerator (no emissions at all) scores the cap;
//   - a missing figure scores 0 for its indicators and is flagged: the weights
//     are not redistributed (缺项不得分), so a complete return never loses to
//     an incomplete one by the missing figure;
//   - the county average is Σ numerator ÷ Σ denominator over last year's
//     evaluated enterprises of the same county and group (the aggregate the
//     county publishes, not a mean of ratios); with no such enterprise last
//     year, this year's average is used and said (SourceThisYear, a note);
//   - rank within county and group by the composite score rounded to 1e-6
//     (float noise only), competition ranking: equal scores share a rank (1, 2,
//     2, 4) and the class of the tied group's best position, so a tie across a
//     cut-off takes the better class for all its members;
//   - position p of n is in the first class whose cut-off c has p ≤ c × n; the
//     results keep the order of the input.
func Evaluate(s Scheme, year, last []Enterprise) (Evaluation, error) {
	if err := s.Validate(); err != nil {
		return Evaluation{}, err
	}
	ev := Evaluation{Scheme: s.Name, Results: make([]Result, len(year))}
	if len(year) > 0 {
		ev.Year = year[0].Year
	}
	groups := map[Scale]*Group{}
	for i := range s.Groups {
		groups[s.Groups[i].Scale] = &s.Groups[i]
	}
	exempt := map[string]string{}
	for _, x := range s.Exemptions {
		exempt[x.CreditCode] = x.Reason
	}

	// Who is evaluated, this year and last year (for the averages).
	evaluatedThis := make([]bool, len(year))
	seen := make(map[string]bool, len(year))
	for i := range year {
		e := &year[i]
		r := &ev.Results[i]
		*r = Result{CreditCode: e.CreditCode, Name: e.Name, County: e.County, Scale: e.Scale}
		if e.LandMu != nil {
			r.LandMu = *e.LandMu
		}
		r.Reason = notEvaluated(&s, groups, exempt, e)
		if r.Reason == "" && e.CreditCode != "" && seen[e.CreditCode] {
			r.Reason = ReasonDuplicate
		}
		seen[e.CreditCode] = true
		if r.Reason != "" {
			r.Class = ClassT
			continue
		}
		evaluatedThis[i] = true
	}

	// Benchmarks per county, group and indicator.
	lastAvg := averages(&s, groups, exempt, last, nil)
	thisAvg := averages(&s, groups, exempt, year, evaluatedThis)
	bench := map[benchKey]BenchmarkUsed{}
	fellBack := map[string]bool{}
	benchmark := func(k benchKey, b Benchmark) BenchmarkUsed {
		if u, ok := bench[k]; ok {
			return u
		}
		u := BenchmarkUsed{County: k.county, Scale: k.scale, Code: k.code}
		if b.Kind == BenchFixed {
			u.Benchmark, u.Source = b.Value, SourceFixed
		} else {
			a, ok := lastAvg[k]
			u.Source = SourceLastYear
			if !ok || a.n == 0 {
				a, u.Source = thisAvg[k], SourceThisYear
				fellBack[fmt.Sprintf("%s %s", k.county, k.scale)] = true
			}
			if a.den > 0 {
				u.Average = a.num / a.den * a.f
			}
			u.Count = a.n
			u.Benchmark = b.Multiple * u.Average
		}
		bench[k] = u
		return u
	}

	// Scores.
	for i := range year {
		if !evaluatedThis[i] {
			continue
		}
		e, r := &year[i], &ev.Results[i]
		g := groups[e.Scale]
		r.Indicators = make([]IndicatorResult, len(g.Indicators))
		total := 0.0
		for j, w := range g.Indicators {
			in, _ := IndicatorByCode(w.Code)
			u := benchmark(benchKey{groupKey{e.County, e.Scale}, w.Code}, w.Benchmark)
			ir := IndicatorResult{Code: w.Code, Unit: in.Unit, Weight: w.Weight,
				Benchmark: u.Benchmark, BenchmarkSource: u.Source}
			v, missing, unbounded := Ratio(w.Code, e)
			maxScore := math.Inf(1)
			if w.Cap > 0 {
				maxScore = w.Cap * w.Weight
			}
			switch {
			case missing:
				ir.Missing = true
				r.Missing = append(r.Missing, w.Code)
			case unbounded:
				ir.Score = min(maxScore, w.Weight*max(w.Cap, 1))
			default:
				ir.Value = &v
				if u.Benchmark > 0 {
					ir.Score = min(maxScore, max(0, v/u.Benchmark*w.Weight))
				}
			}
			total += ir.Score
			r.Indicators[j] = ir
		}
		r.Score = math.Round(total*1e6) / 1e6
	}

	rank(&s, ev.Results, evaluatedThis)

	// Benchmarks in a stable order, and notes.
	for _, u := range bench {
		ev.Benchmarks = append(ev.Benchmarks, u)
	}
	slices.SortFunc(ev.Benchmarks, func(a, b BenchmarkUsed) int {
		return cmp.Or(cmp.Compare(a.County, b.County), cmp.Compare(a.Scale, b.Scale), cmp.Compare(a.Code, b.Code))
	})
	for _, k := range sortedKeys(fellBack) {
		ev.Notes = append(ev.Notes, fmt.Sprintf("%s: no evaluated enterprise last year; the benchmarks use this year's county average", k))
	}
	for _, u := range ev.Benchmarks {
		if u.Benchmark <= 0 {
			ev.Notes = append(ev.Notes, fmt.Sprintf("%s %s %s: benchmark %g is not positive; the indicator scores 0", u.County, u.Scale, u.Code, u.Benchmark))
		}
	}
	return ev, nil
}

// notEvaluated gives the reason an enterprise is class T, or "".
func notEvaluated(s *Scheme, groups map[Scale]*Group, exempt map[string]string, e *Enterprise) string {
	switch {
	case e.LandMu == nil:
		return ReasonNoLand
	case *e.LandMu == 0:
		return ReasonZeroLand
	case *e.LandMu < 0 || math.IsNaN(*e.LandMu):
		return ReasonNegLand
	}
	if r, ok := exempt[e.CreditCode]; ok {
		return r
	}
	if e.ExemptReason != "" {
		return e.ExemptReason
	}
	if *e.LandMu < s.MinLandMu {
		return fmt.Sprintf(ReasonSmallLand, s.MinLandMu)
	}
	g := groups[e.Scale]
	if g == nil {
		if e.Scale == Above || e.Scale == Below {
			return fmt.Sprintf(ReasonNotEvaluated, e.Scale)
		}
		return ReasonNoGroup
	}
	if !g.Evaluated {
		return fmt.Sprintf(ReasonNotEvaluated, e.Scale)
	}
	return ""
}

type sums struct {
	num, den, f float64
	n           int
}

// averages sums each indicator's numerator and denominator per county and
// group over the evaluated enterprises that report both (only is nil for last
// year: who was evaluated is decided by this scheme).
func averages(s *Scheme, groups map[Scale]*Group, exempt map[string]string, es []Enterprise, only []bool) map[benchKey]sums {
	out := map[benchKey]sums{}
	for i := range es {
		e := &es[i]
		if only != nil && !only[i] || only == nil && notEvaluated(s, groups, exempt, e) != "" {
			continue
		}
		for _, w := range groups[e.Scale].Indicators {
			num, den, f := parts(w.Code, e)
			if num == nil || den == nil {
				continue
			}
			k := benchKey{groupKey{e.County, e.Scale}, w.Code}
			a := out[k]
			a.num += *num
			a.den += *den
			a.f = f
			a.n++
			out[k] = a
		}
	}
	return out
}

// rank ranks the evaluated results within county and group and classes them.
func rank(s *Scheme, rs []Result, evaluated []bool) {
	byGroup := map[groupKey][]int{}
	for i := range rs {
		if evaluated[i] {
			k := groupKey{rs[i].County, rs[i].Scale}
			byGroup[k] = append(byGroup[k], i)
		}
	}
	for _, idx := range byGroup {
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Or(cmp.Compare(rs[b].Score, rs[a].Score), cmp.Compare(rs[a].CreditCode, rs[b].CreditCode))
		})
		n := len(idx)
		for p := 0; p < n; {
			q := p
			for q < n && rs[idx[q]].Score == rs[idx[p]].Score {
				q++
			}
			c := ClassOf(s.Classes, p+1, n)
			for _, i := range idx[p:q] {
				rs[i].Rank, rs[i].Of, rs[i].Class = p+1, n, c
			}
			p = q
		}
	}
}

// ClassOf is the class of position p (1 = best) among n: the first cut-off c
// with p ≤ c × n (a tolerance of 1e-9 keeps 0.2 × 10 from missing position 2).
func ClassOf(cuts []ClassCut, p, n int) Class {
	for _, c := range cuts {
		if float64(p) <= c.UpTo*float64(n)+1e-9 {
			return c.Class
		}
	}
	return cuts[len(cuts)-1].Class
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
