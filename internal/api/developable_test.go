package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// GET /platforms/{id}/developable draws the report: its developable feature
// has the report's developable area and its deduction features, one per
// reason, add up to the report's deducted area.
func TestDevelopableLand(t *testing.T) {
	e := newEnv(t, api.Options{})
	_, p := developableFixture(t, e)

	path := "/api/v1/platforms/" + itoa(p.ID)
	r := e.do(req{method: "GET", path: path + "/developable", role: "viewer"})
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/geo+json; charset=utf-8" {
		t.Fatalf("developable: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
			Properties struct {
				Kind   string   `json:"kind"`
				Layer  string   `json:"layer"`
				Layers []string `json:"layers"`
				AreaM2 float64  `json:"area_m2"`
				AreaMu float64  `json:"area_mu"`
				AreaHa float64  `json:"area_ha"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(r.body, &fc); err != nil {
		t.Fatal(err)
	}
	rep := e.do(req{method: "GET", path: path + "/report", role: "viewer"})
	var report store.Report
	if err := json.Unmarshal(rep.body, &report); err != nil || rep.status != http.StatusOK {
		t.Fatalf("report: %d %v %s", rep.status, err, rep.body)
	}

	var dev, ded store.Area
	var kinds []string
	for _, f := range fc.Features {
		pr := f.Properties
		if f.Geometry.Type != "MultiPolygon" || pr.AreaM2 <= 0 {
			t.Errorf("%s: %s of %f m²", pr.Kind, f.Geometry.Type, pr.AreaM2)
		}
		if !near(pr.AreaMu, pr.AreaM2*3/2000) || !near(pr.AreaHa, pr.AreaM2/10000) {
			t.Errorf("%s: %f m² is not %f mu, %f ha", pr.Kind, pr.AreaM2, pr.AreaMu, pr.AreaHa)
		}
		kinds = append(kinds, pr.Kind+":"+pr.Layer)
		sum := &ded
		if pr.Kind == "developable" {
			sum = &dev
		}
		sum.M2, sum.Mu, sum.Ha = sum.M2+pr.AreaM2, sum.Mu+pr.AreaMu, sum.Ha+pr.AreaHa
	}
	want := []string{"developable:", "outside_include:", "exclude:永久基本农田", "exclude:生态保护红线"}
	if len(kinds) != len(want) {
		t.Fatalf("features %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("feature %d is %s, want %s", i, kinds[i], want[i])
		}
	}
	if l := fc.Features[1].Properties.Layers; len(l) != 1 || l[0] != "城镇开发边界" {
		t.Errorf("outside_include layers %v", l)
	}
	for _, c := range []struct {
		what      string
		got, want store.Area
	}{{"developable", dev, report.Developable}, {"deducted", ded, report.Deducted}} {
		if !near(c.got.M2, c.want.M2) || !near(c.got.Mu, c.want.Mu) || !near(c.got.Ha, c.want.Ha) {
			t.Errorf("%s: features %+v, report %+v", c.what, c.got, c.want)
		}
	}
	if report.Deducted.M2 < 1000 || report.Developable.M2 < 1000 {
		t.Errorf("the fixture should both deduct and leave land: %+v", report)
	}

	if r := e.do(req{method: "GET", path: path + "/developable"}); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", r.status)
	}
	if r := e.do(req{method: "GET", path: "/api/v1/platforms/999999/developable", role: "viewer"}); r.status != http.StatusNotFound {
		t.Errorf("unknown platform: %d, want 404", r.status)
	}
}

// near is equality within 1e-6 relative.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b))
}

// developableFixture is a platform of one zone, 甲园区 (square()), that
// three constraint layers cut into: the development boundary leaves out the
// square's east strip; farmland and the red line overlap each other inside
// it.
func developableFixture(t *testing.T, e *env) (store.Zone, store.Platform) {
	t.Helper()
	ctx := context.Background()
	by := store.Change{Actor: "editor1"}
	z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲园区"), CountyAdcode: ptr("331102"), Geom: square()}, by)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("用地平台")}, []int64{z.ID}, by)
	if err != nil {
		t.Fatal(err)
	}
	layer := func(name, kind string, rings ...orb.Polygon) {
		t.Helper()
		var fs []store.LayerFeature
		for _, r := range rings {
			b, err := wkb.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, store.LayerFeature{Geom: b})
		}
		if _, _, err := e.st.CreateLayer(ctx, store.Change{}, name, kind, "test", fs, nil); err != nil {
			t.Fatal(err)
		}
	}
	layer("城镇开发边界", "include", box(119.85, 28.39, 119.875, 28.43))
	layer("永久基本农田", "exclude", box(119.855, 28.405, 119.865, 28.415))
	layer("生态保护红线", "exclude", box(119.862, 28.41, 119.87, 28.418), box(119.87, 28.401, 119.872, 28.403))
	return z, p
}

func box(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}
