package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DevelopableLand is a platform's developable land and the land deducted
// from it, as geometry, under the definition its report applies.
type DevelopableLand struct {
	PlatformID int64
	// Developable is P ∩ ∪include − ∪exclude as WKB MultiPolygon in EPSG:4490;
	// nil when nothing is developable.
	Developable []byte
	Area        Area // ellipsoidal area of Developable
	// Deducted is P minus Developable, cut by the reason: first the land
	// outside every include layer, then each exclude layer in report order
	// with only what no earlier exclude layer took. The pieces do not
	// overlap, so their areas add up to gross − developable.
	Deducted []DeductedLand
}

// DeductedLand is the part of a platform one reason removes.
type DeductedLand struct {
	LayerIDs []int64 // the include layers (land outside all of them) or one exclude layer
	Reason   string  // e.g. "不在城镇开发边界内", "生态保护红线"
	Kind     string  // include | exclude
	Geom     []byte  // WKB MultiPolygon, EPSG:4490
	Area     Area
}

// DevelopableLand computes platform platformID's developable and deducted
// land in one snapshot, cutting the platform and its included land into the
// same probes and constraint pieces as the report (reportSQL), so that the
// area of Developable is the report's developable figure.
func (s *Store) DevelopableLand(ctx context.Context, platformID int64) (DevelopableLand, error) {
	d := DevelopableLand{PlatformID: platformID}
	err := s.reportSnapshot(ctx, func(tx pgx.Tx) error {
		p, err := getPlatform(ctx, tx, platformID, false)
		if err != nil {
			return err
		}
		if p.RetiredAt != nil {
			return fmt.Errorf("platform %d is retired: %w", platformID, ErrGone)
		}
		layers, err := enabledLayers(ctx, tx)
		if err != nil {
			return err
		}
		var include, exclude []int64
		var incNames []string
		names := map[int64]string{}
		for _, l := range layers {
			names[l.ID] = l.Name
			if l.Kind == "include" {
				include = append(include, l.ID)
				incNames = append(incNames, l.Name)
			} else {
				exclude = append(exclude, l.ID)
			}
		}
		rows, err := tx.Query(ctx, developableSQL, platformID, append([]int64{}, include...), append([]int64{}, exclude...), probeVertices)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int
			var g []byte
			var m2 float64
			if err := rows.Scan(&k, &g, &m2); err != nil {
				return err
			}
			switch {
			case k == 0:
				d.Developable, d.Area = g, AreaOf(m2)
			case k < 0:
				d.Deducted = append(d.Deducted, DeductedLand{LayerIDs: include, Kind: "include",
					Reason: "不在" + strings.Join(incNames, "、") + "内", Geom: g, Area: AreaOf(m2)})
			default:
				id := exclude[k-1]
				d.Deducted = append(d.Deducted, DeductedLand{LayerIDs: []int64{id}, Kind: "exclude",
					Reason: names[id], Geom: g, Area: AreaOf(m2)})
			}
		}
		return rows.Err()
	})
	if err != nil {
		return d, fmt.Errorf("developable land of platform %d: %w", platformID, err)
	}
	return d, nil
}

