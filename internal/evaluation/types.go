// Package evaluation is the pure engine of the 亩均效益综合评价 (issue 18): each
// enterprise's indicators against benchmarks, weighted into a composite score and
// classed A/B/C/D (T: not evaluated) by rank within its county and group; the
// platforms' indicators from their enterprises (split by land share) against the
// 2025 targets and a base year; and the annual assessment of the platforms with
// 进退档 tiers. No I/O and no database: callers store enterprises and results.
package evaluation

// Scale is an enterprise's size group: 规上 (above the designated size) or 规下.
type Scale string

const (
	Above Scale = "规上"
	Below Scale = "规下"
)

// Enterprise is one enterprise's figures for one year, as the county's 经信局
// table gives them. Every yearly figure is a pointer: nil means "not reported",
// which must not be read as zero.
type Enterprise struct {
	CreditCode string `json:"credit_code"` // 统一社会信用代码, 18 characters
	Name       string `json:"name"`
	County     string `json:"county"` // adcode, e.g. "331102"
	Scale      Scale  `json:"scale"`
	Year       int    `json:"year"`

	LandMu      *float64 `json:"land_mu"`               // 用地面积, 亩
	Tax         *float64 `json:"tax,omitempty"`         // 实缴税金, 万元
	ValueAdded  *float64 `json:"value_added,omitempty"` // 工业增加值, 万元
	Revenue     *float64 `json:"revenue,omitempty"`     // 营业收入, 万元
	Energy      *float64 `json:"energy,omitempty"`      // 综合能耗, 吨标准煤
	Emissions   *float64 `json:"emissions,omitempty"`   // 排放当量, 吨
	Electricity *float64 `json:"electricity,omitempty"` // 用电量, 万千瓦时
	RD          *float64 `json:"rd,omitempty"`          // R&D 经费支出, 万元
	Employees   *float64 `json:"employees,omitempty"`   // 年平均职工人数, 人
	Investment  *float64 `json:"investment,omitempty"`  // 固定资产投资, 万元 (platform investment intensity)
	HighTech    *bool    `json:"high_tech,omitempty"`   // 高新技术企业 (platform high-tech share)

	// ExemptReason, when set (e.g. "新建投产未满一年" from the import), makes
	// the enterprise class T with this reason.
	ExemptReason string `json:"exempt_reason,omitempty"`
}

// F is a helper for literals: F(3) is a *float64 pointing at 3.
func F(v float64) *float64 { return &v }

// IndicatorCode names an enterprise indicator.
type IndicatorCode string

const (
	TaxPerMu           IndicatorCode = "tax_per_mu"               // 亩均税收
	ValueAddedPerMu    IndicatorCode = "value_added_per_mu"       // 亩均增加值
	ValueAddedPerTce   IndicatorCode = "value_added_per_energy"   // 单位能耗增加值
	ValueAddedPerEmit  IndicatorCode = "value_added_per_emission" // 单位排放增加值
	LabourProductivity IndicatorCode = "labour_productivity"      // 全员劳动生产率
	RDShare            IndicatorCode = "rd_share"                 // R&D经费支出占营业收入比重
	TaxPerKWh          IndicatorCode = "tax_per_electricity"      // 单位电耗税收
)

// Indicator describes an indicator: its code, Chinese label, unit and definition.
type Indicator struct {
	Code       IndicatorCode `json:"code"`
	Label      string        `json:"label"`
	Unit       string        `json:"unit"`
	Definition string        `json:"definition"`
}

// Class is an enterprise's class: A, B, C, D by rank, T for not evaluated.
type Class string

const (
	ClassA Class = "A"
	ClassB Class = "B"
	ClassC Class = "C"
	ClassD Class = "D"
	ClassT Class = "T"
)

// Benchmark kinds.
const (
	BenchFixed         = "fixed"          // Benchmark.Value as given
	BenchCountyAverage = "county_average" // Benchmark.Multiple × the county's average of last year
)

// Benchmark is the value an indicator is divided by: fixed, or a multiple of
// the average of last year's enterprises of the same county and group.
type Benchmark struct {
	Kind     string  `json:"kind"`               // BenchFixed or BenchCountyAverage
	Value    float64 `json:"value,omitempty"`    // fixed value, in the indicator's unit
	Multiple float64 `json:"multiple,omitempty"` // N in "N × last year's county average"
}

