package store_test

import (
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
	"wanmu/internal/store"
)

func TestZoneCreateGetUpdateRetire(t *testing.T) {
	st, ctx := newStore(t)
	g := rect(119.86, 28.40, 119.88, 28.42)
	z := mustZone(t, st, "丽水经济技术开发区", g)
	if z.Version != 1 || z.Disposition != "待定" || z.Name != "丽水经济技术开发区" {
		t.Fatalf("created zone = %+v", z)
	}
	want := geodesy.EllipsoidalAreaMulti(g)
	if d := (z.AreaM2 - want) / want; d > 5e-6 || d < -5e-6 {
		t.Errorf("area = %.2f m², survey formula %.2f m²", z.AreaM2, want)
	}
	got, err := st.GetZone(ctx, z.ID)
	if err != nil || got.Name != z.Name || len(got.Geom) != 1 {
		t.Fatalf("get zone: %+v, %v", got, err)
	}
	newName := "丽水经开区（扩区）"
	u, err := st.UpdateZone(ctx, z.ID, 1, store.ZoneFields{Name: &newName, Disposition: ptr("提")}, store.Change{Actor: "a", Reason: "扩区"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Version != 2 || u.Name != newName || u.Disposition != "提" || u.UpdatedBy != "a" {
		t.Fatalf("updated zone = %+v", u)
	}
	if err := st.RetireZone(ctx, z.ID, 1, store.Change{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("retire at stale version: %v, want conflict", err)
	}
	if err := st.RetireZone(ctx, z.ID, 2, store.Change{Actor: "a"}); err != nil {
		t.Fatal(err)
	}
	live, err := st.ListZones(ctx, store.ZoneFilter{})
	if err != nil || len(live) != 0 {
		t.Fatalf("live zones after retire: %d, %v", len(live), err)
	}
	all, _ := st.ListZones(ctx, store.ZoneFilter{Retired: true})
	if len(all) != 1 || all[0].RetiredAt == nil {
		t.Fatalf("retired zone not kept: %+v", all)
	}
	if _, err := st.UpdateZone(ctx, z.ID, 3, store.ZoneFields{Name: &newName}, store.Change{}); !errors.Is(err, store.ErrGone) {
		t.Fatalf("update of retired zone: %v, want gone", err)
	}
	h, err := st.History(ctx, "zone", z.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range h {
		actions = append(actions, r.Action)
	}
	if len(h) != 3 || h[0].Action != "create" || h[1].Reason != "扩区" || h[2].Action != "retire" {
		t.Fatalf("history actions = %v", actions)
	}
}

func TestListZonesFilters(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "A", rect(119.0, 28.0, 119.01, 28.01))
	mustZone(t, st, "B", rect(120.0, 28.0, 120.01, 28.01))
	town := zoneFields("C镇工业功能区", rect(119.5, 28.5, 119.51, 28.51))
	town.Kind, town.CountyAdcode = ptr("township"), ptr("331124")
	if _, err := st.CreateZone(ctx, town, store.Change{}); err != nil {
		t.Fatal(err)
	}
	p := mustPlatform(t, st, "P", a.ID)
	tests := []struct {
		name string
		f    store.ZoneFilter
		want []string
	}{
		{"all", store.ZoneFilter{}, []string{"A", "B", "C镇工业功能区"}},
		{"kind", store.ZoneFilter{Kind: "township"}, []string{"C镇工业功能区"}},
		{"county", store.ZoneFilter{County: "331124"}, []string{"C镇工业功能区"}},
		{"platform", store.ZoneFilter{PlatformID: p.ID}, []string{"A"}},
		{"no platform", store.ZoneFilter{PlatformID: -1}, []string{"B", "C镇工业功能区"}},
		{"bbox", store.ZoneFilter{BBox: &orb.Bound{Min: orb.Point{119.9, 27.9}, Max: orb.Point{120.1, 28.1}}}, []string{"B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zs, err := st.ListZones(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, z := range zs {
				got = append(got, z.Name)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// Two planners edit the same version at once: exactly one wins, the other
// gets a conflict, and the winner's change is what is stored.
func TestConcurrentWritersOneWins(t *testing.T) {
	st, ctx := newStore(t)
	z := mustZone(t, st, "原名", rect(119.86, 28.40, 119.88, 28.42))
	names := []string{"甲的名字", "乙的名字"}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Name: &names[i]}, store.Change{Actor: names[i]})
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatal("both writers won")
			}
			winner = i
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("writer %d: %v, want conflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	got, _ := st.GetZone(ctx, z.ID)
	if got.Name != names[winner] || got.Version != 2 {
		t.Fatalf("stored %q v%d, want %q v2", got.Name, got.Version, names[winner])
	}
}

func TestMergeZones(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "A", rect(119.86, 28.40, 119.87, 28.41))
	b := mustZone(t, st, "B", rect(119.87, 28.40, 119.88, 28.41)) // adjacent
	c := mustZone(t, st, "C", rect(119.90, 28.40, 119.91, 28.41)) // apart
	p := mustPlatform(t, st, "P", a.ID, b.ID, c.ID)
	ids := []int64{a.ID, b.ID, c.ID}
	// C lies apart: the merge asks for the gap to be confirmed, naming it.
	_, err := st.MergeZones(ctx, ids, map[int64]int{a.ID: 1}, store.MergeOptions{Fields: store.ZoneFields{Name: ptr("ABC")}}, store.Change{Actor: "t"})
	var q *store.MergeQuestion
	if !errors.As(err, &q) || q.Field != "allow_gap_m" || q.GapM < 1900 || q.GapM > 2000 {
		t.Fatalf("merge of zones ~1.96 km apart without confirming: %v, want a gap question", err)
	}
	res, err := st.MergeZones(ctx, ids, map[int64]int{a.ID: 1}, store.MergeOptions{Fields: store.ZoneFields{Name: ptr("ABC")}, AllowGapM: q.GapM}, store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Zone
	if res.Parts != 2 {
		t.Errorf("merge reports %d separate groups, want 2", res.Parts)
	}
	if m.Name != "ABC" || len(m.Geom) != 2 {
		t.Fatalf("merged zone %q has %d parts, want ABC with 2 (A+B dissolve, C apart)", m.Name, len(m.Geom))
	}
	if d := m.AreaM2 - (a.AreaM2 + b.AreaM2 + c.AreaM2); d > 0.01 || d < -0.01 {
		t.Errorf("merged area %.3f, sum of parts %.3f", m.AreaM2, a.AreaM2+b.AreaM2+c.AreaM2)
	}
	if m.PlatformID == nil || *m.PlatformID != p.ID {
		t.Errorf("merged zone did not stay in the platform: %v", m.PlatformID)
	}
	for _, id := range []int64{a.ID, b.ID, c.ID} {
		z, _ := st.GetZone(ctx, id)
		if z.RetiredAt == nil || z.MergedInto == nil || *z.MergedInto != m.ID || z.PlatformID != nil {
			t.Errorf("source %d not retired into %d: %+v", id, m.ID, z)
		}
	}
	pp, _ := st.GetPlatform(ctx, p.ID)
	if len(pp.ZoneIDs) != 1 || pp.ZoneIDs[0] != m.ID {
		t.Errorf("platform members = %v, want [%d]", pp.ZoneIDs, m.ID)
	}
	// A stale version or a retired source fails the whole merge.
	d := mustZone(t, st, "D", rect(119.92, 28.40, 119.93, 28.41))
	if _, err := st.MergeZones(ctx, []int64{m.ID, d.ID}, map[int64]int{d.ID: 7}, store.MergeOptions{AllowGapM: 1e6}, store.Change{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("merge at stale version: %v", err)
	}
	if _, err := st.MergeZones(ctx, []int64{a.ID, d.ID}, nil, store.MergeOptions{AllowGapM: 1e6}, store.Change{}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("merge of retired zone: %v", err)
	}
	if z, _ := st.GetZone(ctx, d.ID); z.RetiredAt != nil || z.Version != 1 {
		t.Fatalf("failed merge touched zone D: %+v", z)
	}
}

func TestSplitZone(t *testing.T) {
	st, ctx := newStore(t)
	z := mustZone(t, st, "S", rect(119.86, 28.40, 119.88, 28.42))
	line := orb.LineString{{119.87, 28.39}, {119.87, 28.43}}
	parts, err := st.SplitZone(ctx, z.ID, 1, line, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 {
		t.Fatalf("split gave %d parts", len(parts))
	}
	// New vertices on the cut edges shift PostGIS's geodesic edges by a hair.
	if d := parts[0].AreaM2 + parts[1].AreaM2 - z.AreaM2; math.Abs(d) > z.AreaM2*1e-7 {
		t.Errorf("parts add to %.3f, source %.3f", parts[0].AreaM2+parts[1].AreaM2, z.AreaM2)
	}
	miss := orb.LineString{{119.80, 28.39}, {119.80, 28.43}}
	if _, err := st.SplitZone(ctx, parts[0].ID, 1, miss, store.Change{}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("split with a line that misses: %v", err)
	}
}

func TestInvalidGeometryIsNeverStored(t *testing.T) {
	st, ctx := newStore(t)
	bowtie := orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.42}, {119.88, 28.40}, {119.86, 28.42}, {119.86, 28.40}}}}
	_, err := st.CreateZone(ctx, zoneFields("bow-tie", bowtie), store.Change{})
	ig, ok := store.IsInvalidGeometry(err)
	if !ok {
		t.Fatalf("bow-tie: %v, want invalid geometry", err)
	}
	if ig.Reason == "" || ig.Location[0] < 119.86 || ig.Location[0] > 119.88 {
		t.Errorf("reason %q at %v", ig.Reason, ig.Location)
	}
	zs, _ := st.ListZones(ctx, store.ZoneFilter{Retired: true})
	if len(zs) != 0 {
		t.Fatalf("%d zones stored after a rejected create", len(zs))
	}
}
