package api_test

import (
	"math"
	"net/http"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/geodesy"
)

// POST /measure/length measures a line segment by segment on the ellipsoid.
// Along the central meridian Gauss-Kruger X is the meridian arc itself
// (scale 1), so a segment there must equal the difference of the X values.
func TestMeasureLength(t *testing.T) {
	e := newEnv(t, api.Options{})
	x0, _ := geodesy.ToEPSG4549(120, 28.40)
	x1, _ := geodesy.ToEPSG4549(120, 28.41)
	x2, _ := geodesy.ToEPSG4549(120, 28.43)
	for _, body := range []string{
		`{"type":"LineString","coordinates":[[120,28.40],[120,28.41],[120,28.43]]}`,
		`{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[120,28.40],[120,28.41],[120,28.43]]}}`,
	} {
		r := e.do(req{method: "POST", path: "/api/v1/measure/length", role: "viewer", body: body})
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", body, r.status, r.body)
		}
		m := r.json(t)
		segs, _ := m["segments_m"].([]any)
		if len(segs) != 2 {
			t.Fatalf("segments %v", m["segments_m"])
		}
		for i, want := range []float64{x1 - x0, x2 - x1} {
			if got := segs[i].(float64); math.Abs(got-want) > 0.001 {
				t.Errorf("segment %d: %.4f m, meridian arc %.4f m", i, got, want)
			}
		}
		if got := m["length_m"].(float64); math.Abs(got-(x2-x0)) > 0.002 {
			t.Errorf("length %.4f m, meridian arc %.4f m", got, x2-x0)
		}
	}
	for _, body := range []string{
		`{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]]}`,
		`{"type":"LineString","coordinates":[[120,28.40]]}`,
		`{"type":"LineString","coordinates":[[120,28.40],[120,91]]}`,
		`{"type":"LineString","coordinates":"x"}`,
	} {
		if r := e.do(req{method: "POST", path: "/api/v1/measure/length", role: "viewer", body: body}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", body, r.status, r.body)
		}
	}
}
