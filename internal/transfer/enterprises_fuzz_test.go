package transfer

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestMatchHeader: headers as counties write them.
func TestMatchHeader(t *testing.T) {
	for h, want := range map[string][2]string{
		"用地面积（亩）":       {"land", "亩"},
		" 用地面积 (平方米) ":  {"land", "平方米"},
		"2023年实缴税金（万元）": {"tax", "万元"},
		"税收(元)":         {"tax", "元"},
		"所属县（市、区）":      {"county", ""},
		"县(市、区)":        {"county", ""},
		"R&D经费支出（万元）":   {"rd", "万元"},
		"Ｘ":             {"x", ""},
		"序号":            {"", ""},
		"备注":            {"", ""},
		"是否规上企业":        {"scale", ""},
		"综合能耗(吨标准煤)":    {"energy", "吨标准煤"},
	} {
		code, unit := matchHeader(h)
		if code != want[0] || unit != want[1] {
			t.Errorf("matchHeader(%q) = %q %q, want %q %q", h, code, unit, want[0], want[1])
		}
	}
	if v, ok := parseNumber("１，２３４.５"); !ok || v != 1234.5 {
		t.Errorf("parseNumber full-width: %v %v", v, ok)
	}
	for s, want := range map[string]float64{"119°54′45″": 119.9125, "119°54'45\"": 119.9125, "28度24分36秒": 28.41, "119.5": 119.5, "28°30′": 28.5} {
		if v, ok := parseDegrees(s); !ok || math.Abs(v-want) > 1e-9 {
			t.Errorf("parseDegrees(%q) = %v %v, want %v", s, v, ok, want)
		}
	}
	for _, s := range []string{"119°61′", "119°-5′", "1°2′3″4", "度"} {
		if v, ok := parseDegrees(s); ok {
			t.Errorf("parseDegrees(%q) = %v, accepted", s, v)
		}
	}
	for _, s := range []string{"12..5", "NaN", "Inf", "1e999", "约10", ""} {
		if _, ok := parseNumber(s); ok {
			t.Errorf("parseNumber(%q) accepted", s)
		}
	}
}

// FuzzMatchHeader: any header maps to a known field or none, with a unit
// that the normalised header states.
func FuzzMatchHeader(f *testing.F) {
	for _, h := range enterpriseHeader {
		f.Add(h)
	}
	f.Add("县(市、区)")
	f.Add("（）")
	f.Add("(")
	f.Fuzz(func(t *testing.T, h string) {
		code, unit := matchHeader(h)
		if code != "" && fieldByCode(code) == nil {
			t.Fatalf("%q → unknown field %q", h, code)
		}
		base, u := splitHeader(h)
		if u != unit || (unit != "" && !strings.Contains(base+"("+unit+")", unit)) {
			t.Fatalf("%q: unit %q vs %q", h, unit, u)
		}
		parseNumber(h)
		parseDegrees(h)
	})
}

// FuzzReadCSV: any bytes give a table or an error, never a panic, and a
// table's rows carry their line numbers.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("统一社会信用代码,企业名称,用地面积（亩）\n91110000802100433B,甲,1\n"))
	f.Add([]byte("\xcd\xb3\xd2\xbb,\"a\nb\",c\r\n"))
	f.Add([]byte("\xef\xbb\xbfa\tb\n1\t2"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "t.csv")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		tb, err := readCSV(p, "")
		if err != nil {
			return
		}
		if len(tb.Rows) != len(tb.RowNos) || len(tb.Rows) == 0 {
			t.Fatalf("rows %d, numbers %d", len(tb.Rows), len(tb.RowNos))
		}
		findHeader(tb.Rows)
		for _, r := range tb.Rows {
			for _, c := range r {
				if strings.ContainsFunc(c, unicode.IsControl) || !utf8.ValidString(c) {
					t.Fatalf("cell %q: control characters or invalid UTF-8 kept", c)
				}
			}
		}
	})
}
