package policy

import "slices"

// Targets are a platform's 2025 targets (万元/亩 and 亿元). OutputYi is nil
// where the policy asks a platform to double its own base (Doubling), which
// only the platform's own figures can say.
type Targets struct {
	Year            int      `json:"year"`
	ValueAddedPerMu float64  `json:"value_added_per_mu"` // 亩均增加值, 万元/亩
	TaxPerMu        float64  `json:"tax_per_mu"`         // 亩均税收, 万元/亩
	OutputYi        *float64 `json:"output_yi"`          // 产值, 亿元
	Doubling        bool     `json:"doubling"`           // output: twice the base year's
}

// TargetRule gives the targets of the platforms of a role, or of a role over
// any of some counties. The first rule that fits a platform applies.
type TargetRule struct {
	Role     string   `json:"role"`
	Counties []string `json:"counties,omitempty"` // any of these; none: every platform of the role
	Targets  Targets  `json:"targets"`
}

// TargetRules are the 2025 targets of 丽政办发〔2020〕55号: 亩均增加值 120 and
// 亩均税收 30 万元/亩 for every platform; 产值 1000 亿元 for the 一心, 500 亿元
// for the 两翼 and the 遂松 片区 (遂昌 331123, 松阳 331124); the others double
// their own base.
var TargetRules = []TargetRule{
	{Role: "一心", Targets: targets(1000)},
	{Role: "两翼", Targets: targets(500)},
	{Role: "三片区", Counties: []string{"331123", "331124"}, Targets: targets(500)},
	{Role: "", Targets: targets(0)}, // every other platform
}

func targets(outputYi float64) Targets {
	t := Targets{Year: 2025, ValueAddedPerMu: 120, TaxPerMu: 30}
	if outputYi > 0 {
		t.OutputYi = &outputYi
	} else {
		t.Doubling = true
	}
	return t
}

// DefaultTargets are the targets of a platform of this role over these
// counties, by the first rule that fits.
func DefaultTargets(role string, counties []string) Targets {
	for _, r := range TargetRules {
		if r.Role != "" && r.Role != role {
			continue
		}
		if len(r.Counties) > 0 && !slices.ContainsFunc(counties, func(c string) bool { return slices.Contains(r.Counties, c) }) {
			continue
		}
		return r.Targets
	}
	return targets(0)
}
