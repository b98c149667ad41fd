package evaluation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// DefaultCap is the default cap of an indicator's score: 1.2 × its weight. A
// benchmark of twice the county average already sits well above most
// enterprises, so 1.2 still rewards the few beyond it while keeping one
// outstanding ratio (a tiny plot paying large tax, a near-zero emission) from
// outweighing all the other indicators; the Zhejiang counties' schemes cap
// single indicators between 1.2 and 1.5 × weight.
const DefaultCap = 1.2

// DefaultMultiple is N in the default benchmark "N × last year's county average".
const DefaultMultiple = 2

// DefaultScheme is the shipped scheme: the weights the Zhejiang counties use
// for 规上 (亩均税收 30, 亩均增加值 20, 单位能耗增加值 20, 单位排放增加值 10,
// 全员劳动生产率 10, R&D 占比 10) and 规下 (亩均税收 50, 单位电耗税收 50)
// industrial enterprises, every benchmark 2 × last year's county average,
// enterprises from 3 亩 up, classes A top 20 %, B to 60 %, C to 95 %, D the last 5 %.
func DefaultScheme() Scheme {
	w := func(c IndicatorCode, weight float64) WeightedIndicator {
		return WeightedIndicator{Code: c, Weight: weight, Cap: DefaultCap,
			Benchmark: Benchmark{Kind: BenchCountyAverage, Multiple: DefaultMultiple}}
	}
	return Scheme{
		Name:      "亩均效益综合评价（默认方案）",
		MinLandMu: 3,
		Groups: []Group{
			{Scale: Above, Evaluated: true, Indicators: []WeightedIndicator{
				w(TaxPerMu, 30), w(ValueAddedPerMu, 20), w(ValueAddedPerTce, 20),
				w(ValueAddedPerEmit, 10), w(LabourProductivity, 10), w(RDShare, 10)}},
			{Scale: Below, Evaluated: true, Indicators: []WeightedIndicator{
				w(TaxPerMu, 50), w(TaxPerKWh, 50)}},
		},
		Classes: []ClassCut{{ClassA, 0.20}, {ClassB, 0.60}, {ClassC, 0.95}, {ClassD, 1}},
	}
}

// ParseScheme reads a scheme from JSON (unknown fields are errors, so a
// misspelt field is not silently ignored) and validates it.
func ParseScheme(data []byte) (Scheme, error) {
	var s Scheme
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil {
		return Scheme{}, fmt.Errorf("scheme: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return Scheme{}, errors.New("scheme: text after the JSON object")
	}
	if err := s.Validate(); err != nil {
		return Scheme{}, err
	}
	return s, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate checks a scheme; every message names the field, e.g.
// "groups[0].indicators[2].weight: must be > 0, got -1".
func (s Scheme) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	if !finite(s.MinLandMu) || s.MinLandMu < 0 {
		bad("min_land_mu", "must be ≥ 0 亩, got %v", s.MinLandMu)
	}
	if len(s.Groups) == 0 {
		bad("groups", "at least one group (规上 or 规下) is needed")
	}
	scales := map[Scale]bool{}
	for i, g := range s.Groups {
		f := fmt.Sprintf("groups[%d]", i)
		if g.Scale != Above && g.Scale != Below {
			bad(f+".scale", "must be %q or %q, got %q", Above, Below, g.Scale)
		} else if scales[g.Scale] {
			bad(f+".scale", "%q appears twice", g.Scale)
		}
		scales[g.Scale] = true
		if g.Evaluated && len(g.Indicators) == 0 {
			bad(f+".indicators", "an evaluated group needs at least one indicator")
		}
		codes := map[IndicatorCode]bool{}
		for j, in := range g.Indicators {
			fi := fmt.Sprintf("%s.indicators[%d]", f, j)
			if _, ok := IndicatorByCode(in.Code); !ok {
				bad(fi+".code", "unknown indicator %q", in.Code)
			} else if codes[in.Code] {
				bad(fi+".code", "%q appears twice in the group", in.Code)
			}
			codes[in.Code] = true
			if !finite(in.Weight) || in.Weight <= 0 {
				bad(fi+".weight", "must be > 0, got %v", in.Weight)
			}
			if !finite(in.Cap) || in.Cap != 0 && in.Cap < 1 {
				bad(fi+".cap", "must be 0 (no cap) or ≥ 1 (a multiple of the weight), got %v", in.Cap)
			}
			switch b := in.Benchmark; b.Kind {
			case BenchFixed:
				if !finite(b.Value) || b.Value <= 0 {
					bad(fi+".benchmark.value", "a fixed benchmark must be > 0, got %v", b.Value)
				}
			case BenchCountyAverage:
				if !finite(b.Multiple) || b.Multiple <= 0 {
					bad(fi+".benchmark.multiple", "must be > 0 (N in N × last year's county average), got %v", b.Multiple)
				}
			default:
				bad(fi+".benchmark.kind", "must be %q or %q, got %q", BenchFixed, BenchCountyAverage, b.Kind)
			}
		}
	}
	exempt := map[string]bool{}
	for i, x := range s.Exemptions {
		f := fmt.Sprintf("exemptions[%d]", i)
		if x.CreditCode == "" {
			bad(f+".credit_code", "is empty")
		} else if exempt[x.CreditCode] {
			bad(f+".credit_code", "%s is exempted twice", x.CreditCode)
		}
		exempt[x.CreditCode] = true
		if x.Reason == "" {
			bad(f+".reason", "an exemption needs a reason")
		}
	}
	if len(s.Classes) == 0 {
		bad("classes", "at least one class cut-off is needed")
	}
	seen, prev := map[Class]bool{}, 0.0
	for i, c := range s.Classes {
		f := fmt.Sprintf("classes[%d]", i)
		switch c.Class {
		case ClassA, ClassB, ClassC, ClassD:
		default:
			bad(f+".class", "must be A, B, C or D, got %q", c.Class)
		}
		if seen[c.Class] {
			bad(f+".class", "%q appears twice", c.Class)
		}
		seen[c.Class] = true
		if !finite(c.UpTo) || c.UpTo <= prev || c.UpTo > 1 {
			bad(f+".up_to", "must be above the previous cut-off (%v) and at most 1, got %v", prev, c.UpTo)
		} else {
			prev = c.UpTo
		}
	}
	if n := len(s.Classes); n > 0 && s.Classes[n-1].UpTo != 1 {
		bad(fmt.Sprintf("classes[%d].up_to", n-1), "the last class must reach 1 (every ranked enterprise), got %v", s.Classes[n-1].UpTo)
	}
	return errors.Join(errs...)
}
