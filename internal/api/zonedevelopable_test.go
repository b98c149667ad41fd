package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

type zoneDev struct {
	ZoneID      int64                  `json:"zone_id"`
	ZoneVersion int                    `json:"zone_version"`
	Gross       store.Area             `json:"gross"`
	Layers      []store.LayerDeduction `json:"layers"`
	Deductions  []struct {
		Kind     string     `json:"kind"`
		LayerIDs []int64    `json:"layer_ids"`
		Layers   []string   `json:"layers"`
		Area     store.Area `json:"area"`
	} `json:"deductions"`
	Deducted    store.Area `json:"deducted"`
	Developable store.Area `json:"developable"`
}

// GET /zones/{id}/developable is the platform report's engine run on one
// zone: its developable area and deductions add up to its gross area, and a
// zone alone in a platform has exactly that platform's developable figure.
// The zone's draft while editing (POST /zones/{id}/preview) has the same
// figures for the same geometry.
func TestZoneDevelopable(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	by := store.Change{Actor: "editor1"}
	z, p := developableFixture(t, e)

	get := func(id int64) (resp, zoneDev) {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/v1/zones/" + itoa(id) + "/developable", role: "viewer"})
		var d zoneDev
		if r.status == http.StatusOK {
			if err := json.Unmarshal(r.body, &d); err != nil {
				t.Fatal(err)
			}
		}
		return r, d
	}
	r, d := get(z.ID)
	if r.status != http.StatusOK || d.ZoneID != z.ID || d.ZoneVersion != z.Version {
		t.Fatalf("developable: %d %s", r.status, r.body)
	}
	wantKinds := []string{"outside_include:城镇开发边界", "exclude:永久基本农田", "exclude:生态保护红线"}
	if len(d.Deductions) != len(wantKinds) {
		t.Fatalf("deductions %+v, want %v", d.Deductions, wantKinds)
	}
	sum := d.Developable.M2
	for i, x := range d.Deductions {
		if got := x.Kind + ":" + x.Layers[0]; got != wantKinds[i] || len(x.LayerIDs) != 1 || x.Area.M2 <= 100 {
			t.Errorf("deduction %d: %s %v of %.2f m², want %s and some land", i, got, x.LayerIDs, x.Area.M2, wantKinds[i])
		}
		sum += x.Area.M2
	}
	if !near(sum, d.Gross.M2) || !near(d.Developable.M2+d.Deducted.M2, d.Gross.M2) || d.Developable.M2 < 1000 {
		t.Errorf("developable %.6f + deductions = %.6f m², gross %.6f m²", d.Developable.M2, sum, d.Gross.M2)
	}
	if !near(d.Gross.Mu, d.Gross.M2*3/2000) || !near(d.Developable.Mu, d.Developable.M2*3/2000) {
		t.Errorf("mu: gross %+v developable %+v", d.Gross, d.Developable)
	}

	// Alone in its platform, the zone's figures are the platform's.
	rep, err := e.st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Developable != rep.Developable || d.Gross != rep.Gross || d.Deducted != rep.Deducted || len(d.Layers) != len(rep.Layers) {
		t.Errorf("zone: gross %+v developable %+v; platform report: gross %+v developable %+v",
			d.Gross, d.Developable, rep.Gross, rep.Developable)
	}
	for i := range min(len(d.Layers), len(rep.Layers)) {
		if d.Layers[i] != rep.Layers[i] {
			t.Errorf("layer %d: zone %+v, platform %+v", i, d.Layers[i], rep.Layers[i])
		}
	}
	// The deductions are the land the map hatches for each reason.
	land, err := e.st.DevelopableLand(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(land.Deducted) != len(d.Deductions) || !near(land.Area.M2, d.Developable.M2) {
		t.Fatalf("map: %d deductions, developable %.4f m²", len(land.Deducted), land.Area.M2)
	}
	for i, x := range land.Deducted {
		if diff := x.Area.M2 - d.Deductions[i].Area.M2; diff > 1e-6*d.Gross.M2 || -diff > 1e-6*d.Gross.M2 {
			t.Errorf("%s: map %.6f m², zone answer %.6f m²", x.Reason, x.Area.M2, d.Deductions[i].Area.M2)
		}
	}

	// The preview of the zone's own geometry gives the same figures.
	body, err := json.Marshal(geojson.NewGeometry(square()))
	if err != nil {
		t.Fatal(err)
	}
	pr := e.do(req{method: "POST", path: "/api/v1/zones/" + itoa(z.ID) + "/preview", role: "editor", body: string(body)})
	var pv struct {
		Zone *zoneDev `json:"zone"`
	}
	if err := json.Unmarshal(pr.body, &pv); err != nil || pr.status != http.StatusOK || pv.Zone == nil {
		t.Fatalf("preview: %d %v %s", pr.status, err, pr.body)
	}
	if pv.Zone.ZoneID != z.ID || pv.Zone.Developable != d.Developable || len(pv.Zone.Deductions) != len(d.Deductions) {
		t.Errorf("preview's zone: %+v, want %+v", pv.Zone, d)
	}
	// An invalid draft has no figures of its own.
	bow := `{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.42],[119.88,28.40],[119.86,28.42],[119.86,28.40]]]}`
	pr = e.do(req{method: "POST", path: "/api/v1/zones/" + itoa(z.ID) + "/preview", role: "editor", body: bow})
	if m := pr.json(t); pr.status != http.StatusOK || m["valid"] != false || m["zone"] != nil {
		t.Errorf("invalid draft: %d %s", pr.status, pr.body)
	}

	// Outside the development boundary nothing is developable.
	free, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("township"), Name: ptr("远处"), CountyAdcode: ptr("331102"),
		Geom: orb.MultiPolygon{box(119.5, 28.0, 119.51, 28.01)}}, by)
	if err != nil {
		t.Fatal(err)
	}
	if r, d := get(free.ID); r.status != http.StatusOK || d.Developable.M2 != 0 || d.Gross.M2 < 1e6 ||
		d.Deductions[0].Area != d.Gross || d.Deductions[1].Area.M2 != 0 || d.Deductions[2].Area.M2 != 0 {
		t.Errorf("zone outside every layer: %d %s", r.status, r.body)
	}

	if r := e.do(req{method: "GET", path: "/api/v1/zones/" + itoa(z.ID) + "/developable"}); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", r.status)
	}
	if r, _ := get(999999); r.status != http.StatusNotFound {
		t.Errorf("unknown zone: %d, want 404", r.status)
	}
	if err := e.st.RetireZone(ctx, free.ID, free.Version, by); err != nil {
		t.Fatal(err)
	}
	if r, _ := get(free.ID); r.status != http.StatusGone {
		t.Errorf("retired zone: %d %s, want 410", r.status, r.body)
	}
}
