package tiles_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/tiles"
)

// jagged is a densely digitised, wobbly, concave polygon around c with a
// hole: the kind of boundary simplification must not break.
func jagged(c orb.Point, r float64, n int, seed uint64) orb.Polygon {
	rng := rand.New(rand.NewPCG(seed, 3))
	var shell orb.Ring
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := r * (1 + 0.25*math.Sin(5*a) + 0.01*rng.NormFloat64())
		shell = append(shell, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
	}
	shell = append(shell, shell[0])
	var hole orb.Ring
	for i := range n / 4 {
		a := -2 * math.Pi * float64(i) / float64(n/4)
		rr := r * 0.3 * (1 + 0.02*rng.NormFloat64())
		hole = append(hole, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
	}
	hole = append(hole, hole[0])
	return orb.Polygon{shell, hole}
}

// comb is a polygon of narrow teeth, some closer than a tile unit at
// low zooms: quantising and simplifying it tends to make rings touch.
func comb(x, y, w float64) orb.Polygon {
	var r orb.Ring
	r = append(r, orb.Point{x, y})
	for i := range 40 {
		x0 := x + float64(i)*w*2
		r = append(r, orb.Point{x0 + w*0.1, y}, orb.Point{x0 + w*0.1, y - w*10}, orb.Point{x0 + w*1.9, y - w*10}, orb.Point{x0 + w*1.9, y})
	}
	r = append(r, orb.Point{x + 80*w, y}, orb.Point{x + 80*w, y + w*3}, orb.Point{x, y + w*3}, orb.Point{x, y})
	return orb.Polygon{r}
}

func TestPiecesCoverFeature(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	feature := jagged(orb.Point{119.92, 28.45}, 0.05, 600, 1)
	id := insertZone(t, pool, "jagged", wkt.MarshalString(feature))
	h, _ := newHandler(t, pool, store.New(pool))
	srv := mount(h)
	for _, z := range []int{10, 12, 14} {
		var pieces []string
		b := feature.Bound()
		for _, tl := range tilesOver(z, b, 400) {
			r := get(t, srv, fmt.Sprintf("/zones/%d/%d/%d.geojson", tl.Z, tl.X, tl.Y))
			if r.Code == http.StatusNoContent {
				continue
			}
			fc, err := geojson.UnmarshalFeatureCollection(r.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fc.Features {
				if f.Properties["id"] == float64(id) {
					g, _ := geojson.NewGeometry(f.Geometry).MarshalJSON()
					pieces = append(pieces, string(g))
				}
			}
		}
		// Quantising moves a point by under a unit, simplifying by under
		// Tolerance: together under 3 units (in degrees of longitude, the
		// larger unit).
		tol := 3 * 360 / float64(uint64(tiles.Extent)<<z)
		var coversOrig, coveredByOrig bool
		var areaRatio float64
		err := pool.QueryRow(ctx, `WITH u AS (SELECT ST_Union(ST_SetSRID(ST_GeomFromGeoJSON(p), 4490)) AS g FROM unnest($1::text[]) p),
			o AS (SELECT geom AS g FROM zone WHERE id = $2)
			SELECT ST_Covers(ST_Buffer(u.g, $3), o.g), ST_Covers(ST_Buffer(o.g, $3), u.g), ST_Area(u.g) / ST_Area(o.g) FROM u, o`,
			pieces, id, tol).Scan(&coversOrig, &coveredByOrig, &areaRatio)
		if err != nil {
			t.Fatal(err)
		}
		if !coversOrig || !coveredByOrig || math.Abs(areaRatio-1) > 0.01 {
			t.Errorf("z%d: %d pieces: cover the feature within %g°: %v; inside it within %g°: %v; area ratio %.5f",
				z, len(pieces), tol, coversOrig, tol, coveredByOrig, areaRatio)
		}
	}
}

func TestSimplifiedOutputIsValid(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	area := orb.Bound{Min: orb.Point{119.80, 28.35}, Max: orb.Point{120.00, 28.50}}
	// Parcels, jagged boundaries and combs over a small area.
	var polys []orb.Polygon
	for _, p := range parcels(30_000) {
		if area.Contains(p[0][0]) {
			polys = append(polys, p)
		}
	}
	for i := range 6 {
		polys = append(polys, jagged(orb.Point{119.83 + 0.03*float64(i), 28.42}, 0.01+0.004*float64(i), 400, uint64(i)))
		polys = append(polys, comb(119.81+0.03*float64(i), 28.37, 0.00001*math.Pow(3, float64(i))))
	}
	id := loadLayer(t, pool, "mixed", polys)
	var srcBad int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM constraint_feature WHERE NOT ST_IsValid(geom)`).Scan(&srcBad); err != nil || srcBad > 0 {
		t.Fatalf("%d invalid source polygons (%v): the test needs valid ones", srcBad, err)
	}
	layer := fmt.Sprintf("layer-%d", id)
	h, _ := newHandler(t, pool, store.New(pool))
	srv := mount(h)
	var geoms []string
	for z := 8; z <= 16; z++ {
		for _, tl := range tilesOver(z, area, 12) {
			r := get(t, srv, fmt.Sprintf("/%s/%d/%d/%d.geojson", layer, tl.Z, tl.X, tl.Y))
			if r.Code == http.StatusNoContent {
				continue
			}
			if r.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", path(tl), r.Code, r.Body)
			}
			fc, err := geojson.UnmarshalFeatureCollection(r.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fc.Features {
				g, _ := geojson.NewGeometry(f.Geometry).MarshalJSON()
				geoms = append(geoms, fmt.Sprintf("z%d %v|%s", z, f.ID, g))
			}
		}
	}
	if len(geoms) < 1000 {
		t.Fatalf("only %d features sampled", len(geoms))
	}
	rows, err := pool.Query(ctx, `SELECT split_part(s, '|', 1), ST_IsValidReason(ST_GeomFromGeoJSON(split_part(s, '|', 2)))
		FROM unnest($1::text[]) s WHERE NOT ST_IsValid(ST_GeomFromGeoJSON(split_part(s, '|', 2)))`, geoms)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var which, reason string
		if err := rows.Scan(&which, &reason); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, which+": "+reason)
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d tile features are invalid:\n%s", len(bad), len(geoms), strings.Join(bad[:min(len(bad), 20)], "\n"))
	}
	t.Logf("%d tile features checked with ST_IsValid", len(geoms))
}
