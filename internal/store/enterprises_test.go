package store_test

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/evaluation"
	"wanmu/internal/store"
)

func enterprise(year int, code, name string, land float64) store.EnterpriseRecord {
	return store.EnterpriseRecord{Enterprise: evaluation.Enterprise{Year: year, CreditCode: code, Name: name,
		County: "331102", Scale: evaluation.Above, LandMu: &land}}
}

// Valid codes (GB 32100-2015 check characters).
const (
	codeA = "91110000802100433B"
	codeB = "91440300708461136T"
	codeC = "11100000000013127D"
	codeD = "91331100MA27U0CH24"
)

// TestEnterprises: a parcel straddling two zones gets two placements whose
// shares are the PostGIS areas inside each (adding to 1), a point the zone
// holding it, one outside every zone none (listed as unplaced); a second
// import of a year replaces its codes only, and years stay side by side.
func TestEnterprises(t *testing.T) {
	st, ctx := newStore(t)
	west := mustZone(t, st, "西区", rect(119.90, 28.40, 119.92, 28.42))
	east := mustZone(t, st, "东区", rect(119.92, 28.40, 119.94, 28.42))
	p := mustPlatform(t, st, "平台", west.ID)

	straddle := enterprise(2024, codeA, "跨区企业", 30)
	straddle.Parcel = rect(119.915, 28.405, 119.925, 28.41) // half in each (not quite: the halves differ on the ellipsoid by little)
	straddle.SourceRow = 2
	point := enterprise(2024, codeB, "点企业", 10)
	point.Location = &orb.Point{119.93, 28.41}
	point.SourceRow = 3
	outside := enterprise(2024, codeC, "区外企业", 5)
	outside.Location = &orb.Point{119.80, 28.30}
	outside.SourceRow = 4
	nowhere := enterprise(2024, codeD, "无位置企业", 0)
	nowhere.SourceRow = 5
	nowhere.Tax = evaluation.F(12.5)

	res, err := st.ReplaceEnterprises(ctx, 2024, []store.EnterpriseRecord{straddle, point, outside, nowhere}, "job1", "ann")
	if err != nil || res.Written != 4 || res.Replaced != 0 {
		t.Fatalf("replace: %+v %v", res, err)
	}

	all, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024})
	if err != nil || len(all) != 4 {
		t.Fatalf("list: %d %v", len(all), err)
	}
	got := map[string]store.EnterpriseRecord{}
	for _, e := range all {
		got[e.CreditCode] = e
	}
	// The shares against PostGIS's own areas of the parts.
	var wantWest, wantEast float64
	if err := st.Pool().QueryRow(ctx, `
		WITH p AS (SELECT parcel FROM enterprise_year WHERE credit_code = $1)
		SELECT ST_Area(ST_Intersection(p.parcel, w.geom)::geography) / ST_Area(p.parcel::geography),
		       ST_Area(ST_Intersection(p.parcel, e.geom)::geography) / ST_Area(p.parcel::geography)
		FROM p, zone w, zone e WHERE w.id = $2 AND e.id = $3 AND w.scenario_id = 0 AND e.scenario_id = 0`,
		codeA, west.ID, east.ID).Scan(&wantWest, &wantEast); err != nil {
		t.Fatal(err)
	}
	s := got[codeA].Placements
	if len(s) != 2 {
		t.Fatalf("straddling parcel: placements %+v", s)
	}
	shares := map[int64]float64{}
	for _, pl := range s {
		shares[pl.ZoneID] = pl.Share
	}
	if math.Abs(shares[west.ID]-wantWest) > 1e-12 || math.Abs(shares[east.ID]-wantEast) > 1e-12 ||
		math.Abs(shares[west.ID]+shares[east.ID]-1) > 1e-9 || shares[west.ID] < 0.4 || shares[west.ID] > 0.6 {
		t.Errorf("shares %v, want west %v east %v summing to 1", shares, wantWest, wantEast)
	}
	for _, pl := range s {
		if (pl.ZoneID == west.ID) != (pl.PlatformID != nil && *pl.PlatformID == p.ID) {
			t.Errorf("placement %+v: the platform is %d's only", pl, west.ID)
		}
	}
	if pl := got[codeB].Placements; len(pl) != 1 || pl[0].ZoneID != east.ID || pl[0].Share != 1 {
		t.Errorf("point: %+v", pl)
	}
	if got[codeD].Tax == nil || *got[codeD].Tax != 12.5 || got[codeD].Revenue != nil {
		t.Errorf("figures: tax %v revenue %v (a missing figure stays nil)", got[codeD].Tax, got[codeD].Revenue)
	}

	un, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024, Unplaced: true})
	if err != nil || len(un) != 2 || un[0].CreditCode != codeC || un[1].CreditCode != codeD {
		t.Fatalf("unplaced: %+v %v", un, err)
	}
	inPlatform, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024, PlatformID: p.ID})
	if err != nil || len(inPlatform) != 1 || inPlatform[0].CreditCode != codeA {
		t.Fatalf("platform: %+v %v", inPlatform, err)
	}
	inEast, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024, ZoneID: east.ID})
	if err != nil || len(inEast) != 2 {
		t.Fatalf("zone: %d %v", len(inEast), err)
	}
	page, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024, After: all[1].ID, Limit: 1})
	if err != nil || len(page) != 1 || page[0].ID != all[2].ID {
		t.Fatalf("page: %+v %v", page, err)
	}

	// 2025 beside 2024; then 2024 again for one code: only it is replaced.
	if _, err := st.ReplaceEnterprises(ctx, 2025, []store.EnterpriseRecord{enterprise(2025, codeA, "跨区企业", 31)}, "job2", "ann"); err != nil {
		t.Fatal(err)
	}
	again := enterprise(2024, codeB, "点企业（更正）", 11)
	res, err = st.ReplaceEnterprises(ctx, 2024, []store.EnterpriseRecord{again}, "job3", "bob")
	if err != nil || res.Replaced != 1 || res.Written != 1 {
		t.Fatalf("replace again: %+v %v", res, err)
	}
	years, err := st.EnterpriseYears(ctx)
	if err != nil || len(years) != 2 || years[0].Year != 2025 || years[1].Year != 2024 || years[1].Enterprises != 4 ||
		years[1].Unplaced != 3 || years[1].LandMu != 30+11+5+0 {
		t.Fatalf("years: %+v %v", years, err)
	}
	ps, err := st.EnterprisePlacements(ctx, 2024)
	if err != nil || len(ps) != 2 {
		t.Fatalf("placements 2024: %+v %v", ps, err)
	}

	// A retired zone holds nobody.
	if err := st.RetireZone(ctx, east.ID, east.Version, store.Change{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := st.EnterprisePlacements(ctx, 2024); len(ps) != 1 || ps[0].ZoneID != west.ID {
		t.Errorf("after retiring the east zone: %+v", ps)
	}

	// Refusals: a duplicate code, a row of another year, a bad land figure
	// (the database's check); nothing of a refused call is written.
	dup := []store.EnterpriseRecord{enterprise(2026, codeA, "甲", 1), enterprise(2026, codeA, "乙", 2)}
	if _, err := st.ReplaceEnterprises(ctx, 2026, dup, "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("duplicate code: %v", err)
	}
	if _, err := st.ReplaceEnterprises(ctx, 2026, []store.EnterpriseRecord{enterprise(2025, codeA, "甲", 1)}, "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("another year: %v", err)
	}
	bad := []store.EnterpriseRecord{enterprise(2026, codeA, "甲", 1), enterprise(2026, codeB, "乙", -1)}
	if _, err := st.ReplaceEnterprises(ctx, 2026, bad, "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("negative land: %v", err)
	}
	if ys, _ := st.EnterpriseYears(ctx); len(ys) != 2 {
		t.Errorf("a refused import wrote: %+v", ys)
	}

	issues, err := st.CheckParcels(ctx, [][]byte{toWKB(t, rect(120, 28, 120.1, 28.1)), toWKB(t, orb.MultiPolygon{{{{120, 28}, {120.1, 28.1}, {120.1, 28}, {120, 28.1}, {120, 28}}}})})
	if err != nil || len(issues) != 1 || issues[0].Index != 1 || issues[0].Reason == "" {
		t.Errorf("check parcels: %+v %v", issues, err)
	}
}

func toWKB(t *testing.T, g orb.Geometry) []byte {
	t.Helper()
	b, err := wkb.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
