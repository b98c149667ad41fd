package transfer

import (
	"context"
	"testing"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// TestSampleEnterprises: two years of illustrative figures, most enterprises
// of the counties with zones placed in them, some unplaced; years with
// figures are left alone.
func TestSampleEnterprises(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	svc := &Service{Store: st}
	for _, z := range []struct {
		name, county string
		w, s         float64
	}{{"莲都示例区", "331102", 119.90, 28.40}, {"青田示例区", "331121", 120.25, 28.10}} {
		k, name, c := "park", z.name, z.county
		if _, err := st.CreateZone(ctx, store.ZoneFields{Kind: &k, Name: &name, CountyAdcode: &c, Geom: rectMP(z.w, z.s, z.w+0.03, z.s+0.03)}, store.Change{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := svc.SampleEnterprises(ctx, 7, 1000, []int{2023, 2024})
	if err != nil || n != 2000 {
		t.Fatalf("sample: %d %v", n, err)
	}
	ys, err := st.EnterpriseYears(ctx)
	if err != nil || len(ys) != 2 || ys[0].Enterprises != 1000 || ys[1].Enterprises != 1000 {
		t.Fatalf("years: %+v %v", ys, err)
	}
	ps, err := st.EnterprisePlacements(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	placed := map[int64]bool{}
	for _, p := range ps {
		placed[p.EnterpriseID] = true
	}
	// Two counties of nine have zones: their enterprises are mostly placed.
	all, _ := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024})
	inZoned, placedZoned := 0, 0
	for _, e := range all {
		if e.County == "331102" || e.County == "331121" {
			inZoned++
			if placed[e.ID] {
				placedZoned++
			}
		}
	}
	if inZoned == 0 || placedZoned < inZoned*7/10 || placedZoned == inZoned || ys[0].Unplaced != 1000-len(placed) {
		t.Errorf("placed %d of %d enterprises of the zoned counties; %d placed in all, %d unplaced", placedZoned, inZoned, len(placed), ys[0].Unplaced)
	}
	if n, err := svc.SampleEnterprises(ctx, 7, 1000, []int{2024}); err != nil || n != 0 {
		t.Errorf("again: %d %v", n, err)
	}
}
