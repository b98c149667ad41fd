package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/change"
)

// Tile layer ids besides "layer-<id>".
const (
	TileZones     = change.Zones
	TilePlatforms = change.Platforms
)

// TileLayer describes a layer served as tiles.
type TileLayer struct {
	ID    string // "zones", "platforms" or "layer-<id>"
	Title string
	// Kind is "zones", "platforms", or the constraint layer's kind
	// (include, exclude, reference).
	Kind    string
	Enabled bool // constraint layers: counts in the developable-area figures
	// Bounds is the lon/lat extent of the live features (TileLayerInfo only);
	// zero for an empty layer.
	Bounds orb.Bound
	// Fields maps each feature property to its type: "Number", "String" or
	// "Boolean" (TileLayerInfo only).
	Fields map[string]string
}

// TileQuery selects the features of one tile.
type TileQuery struct {
	// Bound is the lon/lat box to fill (the tile plus its buffer): every
	// feature whose bounding box meets it is returned.
	Bound orb.Bound
	// Clip is a box containing Bound to which geometries with many
	// vertices may be cut before they leave the database; zero means none.
	// The cut may leave artefacts on Clip's edges, never inside it.
	Clip orb.Bound
	// SubPixel is the width in degrees of longitude of one pixel. A feature
	// whose box is narrower than that and lower than SubPixel·cos(latitude)
	// is returned without Geom but with Area. Zero returns every geometry
	// (and saves the database the per-row box arithmetic).
	SubPixel float64
	// Scenario is whose zones and platforms a tile shows (0: the official
	// data); constraint layers are everyone's.
	Scenario int64
}

// TileFeature is one feature of a tile, in lon/lat.
type TileFeature struct {
	ID int64
	// Props are the feature's properties besides Attrs. Zones and platforms
	// get a map of their own (a wrapper may add to it); the features of a
	// constraint layer share one map, which must not be changed.
	Props map[string]any
	// Attrs is the raw JSON object of free attributes (constraint layers),
	// overridden by Props; nil when none.
	Attrs []byte
	// Geom is a Polygon or MultiPolygon (possibly a GeometryCollection after
	// a Clip cut); nil for a sub-pixel feature.
	Geom  orb.Geometry
	Bound orb.Bound // bounding box (PostGIS box2d, or Geom's when SubPixel was 0)
	Area  float64   // planar area in square degrees, for sub-pixel features
}

// TileLayers lists the layers that can be tiled: zones, platforms, then
// the constraint and reference layers by id. Bounds and Fields are left
// empty; TileLayerInfo fills them.
func (s *Store) TileLayers(ctx context.Context) ([]TileLayer, error) {
	out := []TileLayer{
		{ID: TileZones, Title: "Zones 园区与乡镇工业功能区", Kind: "zones", Enabled: true},
		{ID: TilePlatforms, Title: "Platforms 产业平台", Kind: "platforms", Enabled: true},
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name, kind, enabled FROM constraint_layer ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tile layers: %w", err)
	}
	ls, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (TileLayer, error) {
		var (
			l  TileLayer
			id int64
		)
		err := row.Scan(&id, &l.Title, &l.Kind, &l.Enabled)
		l.ID = change.ConstraintLayer(id)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tile layers: %w", err)
	}
	return append(out, ls...), nil
}

var (
	tileZoneFields     = map[string]string{"id": "Number", "name": "String", "kind": "String", "disposition": "String", "county_adcode": "String", "platform_id": "Number"}
	tilePlatformFields = map[string]string{"id": "Number", "name": "String"}
)

// TileLayerInfo describes one layer with its bounds and fields. It
// returns ErrNotFound for an unknown layer. For a large constraint layer
// it reads every feature's attributes: cache the answer.
func (s *Store) TileLayerInfo(ctx context.Context, layer string) (TileLayer, error) {
	var (
		l   TileLayer
		box [4]*float64
		err error
	)
	switch layer {
	case TileZones:
		l = TileLayer{ID: layer, Title: "Zones 园区与乡镇工业功能区", Kind: "zones", Enabled: true, Fields: copyFields(tileZoneFields)}
		err = s.pool.QueryRow(ctx, zonesExtentSQL, Official).Scan(&box[0], &box[1], &box[2], &box[3])
	case TilePlatforms:
		l = TileLayer{ID: layer, Title: "Platforms 产业平台", Kind: "platforms", Enabled: true, Fields: copyFields(tilePlatformFields)}
		err = s.pool.QueryRow(ctx, platformsExtentSQL, Official).Scan(&box[0], &box[1], &box[2], &box[3])
	default:
		id, ok := change.LayerID(layer)
		if !ok {
			return TileLayer{}, fmt.Errorf("tile layer %q: %w", layer, ErrNotFound)
		}
		l.ID = layer
		err = s.pool.QueryRow(ctx, `SELECT l.name, l.kind, l.enabled, ST_XMin(l.extent), ST_YMin(l.extent), ST_XMax(l.extent), ST_YMax(l.extent)
			FROM constraint_layer l WHERE l.id = $1`, id).Scan(&l.Title, &l.Kind, &l.Enabled, &box[0], &box[1], &box[2], &box[3])
		if err == pgx.ErrNoRows {
			return TileLayer{}, fmt.Errorf("tile layer %q: %w", layer, ErrNotFound)
		}
		if err != nil {
			break
		}
		l.Fields, err = s.attributeFields(ctx, id)
	}
	if err != nil {
		return TileLayer{}, fmt.Errorf("describe tile layer %s: %w", layer, err)
	}
	if box[0] != nil && box[1] != nil && box[2] != nil && box[3] != nil {
		l.Bounds = orb.Bound{Min: orb.Point{*box[0], *box[1]}, Max: orb.Point{*box[2], *box[3]}}
	}
	return l, nil
}

