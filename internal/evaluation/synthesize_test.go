package evaluation

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

// lishui are 丽水's nine county adcodes; benchPlatforms two or three
// illustrative platforms per county (ids only).
var lishui = []string{"331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181"}

func benchPlatforms() (map[string][]string, []PlatformInput) {
	byCounty := map[string][]string{}
	var ps []PlatformInput
	for i, c := range lishui {
		for j := range 2 + i%2 {
			id := fmt.Sprintf("%s-%d", c, j)
			byCounty[c] = append(byCounty[c], id)
			ps = append(ps, PlatformInput{ID: id, Name: id, Counties: []string{c}, LandMu: 8000 + 1000*float64(j)})
		}
	}
	return byCounty, ps
}

func TestSynthesize(t *testing.T) {
	a := Synthesize(7, 20000, lishui, 2024)
	if !reflect.DeepEqual(a, Synthesize(7, 20000, lishui, 2024)) {
		t.Fatal("not a pure function of the seed")
	}
	codes := map[string]bool{}
	var lands []float64
	zero, exempt, missingVA, above, neg := 0, 0, 0, 0, 0
	for _, e := range a {
		if !ValidCreditCode(e.CreditCode) || codes[e.CreditCode] {
			t.Fatalf("credit code %q invalid or repeated", e.CreditCode)
		}
		codes[e.CreditCode] = true
		switch {
		case *e.LandMu == 0:
			zero++
		default:
			lands = append(lands, *e.LandMu)
		}
		if e.ExemptReason != "" {
			exempt++
		}
		if e.ValueAdded == nil {
			missingVA++
		}
		if e.Scale == Above {
			above++
		}
		if e.Tax != nil && *e.Tax < 0 {
			neg++
		}
	}
	slices.Sort(lands)
	median := lands[len(lands)/2]
	mean := 0.0
	for _, l := range lands {
		mean += l / float64(len(lands))
	}
	t.Logf("median land %.1f 亩, mean %.1f; zero land %d, exempt %d, no value added %d, 规上 %d, negative tax %d",
		median, mean, zero, exempt, missingVA, above, neg)
	if median < 12 || median > 30 || mean < 1.3*median {
		t.Errorf("land median %.1f mean %.1f: not skewed around 20 亩", median, mean)
	}
	for what, n := range map[string]int{"zero land": zero, "exempt": exempt, "negative tax": neg} {
		if n < 20 || n > 400 {
			t.Errorf("%s: %d of 20000", what, n)
		}
	}
	if missingVA < 500 || above < 5000 || above > 8000 {
		t.Errorf("missing value added %d, 规上 %d", missingVA, above)
	}
	// Tax per 亩 rises with value added per 亩 (the correlation the data should have).
	var xs, ys []float64
	for _, e := range a {
		if e.Tax != nil && e.ValueAdded != nil && *e.LandMu > 0 && *e.Tax > 0 {
			xs, ys = append(xs, math.Log(*e.Tax / *e.LandMu)), append(ys, math.Log(*e.ValueAdded / *e.LandMu))
		}
	}
	if c := corr(xs, ys); c < 0.6 {
		t.Errorf("log 亩均税收 and log 亩均增加值 correlate at %.2f only", c)
	}
	c := a[0].CreditCode
	wrong := c[:17] + string(creditAlphabet[(indexByte(creditAlphabet, c[17])+1)%31])
	if ValidCreditCode(wrong) || ValidCreditCode(c[:17]) || !ValidCreditCode("91350100M000100Y43") {
		t.Errorf("the check character is not checked: %s %s", c, wrong)
	}
}

func corr(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy, sxx, syy, sxy float64
	for i := range x {
		sx, sy, sxx, syy, sxy = sx+x[i], sy+y[i], sxx+x[i]*x[i], syy+y[i]*y[i], sxy+x[i]*y[i]
	}
	return (n*sxy - sx*sy) / math.Sqrt((n*sxx-sx*sx)*(n*syy-sy*sy))
}

// TestSyntheticEvaluation evaluates the synthetic county tables: the class
// shares land near the cut-offs and every platform gets its indicators.
func TestSyntheticEvaluation(t *testing.T) {
	last := Synthesize(7, 20000, lishui, 2024)
	year := Grow(8, last, 2025)
	ev, err := Evaluate(DefaultScheme(), year, last)
	if err != nil {
		t.Fatal(err)
	}
	count := map[Class]int{}
	for _, r := range ev.Results {
		count[r.Class]++
	}
	ranked := count[ClassA] + count[ClassB] + count[ClassC] + count[ClassD]
	share := func(c Class) float64 { return float64(count[c]) / float64(ranked) }
	t.Logf("classes %v, notes %q", count, ev.Notes)
	if a := share(ClassA); a < 0.19 || a > 0.22 {
		t.Errorf("A share %.3f", a)
	}
	if d := share(ClassD); d < 0.03 || d > 0.06 {
		t.Errorf("D share %.3f", d)
	}
	if count[ClassT] < 300 || len(ev.Notes) != 0 {
		t.Errorf("T %d, notes %q", count[ClassT], ev.Notes)
	}
	byCounty, ps := benchPlatforms()
	pis := Platforms(2025, ps, year, ev.Results, SynthPlacements(9, year, byCounty), nil)
	for _, p := range pis {
		if p.Value(PValueAddedPerMu) == nil || p.Value(PTaxDensity) == nil || p.ClassLandShare[ClassA] == 0 {
			t.Errorf("%s: %+v", p.Platform, p)
		}
	}
	as, err := Assess(DefaultAssessment(), pis, nil)
	if err != nil || !as[len(as)-1].Interview || as[0].Tier != 1 {
		t.Errorf("assessment: %v %+v", err, as)
	}
}

// BenchmarkEvaluate times the evaluation of 20,000 synthetic enterprises (with
// last year's 20,000 for the benchmarks) and the indicators of their 22
// platforms — the target is under 1 s.
func BenchmarkEvaluate(b *testing.B) {
	last := Synthesize(7, 20000, lishui, 2024)
	year := Grow(8, last, 2025)
	byCounty, ps := benchPlatforms()
	placements := SynthPlacements(9, year, byCounty)
	var evals, plats []time.Duration
	for b.Loop() {
		t0 := time.Now()
		ev, err := Evaluate(DefaultScheme(), year, last)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		pis := Platforms(2025, ps, year, ev.Results, placements, nil)
		if _, err := Assess(DefaultAssessment(), pis, nil); err != nil {
			b.Fatal(err)
		}
		evals, plats = append(evals, t1.Sub(t0)), append(plats, time.Since(t1))
	}
	slices.Sort(evals)
	slices.Sort(plats)
	e, p := evals[len(evals)/2], plats[len(plats)/2]
	fmt.Printf("BenchmarkEvaluate: %d enterprises (%d of last year for the benchmarks), %d placements, %d platforms: "+
		"evaluate %v + platform indicators and assessment %v = %v (median of %d runs; target < 1 s)\n",
		len(year), len(last), len(placements), len(ps), e.Round(time.Microsecond), p.Round(time.Microsecond),
		(e + p).Round(time.Microsecond), len(evals))
}
