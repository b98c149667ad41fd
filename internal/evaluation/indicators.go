package evaluation

// Indicators are the enterprise indicators the scheme can weigh, with the
// definitions of the 浙江省 亩均效益综合评价 (浙政办发〔2018〕5号 and the
// counties' yearly schemes).
var Indicators = []Indicator{
	{TaxPerMu, "亩均税收", "万元/亩", "实缴税金 ÷ 用地面积"},
	{ValueAddedPerMu, "亩均增加值", "万元/亩", "工业增加值 ÷ 用地面积"},
	{ValueAddedPerTce, "单位能耗增加值", "万元/吨标准煤", "工业增加值 ÷ 综合能耗"},
	{ValueAddedPerEmit, "单位排放增加值", "万元/吨", "工业增加值 ÷ 主要污染物排放当量"},
	{LabourProductivity, "全员劳动生产率", "万元/人", "工业增加值 ÷ 年平均职工人数"},
	{RDShare, "R&D经费支出占营业收入比重", "%", "R&D 经费支出 ÷ 营业收入 × 100"},
	{TaxPerKWh, "单位电耗税收", "万元/万千瓦时", "实缴税金 ÷ 用电量"},
}

// IndicatorByCode finds an indicator's description.
func IndicatorByCode(c IndicatorCode) (Indicator, bool) {
	for _, in := range Indicators {
		if in.Code == c {
			return in, true
		}
	}
	return Indicator{}, false
}

// parts gives an indicator's numerator and denominator for an enterprise, and
// the factor to the indicator's unit; ok is false when either figure is missing.
func parts(c IndicatorCode, e *Enterprise) (num, den *float64, factor float64) {
	switch c {
	case TaxPerMu:
		return e.Tax, e.LandMu, 1
	case ValueAddedPerMu:
		return e.ValueAdded, e.LandMu, 1
	case ValueAddedPerTce:
		return e.ValueAdded, e.Energy, 1
	case ValueAddedPerEmit:
		return e.ValueAdded, e.Emissions, 1
	case LabourProductivity:
		return e.ValueAdded, e.Employees, 1
	case RDShare:
		return e.RD, e.Revenue, 100
	case TaxPerKWh:
		return e.Tax, e.Electricity, 1
	}
	return nil, nil, 0
}

// Ratio is an indicator's value for an enterprise. missing: a figure is not
// reported. unbounded: the denominator is zero (or negative) with a positive
// numerator — no energy or emissions at all for a positive value added — which
// the engine scores as the best possible (the cap) rather than as a division.
func Ratio(c IndicatorCode, e *Enterprise) (v float64, missing, unbounded bool) {
	num, den, f := parts(c, e)
	if num == nil || den == nil {
		return 0, true, false
	}
	if *den <= 0 {
		return 0, false, *num > 0
	}
	return *num / *den * f, false, false
}
