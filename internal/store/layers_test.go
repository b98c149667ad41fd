package store_test

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/store"
)

// TestLayerLoadNamesFeaturesWithoutArea: a feature that encloses no area,
// even once repaired (here a "polygon" whose corners lie on one line), is
// left out of the layer and named in the load report, not dropped silently.
func TestLayerLoadNamesFeaturesWithoutArea(t *testing.T) {
	st, ctx := newStore(t)
	var fs []store.LayerFeature
	for _, p := range []orb.Polygon{
		{{{119.90, 28.40}, {119.91, 28.40}, {119.91, 28.41}, {119.90, 28.40}}},
		{{{119.92, 28.40}, {119.93, 28.40}, {119.94, 28.40}, {119.92, 28.40}}}, // a line
		{{{119.95, 28.40}, {119.96, 28.40}, {119.96, 28.41}, {119.95, 28.40}}},
	} {
		b, err := wkb.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, store.LayerFeature{Geom: b})
	}
	l, rep, err := st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "test", fs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Features != 2 || !slices.Equal(rep.Empty, []int{2}) || rep.Repaired != 1 {
		t.Errorf("layer of %d features, report %+v; want 2 features, feature 2 left out, 1 repair", l.Features, rep)
	}
}
