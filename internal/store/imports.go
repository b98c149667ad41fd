package store

import (
	"context"
	"fmt"
)

// FeatureCheck is PostGIS's verdict on one feature of an import preview.
type FeatureCheck struct {
	Index          int       `json:"index"` // 0-based position in the file
	Valid          bool      `json:"valid"`
	Reason         string    `json:"reason,omitempty"`   // why it is invalid
	AreaM2         float64   `json:"area_m2"`            // ellipsoidal, as drawn (0 if invalid)
	RepairedAreaM2 float64   `json:"repaired_area_m2"`   // after ST_MakeValid (polygons only)
	Overlaps       []Overlap `json:"overlaps,omitempty"` // with live zones
	County         string    `json:"county,omitempty"`   // adcode of the reference county holding its centre
}

// Overlap is land shared with an existing zone.
type Overlap struct {
	ZoneID int64   `json:"zone_id"`
	Name   string  `json:"name"`
	AreaM2 float64 `json:"area_m2"`
}

// CheckFeatures reports validity, area, the repair ST_MakeValid would make,
// overlaps with live zones and the county (from reference layers whose
// features carry an "adcode" attribute) of each WKB geometry, without
// writing anything.
func (s *Store) CheckFeatures(ctx context.Context, geoms [][]byte) ([]FeatureCheck, error) {
	out := make([]FeatureCheck, len(geoms))
	rows, err := s.db.Query(ctx, `
		WITH f AS (SELECT (n - 1)::int AS i, ST_GeomFromWKB(w, 4490) AS g FROM unnest($1::bytea[]) WITH ORDINALITY AS u(w, n)),
		v AS (SELECT i, g, ST_IsValid(g) AS ok FROM f),
		r AS (SELECT i, g, ok, CASE WHEN ok THEN g ELSE ST_CollectionExtract(ST_MakeValid(g), 3) END AS fixed FROM v)
		SELECT r.i, r.ok, CASE WHEN r.ok THEN '' ELSE ST_IsValidReason(r.g) END,
		       CASE WHEN r.ok THEN ellipsoidal_area(r.g) ELSE 0 END,
		       coalesce(ellipsoidal_area(r.fixed), 0),
		       coalesce((SELECT cf.attributes->>'adcode' FROM constraint_feature cf JOIN constraint_layer l ON l.id = cf.layer_id
		                 WHERE l.kind = 'reference' AND cf.attributes ? 'adcode' AND ST_Intersects(cf.geom, ST_PointOnSurface(r.fixed))
		                 LIMIT 1), '')
		FROM r ORDER BY r.i`, geoms)
	if err != nil {
		return nil, fmt.Errorf("check features: %w", err)
	}
	for rows.Next() {
		var c FeatureCheck
		if err := rows.Scan(&c.Index, &c.Valid, &c.Reason, &c.AreaM2, &c.RepairedAreaM2, &c.County); err != nil {
			rows.Close()
			return nil, fmt.Errorf("check features: %w", err)
		}
		out[c.Index] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check features: %w", err)
	}
	rows, err = s.db.Query(ctx, `
		WITH f AS (SELECT (n - 1)::int AS i, ST_GeomFromWKB(w, 4490) AS g0 FROM unnest($1::bytea[]) WITH ORDINALITY AS u(w, n)),
		r AS (SELECT i, CASE WHEN ST_IsValid(g0) THEN g0 ELSE ST_CollectionExtract(ST_MakeValid(g0), 3) END AS g FROM f)
		SELECT r.i, z.id, z.name, ellipsoidal_area(ST_Intersection(r.g, z.geom))
		FROM r JOIN zone z ON z.geom && r.g AND z.retired_at IS NULL AND z.scenario_id = $2 AND ST_Intersects(z.geom, r.g)
		ORDER BY r.i, z.id`, geoms, s.scenario)
	if err != nil {
		return nil, fmt.Errorf("check overlaps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var o Overlap
		if err := rows.Scan(&i, &o.ZoneID, &o.Name, &o.AreaM2); err != nil {
			return nil, fmt.Errorf("check overlaps: %w", err)
		}
		if o.AreaM2 > 0.01 { // touching neighbours share only a boundary
			out[i].Overlaps = append(out[i].Overlaps, o)
		}
	}
	return out, rows.Err()
}

// Repair returns ST_MakeValid's polygonal repair of a WKB geometry.
func (s *Store) Repair(ctx context.Context, wkb []byte) ([]byte, error) {
	var out []byte
	err := s.db.QueryRow(ctx, `SELECT ST_AsBinary(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromWKB($1, 4490)), 3)))`, wkb).Scan(&out)
	if err != nil {
		return nil, fmt.Errorf("repair geometry: %w", err)
	}
	return out, nil
}

// PlatformOutline is a platform's dissolved boundary.
type PlatformOutline struct {
	PlatformID int64
	Geom       []byte // WKB MultiPolygon, nil for a platform without members
}

// PlatformOutlines returns the dissolved outlines of the live platforms.
func (s *Store) PlatformOutlines(ctx context.Context) (map[int64][]byte, error) {
	rows, err := s.db.Query(ctx, `SELECT p.id, ST_AsBinary(ST_Multi(ST_Union(z.geom)))
		FROM platform p JOIN platform_member m ON m.platform_id = p.id JOIN zone z ON z.id = m.zone_id AND z.retired_at IS NULL
		WHERE p.retired_at IS NULL AND p.scenario_id = $1 GROUP BY p.id`, s.scenario)
	if err != nil {
		return nil, fmt.Errorf("platform outlines: %w", err)
	}
	defer rows.Close()
	out := map[int64][]byte{}
	for rows.Next() {
		var id int64
		var g []byte
		if err := rows.Scan(&id, &g); err != nil {
			return nil, fmt.Errorf("platform outlines: %w", err)
		}
		out[id] = g
	}
	return out, rows.Err()
}

// LayerFeatures calls fn for every feature of a constraint or reference layer.
func (s *Store) LayerFeatures(ctx context.Context, layerID int64, fn func(StoredFeature) error) error {
	rows, err := s.db.Query(ctx, `SELECT id, ST_AsBinary(geom), attributes, ellipsoidal_area(geom)
		FROM constraint_feature WHERE layer_id = $1 ORDER BY id`, layerID)
	if err != nil {
		return fmt.Errorf("features of layer %d: %w", layerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f StoredFeature
		var raw []byte
		if err := rows.Scan(&f.ID, &f.WKB, &raw, &f.AreaM2); err != nil {
			return fmt.Errorf("features of layer %d: %w", layerID, err)
		}
		if f.Attributes, err = decodeAttributes(raw); err != nil {
			return fmt.Errorf("feature %d of layer %d: %w", f.ID, layerID, err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StoredFeature is one feature of a constraint layer as stored.
type StoredFeature struct {
	ID         int64
	WKB        []byte
	Attributes map[string]any
	AreaM2     float64 // ellipsoidal, CGCS2000, as every figure (store.AreaMethod)
}
