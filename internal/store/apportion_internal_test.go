package store

import (
	"math"
	"strconv"
	"testing"
)

// apportion: the shares add up to the approved area, follow the areas, and
// are never negative, even when rounding up would overshoot.
func TestApportion(t *testing.T) {
	for _, tc := range []struct {
		approved float64
		areas    []float64
	}{
		{14.75, []float64{1, 2}},
		{0.0002, []float64{1, 1, 1, 1}}, // each share rounds up to 0.0001: the last two get what is left
		{123.4567, []float64{3, 3, 3}},
	} {
		got := apportion(&tc.approved, tc.areas)
		sum := 0.0
		for _, v := range got {
			if *v < 0 {
				t.Errorf("%v of %g: a negative share %g", tc.areas, tc.approved, *v)
			}
			sum += *v
		}
		if math.Abs(sum-tc.approved) > 1e-9 {
			t.Errorf("%v of %g: shares add to %.10f", tc.areas, tc.approved, sum)
		}
	}
	if got := apportion(nil, []float64{1, 2}); got[0] != nil || got[1] != nil {
		t.Error("no approved area gave the pieces one")
	}
	// Every share is stored as a whole number of 0.0001 ha, the remainder
	// too (the reviewer found 4.938300000000001 stored).
	for _, tc := range []struct {
		approved float64
		areas    []float64
	}{{4.9383, []float64{1, 1}}, {0.805, []float64{1, 2}}, {123.4567, []float64{3, 3, 3}}, {10.5, []float64{0.3, 0.7}}} {
		for _, v := range apportion(&tc.approved, tc.areas) {
			if s := strconv.FormatFloat(*v, 'f', -1, 64); len(s) > len(strconv.FormatFloat(*v, 'f', 4, 64)) {
				t.Errorf("%v of %g: a share of %s, not in 0.0001 ha", tc.areas, tc.approved, s)
			}
		}
	}
	two := 10.0
	if got := apportion(&two, []float64{1, 3}); *got[0] != 2.5 || *got[1] != 7.5 {
		t.Errorf("10 ha over areas 1:3 = %g + %g, want 2.5 + 7.5", *got[0], *got[1])
	}
}
