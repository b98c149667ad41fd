package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/store"
)

// naiveDevelopableSQL is the developable area by the definition, the slow
// way: the platform P (union of its live members), cut to the union of the
// include layers $2 (unless none is given) and minus the union of every
// feature of the exclude layers $3 that intersects P, whole (not the
// subdivided pieces the report reads).
const naiveDevelopableSQL = `
	WITH p AS (
		SELECT ST_Union(z.geom) AS g FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
		WHERE pm.platform_id = $1 AND z.retired_at IS NULL
	), inc AS (
		SELECT ST_Union(f.geom) AS g FROM constraint_feature f, p
		WHERE f.layer_id = ANY($2) AND ST_Intersects(f.geom, p.g)
	), i AS (
		SELECT CASE WHEN cardinality($2::bigint[]) = 0 THEN p.g ELSE ST_Intersection(p.g, inc.g) END AS g FROM p, inc
	), exc AS (
		SELECT ST_Union(f.geom) AS g FROM constraint_feature f, p
		WHERE f.layer_id = ANY($3) AND ST_Intersects(f.geom, p.g)
	)
	SELECT coalesce(ellipsoidal_area(coalesce(ST_Difference(i.g, exc.g), i.g)), 0) FROM i, exc`

// naiveDevelopable runs naiveDevelopableSQL and returns m².
func naiveDevelopable(ctx context.Context, pool *pgxpool.Pool, platformID int64, include, exclude []int64) (float64, error) {
	var m2 float64
	if include == nil {
		include = []int64{}
	}
	if exclude == nil {
		exclude = []int64{}
	}
	err := pool.QueryRow(ctx, naiveDevelopableSQL, platformID, include, exclude).Scan(&m2)
	return m2, err
}

// naiveReport computes, with naiveDevelopableSQL only, the figures the
// report gives: gross, developable, and each enabled layer's own and
// cumulative deduction, in the report's order (include layers first, then
// exclude layers by id), all in m².
type naiveFigures struct {
	Gross, Developable float64
	Own, Cumulative    []float64
}

func naiveReport(ctx context.Context, pool *pgxpool.Pool, platformID int64) (naiveFigures, error) {
	var f naiveFigures
	rows, err := pool.Query(ctx, `SELECT id, kind FROM constraint_layer WHERE enabled AND kind <> 'reference' ORDER BY kind DESC, id`)
	if err != nil {
		return f, err
	}
	var include, exclude []int64
	for rows.Next() {
		var id int64
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return f, err
		}
		if kind == "include" {
			include = append(include, id)
		} else {
			exclude = append(exclude, id)
		}
	}
	if err := rows.Err(); err != nil {
		return f, err
	}
	dev := func(in, ex []int64) float64 {
		if err != nil {
			return 0
		}
		var m2 float64
		m2, err = naiveDevelopable(ctx, pool, platformID, in, ex)
		return m2
	}
	f.Gross = dev(nil, nil)
	for _, id := range include {
		f.Own = append(f.Own, f.Gross-dev([]int64{id}, nil))
	}
	included := dev(include, nil)
	for range include {
		f.Cumulative = append(f.Cumulative, f.Gross-included)
	}
	for k, id := range exclude {
		f.Own = append(f.Own, included-dev(include, []int64{id}))
		f.Cumulative = append(f.Cumulative, f.Gross-dev(include, exclude[:k+1]))
	}
	f.Developable = dev(include, exclude)
	return f, err
}

// compareNaive checks a report against naiveReport to within 0.01 mu.
func compareNaive(t *testing.T, ctx context.Context, st *store.Store, label string, platformID int64) {
	t.Helper()
	r, err := st.Report(ctx, platformID)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	n, err := naiveReport(ctx, st.Pool(), platformID)
	if err != nil {
		t.Fatalf("%s: naive: %v", label, err)
	}
	const tol = 0.01 // mu
	check := func(what string, got store.Area, wantM2 float64) {
		t.Helper()
		if want := store.AreaOf(wantM2).Mu; math.Abs(got.Mu-want) > tol {
			t.Errorf("%s: %s = %.4f mu, naive %.4f mu (Δ %.4f)", label, what, got.Mu, want, got.Mu-want)
		}
	}
	check("gross", r.Gross, n.Gross)
	check("developable", r.Developable, n.Developable)
	if len(r.Layers) != len(n.Own) {
		t.Fatalf("%s: %d layers in the report, %d enabled", label, len(r.Layers), len(n.Own))
	}
	for i, l := range r.Layers {
		check(l.Name+" own", l.Own, n.Own[i])
		check(l.Name+" cumulative", l.Cumulative, n.Cumulative[i])
	}
	t.Logf("%s: gross %.2f, developable %.2f mu, %d layers", label, r.Gross.Mu, r.Developable.Mu, len(r.Layers))
}

