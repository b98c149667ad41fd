package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// planState is what a plan shows: each live platform's figures and members
// (by name), and each live zone's name and area.
type planState struct {
	Platforms map[string]string // name → "developable gross | members"
	Zones     []string          // "name area" sorted
}

func readPlan(t *testing.T, ctx context.Context, st *store.Store) planState {
	t.Helper()
	ps := planState{Platforms: map[string]string{}}
	zs, err := st.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, z := range zs {
		names[z.ID] = z.Name
		ps.Zones = append(ps.Zones, fmt.Sprintf("%s %.6f", z.Name, z.AreaM2))
	}
	slices.Sort(ps.Zones)
	pls, err := st.ListPlatforms(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pls {
		rep, err := st.Report(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var members []string
		for _, id := range p.ZoneIDs {
			members = append(members, names[id])
		}
		slices.Sort(members)
		ps.Platforms[p.Name] = fmt.Sprintf("%.4f %.4f | %v", rep.Developable.Mu, rep.Gross.Mu, members)
	}
	return ps
}

// TestAdoptEqualsScenario: for random sequences of edits in a scenario
// (reshape, rename, new zones, deletions, splits, members moved, new and
// retired platforms), adopting it makes the official data show exactly
// the scenario's figures, zones and members.
func TestAdoptEqualsScenario(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			st, ctx := newStore(t)
			c := store.Change{Actor: "test"}
			mustLayer(t, st, "城镇开发边界", "include", rect(119.80, 28.30, 120.10, 28.60))
			mustLayer(t, st, "永久基本农田", "exclude", rect(119.85, 28.35, 119.95, 28.45))
			var ids []int64
			for i := 0; i < 6; i++ {
				w := 119.82 + float64(i)*0.04
				ids = append(ids, mustZone(t, st, fmt.Sprintf("区%d", i), rect(w, 28.32, w+0.03, 28.36)).ID)
			}
			mustPlatform(t, st, "甲平台", ids[0], ids[1], ids[2])
			mustPlatform(t, st, "乙平台", ids[3], ids[4])
			sc, err := st.CreateScenario(ctx, "方案", "", c)
			if err != nil {
				t.Fatal(err)
			}
			in := st.In(sc.ID)
			rng := rand.New(rand.NewPCG(seed, 99))
			for step := 0; step < 10; step++ {
				randomEdit(t, ctx, in, rng, c, step)
			}
			want := readPlan(t, ctx, in)
			sc, err = st.GetScenario(ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			res, err := st.AdoptScenario(ctx, sc.ID, sc.Version, nil, store.Change{Actor: "admin"})
			if err != nil {
				t.Fatalf("adopt: %v (%+v)", err, res)
			}
			got := readPlan(t, ctx, st)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after adoption the official data differs from the scenario:\nofficial %v\nscenario %v", got, want)
			}
			if _, err := st.GetScenario(ctx, sc.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := st.AdoptScenario(ctx, sc.ID, sc.Version+1, nil, c); !errors.Is(err, store.ErrGone) {
				t.Errorf("adopting an adopted scenario again: %v, want gone", err)
			}
		})
	}
}

