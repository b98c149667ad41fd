package store_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/store"
)

// Free attributes keep their types through the store: an integer comes back
// an integer, a real with an integral value a real, a flag a flag.
func TestAttributeTypesSurvive(t *testing.T) {
	st, ctx := newStore(t)
	attrs := map[string]any{"count": int64(3), "ratio": 12.0, "big": 2e6, "tiny": 1e-7, "huge": int64(1234567890123456789), "half": 0.5, "ok": true, "code": "0012",
		"nested": map[string]any{"n": int64(1), "r": 2.0}, "list": []any{int64(1), 2.0}}
	check := func(what string, got map[string]any) {
		t.Helper()
		if v, ok := got["count"].(int64); !ok || v != 3 {
			t.Errorf("%s: count = %#v, want int64 3", what, got["count"])
		}
		if v, ok := got["ratio"].(float64); !ok || v != 12 {
			t.Errorf("%s: ratio = %#v, want float64 12", what, got["ratio"])
		}
		if v, ok := got["big"].(float64); !ok || v != 2e6 {
			t.Errorf("%s: big = %#v, want float64 2e6", what, got["big"])
		}
		if v, ok := got["tiny"].(float64); !ok || v != 1e-7 {
			t.Errorf("%s: tiny = %#v, want float64 1e-7", what, got["tiny"])
		}
		if v, ok := got["huge"].(int64); !ok || v != 1234567890123456789 {
			t.Errorf("%s: huge = %#v, want int64 1234567890123456789", what, got["huge"])
		}
		if v, ok := got["half"].(float64); !ok || v != 0.5 {
			t.Errorf("%s: half = %#v", what, got["half"])
		}
		if got["ok"] != true || got["code"] != "0012" {
			t.Errorf("%s: ok, code = %#v, %#v", what, got["ok"], got["code"])
		}
		n, _ := got["nested"].(map[string]any)
		if _, ok := n["n"].(int64); !ok {
			t.Errorf("%s: nested.n = %#v, want an int64", what, n["n"])
		}
		if _, ok := n["r"].(float64); !ok {
			t.Errorf("%s: nested.r = %#v, want a float64", what, n["r"])
		}
		l, _ := got["list"].([]any)
		if len(l) != 2 {
			t.Fatalf("%s: list = %#v", what, got["list"])
		}
		if _, ok := l[0].(int64); !ok {
			t.Errorf("%s: list[0] = %#v, want an int64", what, l[0])
		}
		if _, ok := l[1].(float64); !ok {
			t.Errorf("%s: list[1] = %#v, want a float64", what, l[1])
		}
	}

	f := zoneFields("typed", rect(119.9, 28.4, 119.91, 28.41))
	f.Attributes = attrs
	z, err := st.CreateZone(ctx, f, store.Change{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GetZone(ctx, z.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("zone", got.Attributes)

	// An undo brings back the attributes from the revision, types included.
	if _, err := st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Attributes: map[string]any{"x": "y"}}, store.Change{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Undo(ctx, false, nil, store.Change{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	got, err = st.GetZone(ctx, z.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("zone after undo", got.Attributes)

	g, _ := wkb.Marshal(rect(119.9, 28.4, 119.91, 28.41))
	l, _, err := st.CreateLayer(ctx, store.Change{}, "typed", "exclude", "test", []store.LayerFeature{{Geom: g, Attributes: attrs}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = st.LayerFeatures(context.Background(), l.ID, func(f store.StoredFeature) error {
		n++
		check("layer feature", f.Attributes)
		if f.AreaM2 <= 0 {
			t.Errorf("layer feature area = %v", f.AreaM2)
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Fatalf("layer features: %d, %v", n, err)
	}
}
