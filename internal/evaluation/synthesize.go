package evaluation

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Synthesize makes n illustrative enterprises (示例数据, not real firms: every
// name starts with 示例) of one year over the counties, a pure function of the
// seed. The distributions are skewed as a county's table is: land log-normal
// around a median of 20 亩 (规上 larger), tax and value added per 亩
// log-normal and correlated with the land's use, about a third 规上; 规下
// firms often lack energy, emissions and R&D figures, a few of every kind lack
// one; about 1 % have zero land, 1 % are exempt (新建投产未满一年), 0.5 % pay a
// negative tax (refunds). Credit codes are well-formed (GB 32100-2015 check
// character) and unique.
func Synthesize(seed uint64, n int, counties []string, year int) []Enterprise {
	r := rand.New(rand.NewPCG(seed, 0x6d75))
	es := make([]Enterprise, n)
	ln := func(median, sigma float64) float64 { return median * math.Exp(sigma*r.NormFloat64()) }
	maybe := func(p float64, v float64) *float64 {
		if r.Float64() < p {
			return nil
		}
		return F(round2(v))
	}
	for i := range es {
		county := counties[r.IntN(len(counties))]
		// Larger counties have more firms: the first counties weigh double.
		if r.IntN(3) == 0 {
			county = counties[r.IntN(max(1, len(counties)/3))]
		}
		scale, landMed, taxMed, miss := Below, 14.0, 3.0, 0.45
		if r.Float64() < 0.33 {
			scale, landMed, taxMed, miss = Above, 40, 9, 0.03
		}
		land := ln(landMed, 0.9)
		vigour := r.NormFloat64() // one factor for the firm's efficiency: tax, value added, energy move with it
		taxPerMu := taxMed * math.Exp(0.8*vigour+0.35*r.NormFloat64())
		va := land * taxPerMu * ln(3.5, 0.35)
		e := Enterprise{
			CreditCode: CreditCode(county, seed%100000000+uint64(i)),
			Name:       fmt.Sprintf("示例%s%s有限公司", trades[r.IntN(len(trades))], suffix(i)),
			County:     county, Scale: scale, Year: year,
			LandMu:      F(round2(land)),
			Tax:         maybe(0.01, land*taxPerMu),
			ValueAdded:  maybe(miss/3, va),
			Revenue:     maybe(miss/3, va*ln(4, 0.3)),
			Energy:      maybe(miss, va/ln(2.5, 0.7)*math.Exp(-0.2*vigour)),
			Emissions:   maybe(miss, va/ln(150, 1.0)),
			Electricity: maybe(0.02, va/ln(3, 0.6)),
			RD:          maybe(miss, va*4*max(0, ln(0.012, 0.8)-0.004)),
			Employees:   maybe(miss/2, math.Max(3, math.Round(va/ln(22, 0.5)))),
			Investment:  maybe(0.1, land*ln(280, 0.6)),
		}
		if r.Float64() < 0.9 { // the 高新 flag is known for most
			p := 0.03
			if scale == Above {
				p = 0.18
			}
			ht := r.Float64() < p
			e.HighTech = &ht
		}
		switch x := r.Float64(); {
		case x < 0.01:
			e.LandMu = F(0)
		case x < 0.02:
			e.ExemptReason = "新建投产未满一年"
		case x < 0.025 && e.Tax != nil:
			e.Tax = F(-round2(*e.Tax * 0.1))
		case x < 0.05:
			e.Emissions = F(0) // no emissions at all
		}
		es[i] = e
	}
	return es
}

// Grow makes the next year's table from a year's: the same enterprises, land
// mostly unchanged, figures grown by about 6 % with a firm-level spread. A
// pure function of the seed.
func Grow(seed uint64, es []Enterprise, year int) []Enterprise {
	r := rand.New(rand.NewPCG(seed, 0x67726f77))
	out := make([]Enterprise, len(es))
	for i, e := range es {
		g := 1.06 * math.Exp(0.15*r.NormFloat64())
		scale := func(p *float64) *float64 {
			if p == nil {
				return nil
			}
			return F(round2(*p * g))
		}
		e.Year = year
		e.Tax, e.ValueAdded, e.Revenue = scale(e.Tax), scale(e.ValueAdded), scale(e.Revenue)
		e.Energy, e.Emissions, e.Electricity = scale(e.Energy), scale(e.Emissions), scale(e.Electricity)
		e.RD, e.Investment = scale(e.RD), scale(e.Investment)
		e.ExemptReason = ""
		if r.Float64() < 0.05 && e.LandMu != nil { // some expand
			e.LandMu = F(round2(*e.LandMu * 1.3))
		}
		out[i] = e
	}
	return out
}

// SynthPlacements places each enterprise in one of its county's platforms
// (platforms maps a county adcode to platform ids); about 5 % straddle two and
// are split by a random land share. Enterprises of a county without platforms
// are left out, as those outside every zone are.
func SynthPlacements(seed uint64, es []Enterprise, platforms map[string][]string) []Placement {
	r := rand.New(rand.NewPCG(seed, 0x706c6163))
	out := make([]Placement, 0, len(es)+len(es)/10)
	for _, e := range es {
		ps := platforms[e.County]
		if len(ps) == 0 {
			continue
		}
		a := ps[r.IntN(len(ps))]
		if len(ps) > 1 && r.Float64() < 0.05 {
			b := ps[(slicesIndex(ps, a)+1)%len(ps)]
			s := round2(0.2 + 0.6*r.Float64())
			out = append(out, Placement{e.CreditCode, a, s}, Placement{e.CreditCode, b, round2(1 - s)})
			continue
		}
		out = append(out, Placement{e.CreditCode, a, 1})
	}
	return out
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

var trades = []string{"机械", "五金", "阀门", "合成革", "木制品", "新材料", "电子", "食品", "纺织", "医药", "竹木", "汽配", "不锈钢", "半导体", "光伏"}

func suffix(i int) string { return fmt.Sprintf("%05d", i+1) }

const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode makes a well-formed 统一社会信用代码 of an enterprise (登记管理部门
// 9 工商, 类别 1 企业) registered in the county, with organisation code number
// k and both check characters (GB 11714 for the organisation code, GB
// 32100-2015 for the whole).
func CreditCode(county string, k uint64) string {
	org := fmt.Sprintf("%08d", k%100000000)
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		sum += int(org[i]-'0') * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		org += "X"
	case 11:
		org += "0"
	default:
		org += string(rune('0' + c))
	}
	body := "91" + fmt.Sprintf("%-6.6s", county) + org
	return body + string(creditAlphabet[creditCheck(body)])
}

func creditCheck(body string) int {
	sum := 0
	for i := range 17 {
		sum += indexByte(creditAlphabet, body[i]) * creditWeights[i]
	}
	return (31 - sum%31) % 31
}

func indexByte(s string, b byte) int {
	for i := range len(s) {
		if s[i] == b {
			return i
		}
	}
	return -1
}

// ValidCreditCode reports whether s is 18 characters of the 统一社会信用代码
// alphabet with a correct final check character (GB 32100-2015).
func ValidCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := range 18 {
		if indexByte(creditAlphabet, s[i]) < 0 {
			return false
		}
	}
	return creditAlphabet[creditCheck(s[:17])] == s[17]
}