// randomEdit makes one random change in the scenario.
func randomEdit(t *testing.T, ctx context.Context, st *store.Store, rng *rand.Rand, c store.Change, step int) {
	t.Helper()
	zs, err := st.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(zs) == 0 {
		return
	}
	z := zs[rng.IntN(len(zs))]
	b := z.Geom.Bound()
	switch op := rng.IntN(7); op {
	case 0: // reshape: the west half
		g := rect(b.Min[0], b.Min[1], (b.Min[0]+b.Max[0])/2, b.Max[1])
		_, err = st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Geom: g}, c)
	case 1: // rename and a disposition
		_, err = st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Name: ptr(z.Name + "改"), Disposition: ptr("提")}, c)
	case 2: // a new zone, in a platform when there is one
		w := 119.82 + float64(step)*0.013
		var nz store.Zone
		if nz, err = st.CreateZone(ctx, zoneFields(fmt.Sprintf("新区%d", step), rect(w, 28.40, w+0.01, 28.41)), c); err == nil && len(ps) > 0 {
			p := ps[rng.IntN(len(ps))]
			_, err = st.SetMembers(ctx, p.ID, p.Version, append(slices.Clone(p.ZoneIDs), nz.ID), c)
		}
	case 3: // delete
		err = st.RetireZone(ctx, z.ID, z.Version, c)
	case 4: // split down the middle
		mid := (b.Min[0] + b.Max[0]) / 2
		_, err = st.SplitZone(ctx, z.ID, z.Version, orb.LineString{{mid, b.Min[1] - 0.01}, {mid, b.Max[1] + 0.01}}, c)
	case 5: // move the zone into another platform (or a new one)
		if len(ps) == 0 || rng.IntN(3) == 0 {
			_, err = st.CreatePlatform(ctx, store.PlatformFields{Name: ptr(fmt.Sprintf("新平台%d", step))}, nil, c)
			break
		}
		p := ps[rng.IntN(len(ps))]
		if z.PlatformID != nil && *z.PlatformID == p.ID {
			break
		}
		if z.PlatformID != nil {
			for _, q := range ps {
				if q.ID == *z.PlatformID {
					if _, err = st.SetMembers(ctx, q.ID, q.Version, slices.DeleteFunc(slices.Clone(q.ZoneIDs), func(id int64) bool { return id == z.ID }), c); err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
				}
			}
			if p, err = st.GetPlatform(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		_, err = st.SetMembers(ctx, p.ID, p.Version, append(slices.Clone(p.ZoneIDs), z.ID), c)
	case 6: // retire a platform
		if len(ps) > 1 {
			p := ps[rng.IntN(len(ps))]
			err = st.RetirePlatform(ctx, p.ID, p.Version, c)
		}
	}
	if err != nil {
		t.Fatalf("step %d: %v", step, err)
	}
}

// TestAdoptConflicts: a zone the official data changed since the base while
// the scenario changed it too stops the adoption, listed, with nothing
// written; choosing keeps either version.
func TestAdoptConflicts(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "test"}
	a := mustZone(t, st, "甲", rect(119.90, 28.40, 119.93, 28.43))
	b := mustZone(t, st, "乙", rect(119.94, 28.40, 119.96, 28.43))
	sc, err := st.CreateScenario(ctx, "方案", "", c)
	if err != nil {
		t.Fatal(err)
	}
	in := st.In(sc.ID)
	copies, err := in.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range copies {
		if _, err := in.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Name: ptr(z.Name + "（方案）")}, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.UpdateZone(ctx, a.ID, a.Version, store.ZoneFields{Name: ptr("甲（正式）")}, c); err != nil {
		t.Fatal(err)
	}
	res, err := st.AdoptScenario(ctx, sc.ID, sc.Version, nil, c)
	if !errors.Is(err, store.ErrUnresolved) || len(res.Conflicts) != 1 || res.Conflicts[0].OfficialID != a.ID {
		t.Fatalf("adopt over a conflict: %v %+v; want ErrUnresolved naming zone %d", err, res, a.ID)
	}
	if z, _ := st.GetZone(ctx, b.ID); z.Name != "乙" {
		t.Errorf("a refused adoption wrote zone 乙: %s", z.Name)
	}
	res, err = st.AdoptScenario(ctx, sc.ID, sc.Version, map[string]string{res.Conflicts[0].Key(): store.KeepOfficial}, c)
	if err != nil {
		t.Fatal(err)
	}
	za, _ := st.GetZone(ctx, a.ID)
	zb, _ := st.GetZone(ctx, b.ID)
	if za.Name != "甲（正式）" || zb.Name != "乙（方案）" || res.Updated != 1 {
		t.Errorf("after choosing the official 甲: %s, %s (%+v)", za.Name, zb.Name, res)
	}
	h, err := st.History(ctx, "zone", b.ID)
	if err != nil || len(h) == 0 || h[len(h)-1].Action != "adopt" || h[len(h)-1].Reason != "采纳方案「方案」" {
		t.Errorf("乙's history does not end with the adoption: %+v %v", h, err)
	}
}

