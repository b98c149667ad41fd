package store

// Vacant land (闲置土地, issue 18): the features of the layers of kind
// vacant (批而未供、供而未用 parcels from the 自然资源局), part of the
// low-efficiency land with the C and D enterprises' land. They are never
// deducted from the developable area (enabledLayers reads include and
// exclude only).

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/geodesy"
)

// VacantFeature is one feature of a vacant layer.
type VacantFeature struct {
	ID     int64
	Layer  string // the layer's name
	County string // adcode, "" when unknown
	AreaMu float64
	Geom   orb.Geometry
}

// vacantCounty is a vacant feature's county: its own county_adcode (or
// adcode) attribute, else the county of a reference layer's feature (with an
// adcode) under it, else that of a live official zone it meets.
const vacantCounty = `coalesce(nullif(f.attributes->>'county_adcode', ''), nullif(f.attributes->>'adcode', ''),
	(SELECT cf.attributes->>'adcode' FROM constraint_feature cf JOIN constraint_layer rl ON rl.id = cf.layer_id
	 WHERE rl.kind = 'reference' AND cf.attributes ? 'adcode' AND ST_Intersects(cf.geom, ST_PointOnSurface(f.geom)) LIMIT 1),
	(SELECT z.county_adcode FROM zone z WHERE z.scenario_id = 0 AND z.retired_at IS NULL AND z.geom && f.geom
	 AND ST_Intersects(z.geom, f.geom) ORDER BY z.id LIMIT 1), '')`

// VacantFeatures returns the features of every vacant layer, of one county
// or all (""), with their ellipsoidal areas.
func (s *Store) VacantFeatures(ctx context.Context, county string) ([]VacantFeature, error) {
	rows, err := s.db.Query(ctx, `SELECT * FROM (
		SELECT f.id, l.name, `+vacantCounty+` AS county, ellipsoidal_area(f.geom), ST_AsBinary(f.geom)
		FROM constraint_feature f JOIN constraint_layer l ON l.id = f.layer_id WHERE l.kind = 'vacant') v
		WHERE $1 = '' OR county = $1 ORDER BY id`, county)
	if err != nil {
		return nil, fmt.Errorf("vacant land: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (VacantFeature, error) {
		var v VacantFeature
		var m2 float64
		var b []byte
		if err := row.Scan(&v.ID, &v.Layer, &v.County, &m2, &b); err != nil {
			return v, err
		}
		v.AreaMu = geodesy.Mu(m2)
		g, err := wkb.Unmarshal(b)
		v.Geom = g
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("vacant land: %w", err)
	}
	return out, nil
}

// VacantLand returns the vacant land inside each of the platforms' live
// zones (ids of one scenario; the official ones for the evaluation): the
// union of the vacant layers' features clipped to the union of the
// platform's zones, so overlapping parcels and zones count once. Platforms
// without any are left out.
func (s *Store) VacantLand(ctx context.Context, platformIDs []int64) (map[int64]Area, error) {
	rows, err := s.db.Query(ctx, `
		WITH p AS MATERIALIZED (
			SELECT pm.platform_id AS id, ST_Union(z.geom) AS g FROM platform_member pm JOIN zone z ON z.id = pm.zone_id
			WHERE pm.platform_id = ANY($1) AND z.retired_at IS NULL GROUP BY pm.platform_id
		), v AS (
			SELECT p.id, ST_Union(ST_CollectionExtract(ST_Intersection(f.geom, p.g), 3)) AS g
			FROM p JOIN constraint_feature f ON f.geom && p.g AND ST_Intersects(f.geom, p.g)
			JOIN constraint_layer l ON l.id = f.layer_id AND l.kind = 'vacant'
			GROUP BY p.id
		)
		SELECT id, coalesce(ellipsoidal_area(g), 0) FROM v`, platformIDs)
	if err != nil {
		return nil, fmt.Errorf("vacant land of platforms: %w", err)
	}
	out := map[int64]Area{}
	var id int64
	var m2 float64
	_, err = pgx.ForEachRow(rows, []any{&id, &m2}, func() error {
		if a := AreaOf(m2); a.M2 > 0 {
			out[id] = a
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vacant land of platforms: %w", err)
	}
	return out, nil
}
