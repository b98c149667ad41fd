package transfer

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// An invalid feature's issue carries, beside PostGIS's text, the reason as a
// code, the location, the vertex nearest to it (part, ring, vertex) and a
// hint that depends on the reason — no "ST_MakeValid" for the planner to read.
func TestInvalidIssue(t *testing.T) {
	shell := orb.Ring{{119.86, 28.40}, {119.88, 28.42}, {119.88, 28.40}, {119.86, 28.42}, {119.86, 28.40}}
	hole := orb.Ring{{119.90, 28.40}, {119.91, 28.40}, {119.91, 28.41}, {119.90, 28.40}}
	for _, tc := range []struct {
		reason, code, hint string
		g                  orb.Geometry
		at                 []float64
		near               Vertex
	}{
		{"Self-intersection[119.8799 28.4199]", "self-intersection", "no longer cross", orb.Polygon{shell}, []float64{119.8799, 28.4199}, Vertex{1, 1, 2}},
		{"Hole lies outside shell[119.91 28.41]", "hole lies outside shell", "hole entirely inside",
			orb.MultiPolygon{{{{1, 1}, {2, 1}, {2, 2}, {1, 1}}}, {shell, hole}}, []float64{119.91, 28.41}, Vertex{2, 2, 3}},
	} {
		fi := invalidIssue(4, "甲", tc.reason, tc.g, 1000)
		if fi.ReasonCode != tc.code || len(fi.Location) != 2 || fi.Location[0] != tc.at[0] || fi.Location[1] != tc.at[1] {
			t.Errorf("%s: code %q at %v, want %q at %v", tc.reason, fi.ReasonCode, fi.Location, tc.code, tc.at)
		}
		if fi.Near == nil || *fi.Near != tc.near {
			t.Errorf("%s: nearest vertex %+v, want %+v", tc.reason, fi.Near, tc.near)
		}
		if !strings.Contains(fi.Hint, tc.hint) || fi.Index != 4 || fi.Reason != tc.reason || fi.RepairedAreaMu <= 0 {
			t.Errorf("%s: %+v", tc.reason, fi)
		}
	}
	if fi := invalidIssue(1, "", "Too few points", orb.Polygon{shell}, 0); fi.ReasonCode != "too few points" || fi.Location != nil || fi.Near != nil {
		t.Errorf("a reason without a location: %+v", fi)
	}
}
