package transfer

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// The handover's stamp of the data moves with every edit it must not miss:
// a zone, a platform's membership, a constraint layer switched off.
func TestHandoverDataStamp(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: store.New(testdb.New(t))}
	st := svc.Store
	stamp := func() string {
		t.Helper()
		s, err := svc.dataStamp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s0 := stamp()
	name, kind, county := "甲", "park", "331102"
	z, err := st.CreateZone(ctx, store.ZoneFields{Name: &name, Kind: &kind, CountyAdcode: &county,
		Geom: orb.MultiPolygon{{{{119.9, 28.4}, {119.91, 28.4}, {119.91, 28.41}, {119.9, 28.4}}}}}, store.Change{Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	s1 := stamp()
	if s1 == s0 {
		t.Error("a new zone does not change the stamp")
	}
	if stamp() != s1 {
		t.Error("the stamp changes without an edit")
	}
	if _, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptrTo("平台"), Role: ptrTo("一心")}, []int64{z.ID}, store.Change{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	s2 := stamp()
	if s2 == s1 {
		t.Error("a new platform does not change the stamp")
	}
	g, _ := wkb.Marshal(orb.MultiPolygon{{{{119.9, 28.4}, {119.95, 28.4}, {119.95, 28.45}, {119.9, 28.4}}}})
	l, _, err := st.CreateLayer(ctx, store.Change{}, "红线", "exclude", "test", []store.LayerFeature{{Geom: g}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s3 := stamp()
	if s3 == s2 {
		t.Error("a new layer does not change the stamp")
	}
	if _, err := st.SetLayerEnabled(ctx, l.ID, l.Version, false, store.Change{}); err != nil {
		t.Fatal(err)
	}
	if stamp() == s3 {
		t.Error("a layer switched off does not change the stamp")
	}
}

func ptrTo[T any](v T) *T { return &v }
