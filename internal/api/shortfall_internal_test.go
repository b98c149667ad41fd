package api

import (
	"regexp"
	"strconv"
	"testing"

	"wanmu/internal/store"
)

// FuzzShortfallInput: the search radius and the candidate key of the
// shortfall routes are accepted exactly in their documented forms, and
// anything else is a 4xx problem.
func FuzzShortfallInput(f *testing.F) {
	for _, s := range []string{"", "5000", "100", "20000", "99.9", "20000.1", "NaN", "Inf", "-1", "1e3", "0x10", " 5000",
		"zone:1", "zone:0", "zone:01", "zone:999999999999999999", "zone:9999999999999999999", "block:0123456789abcdef",
		"block:0123456789ABCDEF", "block:0123456789abcde", "block:", "zone:1\n", "\xff"} {
		f.Add(s)
	}
	key := regexp.MustCompile(`\A(zone:[1-9][0-9]*|block:[0-9a-f]{16})\z`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseRadius(s)
		if err != nil {
			checkProblem(t, s, err)
		} else if s != "" {
			v, perr := strconv.ParseFloat(s, 64)
			if perr != nil || v != m || m < store.MinShortfallRadiusM || m > store.MaxShortfallRadiusM {
				t.Fatalf("radius %q read as %g", s, m)
			}
		} else if m != 0 {
			t.Fatalf("no radius read as %g", m)
		}
		if err := checkShortfallKey(s); err != nil {
			checkProblem(t, s, err)
		} else if !key.MatchString(s) || len(s) > len("zone:")+18 && s[:5] == "zone:" {
			t.Fatalf("key %q accepted", s)
		}
	})
}
