package query_test

import (
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/query"
)

// TestParseBBoxWithHeights: OGC API – Features allows a box of six numbers
// (with bottom and top heights); its flat footprint is the same box.
func TestParseBBoxWithHeights(t *testing.T) {
	want := orb.Bound{Min: orb.Point{119, 28}, Max: orb.Point{120, 29}}
	for _, s := range []string{"119,28,120,29", "119,28,0,120,29,100", "119,28,-50.5,120,29,1e3"} {
		b, err := query.ParseBBox(s)
		if err != nil || b == nil || *b != want {
			t.Errorf("%q: %v %v, want %v", s, b, err, want)
		}
	}
	for _, s := range []string{"119,28,x,120,29,100", "119,28,0,120,29,NaN", "119,28,0,120,29", "119,28,0,120,29,1,2"} {
		if b, err := query.ParseBBox(s); err == nil {
			t.Errorf("%q: accepted as %v", s, b)
		}
	}
}
