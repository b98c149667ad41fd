package evaluation

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// fixedBelow is a 规下-only scheme with fixed benchmarks: 亩均税收 10 万元/亩
// (weight 50) and 单位电耗税收 1 万元/万千瓦时 (weight 50), cap 1.2.
func fixedBelow() Scheme {
	return Scheme{Name: "t", MinLandMu: 3,
		Groups: []Group{{Scale: Below, Evaluated: true, Indicators: []WeightedIndicator{
			{Code: TaxPerMu, Weight: 50, Cap: 1.2, Benchmark: Benchmark{Kind: BenchFixed, Value: 10}},
			{Code: TaxPerKWh, Weight: 50, Cap: 1.2, Benchmark: Benchmark{Kind: BenchFixed, Value: 1}},
		}}},
		Classes: DefaultScheme().Classes}
}

func below(code string, land, tax, kwh *float64) Enterprise {
	return Enterprise{CreditCode: code, County: "331102", Scale: Below, Year: 2025, LandMu: land, Tax: tax, Electricity: kwh}
}

func byCode(ev Evaluation) map[string]Result {
	m := map[string]Result{}
	for _, r := range ev.Results {
		m[r.CreditCode] = r
	}
	return m
}

func TestFormulas(t *testing.T) {
	e := Enterprise{LandMu: F(8), Tax: F(40), ValueAdded: F(160), Revenue: F(800), Energy: F(64),
		Emissions: F(2), Electricity: F(50), RD: F(24), Employees: F(20)}
	want := map[IndicatorCode]float64{
		TaxPerMu:           40.0 / 8,   // 5 万元/亩
		ValueAddedPerMu:    160.0 / 8,  // 20 万元/亩
		ValueAddedPerTce:   160.0 / 64, // 2.5 万元/吨标准煤
		ValueAddedPerEmit:  160.0 / 2,  // 80 万元/吨
		LabourProductivity: 160.0 / 20, // 8 万元/人
		RDShare:            3,          // 24 / 800 × 100 %
		TaxPerKWh:          40.0 / 50,  // 0.8 万元/万千瓦时
	}
	for _, in := range Indicators {
		v, missing, unbounded := Ratio(in.Code, &e)
		if missing || unbounded {
			t.Errorf("%s: missing %v unbounded %v", in.Code, missing, unbounded)
		}
		near(t, string(in.Code), v, want[in.Code])
		if in.Label == "" || in.Unit == "" || in.Definition == "" {
			t.Errorf("%s lacks a label, unit or definition", in.Code)
		}
	}
	if _, missing, _ := Ratio(RDShare, &Enterprise{RD: F(1)}); !missing {
		t.Error("R&D share without revenue is not missing")
	}
	if v, _, unbounded := Ratio(ValueAddedPerEmit, &Enterprise{ValueAdded: F(10), Emissions: F(0)}); !unbounded || v != 0 {
		t.Errorf("no emissions: v %v unbounded %v", v, unbounded)
	}
}

