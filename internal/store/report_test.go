package store_test

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/geodesy"
	"wanmu/internal/store"
)

// drect is a densified rectangle: short edges keep PostGIS's geodesic edges
// and the survey formula's parallels within a ppm of each other.
func drect(w, s, e, n float64) orb.MultiPolygon { return densify(rect(w, s, e, n), 0.001) }

func areaMu(mp orb.MultiPolygon) float64 { return geodesy.Mu(geodesy.EllipsoidalAreaMulti(mp)) }

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if tol := math.Max(0.05, math.Abs(want)*5e-6); math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f mu, want %.4f (±%.3f)", what, got, want, tol)
	}
}

func TestReportFigures(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "A", drect(119.80, 28.30, 119.84, 28.33))
	b := mustZone(t, st, "B", drect(119.85, 28.30, 119.87, 28.32))
	c := mustZone(t, st, "C (inside A)", drect(119.80, 28.30, 119.81, 28.31))
	p := mustPlatform(t, st, "P", a.ID, b.ID, c.ID)
	mustLayer(t, st, "城镇开发边界", "include", drect(119.80, 28.30, 119.83, 28.33), drect(119.85, 28.30, 119.87, 28.32))
	mustLayer(t, st, "永久基本农田", "exclude", drect(119.81, 28.31, 119.82, 28.32), drect(119.815, 28.31, 119.825, 28.32))
	mustLayer(t, st, "生态保护红线", "exclude", drect(119.855, 28.30, 119.86, 28.31), drect(119.80, 28.40, 119.81, 28.41))
	mustLayer(t, st, "县域范围（示意）", "reference", drect(119.0, 28.0, 120.0, 29.0))

	r, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	gross := areaMu(drect(119.80, 28.30, 119.84, 28.33)) + areaMu(drect(119.85, 28.30, 119.87, 28.32))
	near(t, "gross", r.Gross.Mu, gross)
	near(t, "overlap", r.Overlap.Mu, areaMu(drect(119.80, 28.30, 119.81, 28.31)))
	if len(r.Layers) != 3 {
		t.Fatalf("layers = %+v, want include + 2 exclude (reference layers never count)", r.Layers)
	}
	outside := areaMu(drect(119.83, 28.30, 119.84, 28.33))
	farm := areaMu(drect(119.81, 28.31, 119.825, 28.32))
	red := areaMu(drect(119.855, 28.30, 119.86, 28.31))
	near(t, "include own", r.Layers[0].Own.Mu, outside)
	near(t, "include cumulative", r.Layers[0].Cumulative.Mu, outside)
	near(t, "farmland own", r.Layers[1].Own.Mu, farm)
	near(t, "farmland cumulative", r.Layers[1].Cumulative.Mu, outside+farm)
	near(t, "red line own", r.Layers[2].Own.Mu, red)
	near(t, "red line cumulative", r.Layers[2].Cumulative.Mu, outside+farm+red)
	near(t, "developable", r.Developable.Mu, gross-outside-farm-red)
	if r.Parts != 2 {
		t.Errorf("parts = %d, want 2", r.Parts)
	}
	// The parts are closest at their northern common latitude, 28.32°N.
	n1, e1 := geodesy.ToGaussKruger(119.84, 28.32, 120)
	n2, e2 := geodesy.ToGaussKruger(119.85, 28.32, 120)
	if gap := math.Hypot(n2-n1, e2-e1); math.Abs(r.LargestGapM-gap) > gap*0.002 {
		t.Errorf("largest gap = %.1f m, want ≈ %.1f m", r.LargestGapM, gap)
	}
	if r.Meets != (r.Developable.Mu >= 10000) || r.ThresholdMu != 10000 {
		t.Errorf("meets = %v for %.2f mu against %.0f", r.Meets, r.Developable.Mu, r.ThresholdMu)
	}
	if len(r.Definition.Include) != 1 || len(r.Definition.Exclude) != 2 || r.Definition.Text == "" {
		t.Errorf("definition = %+v", r.Definition)
	}
	if math.Abs(r.Developable.Ha*15-r.Developable.Mu) > 1e-6 || math.Abs(r.Developable.M2*0.0015-r.Developable.Mu) > 1e-6 {
		t.Errorf("units disagree: %+v", r.Developable)
	}

	// Switching the include layer off counts the whole platform again.
	ls, _ := st.ListLayers(ctx)
	if _, err := st.SetLayerEnabled(ctx, ls[0].ID, ls[0].Version, false, store.Change{}); err != nil {
		t.Fatal(err)
	}
	r2, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "developable without include layer", r2.Developable.Mu, gross-farm-red)
}

