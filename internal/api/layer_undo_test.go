package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// TestLayerSwitchUndo: an administrator's PATCH of a layer's enabled flag
// is on their undo list, and POST /undo switches it back: the platform's
// developable figure is what it was, and the answer names the layer so
// the page reloads the layers. The same PATCH again changes nothing.
func TestLayerSwitchUndo(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("园"), CountyAdcode: ptr("331102"),
		Geom: orb.MultiPolygon{{{{119.60, 28.40}, {119.62, 28.40}, {119.62, 28.42}, {119.60, 28.42}, {119.60, 28.40}}}}}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("平台")}, []int64{z.ID}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	farm, _ := wkb.Marshal(orb.MultiPolygon{{{{119.60, 28.40}, {119.61, 28.40}, {119.61, 28.42}, {119.60, 28.42}, {119.60, 28.40}}}})
	l, _, err := e.st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "test", []store.LayerFeature{{Geom: farm}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	developable := func() float64 {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/v1/platforms/" + itoa(p.ID) + "/report", role: "viewer"})
		var rep struct {
			Developable struct {
				M2 float64 `json:"m2"`
			} `json:"developable"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &rep) != nil {
			t.Fatalf("report: %d %s", r.status, r.body)
		}
		return rep.Developable.M2
	}
	before := developable()
	patch := func(version int, enabled string) resp {
		return e.do(req{method: "PATCH", path: "/api/v1/layers/" + itoa(l.ID), role: "admin", body: `{"enabled":` + enabled + `}`,
			header: map[string]string{"If-Match": `"` + itoa(int64(version)) + `"`}})
	}
	if r := patch(l.Version, "false"); r.status != http.StatusOK {
		t.Fatalf("switch off: %d %s", r.status, r.body)
	}
	off := developable()
	if !(off > before) {
		t.Fatalf("switching the farmland off left developable at %.1f (was %.1f)", off, before)
	}
	if r := patch(l.Version+1, "false"); r.status != http.StatusOK || r.header.Get("ETag") != `"`+itoa(int64(l.Version+1))+`"` {
		t.Fatalf("the same switch again: %d %s %s, want 200 and the version unchanged", r.status, r.header.Get("ETag"), r.body)
	}
	r := e.do(req{method: "POST", path: "/api/v1/undo", role: "admin", body: `{}`})
	var res struct {
		Layers []int64 `json:"layers"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &res) != nil || len(res.Layers) != 1 || res.Layers[0] != l.ID {
		t.Fatalf("undo: %d %s, want 200 naming layer %d", r.status, r.body, l.ID)
	}
	if got := developable(); got != before {
		t.Fatalf("after undo: developable %.6f, want %.6f", got, before)
	}
}
