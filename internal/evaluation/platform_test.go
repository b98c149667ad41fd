package evaluation

import (
	"fmt"
	"strings"
	"testing"
)

func value(t *testing.T, p PlatformIndicators, code string) float64 {
	t.Helper()
	v := p.Value(code)
	if v == nil {
		t.Fatalf("%s %s: no value", p.Platform, code)
	}
	return *v
}

func pv(p PlatformIndicators, code string) PlatformValue {
	for _, v := range p.Values {
		if v.Code == code {
			return v
		}
	}
	return PlatformValue{}
}

func TestPlatformsStraddlingSplitByLandShare(t *testing.T) {
	yes, no := true, false
	es := []Enterprise{
		// S straddles: 3/4 of its 20 亩 in P1, 1/4 in P2; every figure goes with the land.
		{CreditCode: "S", LandMu: F(20), ValueAdded: F(2000), Tax: F(600), Investment: F(4000),
			RD: F(30), Revenue: F(3000), HighTech: &yes},
		{CreditCode: "U", LandMu: F(10), ValueAdded: F(500), Tax: F(100), HighTech: &no},
		{CreditCode: "T", LandMu: F(5)}, // class T, no figures: land only
	}
	placements := []Placement{{"S", "P1", 0.75}, {"S", "P2", 0.25}, {"U", "P1", 1}, {"T", "P2", 1}, {"X", "P2", 1}}
	results := []Result{{CreditCode: "S", Class: ClassA}, {CreditCode: "U", Class: ClassC}, {CreditCode: "T", Class: ClassT}}
	platforms := []PlatformInput{{ID: "P1", Name: "一", LandMu: 100}, {ID: "P2", Name: "二", LandMu: 50}}
	base := map[string]PlatformIndicators{"P1": {Values: []PlatformValue{
		{Code: PValueAddedPerMu, Value: F(40)}, {Code: PTaxDensity, Value: F(11)}}}}
	ps := Platforms(2025, platforms, es, results, placements, base)
	p1, p2 := ps[0], ps[1]

	// P1: land 15 + 10 = 25 亩; value added 1500 + 500 = 2000; tax 450 + 100 = 550.
	near(t, "P1 enterprise land", p1.EnterpriseLandMu, 25)
	near(t, "P1 亩均增加值", value(t, p1, PValueAddedPerMu), 2000.0/25)    // 80
	near(t, "P1 亩均税收", value(t, p1, PTaxPerMu), 550.0/25)             // 22
	near(t, "P1 投资强度", value(t, p1, PInvestment), 3000.0/15)          // only S reports: 200
	near(t, "P1 经济密度", value(t, p1, PEconomicDensity), 2000.0/100)    // 20
	near(t, "P1 税收密度", value(t, p1, PTaxDensity), 550.0/100)          // 5.5
	near(t, "P1 R&D", value(t, p1, PRDIntensity), 22.5/2250*100)      // 1 %
	near(t, "P1 高新", value(t, p1, PHighTechShare), 1500.0/2000*100)   // 75 %
	near(t, "P1 A/B land", value(t, p1, PGoodLandShare), 15.0/25*100) // 60 %
	near(t, "P1 A land share", p1.ClassLandShare[ClassA], 0.6)
	near(t, "P1 C land", p1.ClassLand[ClassC], 10)
	if p1.Enterprises != 2 || pv(p1, PInvestment).Reporting != 1 {
		t.Errorf("P1 enterprises %d, investment reporting %d", p1.Enterprises, pv(p1, PInvestment).Reporting)
	}
	// Targets (policy: 120 and 30) and the base year: 40 → 80 is exactly doubled.
	va := pv(p1, PValueAddedPerMu)
	if *va.Target != 120 || *va.MeetsTarget || *va.Base != 40 || *va.Doubling != 80 {
		t.Errorf("P1 亩均增加值 comparisons: %+v", va)
	}
	near(t, "P1 progress to doubling", *va.Progress, 1)
	near(t, "P1 税收密度 progress", *pv(p1, PTaxDensity).Progress, -0.5) // 5.5 against 11
	if pv(p1, PTaxPerMu).Base != nil {
		t.Error("a base without the indicator gave a doubling goal")
	}

	// P2: S's 5 亩 with value added 500 → 100; tax 150 → 30 meets the target exactly
	// (T's 5 亩 report nothing, so they are in no ratio); the unknown X is ignored.
	near(t, "P2 亩均增加值", value(t, p2, PValueAddedPerMu), 100)
	near(t, "P2 亩均税收", value(t, p2, PTaxPerMu), 30)
	near(t, "P2 经济密度", value(t, p2, PEconomicDensity), 10)
	if tx := pv(p2, PTaxPerMu); !*tx.MeetsTarget || pv(p2, PValueAddedPerMu).Base != nil {
		t.Errorf("P2: %+v", tx)
	}
	// Land by class: A 5 and T 5 of 10; A/B over the A–D land only: 100 %.
	near(t, "P2 T land share", p2.ClassLandShare[ClassT], 0.5)
	near(t, "P2 A/B land", value(t, p2, PGoodLandShare), 100)
	if p2.Enterprises != 2 || pv(p2, PTaxPerMu).Reporting != 1 {
		t.Errorf("P2 enterprises %d, tax reporting %d", p2.Enterprises, pv(p2, PTaxPerMu).Reporting)
	}
	// The split enterprise's land adds up to its whole: 15 + 5 = 20.
	near(t, "S land over both", p1.ClassLand[ClassA]+p2.ClassLand[ClassA], 20)
}

