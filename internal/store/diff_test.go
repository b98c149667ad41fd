package store_test

import (
	"math"
	"slices"
	"testing"

	"wanmu/internal/store"
)

// TestDiffZones: the difference between the official data and a scenario
// lists exactly the zones the scenario added, retired, reshaped, renamed or
// moved between platforms — nothing else — with the area gained and lost,
// and reads the other way round as its mirror.
func TestDiffZones(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "test"}
	a := mustZone(t, st, "甲", rect(119.90, 28.40, 119.93, 28.43))
	b := mustZone(t, st, "乙", rect(119.93, 28.40, 119.95, 28.43))
	mustZone(t, st, "丙", rect(119.80, 28.30, 119.81, 28.31))
	mustZone(t, st, "丁", rect(119.70, 28.30, 119.71, 28.31))
	e := mustZone(t, st, "戊", rect(119.60, 28.30, 119.61, 28.31))
	mustZone(t, st, "己", rect(119.50, 28.30, 119.51, 28.31))
	mustPlatform(t, st, "平台", a.ID, b.ID)

	sc, err := st.CreateScenario(ctx, "方案", "", c)
	if err != nil {
		t.Fatal(err)
	}
	ss := st.In(sc.ID)
	if diffs, more, err := st.DiffZones(ctx, store.Official, sc.ID); err != nil || len(diffs) != 0 || more {
		t.Fatalf("a fresh scenario differs from the official data: %+v, %v, %v", diffs, more, err)
	}
	copies := map[string]store.Zone{}
	zs, err := ss.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zs {
		copies[z.Name] = z
	}
	// 甲 grows east into 乙's row: gained, nothing lost.
	if _, err := ss.UpdateZone(ctx, copies["甲"].ID, copies["甲"].Version, store.ZoneFields{Geom: rect(119.90, 28.40, 119.93, 28.44)}, c); err != nil {
		t.Fatal(err)
	}
	// 乙 leaves the platform; 丁 is retired; 戊 changes its disposition; 庚 is new.
	ps, err := ss.ListPlatforms(ctx, false)
	if err != nil || len(ps) != 1 {
		t.Fatal(ps, err)
	}
	if _, err := ss.SetMembers(ctx, ps[0].ID, ps[0].Version, []int64{copies["甲"].ID}, c); err != nil {
		t.Fatal(err)
	}
	if err := ss.RetireZone(ctx, copies["丁"].ID, copies["丁"].Version, c); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.UpdateZone(ctx, copies["戊"].ID, copies["戊"].Version, store.ZoneFields{Disposition: ptr("并")}, c); err != nil {
		t.Fatal(err)
	}
	added, err := ss.CreateZone(ctx, zoneFields("庚", rect(119.40, 28.30, 119.41, 28.31)), c)
	if err != nil {
		t.Fatal(err)
	}
	// The official data moves too, on a zone the scenario did not touch:
	// the difference is between the two states as they are now.
	if err := st.RetireZone(ctx, e.ID, e.Version, c); err != nil {
		t.Fatal(err)
	}

	diffs, more, err := st.DiffZones(ctx, store.Official, sc.ID)
	if err != nil || more {
		t.Fatal(err, more)
	}
	got := map[string]store.ZoneDiff{}
	for _, d := range diffs {
		name := ""
		if d.B != nil {
			name = d.B.Name
		} else {
			name = d.A.Name
		}
		got[name] = d
	}
	want := map[string]struct {
		status  string
		changes []string
	}{
		"甲": {"changed", []string{"outline"}},
		"乙": {"changed", []string{"platform"}},
		"丁": {"removed", nil},
		"戊": {"added", nil}, // retired in the official data, live in the scenario
		"庚": {"added", nil},
	}
	if len(got) != len(want) {
		t.Errorf("%d zones differ, want %d: %+v", len(got), len(want), got)
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok || g.Status != w.status || !slices.Equal(g.Changes, w.changes) {
			t.Errorf("%s: %+v, want %s %v", name, g, w.status, w.changes)
		}
	}
	if g := got["庚"]; g.B == nil || g.B.ID != added.ID || g.A != nil {
		t.Errorf("庚 is the scenario's new zone %d: %+v", added.ID, g)
	}
	if g := got["戊"]; g.B == nil || g.B.Disposition != "并" {
		t.Errorf("戊 in the scenario carries its disposition: %+v", g.B)
	}
	if g := got["乙"]; g.A == nil || g.A.Platform != "平台" || g.B.Platform != "" {
		t.Errorf("乙 left 平台 in the scenario: %+v → %+v", g.A, g.B)
	}
	g := got["甲"]
	if g.A == nil || g.B == nil || g.LostM2 > 1e-6 || math.Abs(g.GainedM2-(g.B.AreaM2-g.A.AreaM2)) > 1e-3 || g.GainedM2 < 1e5 {
		t.Errorf("甲 grew: gained %.3f m², lost %.6f m², areas %.3f → %.3f", g.GainedM2, g.LostM2, g.A.AreaM2, g.B.AreaM2)
	}

	// The other way round: the mirror image.
	back, _, err := st.DiffZones(ctx, sc.ID, store.Official)
	if err != nil || len(back) != len(diffs) {
		t.Fatalf("reverse difference: %d zones, %v; want %d", len(back), err, len(diffs))
	}
	mirror := map[string]string{"added": "removed", "removed": "added", "changed": "changed"}
	for _, r := range back {
		side := r.A
		if side == nil {
			side = r.B
		}
		if fw := got[side.Name]; fw.Status != mirror[r.Status] || math.Abs(fw.GainedM2-r.LostM2) > 1e-6 {
			t.Errorf("%s: forward %s (gained %.3f), backward %s (lost %.3f)", side.Name, fw.Status, fw.GainedM2, r.Status, r.LostM2)
		}
	}

	// Two scenarios: the same copy in both is the same zone.
	sc2, err := st.CreateScenario(ctx, "方案二", "", c)
	if err != nil {
		t.Fatal(err)
	}
	between, _, err := st.DiffZones(ctx, sc.ID, sc2.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 甲, 乙 and 庚 as before; 丁 and 戊 the other way round (the second
	// scenario has 丁 and not 戊, retired officially before it began).
	if len(between) != len(diffs) {
		t.Errorf("between the two scenarios %d zones differ, want %d: %+v", len(between), len(diffs), between)
	}
	status := map[string]string{}
	for _, d := range between {
		if d.B != nil {
			status[d.B.Name] = d.Status
		} else {
			status[d.A.Name] = d.Status
		}
	}
	if status["丁"] != "added" || status["戊"] != "removed" || status["庚"] != "removed" || status["甲"] != "changed" {
		t.Errorf("between the two scenarios: %v", status)
	}
	if self, _, err := st.DiffZones(ctx, sc.ID, sc.ID); err != nil || len(self) != 0 {
		t.Errorf("a scenario differs from itself: %+v, %v", self, err)
	}
}
