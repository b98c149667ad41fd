package ogc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// The OGC collections are the official data's: a plan's copies are neither
// listed nor served by id.
func TestScenarioCopiesNotServed(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	c := store.Change{Actor: "t"}
	sq := orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}
	kind, name, county := "park", "甲", "331102"
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &county, Geom: sq}, c)
	if err != nil {
		t.Fatal(err)
	}
	pname := "平台"
	if _, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: &pname}, []int64{z.ID}, c); err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "方案", "", c)
	if err != nil {
		t.Fatal(err)
	}
	zs, _ := e.st.In(sc.ID).ListZones(ctx, store.ZoneFilter{})
	ps, _ := e.st.In(sc.ID).ListPlatforms(ctx, false)
	if len(zs) != 1 || len(ps) != 1 {
		t.Fatalf("the plan's copies: %d zones, %d platforms", len(zs), len(ps))
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{fmt.Sprintf("/ogc/collections/zones/items/%d?f=json", z.ID), 200},
		{fmt.Sprintf("/ogc/collections/zones/items/%d?f=json", zs[0].ID), 404},
		{fmt.Sprintf("/ogc/collections/platforms/items/%d?f=json", ps[0].ID), 404},
	} {
		if r := e.do("GET", c.path, "viewer"); r.status != c.want {
			t.Errorf("%s: %d, want %d", c.path, r.status, c.want)
		}
	}
	items := e.get("/ogc/collections/zones/items?f=json", "application/geo+json")
	if n := len(items["features"].([]any)); n != 1 {
		t.Errorf("the zones collection lists %d features, want the one official zone", n)
	}
}
