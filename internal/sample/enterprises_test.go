package sample_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/evaluation"
	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// TestSampleEnterprises: the first start writes two years of illustrative
// enterprises, about seven in eight placed in the sample's zones, and says
// how long the whole sample took.
func TestSampleEnterprises(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	start := time.Now()
	if loaded, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil || !loaded {
		t.Fatalf("LoadOnce: %v %v", loaded, err)
	}
	t.Logf("sample loaded in %v", time.Since(start).Round(time.Millisecond))
	ys, err := st.EnterpriseYears(ctx)
	if err != nil || len(ys) != len(sample.EnterpriseYears) {
		t.Fatalf("years: %+v %v", ys, err)
	}
	for _, y := range ys {
		if y.Enterprises != sample.EnterpriseCount || y.Unplaced > y.Enterprises/5 || y.Unplaced < y.Enterprises/16 {
			t.Errorf("%d: %d enterprises, %d outside every zone", y.Year, y.Enterprises, y.Unplaced)
		}
	}
}

// TestSampleParcels: the sample's parcels look like a 亩均 table's over real
// zones: inside the zones, none overlapping another or the vacant land, each
// of its enterprise's land, a zone's enterprises holding at most 70 % of it;
// the same parcel and code both years; a few straddle two zones; and the
// evaluation classes in the usual proportions.
func TestSampleParcels(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	if loaded, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil || !loaded {
		t.Fatalf("LoadOnce: %v %v", loaded, err)
	}
	const zones = `(SELECT id, geom FROM zone WHERE scenario_id = 0 AND retired_at IS NULL)`
	for _, c := range []struct {
		what, sql string
		ok        func(float64) bool
	}{
		{"m² where two parcels of a year overlap", `SELECT coalesce(sum(ST_Area(ST_Intersection(a.parcel, b.parcel)::geography)), 0)
			FROM enterprise_year a JOIN enterprise_year b ON a.year = b.year AND a.id < b.id AND ST_Intersects(a.parcel, b.parcel)`,
			func(v float64) bool { return v < 1 }},
		{"parcels not within the zones, straddlers aside", `SELECT count(*) FROM enterprise_year e
			WHERE parcel IS NOT NULL AND NOT ST_CoveredBy(parcel, (SELECT ST_Union(geom) FROM ` + zones + ` z))
			AND (SELECT count(*) FROM ` + zones + ` z WHERE ST_Intersects(e.parcel, z.geom)) < 2`,
			func(v float64) bool { return v == 0 }},
		{"largest share of a parcel outside the zones", `SELECT max(ST_Area(ST_Difference(parcel, (SELECT ST_Union(geom) FROM ` + zones + ` z))) / ST_Area(parcel))
			FROM enterprise_year WHERE parcel IS NOT NULL`,
			func(v float64) bool { return v <= 0.1 }},
		{"parcels whose area is not their land within 1 %", `SELECT count(*) FROM enterprise_year
			WHERE parcel IS NOT NULL AND abs(ellipsoidal_area(parcel) / 666.6666666667 - land_mu) > 0.01 * land_mu`,
			func(v float64) bool { return v == 0 }},
		{"parcels a year", `SELECT count(*) / 2 FROM enterprise_year WHERE parcel IS NOT NULL`,
			func(v float64) bool { return v > 0.8*sample.EnterpriseCount }},
		{"largest share of a zone held by its enterprises", `SELECT max(held / ellipsoidal_area(z.geom)) FROM ` + zones + ` z
			JOIN (SELECT z.id, sum(ST_Area(ST_Intersection(e.parcel, z.geom)::geography)) AS held
				FROM ` + zones + ` z JOIN enterprise_year e ON e.year = 2025 AND ST_Intersects(e.parcel, z.geom) GROUP BY z.id) h ON h.id = z.id`,
			func(v float64) bool { return v > 0.3 && v <= 0.7 }},
		{"enterprises' land over the zones' area", `SELECT (SELECT sum(ellipsoidal_area(parcel)) FROM enterprise_year WHERE year = 2025)
			/ (SELECT ST_Area(ST_Union(geom)::geography) FROM ` + zones + ` z)`,
			func(v float64) bool { return v > 0.4 && v <= 0.7 }},
		{"2025 enterprises without the parcel and code of 2024", `SELECT count(*) FROM enterprise_year b
			WHERE b.year = 2025 AND NOT EXISTS (SELECT FROM enterprise_year a WHERE a.year = 2024 AND a.credit_code = b.credit_code
				AND a.name = b.name AND (a.parcel IS NULL AND b.parcel IS NULL OR ST_Equals(a.parcel, b.parcel)))`,
			func(v float64) bool { return v == 0 }},
		{"parcels across a zone's edge into another", `SELECT count(*) FROM enterprise_year e WHERE e.year = 2025 AND parcel IS NOT NULL
			AND NOT EXISTS (SELECT FROM ` + zones + ` z WHERE ST_CoveredBy(e.parcel, z.geom))`,
			func(v float64) bool { return v >= 1 && v <= 8 }},
		{"parcels in two zones", `SELECT count(*) FROM enterprise_year e WHERE e.year = 2025 AND (SELECT count(*) FROM ` + zones + ` z
			WHERE ST_Intersects(e.parcel, z.geom) AND ST_Area(ST_Intersection(e.parcel, z.geom)) > 0) > 1`,
			func(v float64) bool { return v >= 1 && v <= 30 }},
		{"parcels touching the vacant land", `SELECT count(*) FROM enterprise_year e JOIN constraint_feature f ON ST_Intersects(e.parcel, f.geom)
			JOIN constraint_layer l ON l.id = f.layer_id AND l.kind = 'vacant'`,
			func(v float64) bool { return v == 0 }},
		{"median land of 规上 over 规下", `SELECT (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY land_mu) FROM enterprise_year WHERE year = 2025 AND scale = '规上')
			/ (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY land_mu) FROM enterprise_year WHERE year = 2025 AND scale = '规下')`,
			func(v float64) bool { return v > 1.5 }},
		{"largest land over the median", `SELECT max(land_mu) / percentile_cont(0.5) WITHIN GROUP (ORDER BY land_mu) FROM enterprise_year WHERE year = 2025`,
			func(v float64) bool { return v > 10 }},
	} {
		v := queryFloat(t, pool, c.sql)
		t.Logf("%s: %.4g", c.what, v)
		if !c.ok(v) {
			t.Errorf("%s: %g", c.what, v)
		}
	}
	for _, y := range sample.EnterpriseYears {
		es, err := st.EvaluationEnterprises(ctx, y)
		if err != nil {
			t.Fatal(err)
		}
		last, err := st.EvaluationEnterprises(ctx, y-1)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := evaluation.Evaluate(evaluation.DefaultScheme(), es, last)
		if err != nil {
			t.Fatal(err)
		}
		n := map[evaluation.Class]float64{}
		for _, r := range ev.Results {
			n[r.Class]++
		}
		share := func(c evaluation.Class) float64 { return n[c] / float64(len(ev.Results)) }
		t.Logf("%d: A %.1f %%, B %.1f %%, C %.1f %%, D %.1f %%, T %.1f %%", y,
			100*share("A"), 100*share("B"), 100*share("C"), 100*share("D"), 100*share("T"))
		if share("T") >= 0.1 || share("A") < 0.1 || share("A") > 0.3 || share("D") < 0.02 || share("D") > 0.1 || share("C") < share("D") {
			t.Errorf("%d: implausible classes %v of %d", y, n, len(ev.Results))
		}
	}
}

