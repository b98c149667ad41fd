package store_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// officialView is what the official data shows through every read that
// lists or adds up: after a scenario is created and edited it must not move.
type officialView struct {
	Zones     []string
	Platforms []string
	Summary   store.ZoneSummary
	Count     int64
	AreaM2    float64
	Tiles     int
	PTiles    int
	Outlines  int
	Version   [3]int
	Report    store.Report
}

func readOfficial(t *testing.T, ctx context.Context, st *store.Store, platformID int64) officialView {
	t.Helper()
	var v officialView
	zs, err := st.ListZones(ctx, store.ZoneFilter{Retired: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zs {
		v.Zones = append(v.Zones, z.Name)
	}
	ps, err := st.ListPlatforms(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		v.Platforms = append(v.Platforms, p.Name)
	}
	if v.Summary, err = st.SummarizeZones(ctx); err != nil {
		t.Fatal(err)
	}
	if v.Count, v.AreaM2, err = st.ZoneTotals(ctx, store.ZoneFilter{}); err != nil {
		t.Fatal(err)
	}
	box := store.TileQuery{Bound: orb.Bound{Min: orb.Point{119, 27}, Max: orb.Point{121, 29}}}
	tf, err := st.TileFeatures(ctx, store.TileZones, box)
	if err != nil {
		t.Fatal(err)
	}
	v.Tiles = len(tf)
	if tf, err = st.TileFeatures(ctx, store.TilePlatforms, box); err != nil {
		t.Fatal(err)
	}
	v.PTiles = len(tf)
	outlines, err := st.PlatformOutlines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v.Outlines = len(outlines)
	dv, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v.Version = [3]int{dv.Zones, dv.Platforms, int(dv.ZoneRevision)}
	if v.Report, err = st.Report(ctx, platformID); err != nil {
		t.Fatal(err)
	}
	v.Report.ComputedAt = v.Report.ComputedAt.Truncate(0)
	return v
}

// TestScenarioIsolation: a scenario starts as an exact copy of the official
// data (the same figures by the same engine), its edits stay in it, and no
// official read (lists, totals, tiles, outlines, the data stamp, reports)
// sees its rows.
func TestScenarioIsolation(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "test"}
	mustLayer(t, st, "城镇开发边界", "include", rect(119.90, 28.40, 119.96, 28.46))
	mustLayer(t, st, "永久基本农田", "exclude", rect(119.91, 28.41, 119.92, 28.42))
	a := mustZone(t, st, "甲", rect(119.90, 28.40, 119.93, 28.43))
	b := mustZone(t, st, "乙", rect(119.93, 28.40, 119.95, 28.43))
	mustZone(t, st, "丙", rect(119.80, 28.30, 119.81, 28.31))
	p := mustPlatform(t, st, "平台", a.ID, b.ID)

	before := readOfficial(t, ctx, st, p.ID)
	sc, err := st.CreateScenario(ctx, "方案一", "两种做法之一", c)
	if err != nil {
		t.Fatal(err)
	}
	if sc.ID == store.Official {
		t.Fatal("a scenario got the official data's id")
	}
	ss := st.In(sc.ID)
	zs, err := ss.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(zs) != 3 {
		t.Fatalf("the scenario holds %d zones, want copies of the 3 official ones", len(zs))
	}
	for _, z := range zs {
		if z.ScenarioID != sc.ID || z.ID == a.ID || z.ID == b.ID {
			t.Errorf("zone %d (%s) is not the scenario's own copy (scenario %d)", z.ID, z.Name, z.ScenarioID)
		}
	}
	ps, err := ss.ListPlatforms(ctx, false)
	if err != nil || len(ps) != 1 || len(ps[0].ZoneIDs) != 2 || ps[0].Name != "平台" {
		t.Fatalf("the scenario's platforms: %+v, %v; want the one platform with its two members copied", ps, err)
	}
	sp := ps[0]
	copyReport, err := ss.Report(ctx, sp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameArea(copyReport.Developable.M2, before.Report.Developable.M2) || !sameArea(copyReport.Gross.M2, before.Report.Gross.M2) ||
		len(copyReport.Layers) != len(before.Report.Layers) {
		t.Errorf("a fresh scenario's report differs from the official one: developable %.6f vs %.6f m², gross %.6f vs %.6f m²",
			copyReport.Developable.M2, before.Report.Developable.M2, copyReport.Gross.M2, before.Report.Gross.M2)
	}

	// Edits inside the scenario: a smaller zone, a new zone, a second platform.
	var copyA store.Zone
	for _, z := range zs {
		if z.Name == "甲" {
			copyA = z
		}
	}
	if _, err := ss.UpdateZone(ctx, copyA.ID, copyA.Version, store.ZoneFields{Geom: rect(119.90, 28.40, 119.915, 28.43)}, c); err != nil {
		t.Fatal(err)
	}
	extra, err := ss.CreateZone(ctx, zoneFields("丁", rect(119.95, 28.40, 119.96, 28.43)), c)
	if err != nil {
		t.Fatal(err)
	}
	if extra.ScenarioID != sc.ID {
		t.Errorf("a zone drawn in the scenario belongs to scenario %d", extra.ScenarioID)
	}
	if _, err := ss.CreatePlatform(ctx, store.PlatformFields{Name: ptr("新平台")}, []int64{extra.ID}, c); err != nil {
		t.Fatal(err)
	}
	edited, err := ss.Report(ctx, sp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sameArea(edited.Gross.M2, before.Report.Gross.M2) {
		t.Error("shrinking a member in the scenario did not change the scenario's report")
	}

	after := readOfficial(t, ctx, st, p.ID)
	after.Report.ComputedAt = before.Report.ComputedAt
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the official data moved with the scenario's edits:\nbefore %+v\nafter  %+v", before, after)
	}

	// Names are unique within a scenario only; membership and merges stay
	// within one scenario.
	if _, err := ss.CreatePlatform(ctx, store.PlatformFields{Name: ptr("新平台")}, nil, c); err == nil {
		t.Error("a second live 新平台 in the same scenario was accepted")
	}
	if _, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("跨方案")}, []int64{extra.ID}, c); err == nil {
		t.Error("an official platform took a scenario's zone as member")
	}
	if _, err := st.MergeZones(ctx, []int64{a.ID, copyA.ID}, nil, store.MergeOptions{AllowGapM: 1e6}, c); err == nil {
		t.Error("an official zone and a scenario's zone were merged")
	} else {
		var fe *store.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("merging across scenarios: %v, want a field error naming the zone", err)
		}
	}
	list, err := st.ListScenarios(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "方案一" {
		t.Errorf("ListScenarios = %+v, %v; want the one draft (never the official data)", list, err)
	}
}

func sameArea(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