// WeightedIndicator is one indicator of a group with its weight, benchmark and
// the cap of its score as a multiple of the weight (0: no cap).
type WeightedIndicator struct {
	Code      IndicatorCode `json:"code"`
	Weight    float64       `json:"weight"`
	Benchmark Benchmark     `json:"benchmark"`
	Cap       float64       `json:"cap,omitempty"`
}

// Group is the indicators of one scale; Evaluated false puts the whole scale in class T.
type Group struct {
	Scale      Scale               `json:"scale"`
	Evaluated  bool                `json:"evaluated"`
	Indicators []WeightedIndicator `json:"indicators"`
}

// Exemption puts one enterprise (by credit code) in class T with a reason.
type Exemption struct {
	CreditCode string `json:"credit_code"`
	Reason     string `json:"reason"`
}

// ClassCut is a class and the cumulative share of the ranked enterprises it
// reaches: {A, 0.20}, {B, 0.60}, {C, 0.95}, {D, 1}.
type ClassCut struct {
	Class Class   `json:"class"`
	UpTo  float64 `json:"up_to"`
}

// Scheme is the evaluation scheme in force: data an administrator edits.
type Scheme struct {
	Name       string      `json:"name"`
	MinLandMu  float64     `json:"min_land_mu"` // evaluated from this land up (default 3 亩)
	Groups     []Group     `json:"groups"`
	Exemptions []Exemption `json:"exemptions,omitempty"`
	Classes    []ClassCut  `json:"classes"`
}

// Benchmark sources, said with every figure.
const (
	SourceFixed    = "fixed"     // the scheme's fixed value
	SourceLastYear = "last_year" // N × last year's county average
	SourceThisYear = "this_year" // fallback: no last-year data, N × this year's county average
)

// IndicatorResult is one indicator of one enterprise.
type IndicatorResult struct {
	Code            IndicatorCode `json:"code"`
	Unit            string        `json:"unit"`
	Value           *float64      `json:"value"` // nil: a figure is missing
	Missing         bool          `json:"missing,omitempty"`
	Benchmark       float64       `json:"benchmark"`
	BenchmarkSource string        `json:"benchmark_source"`
	Weight          float64       `json:"weight"`
	Score           float64       `json:"score"`
}

// Result is one enterprise's evaluation.
type Result struct {
	CreditCode string            `json:"credit_code"`
	Name       string            `json:"name"`
	County     string            `json:"county"`
	Scale      Scale             `json:"scale"`
	LandMu     float64           `json:"land_mu"`
	Indicators []IndicatorResult `json:"indicators,omitempty"`
	Score      float64           `json:"score"`
	Rank       int               `json:"rank,omitempty"` // 1 = best within county and group; 0 for T
	Of         int               `json:"of,omitempty"`   // how many ranked in the county and group
	Class      Class             `json:"class"`
	Reason     string            `json:"reason,omitempty"` // why class T
	Missing    []IndicatorCode   `json:"missing,omitempty"`
}

// BenchmarkUsed is the benchmark of one indicator in one county and group.
type BenchmarkUsed struct {
	County    string        `json:"county"`
	Scale     Scale         `json:"scale"`
	Code      IndicatorCode `json:"code"`
	Average   float64       `json:"average,omitempty"` // the county average it came from
	Count     int           `json:"count,omitempty"`   // enterprises in that average
	Benchmark float64       `json:"benchmark"`
	Source    string        `json:"source"`
}

// Evaluation is the outcome of Evaluate for one year.
type Evaluation struct {
	Year       int             `json:"year"`
	Scheme     string          `json:"scheme"`
	Results    []Result        `json:"results"`
	Benchmarks []BenchmarkUsed `json:"benchmarks"`
	Notes      []string        `json:"notes,omitempty"`
}

// Placement puts a share of an enterprise's land in a platform (or zone): an
// enterprise straddling two platforms has two placements whose shares add to 1.
type Placement struct {
	CreditCode string  `json:"credit_code"`
	Platform   string  `json:"platform"`
	Share      float64 `json:"share"` // of the enterprise's land, 0..1
}

// PlatformInput is what the caller knows of a platform besides its enterprises.
type PlatformInput struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Role     string   `json:"role,omitempty"`      // 一心, 两翼, 三片区, … (policy.DefaultTargets)
	Counties []string `json:"counties,omitempty"`  // adcodes
	LandMu   float64  `json:"land_mu"`             // the platform's land, 亩 (density denominators)
	VacantMu float64  `json:"vacant_mu,omitempty"` // vacant land (闲置土地 layers) inside its zones, 亩
}

