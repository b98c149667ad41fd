package store_test

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// TestSplitKeepsApprovedAreaAndPieces: a split shares the approved area
// among the pieces by their ellipsoidal area (adding up to the source's),
// and the source names every piece (SplitInto).
func TestSplitKeepsApprovedAreaAndPieces(t *testing.T) {
	st, ctx := newStore(t)
	z := mustZone(t, st, "S", rect(119.86, 28.40, 119.88, 28.42))
	approved := 123.4567
	z, err := st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{ApprovedAreaHa: ptr(&approved)}, store.Change{Actor: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	// Cut at a third: the pieces differ in size.
	line := orb.LineString{{119.8666, 28.39}, {119.8666, 28.43}}
	pieces, err := st.SplitZone(ctx, z.ID, z.Version, line, store.Change{Actor: "ann"})
	if err != nil || len(pieces) != 2 {
		t.Fatalf("split: %d pieces, %v", len(pieces), err)
	}
	sum, area := 0.0, 0.0
	for _, p := range pieces {
		if p.ApprovedAreaHa == nil {
			t.Fatalf("piece %s has no approved area", p.Name)
		}
		sum += *p.ApprovedAreaHa
		area += p.AreaM2
	}
	if math.Abs(sum-approved) > 1e-9 {
		t.Errorf("pieces' approved areas add to %.10f ha, the source's is %.4f", sum, approved)
	}
	first := *pieces[0].ApprovedAreaHa
	if want := math.Round(approved*pieces[0].AreaM2/area*1e4) / 1e4; first != want {
		t.Errorf("first piece's approved area %.4f, want its area share %.4f", first, want)
	}
	src, _ := st.GetZone(ctx, z.ID)
	into, err := st.SplitInto(ctx, src)
	if err != nil || !slices.Equal(into, []int64{pieces[0].ID, pieces[1].ID}) {
		t.Fatalf("SplitInto = %v, %v, want both pieces %d %d", into, err, pieces[0].ID, pieces[1].ID)
	}
	if into, _ := st.SplitInto(ctx, pieces[0]); into != nil {
		t.Errorf("a live piece has pieces %v", into)
	}
}