func TestPlatformTargetsByRole(t *testing.T) {
	ps := Platforms(2025, []PlatformInput{{ID: "X", Role: "一心"}}, nil, nil, nil, nil)
	v := pv(ps[0], PTaxPerMu)
	if v.Value != nil || *v.Target != 30 || v.MeetsTarget != nil || v.Reporting != 0 {
		t.Errorf("empty platform: %+v", v)
	}
}

func indicators(id string, vals map[string]float64) PlatformIndicators {
	p := PlatformIndicators{Platform: id, Name: id}
	for c, v := range vals {
		p.Values = append(p.Values, PlatformValue{Code: c, Value: F(v)})
	}
	return p
}

func TestAssessHandComputed(t *testing.T) {
	a := AssessmentScheme{Criteria: []Criterion{
		{Code: PValueAddedPerMu, Weight: 60, Target: 120}, // value / 120 × 60, at most 60
		{Code: PInvestment, Weight: 40},                   // value / best × 40
	}, Tiers: []string{"第一档", "第二档", "第三档"}}
	year := []PlatformIndicators{
		indicators("A", map[string]float64{PValueAddedPerMu: 150, PInvestment: 200}), // 60 + 40 = 100
		indicators("B", map[string]float64{PValueAddedPerMu: 60, PInvestment: 100}),  // 30 + 20 = 50
		indicators("C", map[string]float64{PValueAddedPerMu: 60, PInvestment: 100}),  // 50, tied with B
		indicators("D", map[string]float64{PValueAddedPerMu: 24}),                    // 12 + 0
	}
	last := []Assessed{{Platform: "A", Tier: 2}, {Platform: "B", Tier: 1}, {Platform: "D", Tier: 3}}
	got, err := Assess(a, year, last)
	if err != nil {
		t.Fatal(err)
	}
	// n = 4, k = 3: position 1 → ⌈0.75⌉ = 1, 2 → ⌈1.5⌉ = 2, 4 → 3.
	var b strings.Builder
	for _, r := range got {
		fmt.Fprintf(&b, "%s %g #%d %s move %d talk %v; ", r.Platform, r.Score, r.Rank, r.TierName, r.Move, r.Interview)
	}
	want := "A 100 #1 第一档 move 1 talk false; B 50 #2 第二档 move -1 talk false; C 50 #2 第二档 move 0 talk false; D 12 #4 第三档 move 0 talk true; "
	if b.String() != want {
		t.Errorf("\n got %s\nwant %s", b.String(), want)
	}
	if DefaultAssessment().Validate() != nil {
		t.Error("the default assessment does not validate")
	}
	bad := AssessmentScheme{Criteria: []Criterion{{Code: "gdp", Weight: 0}}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), `criteria[0].code: unknown platform indicator "gdp"`) ||
		!strings.Contains(err.Error(), "criteria[0].weight: must be > 0") || !strings.Contains(err.Error(), "tiers:") {
		t.Errorf("validation: %v", err)
	}
}

func TestAssessTenPlatformsTiers(t *testing.T) {
	var year []PlatformIndicators
	for i := range 10 {
		year = append(year, indicators(fmt.Sprintf("P%02d", i), map[string]float64{PTaxPerMu: float64(30 - 2*i)}))
	}
	got, _ := Assess(DefaultAssessment(), year, nil)
	var tiers []int
	for _, r := range got {
		tiers = append(tiers, r.Tier)
	}
	if fmt.Sprint(tiers) != "[1 1 1 2 2 2 3 3 3 3]" || !got[9].Interview || got[8].Interview {
		t.Errorf("tiers %v, last %+v", tiers, got[9])
	}
}