// Platform indicator codes.
const (
	PValueAddedPerMu = "value_added_per_mu"   // 亩均增加值, 万元/亩
	PTaxPerMu        = "tax_per_mu"           // 亩均税收, 万元/亩
	PInvestment      = "investment_intensity" // 投资强度, 万元/亩
	PEconomicDensity = "economic_density"     // 经济密度, 万元/亩
	PTaxDensity      = "tax_density"          // 税收密度, 万元/亩
	PRDIntensity     = "rd_intensity"         // R&D 经费投入强度, %
	PHighTechShare   = "high_tech_share"      // 高新技术企业增加值占比, %
	PGoodLandShare   = "ab_land_share"        // A、B 类企业用地占比, %
)

// PlatformValue is one platform indicator with its target comparisons.
type PlatformValue struct {
	Code        string   `json:"code"`
	Label       string   `json:"label"`
	Unit        string   `json:"unit"`
	Definition  string   `json:"definition"`
	Value       *float64 `json:"value"`            // nil: no enterprise reports the figures
	Target      *float64 `json:"target,omitempty"` // 2025 target where the policy sets one
	MeetsTarget *bool    `json:"meets_target,omitempty"`
	Base        *float64 `json:"base,omitempty"`     // the base year's value
	Doubling    *float64 `json:"doubling,omitempty"` // 2 × Base: the doubling goal
	Progress    *float64 `json:"progress,omitempty"` // (Value − Base) / (Doubling − Base), 1 = doubled
	Reporting   int      `json:"reporting"`          // enterprises with the figures
}

// PlatformIndicators is one platform's indicators for one year.
type PlatformIndicators struct {
	Platform         string            `json:"platform"`
	Name             string            `json:"name"`
	Year             int               `json:"year"`
	LandMu           float64           `json:"land_mu"`            // the platform's land
	EnterpriseLandMu float64           `json:"enterprise_land_mu"` // its enterprises' land (by share)
	Enterprises      int               `json:"enterprises"`        // enterprises with land in it
	Values           []PlatformValue   `json:"values"`
	ClassLand        map[Class]float64 `json:"class_land"`       // 亩 held by A/B/C/D/T enterprises
	ClassLandShare   map[Class]float64 `json:"class_land_share"` // share of EnterpriseLandMu, 0..1
	LowEfficiency    LowEfficiency     `json:"low_efficiency"`
}

// LowEfficiency is a platform's low-efficiency land (低效用地, the 存量 the
// policy wants revitalised): its C and D enterprises' land (by share) and the
// vacant parcels (闲置土地 layers) inside its zones.
type LowEfficiency struct {
	CDMu     float64  `json:"cd_mu"`
	VacantMu float64  `json:"vacant_mu"`
	TotalMu  float64  `json:"total_mu"`
	Share    *float64 `json:"share"` // TotalMu ÷ the platform's land, 0..1; nil without land
}

// Criterion is one criterion of the annual assessment: a platform indicator,
// its weight, and what it is scored against: its Target when > 0 (value /
// target), otherwise the best platform of the year (value / best).
type Criterion struct {
	Code   string  `json:"code"`
	Weight float64 `json:"weight"`
	Target float64 `json:"target,omitempty"`
	Cap    float64 `json:"cap,omitempty"` // max score as a multiple of the weight; 0: 1
}

// AssessmentScheme is the annual assessment's criteria and tiers.
type AssessmentScheme struct {
	Name     string      `json:"name"`
	Criteria []Criterion `json:"criteria"`
	Tiers    []string    `json:"tiers"` // best first; the ranking is cut into len(Tiers) equal parts
}

// Assessed is one platform's place in one year's assessment.
type Assessed struct {
	Platform  string             `json:"platform"`
	Name      string             `json:"name"`
	Score     float64            `json:"score"`
	Scores    map[string]float64 `json:"scores"` // per criterion
	Rank      int                `json:"rank"`
	Tier      int                `json:"tier"` // 1 = best
	TierName  string             `json:"tier_name"`
	LastTier  int                `json:"last_tier,omitempty"` // last year's tier; 0: not assessed
	Move      int                `json:"move"`                // +1 up a tier, −1 down, 0 same or new
	Interview bool               `json:"interview,omitempty"` // 约谈: last place
}
