package transfer

import (
	"strings"
	"unicode"
)

// enterpriseField is a field of the enterprise table: its code, its
// Chinese label, the unit it is stored in, the headers that name it (as the
// 经信局's tables write them, compared without spaces, brackets' contents
// and case) and the units a header may state instead, with their factor to
// the stored unit.
type enterpriseField struct {
	Code    string
	Label   string
	Unit    string
	Headers []string
	Units   map[string]float64
}

var money = map[string]float64{"万元": 1, "元": 1e-4, "千元": 0.1, "亿元": 1e4}

// enterpriseFields in the order a preview lists them.
var enterpriseFields = []enterpriseField{
	{Code: "credit_code", Label: "统一社会信用代码", Headers: []string{"统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "uscc", "credit_code", "creditcode"}},
	{Code: "name", Label: "企业名称", Headers: []string{"企业名称", "单位名称", "企业名", "名称", "name"}},
	{Code: "county", Label: "县（市、区）", Headers: []string{"县(市、区)", "县市区", "县(市区)", "所属县市区", "所在县市区", "县区", "区县", "县", "所属区县", "行政区划代码", "行政区划", "县代码", "county", "county_adcode", "adcode"}},
	{Code: "scale", Label: "规上/规下", Headers: []string{"规上/规下", "规上规下", "企业规模", "规模", "规上/规下企业", "企业类型", "是否规上", "是否规上企业", "scale"}},
	{Code: "land", Label: "用地面积", Unit: "亩", Headers: []string{"用地面积", "占地面积", "土地面积", "实际用地面积", "land", "land_mu"},
		Units: map[string]float64{"亩": 1, "平方米": 1 / 666.6666666666666, "m2": 1 / 666.6666666666666, "㎡": 1 / 666.6666666666666, "公顷": 15}},
	{Code: "tax", Label: "税收", Unit: "万元", Headers: []string{"税收", "实缴税金", "实缴税收", "税收总额", "入库税金", "实际入库税金", "税收实际贡献", "税金", "tax"}, Units: money},
	{Code: "value_added", Label: "工业增加值", Unit: "万元", Headers: []string{"增加值", "工业增加值", "value_added"}, Units: money},
	{Code: "revenue", Label: "营业收入", Unit: "万元", Headers: []string{"营业收入", "主营业务收入", "销售收入", "营收", "revenue"}, Units: money},
	{Code: "energy", Label: "综合能耗", Unit: "吨标准煤", Headers: []string{"能耗", "综合能耗", "总能耗", "能源消费量", "综合能源消费量", "energy"},
		Units: map[string]float64{"吨标准煤": 1, "吨标煤": 1, "tce": 1, "万吨标准煤": 1e4}},
	{Code: "emissions", Label: "排放当量", Unit: "吨", Headers: []string{"排放当量", "主要污染物排放当量", "污染物排放当量", "排放", "emissions"},
		Units: map[string]float64{"吨": 1, "t": 1, "千克": 1e-3, "公斤": 1e-3, "kg": 1e-3}},
	{Code: "electricity", Label: "用电量", Unit: "万千瓦时", Headers: []string{"用电量", "总用电量", "年用电量", "electricity"},
		Units: map[string]float64{"万千瓦时": 1, "万kwh": 1, "万度": 1, "千瓦时": 1e-4, "kwh": 1e-4, "度": 1e-4}},
	{Code: "rd", Label: "研发经费", Unit: "万元", Headers: []string{"研发经费", "研发经费支出", "r&d经费", "r&d经费支出", "研发投入", "研究与试验发展经费", "rd"}, Units: money},
	{Code: "employees", Label: "年平均职工人数", Unit: "人", Headers: []string{"年平均职工人数", "年均职工人数", "职工人数", "年平均从业人员", "从业人员", "从业人数", "employees"},
		Units: map[string]float64{"人": 1}},
	{Code: "investment", Label: "固定资产投资", Unit: "万元", Headers: []string{"固定资产投资", "投资额", "investment"}, Units: money},
	{Code: "high_tech", Label: "高新技术企业", Headers: []string{"高新技术企业", "是否高新技术企业", "高新企业", "high_tech"}},
	{Code: "exempt", Label: "不参评原因", Headers: []string{"不参评原因", "免评原因", "不参评", "exempt_reason"}},
	{Code: "lon", Label: "经度", Headers: []string{"经度", "lon", "lng", "longitude"}},
	{Code: "lat", Label: "纬度", Headers: []string{"纬度", "lat", "latitude"}},
	{Code: "x", Label: "X 坐标（北）", Headers: []string{"x", "x坐标"}},
	{Code: "y", Label: "Y 坐标（东）", Headers: []string{"y", "y坐标"}},
	{Code: "parcel", Label: "地块范围（WKT）", Headers: []string{"wkt", "地块wkt", "宗地wkt", "地块范围", "地块坐标", "geometry", "geom", "parcel"}},
}

func fieldByCode(code string) *enterpriseField {
	for i := range enterpriseFields {
		if enterpriseFields[i].Code == code {
			return &enterpriseFields[i]
		}
	}
	return nil
}

// splitHeader normalises a header for matching and returns the unit it
// states in brackets: "用地面积（亩）" → ("用地面积", "亩"); "税收(万元)" →
// ("税收", "万元"). Spaces go, full-width letters and brackets become plain,
// letters lower case; "县(市、区)" keeps its bracket, which is not a unit.
func splitHeader(h string) (base, unit string) {
	var b strings.Builder
	for _, r := range h {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		case r == '【' || r == '〔':
			r = '('
		case r == '】' || r == '〕':
			r = ')'
		}
		if unicode.IsSpace(r) || r == '*' || r == '\u00a0' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	s := b.String()
	if i := strings.LastIndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		u := s[i+1 : len(s)-1]
		if !strings.ContainsAny(u, "市区县、") {
			return s[:i], u
		}
	}
	return s, ""
}

// matchHeader says which field a header names ("" none) and the unit it
// states. Exact names win; then a header containing a field's name (the
// longest such name), so that “2023年实缴税金” is the tax.
func matchHeader(h string) (code, unit string) {
	base, unit := splitHeader(h)
	if base == "" {
		return "", ""
	}
	for _, f := range enterpriseFields {
		for _, n := range f.Headers {
			if base == n {
				return f.Code, unit
			}
		}
	}
	best, bestLen := "", 0
	for _, f := range enterpriseFields {
		for _, n := range f.Headers {
			// Short Latin names (x, y, rd, lat) only match exactly.
			if len([]rune(n)) < 2 || isLatin(n) {
				continue
			}
			if strings.Contains(base, n) && len(n) > bestLen {
				best, bestLen = f.Code, len(n)
			}
		}
	}
	return best, unit
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// guessColumns maps each field to the first header that names it.
func guessColumns(headers []string) map[string]string {
	cols := map[string]string{}
	for _, h := range headers {
		if code, _ := matchHeader(h); code != "" {
			if _, taken := cols[code]; !taken {
				cols[code] = h
			}
		}
	}
	return cols
}
