package store_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/geodata"
	"wanmu/internal/geodesy"
	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/synth"
)

// relNear fails unless got is within rel of want (relative), or 1e-6 m² of
// it when want is zero.
func relNear(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	tolNear(t, what, got, want, math.Max(rel*math.Abs(want), 1e-6))
}

func tolNear(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f m², want %.6f (relative %.2g)", what, got, want, (got-want)/want)
	}
}

func mustWKB(t *testing.T, b []byte) orb.MultiPolygon {
	t.Helper()
	g, err := wkb.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		t.Fatalf("geometry is %T, want MultiPolygon", g)
	}
	return mp
}

// checkAgainstReport: the developable geometry measures what the report
// says, and the deductions add up to gross − developable without overlap.
func checkAgainstReport(t *testing.T, st *store.Store, ctx context.Context, platformID int64) store.DevelopableLand {
	t.Helper()
	r, err := st.Report(ctx, platformID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.DevelopableLand(ctx, platformID)
	if err != nil {
		t.Fatal(err)
	}
	// Relative to the figure, or to the platform where the figure is the
	// float residue of equal areas (all excluded: the report's few cm²).
	tol := math.Max(1e-6*r.Developable.M2, 1e-8*r.Gross.M2)
	tolNear(t, r.Name+" developable", d.Area.M2, r.Developable.M2, tol)
	if d.Developable != nil {
		// The SQL area is the Go geodesy area of the geometry it returns.
		relNear(t, r.Name+" developable (geodesy)", geodesy.EllipsoidalAreaMulti(mustWKB(t, d.Developable)), d.Area.M2, 1e-6)
	}
	var ded float64
	for _, x := range d.Deducted {
		ded += x.Area.M2
	}
	tolNear(t, r.Name+" deducted", ded, r.Deducted.M2, math.Max(1e-6*r.Deducted.M2, 1e-8*r.Gross.M2))
	return d
}

func TestDevelopableLand(t *testing.T) {
	st, ctx := newStore(t)
	a := mustZone(t, st, "A", drect(119.80, 28.30, 119.84, 28.33))
	b := mustZone(t, st, "B", drect(119.85, 28.30, 119.87, 28.32))
	c := mustZone(t, st, "C (inside A)", drect(119.80, 28.30, 119.81, 28.31))
	p := mustPlatform(t, st, "P", a.ID, b.ID, c.ID)
	mustLayer(t, st, "城镇开发边界", "include", drect(119.80, 28.30, 119.83, 28.33), drect(119.85, 28.30, 119.87, 28.32))
	farm := mustLayer(t, st, "永久基本农田", "exclude", drect(119.81, 28.31, 119.82, 28.32), drect(119.815, 28.31, 119.825, 28.32))
	red := mustLayer(t, st, "生态保护红线", "exclude", drect(119.855, 28.30, 119.86, 28.31), drect(119.818, 28.315, 119.822, 28.318))
	mustLayer(t, st, "县域范围（示意）", "reference", drect(119.0, 28.0, 120.0, 29.0))

	d := checkAgainstReport(t, st, ctx, p.ID)
	if len(d.Deducted) != 3 || d.Deducted[0].Kind != "include" || d.Deducted[0].Reason != "不在城镇开发边界内" ||
		d.Deducted[1].Reason != "永久基本农田" || d.Deducted[2].Reason != "生态保护红线" ||
		d.Deducted[1].LayerIDs[0] != farm.ID || d.Deducted[2].LayerIDs[0] != red.ID {
		t.Fatalf("deducted = %+v", d.Deducted)
	}
	// Attribution follows report order: the red line's square inside the
	// farmland counts as farmland, so red line keeps only its own square.
	relNear(t, "outside include", d.Deducted[0].Area.M2, geodesy.EllipsoidalAreaMulti(drect(119.83, 28.30, 119.84, 28.33)), 1e-6)
	relNear(t, "farmland", d.Deducted[1].Area.M2, geodesy.EllipsoidalAreaMulti(drect(119.81, 28.31, 119.825, 28.32)), 1e-6)
	relNear(t, "red line", d.Deducted[2].Area.M2, geodesy.EllipsoidalAreaMulti(drect(119.855, 28.30, 119.86, 28.31)), 1e-6)
	if got := len(mustWKB(t, d.Developable)); got != 2 {
		t.Errorf("developable has %d parts, want 2 (one per platform part)", got)
	}

	// Without layers everything is developable; with all excluded nothing.
	ls, _ := st.ListLayers(ctx)
	for _, l := range ls {
		if _, err := st.SetLayerEnabled(ctx, l.ID, l.Version, false, store.Change{}); err != nil {
			t.Fatal(err)
		}
	}
	d = checkAgainstReport(t, st, ctx, p.ID)
	if len(d.Deducted) != 0 {
		t.Errorf("no layers, deducted %+v", d.Deducted)
	}
	mustLayer(t, st, "全域", "exclude", drect(119.7, 28.2, 119.9, 28.4))
	if d = checkAgainstReport(t, st, ctx, p.ID); d.Developable != nil || d.Area.M2 != 0 {
		t.Errorf("all excluded: developable %v m²", d.Area.M2)
	}
}

// TestDevelopableLandSample checks every platform of the sample data.
func TestDevelopableLandSample(t *testing.T) {
	st, ctx := newStore(t)
	data, err := synth.ReadFS(geodata.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Load(ctx, st, data); err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil || len(ps) == 0 {
		t.Fatalf("platforms %d: %v", len(ps), err)
	}
	start := time.Now()
	for _, p := range ps {
		d := checkAgainstReport(t, st, ctx, p.ID)
		if d.Developable == nil {
			t.Errorf("%s: nothing developable", p.Name)
		}
	}
	t.Logf("%d platforms' developable land in %v", len(ps), time.Since(start))

	v, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := st.ListLayers(ctx)
	if v.Zones == 0 || v.IllustrativeZones != v.Zones || v.Platforms != len(ps) || v.ZoneRevision == 0 ||
		v.PlatformRevision == 0 || v.ZonesChangedAt.IsZero() || len(v.IllustrativeLayers) != len(ls) {
		t.Errorf("sample data version %+v (%d layers)", v, len(ls))
	}
}

// TestDevelopableDataVersion: the provenance of a deliverable.
func TestDevelopableDataVersion(t *testing.T) {
	st, ctx := newStore(t)
	v, err := st.DataVersion(ctx)
	if err != nil || v.Zones != 0 || v.ZoneRevision != 0 || len(v.IllustrativeLayers) != 0 {
		t.Fatalf("empty store: %+v, %v", v, err)
	}
	z := mustZone(t, st, "A", drect(119.80, 28.30, 119.84, 28.33))
	mustLayer(t, st, "红线", "exclude", drect(119.81, 28.31, 119.82, 28.32))
	v, err = st.DataVersion(ctx)
	if err != nil || v.Zones != 1 || v.IllustrativeZones != 0 || v.ZoneRevision == 0 || v.PlatformRevision != 0 || len(v.IllustrativeLayers) != 0 {
		t.Fatalf("one surveyed zone: %+v, %v", v, err)
	}
	f := zoneFields("B", drect(119.85, 28.30, 119.87, 28.32))
	f.Attributes = map[string]any{"illustrative": true}
	if _, err := st.CreateZone(ctx, f, store.Change{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	v2, err := st.DataVersion(ctx)
	if err != nil || v2.Zones != 2 || v2.IllustrativeZones != 1 || v2.ZoneRevision <= v.ZoneRevision || v2.ZonesChangedAt.Before(v.ZonesChangedAt) {
		t.Fatalf("after an illustrative zone: %+v, %v (zone %d)", v2, err, z.ID)
	}
}