// TestRebase: official changes since a scenario's base come into the
// scenario where it left things alone (a renamed zone, a new zone joining a
// platform, a deleted zone); the scenario's own changes stay; a zone both
// changed is a conflict, resolved either way; adopting afterwards writes
// the scenario's kept change over the official one.
func TestRebase(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "test"}
	a := mustZone(t, st, "甲", rect(119.90, 28.40, 119.91, 28.41))
	mustZone(t, st, "乙", rect(119.92, 28.40, 119.93, 28.41))
	cz := mustZone(t, st, "丙", rect(119.94, 28.40, 119.95, 28.41))
	d := mustZone(t, st, "丁", rect(119.96, 28.40, 119.97, 28.41))
	p := mustPlatform(t, st, "平台", a.ID)
	// 己 is retired when the scenario begins and restored afterwards: it is
	// new to the scenario as much as 戊.
	g := mustZone(t, st, "己", rect(119.90, 28.50, 119.91, 28.51))
	if err := st.RetireZone(ctx, g.ID, g.Version, c); err != nil {
		t.Fatal(err)
	}
	sc, err := st.CreateScenario(ctx, "方案", "", c)
	if err != nil {
		t.Fatal(err)
	}
	in := st.In(sc.ID)
	hist, err := st.History(ctx, "zone", g.ID)
	if err != nil || len(hist) != 2 {
		t.Fatalf("己's history: %+v %v", hist, err)
	}
	first := hist[0]
	if hist[1].ID < first.ID {
		first = hist[1]
	}
	if _, err := st.RestoreZone(ctx, g.ID, g.Version+1, first.ID, c); err != nil {
		t.Fatalf("restoring 己: %v", err)
	}
	copyOf := func(name string) store.Zone {
		t.Helper()
		zs, err := in.ListZones(ctx, store.ZoneFilter{Text: name})
		if err != nil || len(zs) != 1 {
			t.Fatalf("the scenario's %s: %v %v", name, zs, err)
		}
		return zs[0]
	}
	// The scenario renames 乙 and 丙; the official data renames 甲 and 丙,
	// deletes 丁 and adds 戊 to the platform.
	for _, n := range []string{"乙", "丙"} {
		z := copyOf(n)
		if _, err := in.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Name: ptr(n + "（方案）")}, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.UpdateZone(ctx, a.ID, a.Version, store.ZoneFields{Name: ptr("甲（正式）")}, c); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateZone(ctx, cz.ID, cz.Version, store.ZoneFields{Name: ptr("丙（正式）")}, c); err != nil {
		t.Fatal(err)
	}
	if err := st.RetireZone(ctx, d.ID, d.Version, c); err != nil {
		t.Fatal(err)
	}
	e := mustZone(t, st, "戊", rect(119.98, 28.40, 119.99, 28.41))
	pl, _ := st.GetPlatform(ctx, p.ID)
	if _, err := st.SetMembers(ctx, p.ID, pl.Version, []int64{a.ID, e.ID}, c); err != nil {
		t.Fatal(err)
	}

	res, err := st.RebaseScenario(ctx, sc.ID, sc.Version, nil, c)
	if !errors.Is(err, store.ErrUnresolved) || len(res.Conflicts) != 1 || res.Conflicts[0].OfficialID != cz.ID {
		t.Fatalf("rebase over a conflict: %v %+v; want ErrUnresolved naming 丙", err, res)
	}
	if res, err = st.RebaseScenario(ctx, sc.ID, sc.Version, map[string]string{"zone:" + fmt.Sprint(cz.ID): store.KeepScenario}, c); err != nil {
		t.Fatalf("rebase keeping the scenario's 丙: %v", err)
	}
	want := []string{"丙（方案）", "乙（方案）", "己", "戊", "甲（正式）"}
	zs, err := in.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, z := range zs {
		got = append(got, z.Name)
	}
	slices.Sort(got)
	if fmt.Sprint(got) != fmt.Sprint(want) || res.Added != 2 || res.Retired != 1 {
		t.Errorf("the scenario after rebasing: %v (%+v), want %v with 戊 and 己 added and 丁 retired", got, res, want)
	}
	ps, err := in.ListPlatforms(ctx, false)
	if err != nil || len(ps) != 1 || len(ps[0].ZoneIDs) != 2 {
		t.Fatalf("the scenario's platform after rebasing: %+v %v; want 甲 and 戊", ps, err)
	}
	sc, _ = st.GetScenario(ctx, sc.ID)
	if _, err := st.AdoptScenario(ctx, sc.ID, sc.Version, nil, c); err != nil {
		t.Fatalf("adopting after the rebase: %v (no conflict is left)", err)
	}
	if z, _ := st.GetZone(ctx, cz.ID); z.Name != "丙（方案）" {
		t.Errorf("丙 after adopting: %s, want the scenario's", z.Name)
	}
	if z, _ := st.GetZone(ctx, a.ID); z.Name != "甲（正式）" {
		t.Errorf("甲 after adopting: %s, want the official rename kept", z.Name)
	}
}