// wiggle is a star-shaped, hence simple, ring of n vertices around (lon,
// lat) with radius about r degrees of latitude, and an optional round hole
// of radius hole·r at the centre.
func wiggle(rng *rand.Rand, lon, lat, r float64, n int, hole float64) orb.Polygon {
	k := 1 / math.Cos(lat*math.Pi/180)
	ph1, ph2 := rng.Float64()*2*math.Pi, rng.Float64()*2*math.Pi
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := r * (1 + 0.15*math.Sin(5*a+ph1) + 0.05*math.Sin(17*a+ph2))
		ring = append(ring, orb.Point{lon + rr*k*math.Cos(a), lat + rr*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	p := orb.Polygon{ring}
	if hole > 0 {
		h := make(orb.Ring, 0, 33)
		for i := range 32 {
			a := -2 * math.Pi * float64(i) / 32
			h = append(h, orb.Point{lon + hole*r*k*math.Cos(a), lat + hole*r*math.Sin(a)})
		}
		p = append(p, append(h, h[0]))
	}
	return p
}

// farmMesh is a jittered grid of quadrilateral parcels over lon0…, lat0…:
// neighbours share edges exactly (touching parcels); some parcels have a
// hole, some are two-part, some are drawn twice or shifted onto their
// neighbours (overlapping parcels).
func farmMesh(rng *rand.Rand, lon0, lat0 float64, nx, ny int) []orb.MultiPolygon {
	const dx, dy = 0.0006, 0.0005
	v := make([][]orb.Point, nx+1)
	for i := range v {
		v[i] = make([]orb.Point, ny+1)
		for j := range v[i] {
			v[i][j] = orb.Point{lon0 + (float64(i)+0.4*(rng.Float64()-0.5))*dx, lat0 + (float64(j)+0.4*(rng.Float64()-0.5))*dy}
		}
	}
	cell := func(i, j int, shift orb.Point) orb.Ring {
		r := orb.Ring{v[i][j], v[i+1][j], v[i+1][j+1], v[i][j+1], v[i][j]}
		for k := range r {
			r[k] = orb.Point{r[k][0] + shift[0], r[k][1] + shift[1]}
		}
		return r
	}
	var out []orb.MultiPolygon
	n := 0
	for i := range nx {
		for j := range ny {
			if rng.Float64() > 0.6 {
				continue
			}
			n++
			p := orb.Polygon{cell(i, j, orb.Point{})}
			switch {
			case n%17 == 0: // a hole: the quadrilateral shrunk towards its centre
				c := orb.Point{}
				for _, q := range p[0][:4] {
					c[0] += q[0] / 4
					c[1] += q[1] / 4
				}
				h := orb.Ring{}
				for k := 3; k >= 0; k-- {
					q := p[0][k]
					h = append(h, orb.Point{c[0] + 0.35*(q[0]-c[0]), c[1] + 0.35*(q[1]-c[1])})
				}
				p = append(p, append(h, h[0]))
			case n%23 == 0 && i+2 < nx: // two parts, the second maybe also a parcel of its own
				out = append(out, orb.MultiPolygon{p, {cell(i+2, j, orb.Point{})}})
				continue
			case n%29 == 0: // overlaps its neighbours
				out = append(out, orb.MultiPolygon{{cell(i, j, orb.Point{0.3 * dx, 0.25 * dy})}})
			}
			out = append(out, orb.MultiPolygon{p})
		}
	}
	return out
}

// The fast report (subdivided pieces, clipped where they cross) gives the
// naive figures (whole features, union, difference) to within 0.01 mu on
// platforms with holes, several parts, overlapping and touching members,
// parcels that touch, overlap, have holes and cross the platform's edge,
// large many-vertex red-line polygons cut into many pieces, a platform that
// meets no constraint feature and one without members, with the include
// layers on and off.
func TestReportMatchesNaive(t *testing.T) {
	st, ctx := newStore(t)
	rng := rand.New(rand.NewPCG(7, 2020))

	inc1 := mustLayer(t, st, "城镇开发边界", "include",
		orb.MultiPolygon{wiggle(rng, 119.912, 28.410, 0.007, 300, 0)},
		orb.MultiPolygon{{{{119.930, 28.405}, {119.940, 28.405}, {119.940, 28.415}, {119.930, 28.415}, {119.930, 28.405}},
			// a hole in the second polygon
			{{119.933, 28.408}, {119.933, 28.411}, {119.936, 28.411}, {119.936, 28.408}, {119.933, 28.408}}}})
	inc2 := mustLayer(t, st, "城镇开发边界（补充）", "include", drect(119.900, 28.414, 119.906, 28.420))
	mustLayer(t, st, "永久基本农田", "exclude", farmMesh(rng, 119.900, 28.400, 40, 40)...)
	mustLayer(t, st, "生态保护红线", "exclude",
		orb.MultiPolygon{wiggle(rng, 119.932, 28.412, 0.005, 1500, 0.3)},
		orb.MultiPolygon{wiggle(rng, 119.916, 28.418, 0.003, 800, 0)})
	mustLayer(t, st, "县域范围（示意）", "reference", drect(119.0, 28.0, 120.0, 29.0))

	z1 := mustZone(t, st, "Z1 有洞", orb.MultiPolygon{wiggle(rng, 119.908, 28.408, 0.004, 180, 0.3)})
	z2 := mustZone(t, st, "Z2 与 Z1 重叠", drect(119.911, 28.410, 119.918, 28.416))
	z4 := mustZone(t, st, "Z4 跨农田边缘", drect(119.921, 28.401, 119.927, 28.404))
	z3a := mustZone(t, st, "Z3a", drect(119.900, 28.415, 119.905, 28.419))
	z3b := mustZone(t, st, "Z3b 与 Z3a 相邻", drect(119.905, 28.415, 119.909, 28.4185))
	z5 := mustZone(t, st, "Z5 远离", drect(119.50, 28.00, 119.51, 28.01))
	z6 := mustZone(t, st, "Z6 跨红线", orb.MultiPolygon{wiggle(rng, 119.935, 28.410, 0.006, 240, 0)})
	z7 := mustZone(t, st, "Z7 两块", append(drect(119.9005, 28.4005, 119.9030, 28.4030), drect(119.9040, 28.4005, 119.9060, 28.4025)...))

	platforms := []store.Platform{
		mustPlatform(t, st, "A 多块、有洞、重叠", z1.ID, z2.ID, z4.ID),
		mustPlatform(t, st, "B 相邻", z3a.ID, z3b.ID),
		mustPlatform(t, st, "C 无约束要素", z5.ID),
		mustPlatform(t, st, "D 跨红线", z6.ID),
		mustPlatform(t, st, "E 无成员"),
		mustPlatform(t, st, "F 多部件成员", z7.ID),
	}
	checkOverlapping(t, ctx, st)
	run := func(state string) {
		for _, p := range platforms {
			compareNaive(t, ctx, st, state+" "+p.Name, p.ID)
		}
	}
	run("both include layers on:")
	l1, err := st.SetLayerEnabled(ctx, inc1.ID, inc1.Version, false, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	run("城镇开发边界 off:")
	if _, err := st.SetLayerEnabled(ctx, inc2.ID, inc2.Version, false, store.Change{}); err != nil {
		t.Fatal(err)
	}
	run("no include layer:")
	if _, err := st.SetLayerEnabled(ctx, l1.ID, l1.Version, true, store.Change{}); err != nil {
		t.Fatal(err)
	}
	run(fmt.Sprintf("only layer %d on:", l1.ID))
}

// checkOverlapping checks constraint_piece.overlapping against its
// definition: the piece's interior meets that of a piece of another feature
// in a layer of the same kind (reference layers are never read).
func checkOverlapping(t *testing.T, ctx context.Context, st *store.Store) {
	t.Helper()
	var wrong, marked, clear int
	err := st.Pool().QueryRow(ctx, `
		WITH d AS (
			SELECT p.overlapping, EXISTS (
				SELECT 1 FROM constraint_piece o JOIN constraint_layer lo ON lo.id = o.layer_id
				WHERE lo.kind = l.kind AND o.feature_id <> p.feature_id AND ST_Relate(o.geom, p.geom, '2********')
			) AS want
			FROM constraint_piece p JOIN constraint_layer l ON l.id = p.layer_id WHERE l.kind <> 'reference'
		)
		SELECT count(*) FILTER (WHERE overlapping <> want), count(*) FILTER (WHERE want), count(*) FILTER (WHERE NOT want) FROM d`).Scan(&wrong, &marked, &clear)
	if err != nil {
		t.Fatal(err)
	}
	if wrong > 0 || marked == 0 || clear == 0 {
		t.Errorf("overlapping: %d pieces wrong; %d should be marked, %d not", wrong, marked, clear)
	}
}

// Layers imported at the same time see each other's pieces when marking
// overlaps: B's import, started while A's transaction is open, waits for it.
func TestConcurrentImportsMarkOverlaps(t *testing.T) {
	st, ctx := newStore(t)
	mustLayer(t, st, "底图", "exclude", rect(119.90, 28.40, 119.95, 28.45)) // overlaps neither
	feature := func(g orb.MultiPolygon) []store.LayerFeature {
		b, err := wkb.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		return []store.LayerFeature{{Geom: b}}
	}
	done := make(chan error, 1)
	err := st.InTx(ctx, func(tx *store.Store) error {
		if _, _, err := tx.CreateLayer(ctx, store.Change{}, "A", "exclude", "test", feature(rect(119.80, 28.30, 119.82, 28.32)), nil); err != nil {
			return err
		}
		go func() {
			_, _, err := st.CreateLayer(ctx, store.Change{}, "B", "exclude", "test", feature(rect(119.81, 28.31, 119.83, 28.33)), nil)
			done <- err
		}()
		time.Sleep(500 * time.Millisecond) // B gets as far as it can while A is open
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM constraint_piece WHERE overlapping`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d pieces marked overlapping, want the 2 of A and B", n)
	}
	checkOverlapping(t, ctx, st)
}
