package store_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

func newStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	return store.New(testdb.New(t)), context.Background()
}

// rect is a lon/lat rectangle as a MultiPolygon.
func rect(w, s, e, n float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}

func ptr[T any](v T) *T { return &v }

func zoneFields(name string, g orb.MultiPolygon) store.ZoneFields {
	return store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr("331102"), Geom: g}
}

func mustZone(t *testing.T, st *store.Store, name string, g orb.MultiPolygon) store.Zone {
	t.Helper()
	z, err := st.CreateZone(context.Background(), zoneFields(name, g), store.Change{Actor: "test"})
	if err != nil {
		t.Fatalf("create zone %s: %v", name, err)
	}
	return z
}

func mustLayer(t *testing.T, st *store.Store, name, kind string, gs ...orb.MultiPolygon) store.Layer {
	t.Helper()
	l, _, err := st.CreateLayer(context.Background(), store.Change{}, name, kind, "test", wkbs(t, gs...), nil)
	if err != nil {
		t.Fatalf("create layer %s: %v", name, err)
	}
	return l
}

func mustPlatform(t *testing.T, st *store.Store, name string, zones ...int64) store.Platform {
	t.Helper()
	p, err := st.CreatePlatform(context.Background(), store.PlatformFields{Name: ptr(name)}, zones, store.Change{Actor: "test"})
	if err != nil {
		t.Fatalf("create platform %s: %v", name, err)
	}
	return p
}