// TestSampleVacantLand: the sample's vacant layer (闲置土地（示意）) is
// marked illustrative, lies in zones and counts in platforms' low-efficiency
// land, not in the developable area.
func TestSampleVacantLand(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if loaded, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil || !loaded {
		t.Fatalf("LoadOnce: %v %v", loaded, err)
	}
	ls, err := st.ListLayers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range ls {
		if l.Name == sample.VacantLayer {
			found = l.Kind == "vacant" && l.Features == sample.VacantCount && strings.Contains(l.Source, "示例数据")
		}
	}
	if !found {
		t.Fatalf("no vacant layer of %d illustrative features: %+v", sample.VacantCount, ls)
	}
	vs, err := st.VacantFeatures(ctx, "")
	if err != nil || len(vs) != sample.VacantCount || vs[0].County == "" || vs[0].AreaMu < 4 || vs[0].AreaMu > 81 {
		t.Fatalf("vacant features: %d %v %+v", len(vs), err, vs[0])
	}
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	land, err := st.VacantLand(ctx, ids)
	if err != nil || len(land) < 3 {
		t.Fatalf("vacant land in %d of %d platforms: %v", len(land), len(ps), err)
	}
}

func queryFloat(t *testing.T, pool *pgxpool.Pool, sql string) float64 {
	t.Helper()
	var v float64
	if err := pool.QueryRow(context.Background(), `SELECT (`+sql+`)::float8`).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}