// TestReportLongEdges: areas read an edge as the straight line in longitude
// and latitude, as the survey formula does and as the overlays place the
// vertices they add. Read as geodesics, the long east-west edges of this L
// would make its area 0.9 mu smaller, and the report, which cuts the
// rectangle's 5 km edge in the middle, would disagree with it by as much.
func TestReportLongEdges(t *testing.T) {
	st, ctx := newStore(t)
	ell := orb.MultiPolygon{{{{119.80, 28.40}, {119.85, 28.40}, {119.85, 28.41}, {119.825, 28.41},
		{119.825, 28.42}, {119.80, 28.42}, {119.80, 28.40}}}}
	z := mustZone(t, st, "L", ell) // six vertices only
	got, err := st.GetZone(ctx, z.ID)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "zone area", geodesy.Mu(got.AreaM2), areaMu(ell))

	box := mustZone(t, st, "矩形", rect(119.80, 28.40, 119.85, 28.42))
	p := mustPlatform(t, st, "P", box.ID)
	mustLayer(t, st, "永久基本农田", "exclude", rect(119.825, 28.41, 119.86, 28.43))
	r, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "gross", r.Gross.Mu, areaMu(rect(119.80, 28.40, 119.85, 28.42)))
	near(t, "farmland own", r.Layers[0].Own.Mu, areaMu(rect(119.825, 28.41, 119.85, 28.42)))
	near(t, "developable", r.Developable.Mu, areaMu(ell))
}

func TestReportOfEmptyPlatform(t *testing.T) {
	st, ctx := newStore(t)
	p := mustPlatform(t, st, "空平台")
	r, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Gross.Mu != 0 || r.Developable.Mu != 0 || r.Meets || r.Shortfall.Mu != 10000 || r.Members != 0 {
		t.Fatalf("empty report = %+v", r)
	}
}

// A platform of 9,999.99 mu falls short; one of 10,000.00 mu meets.
func TestThresholdEdge(t *testing.T) {
	for _, tt := range []struct {
		mu    float64
		meets bool
	}{{9999.99, false}, {10000.00, true}, {10000.01, true}} {
		st, ctx := newStore(t)
		g := rectOfArea(t, st, ctx, tt.mu)
		z := mustZone(t, st, "edge", g)
		p := mustPlatform(t, st, "edge", z.ID)
		r, err := st.Report(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Meets != tt.meets {
			t.Errorf("developable %.6f mu: meets = %v, want %v", r.Developable.Mu, r.Meets, tt.meets)
		}
		if !tt.meets && math.Abs(r.Shortfall.Mu-(10000-r.Developable.Mu)) > 1e-9 {
			t.Errorf("shortfall %.6f for %.6f mu", r.Shortfall.Mu, r.Developable.Mu)
		}
	}
}

// rectOfArea finds, with PostGIS as the judge, a rectangle whose area is
// target mu to within 0.001 mu (and not below it).
func rectOfArea(t *testing.T, st *store.Store, ctx context.Context, target float64) orb.MultiPolygon {
	t.Helper()
	w, s, n := 119.80, 28.30, 28.33
	measure := func(width float64) float64 {
		b, _ := wkb.Marshal(rect(w, s, w+width, n))
		a, _, err := st.Measure(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		return a.Mu
	}
	width := 0.03
	for range 6 {
		got := measure(width)
		if got >= target && got-target < 0.001 {
			return rect(w, s, w+width, n)
		}
		width *= (target + 0.0004) / got
	}
	t.Fatalf("no rectangle of %.2f mu found", target)
	return nil
}

// An exclude layer over the whole platform leaves nothing: developable is
// zero but for the rounding of clipping one boundary into many parcels'
// (under 0.05 m², never below zero), and the platform falls short.
func TestReportAllExcluded(t *testing.T) {
	st, ctx := newStore(t)
	var ring orb.Ring
	for i := 0; i <= 40; i++ { // an irregular 40-gon, so that the layer is cut into pieces
		a := 2 * math.Pi * float64(i%40) / 40
		r := 0.03 + 0.008*math.Sin(5*a)
		ring = append(ring, orb.Point{119.80 + r*math.Cos(a), 28.40 + r*math.Sin(a)})
	}
	a := mustZone(t, st, "甲", orb.MultiPolygon{{{{119.781, 28.391}, {119.80, 28.3833}, {119.8123, 28.40}, {119.80, 28.4177}, {119.781, 28.391}}}})
	b := mustZone(t, st, "乙", orb.MultiPolygon{{{{119.80, 28.3833}, {119.8191, 28.3911}, {119.8123, 28.40}, {119.80, 28.3833}}}})
	p := mustPlatform(t, st, "全被占", a.ID, b.ID)
	mustLayer(t, st, "城镇开发边界", "include", orb.MultiPolygon{{ring}})
	var cells []orb.MultiPolygon // parcels of farmland tiling the platform's box
	for x := 119.76; x < 119.84; x += 0.0037 {
		for y := 28.36; y < 28.44; y += 0.0041 {
			cells = append(cells, orb.MultiPolygon{{{{x, y}, {x + 0.0037, y}, {x + 0.0037, y + 0.0041}, {x, y + 0.0041}, {x, y}}}})
		}
	}
	mustLayer(t, st, "永久基本农田", "exclude", cells...)
	r, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Gross.M2 <= 0 || r.Developable.M2 < 0 || r.Developable.M2 > 0.05 || r.Deducted.M2 > r.Gross.M2 || r.Meets {
		t.Errorf("gross %.6f m², developable %g m², deducted %.6f m², meets %v", r.Gross.M2, r.Developable.M2, r.Deducted.M2, r.Meets)
	}
}
