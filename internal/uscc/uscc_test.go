package uscc

import (
	"errors"
	"strings"
	"testing"
)

// Codes of real organisations, as printed on their licences.
var valid = []string{
	"91110000802100433B", // 中国石油化工股份有限公司
	"91440300708461136T", // 华为技术有限公司
	"11100000000013127D", // 国家市场监督管理总局
}

func TestValid(t *testing.T) {
	for _, c := range valid {
		if err := Check(c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
}

func TestCheckChar(t *testing.T) {
	// Hand computed: 9 1 3 3 1 1 0 0 M A 2 7 U 0 C H 2, values
	// 9,1,3,3,1,1,0,0,21,10,2,7,27,0,12,17,2 times the weights sum to 1918;
	// 1918 mod 31 = 27, 31 − 27 = 4.
	got, err := CheckChar("91331100MA27U0CH2")
	if err != nil || got != '4' {
		t.Fatalf("CheckChar = %q, %v; want 4", got, err)
	}
	// A sum divisible by 31 gives 0, not 31: "1", fifteen zeros and the
	// x with 1 + 28·x ≡ 0 (mod 31).
	for x := 0; x < 31; x++ {
		first := "1" + strings.Repeat("0", 15) + string(Alphabet[x])
		if (1+28*x)%31 == 0 {
			if got, _ := CheckChar(first); got != '0' {
				t.Errorf("%s: check %q, want 0", first, got)
			}
		}
	}
	// A sum divisible by 31 gives 0, not 31.
	for _, c := range valid {
		got, _ := CheckChar(c[:17])
		if got != c[17] {
			t.Errorf("%s: check %q", c, got)
		}
	}
}

func TestInvalid(t *testing.T) {
	cases := map[string]string{
		"91110000802100433":   "18 characters",
		"91110000802100433BB": "18 characters",
		"91110000802100433C":  "check character",
		"9111000080210043IB":  "not one of",
		"911100A0802100433B":  "division code",
		"91110000802100433b":  "not one of", // Check wants a normalised code
		"":                    "18 characters",
		"9111000080210043３B":  "not one of",
	}
	for c, want := range cases {
		err := Check(c)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.EN, want) || e.ZH == "" {
			t.Errorf("Check(%q) = %v, want %q", c, err, want)
		}
	}
	if Check(Normalise(" "+fullWidth("91110000802100433b")+" ")) != nil {
		t.Error("Normalise does not read full-width lower case")
	}
}

func FuzzCheck(f *testing.F) {
	for _, c := range valid {
		f.Add(c)
	}
	f.Add(fullWidth(valid[0]))
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalise(s)
		err := Check(n)
		if err == nil {
			if len(n) != 18 {
				t.Fatalf("%q accepted with %d bytes", n, len(n))
			}
			if c, _ := CheckChar(n[:17]); c != n[17] {
				t.Fatalf("%q accepted with a wrong check", n)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.ZH == "" || len(e.EN) > 200 {
			t.Fatalf("%q: %v", s, err)
		}
	})
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r + 0xFEE0)
	}
	return b.String()
}