// developableSQL builds the geometry reportSQL measures: the platform P ($1)
// cut into probes of at most $4 vertices, the include layers' ($2) pieces
// clipped to them and unioned into the included land I (P itself without
// include layers), I cut into probes in turn and the exclude layers' ($3)
// pieces clipped to those. Each I probe minus its exclude fragments is
// developable; the fragments of exclude layer k minus those of layers before
// it are k's deduction. Working probe by probe keeps every overlay small.
// Rows are (k, WKB MultiPolygon, ellipsoidal area): k = 0 developable,
// k = -1 outside the include layers, k ≥ 1 exclude layer $3[k]; empty
// results are left out.
const developableSQL = `
WITH p AS MATERIALIZED (
	SELECT ST_Union(z.geom) AS g FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
	WHERE pm.platform_id = $1 AND z.retired_at IS NULL
), probe AS MATERIALIZED (
	SELECT ST_Subdivide(p.g, $4) AS g FROM p WHERE p.g IS NOT NULL
), inc AS MATERIALIZED (
	SELECT CASE WHEN ST_Covers(pr.g, cp.geom) THEN cp.geom
	            ELSE ST_CollectionExtract(ST_Intersection(cp.geom, pr.g), 3) END AS g
	FROM probe pr CROSS JOIN unnest($2::bigint[]) l(id) CROSS JOIN LATERAL (
		SELECT * FROM constraint_piece c WHERE c.layer_id = l.id AND c.geom && pr.g OFFSET 0) cp
	WHERE ST_Intersects(pr.g, cp.geom)
), i AS MATERIALIZED (
	SELECT CASE WHEN cardinality($2::bigint[]) = 0 THEN p.g ELSE (SELECT ST_Union(inc.g) FROM inc) END AS g FROM p
), iprobe AS MATERIALIZED (
	SELECT row_number() OVER () AS n, s.g FROM (
		SELECT ST_Subdivide(i.g, $4) AS g FROM i WHERE i.g IS NOT NULL AND NOT ST_IsEmpty(i.g)) s
), frag AS MATERIALIZED (
	SELECT ip.n, array_position($3::bigint[], cp.layer_id) AS k,
	       CASE WHEN ST_Covers(ip.g, cp.geom) THEN cp.geom
	            ELSE ST_CollectionExtract(ST_Intersection(cp.geom, ip.g), 3) END AS g
	FROM iprobe ip CROSS JOIN unnest($3::bigint[]) l(id) CROSS JOIN LATERAL (
		SELECT * FROM constraint_piece c WHERE c.layer_id = l.id AND c.geom && ip.g OFFSET 0) cp
	WHERE ST_Intersects(ip.g, cp.geom)
), cut AS (
	SELECT n, k, ST_Union(g) AS g FROM frag GROUP BY n, k
), dev AS (
	SELECT CASE WHEN cardinality($3::bigint[]) = 0 THEN (SELECT i.g FROM i)
	       ELSE (SELECT ST_Union(CASE WHEN x.g IS NULL THEN ip.g ELSE ST_Difference(ip.g, x.g) END)
	             FROM iprobe ip LEFT JOIN (SELECT n, ST_Union(g) AS g FROM cut GROUP BY n) x ON x.n = ip.n) END AS g
), own AS (
	-- each probe's fragments of layer k less those of the layers before it
	-- (a hash join on the probe, not a scan per fragment)
	SELECT c.k, CASE WHEN count(b.g) = 0 THEN (array_agg(c.g))[1]
	                 ELSE ST_Difference((array_agg(c.g))[1], ST_Union(b.g)) END AS g
	FROM cut c LEFT JOIN cut b ON b.n = c.n AND b.k < c.k
	GROUP BY c.n, c.k
), ded AS (
	SELECT k, ST_Union(g) AS g FROM own GROUP BY k
), out AS (
	SELECT 0 AS k, g FROM dev
	UNION ALL
	SELECT -1, ST_Difference(p.g, i.g) FROM p, i WHERE cardinality($2::bigint[]) > 0 AND p.g IS NOT NULL
	UNION ALL
	SELECT k, g FROM ded
), shaped AS (
	SELECT k, ST_Multi(ST_CollectionExtract(g, 3)) AS g FROM out WHERE g IS NOT NULL
)
SELECT k, ST_AsBinary(g), ellipsoidal_area(g) FROM shaped WHERE NOT ST_IsEmpty(g) ORDER BY k`

// DataVersion says which state of the data a deliverable shows.
type DataVersion struct {
	Zones, Platforms int // live ones
	// The last revision (0 if none) of any zone and of any platform, and
	// when it was made.
	ZoneRevision, PlatformRevision     int64
	ZonesChangedAt, PlatformsChangedAt time.Time
	IllustrativeZones                  int            // live zones marked "illustrative": true
	IllustrativeLayers                 map[int64]bool // constraint layers with a feature so marked
}

// DataVersion reads the counts, last revisions and illustrative markers of
// the live data in one snapshot.
func (s *Store) DataVersion(ctx context.Context) (DataVersion, error) {
	v := DataVersion{IllustrativeLayers: map[int64]bool{}}
	err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
		// The scenario's own rows and revisions: a draft's edits do not
		// change the official data's stamp, nor the other way round.
		err := tx.QueryRow(ctx, `WITH zr AS (SELECT r.id, r.at FROM revision r JOIN zone z ON z.id = r.entity_id
				WHERE r.entity = 'zone' AND z.scenario_id = $1),
			pr AS (SELECT r.id, r.at FROM revision r JOIN platform p ON p.id = r.entity_id
				WHERE r.entity = 'platform' AND p.scenario_id = $1)
			SELECT
			(SELECT count(*) FROM zone WHERE retired_at IS NULL AND scenario_id = $1),
			(SELECT count(*) FROM platform WHERE retired_at IS NULL AND scenario_id = $1),
			(SELECT count(*) FROM zone WHERE retired_at IS NULL AND scenario_id = $1 AND attributes @> '{"illustrative": true}'),
			coalesce((SELECT max(id) FROM zr), 0),
			coalesce((SELECT max(at) FROM zr), 'epoch'),
			coalesce((SELECT max(id) FROM pr), 0),
			coalesce((SELECT max(at) FROM pr), 'epoch')`, s.scenario).Scan(
			&v.Zones, &v.Platforms, &v.IllustrativeZones, &v.ZoneRevision, &v.ZonesChangedAt, &v.PlatformRevision, &v.PlatformsChangedAt)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT l.id FROM constraint_layer l WHERE EXISTS (
			SELECT 1 FROM constraint_feature f WHERE f.layer_id = l.id AND f.attributes @> '{"illustrative": true}')`)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		for _, id := range ids {
			v.IllustrativeLayers[id] = true
		}
		return err
	})
	if err != nil {
		return v, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}
