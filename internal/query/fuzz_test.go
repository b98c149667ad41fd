package query_test

// Fuzz tests of the query parsers; the seeds run with every `go test`,
// `make fuzz` explores further. They need no database.

import (
	"errors"
	"math"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"wanmu/internal/problem"
	"wanmu/internal/query"
)

// checkProblem fails unless err is a 400 problem whose message can be sent
// as JSON and echoes little of the input.
func checkProblem(t *testing.T, input string, err error) {
	t.Helper()
	var p *problem.Problem
	if !errors.As(err, &p) {
		t.Fatalf("%q: error %T (%v) is not a *problem.Problem", input, err, err)
	}
	if p.Status != 400 || p.Detail == "" || p.Title == "" || !strings.HasPrefix(p.Type, problem.TypeBase) {
		t.Fatalf("%q: problem %+v", input, p)
	}
	if !utf8.ValidString(p.Detail) || len(p.Detail) > 400 {
		t.Fatalf("%q: detail %q is not valid UTF-8 or echoes too much input", input, p.Detail)
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"", "119,28,120,29", "119.5,28.1,119.9,28.6", " 119 , 28 , 120 , 29 ", "-180,-90,180,90",
		"119,28,120", "119,28,120,29,30", "NaN,28,120,29", "Inf,28,120,29", "-Inf,28,120,29", "1e999,28,120,29",
		"120,28,119,29", "119,29,120,28", "-200,28,120,29", "0x1p-2,28,120,29", "1_0,28,120,29", ",,,", "119,28,120,29,",
		"４,28,120,29", "119\x00,28,120,29", "\xff,28,120,29", "40492359,3148425,40493359,3149425", "119,28,119,28",
		"-0,-0,0,0", "1e-400,28,120,29", "119,28,0,120,29,100", "119,28,x,120,29,1", strings.Repeat("9", 400) + ",28,120,29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := query.ParseBBox(s)
		if err != nil {
			checkProblem(t, s, err)
			if b != nil {
				t.Fatalf("%q: a bound with an error", s)
			}
			return
		}
		if s == "" {
			if b != nil {
				t.Fatalf("empty bbox gave %v", b)
			}
			return
		}
		if b == nil {
			t.Fatalf("%q: no bound and no error", s)
		}
		for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q: non-finite bound %v", s, b)
			}
		}
		if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			t.Fatalf("%q: insane bound %v", s, b)
		}
	})
}

// FuzzCheck: a query string passes only if net/url reads all of it with
// every parameter once — so nothing a handler reads can have been dropped.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "a=1", "a=1&b=2", "a=1&a=2", "bbox=0,0,1,1;x", "a=1;b=2", "a=%zz", "a=%3B", "a", "a&a",
		"=1", "&&", "a=1&&b=2", "%00=1", "\xff=1", strings.Repeat("k", 300) + "=1&" + strings.Repeat("k", 300) + "=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := query.Check(raw)
		v, perr := url.ParseQuery(raw)
		if err != nil {
			checkProblem(t, raw, err)
			return
		}
		if perr != nil {
			t.Fatalf("%q: accepted, but net/url fails on it: %v", raw, perr)
		}
		if strings.Contains(raw, ";") {
			t.Fatalf("%q: a ';' accepted", raw)
		}
		for k, vs := range v {
			if len(vs) != 1 {
				t.Fatalf("%q: %q given %d times and accepted", raw, k, len(vs))
			}
		}
	})
}
