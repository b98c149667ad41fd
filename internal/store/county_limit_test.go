package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"wanmu/internal/store"
)

// TestCountyLimit: an editor limited to 青田 (331121) writes zones of 青田
// only, platforms of 青田 only (or a cross-county one an administrator
// opened to its counties), and only in the official data or 青田's own
// drafts — through every write path, with nothing half-written when one
// row of a write is refused.
func TestCountyLimit(t *testing.T) {
	st, ctx := newStore(t)
	c := store.Change{Actor: "test"}
	qt := store.WithCountyLimit(ctx, []string{"331121"})
	inQingtian := func(name string, w float64) store.Zone {
		t.Helper()
		f := zoneFields(name, rect(w, 28.10, w+0.01, 28.11))
		f.CountyAdcode = ptr("331121")
		z, err := st.CreateZone(qt, f, c)
		if err != nil {
			t.Fatalf("青田's editor draws %s in 青田: %v", name, err)
		}
		return z
	}
	refused := func(what string, err error, entity string, id int64) {
		t.Helper()
		ce, ok := store.IsCountyRefusal(err)
		if !ok {
			t.Errorf("%s: %v, want refused for the county", what, err)
			return
		}
		if ce.Entity != entity || ce.ID != id {
			t.Errorf("%s: refused naming %s %d (%s), want %s %d", what, ce.Entity, ce.ID, ce.Message, entity, id)
		}
	}

	lishui := mustZone(t, st, "莲都区块", rect(119.90, 28.40, 119.91, 28.41)) // 331102
	free := mustZone(t, st, "莲都空闲区块", rect(119.94, 28.40, 119.95, 28.41))
	own := inQingtian("青田区块", 120.20)
	other := inQingtian("青田区块二", 120.22)
	local := mustPlatform(t, st, "莲都平台", lishui.ID)
	if _, err := st.UpdatePlatform(ctx, local.ID, local.Version, store.PlatformFields{Counties: []string{"331102"}}, c); err != nil {
		t.Fatal(err)
	}
	span, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("跨区平台"), Counties: []string{"331102", "331121"}}, []int64{own.ID}, c)
	if err != nil {
		t.Fatal(err)
	}

	// Zones: its own county only, also when moving a zone between counties.
	if _, err := st.UpdateZone(qt, own.ID, own.Version, store.ZoneFields{Name: ptr("青田区块（改）")}, c); err != nil {
		t.Fatalf("renaming a 青田 zone: %v", err)
	}
	_, err = st.UpdateZone(qt, lishui.ID, lishui.Version, store.ZoneFields{Name: ptr("越权")}, c)
	refused("renaming a 莲都 zone", err, "zone", lishui.ID)
	f := zoneFields("莲都新区", rect(119.92, 28.40, 119.93, 28.41))
	_, err = st.CreateZone(qt, f, c)
	if ce, ok := store.IsCountyRefusal(err); !ok || ce.Entity != "zone" {
		t.Errorf("drawing a zone in 莲都: %v", err)
	}
	other, _ = st.GetZone(ctx, other.ID)
	_, err = st.UpdateZone(qt, other.ID, other.Version, store.ZoneFields{CountyAdcode: ptr("331102")}, c)
	refused("moving a 青田 zone to 莲都", err, "zone", other.ID)
	_, err = st.MergeZones(qt, []int64{other.ID, lishui.ID}, nil, store.MergeOptions{AllowGapM: 1e6, PlatformID: ptr(int64(0)), Fields: store.ZoneFields{CountyAdcode: ptr("331121")}}, c)
	if _, ok := store.IsCountyRefusal(err); !ok {
		t.Errorf("merging a 青田 zone with a 莲都 one: %v", err)
	}
	if z, _ := st.GetZone(ctx, other.ID); z.RetiredAt != nil || z.Version != other.Version {
		t.Errorf("the refused merge half-happened: %+v", z)
	}
	err = st.RetireZone(qt, lishui.ID, lishui.Version, c)
	refused("deleting a 莲都 zone", err, "zone", lishui.ID)

	// Platforms: 莲都's is not its; the cross-county one only once an
	// administrator opens it to its counties, and then with 青田's zones only.
	_, err = st.UpdatePlatform(qt, local.ID, local.Version+1, store.PlatformFields{Note: ptr("越权")}, c)
	refused("editing 莲都's platform", err, "platform", local.ID)
	_, err = st.SetMembers(qt, span.ID, span.Version, []int64{own.ID, other.ID}, c)
	refused("adding to a cross-county platform of the city", err, "platform", span.ID)
	_, err = st.UpdatePlatform(qt, span.ID, span.Version, store.PlatformFields{CountyEditable: ptr(true)}, c)
	refused("opening a platform to the counties itself", err, "platform", span.ID)
	span, err = st.UpdatePlatform(ctx, span.ID, span.Version, store.PlatformFields{CountyEditable: ptr(true)}, c)
	if err != nil || !span.CountyEditable {
		t.Fatalf("the city opens 跨区平台 to its counties: %+v %v", span, err)
	}
	if span, err = st.SetMembers(qt, span.ID, span.Version, []int64{own.ID, other.ID}, c); err != nil {
		t.Fatalf("adding a 青田 zone to the open cross-county platform: %v", err)
	}
	_, err = st.SetMembers(qt, span.ID, span.Version, []int64{own.ID, other.ID, free.ID}, c)
	refused("adding a 莲都 zone to it", err, "zone", free.ID)
	if p, _ := st.GetPlatform(ctx, span.ID); !slices.Equal(p.ZoneIDs, []int64{own.ID, other.ID}) {
		t.Errorf("the refused membership change half-happened: %v", p.ZoneIDs)
	}

	// Drafts: 青田's own, where it edits 青田's zones; not the city's.
	mine, err := st.CreateScenario(qt, "青田方案", "", c)
	if err != nil {
		t.Fatalf("青田's editor starts a draft: %v", err)
	}
	if !slices.Equal(mine.Counties, []string{"331121"}) {
		t.Errorf("青田's draft is owned by %v", mine.Counties)
	}
	city, err := st.CreateScenario(ctx, "市级方案", "", c)
	if err != nil || len(city.Counties) != 0 {
		t.Fatalf("the city's draft: %+v %v", city, err)
	}
	copyIn := func(sc int64, name string) store.Zone {
		t.Helper()
		zs, err := st.In(sc).ListZones(ctx, store.ZoneFilter{Text: name})
		if err != nil || len(zs) != 1 {
			t.Fatalf("%s in scenario %d: %v %v", name, sc, zs, err)
		}
		return zs[0]
	}
	z := copyIn(mine.ID, "青田区块二")
	if _, err := st.In(mine.ID).UpdateZone(qt, z.ID, z.Version, store.ZoneFields{Disposition: ptr("并")}, c); err != nil {
		t.Errorf("editing 青田's zone in 青田's draft: %v", err)
	}
	z = copyIn(mine.ID, "莲都区块")
	_, err = st.In(mine.ID).UpdateZone(qt, z.ID, z.Version, store.ZoneFields{Disposition: ptr("并")}, c)
	refused("editing 莲都's zone in 青田's draft", err, "zone", z.ID)
	z = copyIn(city.ID, "青田区块二")
	_, err = st.In(city.ID).UpdateZone(qt, z.ID, z.Version, store.ZoneFields{Disposition: ptr("并")}, c)
	refused("editing in the city's draft", err, "scenario", city.ID)
	_, err = st.RebaseScenario(qt, city.ID, city.Version, nil, c)
	refused("rebasing the city's draft", err, "scenario", city.ID)
	if _, err := st.RebaseScenario(qt, mine.ID, mine.Version, nil, c); err != nil {
		t.Errorf("rebasing 青田's own draft: %v", err)
	}

	// Without a limit (the city's editors) everything is allowed, and a
	// refusal is not a plain error either.
	if _, err := st.UpdateZone(context.Background(), lishui.ID, lishui.Version, store.ZoneFields{Name: ptr("莲都区块（市）")}, c); err != nil {
		t.Errorf("the city edits 莲都: %v", err)
	}
	if _, ok := store.IsCountyRefusal(errors.New("zone 1: not found")); ok {
		t.Error("any error taken for a county refusal")
	}
}