func copyFields(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// attributeFields collects the attribute keys of a constraint layer and
// their JSON types, plus the fixed id and layer properties.
func (s *Store) attributeFields(ctx context.Context, layerID int64) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.key, array_agg(DISTINCT jsonb_typeof(a.value))
		FROM constraint_feature f, jsonb_each(f.attributes) a
		WHERE f.layer_id = $1 GROUP BY a.key`, layerID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	var (
		key   string
		types []string
	)
	_, err = pgx.ForEachRow(rows, []any{&key, &types}, func() error {
		t := "String" // mixed types, objects and arrays travel as text
		if len(types) == 1 {
			switch types[0] {
			case "number":
				t = "Number"
			case "boolean":
				t = "Boolean"
			case "null":
				return nil
			}
		}
		fields[key] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	fields["id"] = "Number"
	fields["layer"] = "String"
	return fields, nil
}

// tileSQL builds the query of one layer from fixed fragments (never from
// input): the columns cols and rows from of the layer, then the geometry
// as WKB, its box and its planar area. Geometries over 8 KB (some 500
// vertices) that reach past the clip box ($5..$8) are cut to it first:
// below that, sending them whole is cheaper. With sub, a feature smaller
// than a pixel ($9 degrees) comes without geometry but with box and area;
// without, box and area are NULL (the caller takes the box from the
// geometry) and the per-row box arithmetic is saved.
func tileSQL(cols, from, where string, sub bool) string {
	geom := `CASE WHEN $8::float8 > $6::float8 AND ST_MemSize(g.geom) > 8192
	     AND NOT (g.geom @ ST_MakeEnvelope($5, $6, $7, $8, 4490))
	     THEN ST_AsBinary(ST_ClipByBox2D(g.geom, ST_MakeEnvelope($5, $6, $7, $8, 4490)))
	     ELSE ST_AsBinary(g.geom) END`
	if !sub {
		return `SELECT g.id, ` + cols + `, ` + geom + `,
	NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8
	FROM ` + from + `
	WHERE ` + where + ` AND $9::float8 = 0`
	}
	return `SELECT g.id, ` + cols + `, CASE WHEN t.sub THEN NULL ELSE ` + geom + ` END,
	ST_XMin(b.box), ST_YMin(b.box), ST_XMax(b.box), ST_YMax(b.box),
	CASE WHEN t.sub THEN ST_Area(g.geom) END
	FROM ` + from + `
	CROSS JOIN LATERAL (SELECT Box2D(g.geom) AS box) b
	CROSS JOIN LATERAL (SELECT ST_XMax(b.box) - ST_XMin(b.box) < $9::float8
		AND ST_YMax(b.box) - ST_YMin(b.box) < $9::float8 * cos(radians((ST_YMin(b.box) + ST_YMax(b.box)) / 2)) AS sub) t
	WHERE ` + where
}

const (
	tileZoneCols = `g.name, g.kind, g.disposition, g.county_adcode, p.id`
	tileZoneFrom = `zone g
	LEFT JOIN platform_member m ON m.zone_id = g.id
	LEFT JOIN platform p ON p.id = m.platform_id AND p.retired_at IS NULL`
	tileZoneWhere = `g.retired_at IS NULL AND g.scenario_id = $10 AND g.geom && ST_MakeEnvelope($1, $2, $3, $4, 4490)`

	// Only the members near the tile are dissolved: inside the tile their
	// union equals the whole platform's. Platforms are never sub-pixel: a
	// partial union's box says nothing about the platform.
	tilePlatformCols = `g.name`
	tilePlatformFrom = `(SELECT p.id, p.name, ST_Union(z.geom) AS geom
		FROM zone z
		JOIN platform_member m ON m.zone_id = z.id
		JOIN platform p ON p.id = m.platform_id AND p.retired_at IS NULL
		WHERE z.retired_at IS NULL AND z.scenario_id = $10 AND z.geom && ST_MakeEnvelope($1, $2, $3, $4, 4490)
		GROUP BY p.id, p.name) g`

	// The layer name as a scalar subquery: cheaper to plan than a join,
	// and planning is a good part of a small tile's time.
	tileConstraintCols  = `(SELECT name FROM constraint_layer WHERE id = $10), g.attributes::text`
	tileConstraintFrom  = `constraint_feature g`
	tileConstraintWhere = `g.layer_id = $10 AND g.geom && ST_MakeEnvelope($1, $2, $3, $4, 4490)`
)

var (
	zoneTileSQL          = tileSQL(tileZoneCols, tileZoneFrom, tileZoneWhere, false)
	zoneTileSubSQL       = tileSQL(tileZoneCols, tileZoneFrom, tileZoneWhere, true)
	platformTileSQL      = tileSQL(tilePlatformCols, tilePlatformFrom, "true", false)
	constraintTileSQL    = tileSQL(tileConstraintCols, tileConstraintFrom, tileConstraintWhere, false)
	constraintTileSubSQL = tileSQL(tileConstraintCols, tileConstraintFrom, tileConstraintWhere, true)
)

// TileFeatures returns the features of layer ("zones", "platforms" or
// "layer-<id>") whose boxes meet q.Bound, in no particular order. An
// unknown constraint layer yields no features; check with TileLayers.
func (s *Store) TileFeatures(ctx context.Context, layer string, q TileQuery) ([]TileFeature, error) {
	sub := q.SubPixel > 0
	args := []any{q.Bound.Min[0], q.Bound.Min[1], q.Bound.Max[0], q.Bound.Max[1],
		q.Clip.Min[0], q.Clip.Min[1], q.Clip.Max[0], q.Clip.Max[1], q.SubPixel}
	var (
		sql   string
		extra []any
		props func(f *TileFeature)
	)
	switch layer {
	case TileZones:
		sql = zoneTileSQL
		if sub {
			sql = zoneTileSubSQL
		}
		args = append(args, q.Scenario)
		var name, kind, disp, county string
		var platform *int64
		extra = []any{&name, &kind, &disp, &county, &platform}
		props = func(f *TileFeature) {
			f.Props = map[string]any{"name": name, "kind": kind, "disposition": disp, "county_adcode": county}
			if platform != nil {
				f.Props["platform_id"] = *platform
			}
		}
	case TilePlatforms:
		sql = platformTileSQL
		args[8] = 0.0
		args = append(args, q.Scenario)
		var name string
		extra = []any{&name}
		props = func(f *TileFeature) { f.Props = map[string]any{"name": name} }
	default:
		id, ok := change.LayerID(layer)
		if !ok {
			return nil, fmt.Errorf("tile features of %q: %w", layer, ErrNotFound)
		}
		sql = constraintTileSQL
		if sub {
			sql = constraintTileSubSQL
		}
		args = append(args, id)
		var (
			name, attrs []byte
			shared      map[string]any
		)
		extra = []any{&name, &attrs}
		props = func(f *TileFeature) {
			if shared == nil || string(name) != shared["layer"] {
				shared = map[string]any{"layer": string(name)}
			}
			f.Props = shared
			if len(attrs) > 2 { // "{}" carries nothing
				f.Attrs = append([]byte(nil), attrs...)
			}
		}
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("tile features of %s: %w", layer, err)
	}
	var (
		out  []TileFeature
		id   int64
		geom []byte
		box  [4]*float64
		area *float64
	)
	dest := append(append([]any{&id}, extra...), &geom, &box[0], &box[1], &box[2], &box[3], &area)
	_, err = pgx.ForEachRow(rows, dest, func() error {
		f := TileFeature{ID: id}
		props(&f)
		if box[0] != nil && box[1] != nil && box[2] != nil && box[3] != nil {
			f.Bound = orb.Bound{Min: orb.Point{*box[0], *box[1]}, Max: orb.Point{*box[2], *box[3]}}
		}
		if area != nil {
			f.Area = *area
		}
		if geom != nil {
			g, err := wkb.Unmarshal(geom)
			if err != nil {
				return fmt.Errorf("feature %d: %w", f.ID, err)
			}
			f.Geom = g
			if box[0] == nil {
				f.Bound = g.Bound()
			}
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tile features of %s: %w", layer, err)
	}
	return out, nil
}