func TestHandComputed(t *testing.T) {
	ents := []Enterprise{
		// 5 万元/亩 → 5/10×50 = 25; 0.5 万元/万千瓦时 → 0.5/1×50 = 25; total 50.
		below("X", F(10), F(50), F(100)),
		// 20 万元/亩 → 100, capped at 1.2×50 = 60; 2 → 100, capped 60; total 120.
		below("Y", F(4), F(80), F(40)),
		// electricity missing: 5 万元/亩 → 25, the other 0 and flagged; total 25.
		below("M", F(5), F(25), nil),
		// a tax refund: −2 万元/亩 scores 0 (not negative); 0 tax / 10 → 0; total 0.
		below("N", F(5), F(-10), F(10)),
		below("Z", F(0), F(50), F(10)),   // zero land: T
		below("S", F(2.5), F(50), F(10)), // under 3 亩: T
		below("L", nil, F(50), F(10)),    // no land: T
	}
	ev, err := Evaluate(fixedBelow(), ents, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := byCode(ev)
	near(t, "X score", r["X"].Score, 50)
	near(t, "X tax/mu", *r["X"].Indicators[0].Value, 5)
	near(t, "Y score", r["Y"].Score, 120)
	near(t, "M score", r["M"].Score, 25)
	near(t, "N score", r["N"].Score, 0)
	near(t, "N tax/mu", *r["N"].Indicators[0].Value, -2)
	if m := r["M"]; len(m.Missing) != 1 || m.Missing[0] != TaxPerKWh || !m.Indicators[1].Missing || m.Indicators[1].Value != nil {
		t.Errorf("M missing flags: %+v", m)
	}
	if r["X"].Indicators[0].Unit != "万元/亩" || r["X"].Indicators[1].Unit != "万元/万千瓦时" {
		t.Errorf("units: %+v", r["X"].Indicators)
	}
	for code, reason := range map[string]string{"Z": "用地面积为零", "S": "用地面积不足3亩", "L": "用地面积缺失"} {
		if r[code].Class != ClassT || r[code].Reason != reason || r[code].Rank != 0 {
			t.Errorf("%s: class %s reason %q rank %d, want T %q", code, r[code].Class, r[code].Reason, r[code].Rank, reason)
		}
	}
	// Four ranked: Y 120, X 50, M 25, N 0 → ranks 1..4; A p ≤ 0.8 none,
	// B p ≤ 2.4: Y, X; C p ≤ 3.8: M; D: N.
	for code, want := range map[string]string{"Y": "1 B", "X": "2 B", "M": "3 C", "N": "4 D"} {
		if got := fmt.Sprintf("%d %s", r[code].Rank, r[code].Class); got != want || r[code].Of != 4 {
			t.Errorf("%s: %s of %d, want %s of 4", code, got, r[code].Of, want)
		}
	}
	if ev.Results[0].CreditCode != "X" || ev.Results[6].CreditCode != "L" {
		t.Error("results are not in the input order")
	}
}

// scored makes n 规下 enterprises whose composite scores are the given ones
// (land 10, electricity missing, 亩均税收 = score/5 so that score = value/10×50).
func scored(scores ...float64) []Enterprise {
	var es []Enterprise
	for i, s := range scores {
		es = append(es, below(fmt.Sprintf("E%02d", i), F(10), F(s/5*10), nil))
	}
	return es
}

func classes(t *testing.T, es []Enterprise) string {
	t.Helper()
	ev, err := Evaluate(fixedBelow(), es, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range ev.Results {
		fmt.Fprintf(&b, "%d%s ", r.Rank, r.Class)
	}
	return strings.TrimSpace(b.String())
}

func TestClassBoundaries(t *testing.T) {
	// Ten distinct: exactly 20 % A (2), B to 60 % (4), C to 95 % (3: 9.5 → 9), D the last (1).
	got := classes(t, scored(50, 45, 40, 35, 30, 25, 20, 15, 10, 5))
	if want := "1A 2A 3B 4B 5B 6B 7C 8C 9C 10D"; got != want {
		t.Errorf("ten distinct:\n got %s\nwant %s", got, want)
	}
	// Five: 20 % of 5 = 1 A exactly; B to 3; C to 4.75 → 4; D 5.
	if got, want := classes(t, scored(50, 40, 30, 20, 10)), "1A 2B 3B 4C 5D"; got != want {
		t.Errorf("five: got %s want %s", got, want)
	}
	// A tie across the A/B cut (positions 2 and 3): same rank 2, both A; the next is rank 4.
	if got, want := classes(t, scored(50, 45, 45, 35, 30, 25, 20, 15, 10, 5)), "1A 2A 2A 4B 5B 6B 7C 8C 9C 10D"; got != want {
		t.Errorf("tie across A/B:\n got %s\nwant %s", got, want)
	}
	// A tie at the bottom across the C/D cut: both C, nobody D.
	if got, want := classes(t, scored(50, 45, 40, 35, 30, 25, 20, 15, 5, 5)), "1A 2A 3B 4B 5B 6B 7C 8C 9C 9C"; got != want {
		t.Errorf("tie across C/D:\n got %s\nwant %s", got, want)
	}
	// Ties do not depend on the input order.
	if got, want := classes(t, scored(5, 45, 10, 45, 50, 25, 20, 15, 35, 30)), "10D 2A 9C 2A 1A 6B 7C 8C 4B 5B"; got != want {
		t.Errorf("shuffled:\n got %s\nwant %s", got, want)
	}
}

func TestRankWithinCountyAndGroup(t *testing.T) {
	es := scored(50, 40)
	other := below("O", F(10), F(20), nil) // 2 万元/亩 → 10, alone in its county
	other.County = "331121"
	es = append(es, other)
	ev, _ := Evaluate(fixedBelow(), es, nil)
	r := byCode(ev)
	if r["O"].Rank != 1 || r["O"].Of != 1 || r["E00"].Of != 2 || r["E01"].Rank != 2 {
		t.Errorf("ranks: %+v", ev.Results)
	}
}

// lastYearScheme weighs only 亩均税收 (100, 2 × last year's county average, no cap).
func lastYearScheme() Scheme {
	return Scheme{Name: "t", MinLandMu: 3,
		Groups: []Group{{Scale: Above, Evaluated: true, Indicators: []WeightedIndicator{
			{Code: TaxPerMu, Weight: 100, Benchmark: Benchmark{Kind: BenchCountyAverage, Multiple: 2}}}}},
		Classes: DefaultScheme().Classes}
}

func above(code, county string, year int, land, tax float64) Enterprise {
	return Enterprise{CreditCode: code, County: county, Scale: Above, Year: year, LandMu: F(land), Tax: F(tax)}
}

func TestBenchmarkLastYearAndFallback(t *testing.T) {
	last := []Enterprise{
		// 331102 last year: (100 + 100) / (10 + 30) = 5 万元/亩 (a mean of ratios would be 6.67);
		// benchmark 2 × 5 = 10.
		above("A", "331102", 2024, 10, 100), above("B", "331102", 2024, 30, 100),
		above("small", "331102", 2024, 2, 1000), // under 3 亩: not in the average
	}
	year := []Enterprise{
		above("E", "331102", 2025, 10, 80), // 8 / 10 × 100 = 80
		// 331122 has no last year: this year's average (80 + 20) / 20 = 5, benchmark 10.
		above("F1", "331122", 2025, 10, 80), above("F2", "331122", 2025, 10, 20),
	}
	ev, err := Evaluate(lastYearScheme(), year, last)
	if err != nil {
		t.Fatal(err)
	}
	r := byCode(ev)
	near(t, "E", r["E"].Score, 80)
	near(t, "F1", r["F1"].Score, 80)
	near(t, "F2", r["F2"].Score, 20)
	if s := r["E"].Indicators[0].BenchmarkSource; s != SourceLastYear {
		t.Errorf("E benchmark source %s", s)
	}
	if s := r["F1"].Indicators[0].BenchmarkSource; s != SourceThisYear {
		t.Errorf("F1 benchmark source %s", s)
	}
	if len(ev.Benchmarks) != 2 || ev.Benchmarks[0].Average != 5 || ev.Benchmarks[0].Count != 2 || ev.Benchmarks[0].Benchmark != 10 {
		t.Errorf("benchmarks: %+v", ev.Benchmarks)
	}
	if len(ev.Notes) != 1 || !strings.Contains(ev.Notes[0], "331122") {
		t.Errorf("notes: %q", ev.Notes)
	}
}

func TestExemptionsAndGroups(t *testing.T) {
	s := DefaultScheme()
	s.Exemptions = []Exemption{{CreditCode: "X1", Reason: "破产重整"}}
	s.Groups[1].Evaluated = false
	es := []Enterprise{
		above("X1", "331102", 2025, 10, 10),
		{CreditCode: "X2", County: "331102", Scale: Above, LandMu: F(10), ExemptReason: "新建投产未满一年"},
		below("X3", F(10), F(10), F(10)),
		{CreditCode: "X4", County: "331102", Scale: "", LandMu: F(10)},
		above("X5", "331102", 2025, 10, 10),
		above("X5", "331102", 2025, 10, 10),
	}
	ev, err := Evaluate(s, es, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"破产重整", "新建投产未满一年", "规下企业不参评", "规模（规上/规下）未知", "", ReasonDuplicate}
	for i, r := range ev.Results {
		if r.Reason != want[i] || (r.Reason != "") != (r.Class == ClassT) {
			t.Errorf("%d %s: class %s reason %q, want %q", i, r.CreditCode, r.Class, r.Reason, want[i])
		}
	}
	// X5 reports only tax: the five other 规上 indicators are missing and score 0.
	if x5 := ev.Results[4]; len(x5.Missing) != 5 || x5.Rank != 1 {
		t.Errorf("X5: %+v", x5)
	}
}

func TestUnboundedScoresTheCap(t *testing.T) {
	s := DefaultScheme()
	e := Enterprise{CreditCode: "C", County: "331102", Scale: Above, LandMu: F(10), Tax: F(10),
		ValueAdded: F(100), Emissions: F(0)}
	ev, _ := Evaluate(s, []Enterprise{e}, nil)
	for _, in := range ev.Results[0].Indicators {
		if in.Code == ValueAddedPerEmit {
			near(t, "no emissions", in.Score, 12) // 1.2 × 10
		}
	}
}

func TestDefaultSchemeWeights(t *testing.T) {
	s := DefaultScheme()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	want := map[Scale]string{
		Above: "tax_per_mu 30 value_added_per_mu 20 value_added_per_energy 20 value_added_per_emission 10 labour_productivity 10 rd_share 10",
		Below: "tax_per_mu 50 tax_per_electricity 50",
	}
	for _, g := range s.Groups {
		var parts []string
		for _, in := range g.Indicators {
			parts = append(parts, fmt.Sprintf("%s %g", in.Code, in.Weight))
			if in.Benchmark.Kind != BenchCountyAverage || in.Benchmark.Multiple != 2 || in.Cap != 1.2 {
				t.Errorf("%s %s: %+v", g.Scale, in.Code, in)
			}
		}
		if got := strings.Join(parts, " "); got != want[g.Scale] {
			t.Errorf("%s: %s", g.Scale, got)
		}
	}
	if s.MinLandMu != 3 || fmt.Sprint(s.Classes) != "[{A 0.2} {B 0.6} {C 0.95} {D 1}]" {
		t.Errorf("min land %v classes %v", s.MinLandMu, s.Classes)
	}
}
