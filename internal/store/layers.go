package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"wanmu/internal/change"
)

// Layer is a constraint or reference layer.
type Layer struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Kind       string    `json:"kind"` // include | exclude | reference
	Enabled    bool      `json:"enabled"`
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"imported_at"`
	Features   int       `json:"features"`
	Version    int       `json:"version"`
}

// ListLayers returns every constraint and reference layer.
func (s *Store) ListLayers(ctx context.Context) ([]Layer, error) {
	rows, err := s.db.Query(ctx, `SELECT l.id, l.name, l.kind, l.enabled, l.source, l.imported_at,
		(SELECT count(*) FROM constraint_feature f WHERE f.layer_id = l.id), l.version
		FROM constraint_layer l ORDER BY l.id`)
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	ls, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Layer, error) {
		var l Layer
		err := row.Scan(&l.ID, &l.Name, &l.Kind, &l.Enabled, &l.Source, &l.ImportedAt, &l.Features, &l.Version)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	return ls, nil
}

// LayerFeature is one feature to load into a constraint or reference layer.
type LayerFeature struct {
	Geom       []byte         // WKB, EPSG:4490 lon/lat, Polygon or MultiPolygon
	Attributes map[string]any // free attributes
}

// pieceVertices bounds the vertices of each subdivided piece: small enough
// that an index hit is nearly always a real intersection, large enough that
// ordinary parcels stay whole.
const pieceVertices = 64

// CreateLayer creates a constraint (include/exclude) or reference layer and
// loads its features in one transaction: either all of them land or none.
// Invalid geometries are repaired with ST_MakeValid (a layer is reference
// data, not an edit), and each repair is counted in the result.
func (s *Store) CreateLayer(ctx context.Context, name, kind, source string, features []LayerFeature, progress func(done, total int)) (Layer, int, error) {
	var l Layer
	var repaired int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO constraint_layer (name, kind, source) VALUES ($1, $2, $3) RETURNING id`,
			name, kind, source).Scan(&l.ID); err != nil {
			return fmt.Errorf("create layer %s: %w", name, classify(err))
		}
		var err error
		repaired, err = loadFeatures(ctx, tx, l.ID, features, progress)
		if err != nil {
			return fmt.Errorf("load layer %s: %w", name, err)
		}
		if err := change.Publish(ctx, tx, change.Change{Layer: fmt.Sprintf("layer-%d", l.ID)}); err != nil {
			return err
		}
		return change.Publish(ctx, tx, change.Change{Layer: "platforms"})
	})
	if err != nil {
		return l, 0, err
	}
	ls, err := s.ListLayers(ctx)
	for _, x := range ls {
		if x.ID == l.ID {
			l = x
		}
	}
	return l, repaired, err
}

func loadFeatures(ctx context.Context, tx pgx.Tx, layerID int64, features []LayerFeature, progress func(done, total int)) (int, error) {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE layer_load (n int, wkb bytea, attrs jsonb) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	const batch = 5000
	for start := 0; start < len(features); start += batch {
		end := min(start+batch, len(features))
		rows := make([][]any, 0, end-start)
		for i, f := range features[start:end] {
			attrs := f.Attributes
			if attrs == nil {
				attrs = map[string]any{}
			}
			rows = append(rows, []any{start + i, f.Geom, attrs})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"layer_load"}, []string{"n", "wkb", "attrs"}, pgx.CopyFromRows(rows)); err != nil {
			return 0, err
		}
		if progress != nil {
			progress(end, len(features)*2)
		}
	}
	var repaired int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM layer_load WHERE NOT ST_IsValid(ST_GeomFromWKB(wkb, 4490))`).Scan(&repaired); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO constraint_feature (layer_id, geom, attributes)
		SELECT $1, g, attrs FROM (
			SELECT n, attrs, ST_Multi(ST_CollectionExtract(
				CASE WHEN ST_IsValid(g0) THEN g0 ELSE ST_MakeValid(g0) END, 3)) AS g
			FROM (SELECT n, attrs, ST_GeomFromWKB(wkb, 4490) AS g0 FROM layer_load) s
		) v WHERE NOT ST_IsEmpty(g) ORDER BY n`, layerID); err != nil {
		return 0, err
	}
	if progress != nil {
		progress(len(features)*3/2, len(features)*2)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO constraint_piece (feature_id, layer_id, geom)
		SELECT f.id, f.layer_id, ST_Subdivide(f.geom, $2)
		FROM constraint_feature f WHERE f.layer_id = $1`, layerID, pieceVertices); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DROP TABLE layer_load`); err != nil { // several layers may load in one transaction
		return 0, err
	}
	if progress != nil {
		progress(len(features)*2, len(features)*2)
	}
	return repaired, nil
}

// SetLayerEnabled switches a layer on or off for the report, at version.
func (s *Store) SetLayerEnabled(ctx context.Context, id int64, version int, enabled bool) (Layer, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var cur int
		if err := tx.QueryRow(ctx, `SELECT version FROM constraint_layer WHERE id = $1 FOR UPDATE`, id).Scan(&cur); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("layer %d: %w", id, ErrNotFound)
			}
			return err
		}
		if cur != version {
			return &ConflictError{Entity: "layer", ID: id, Expected: version, Current: cur}
		}
		if _, err := tx.Exec(ctx, `UPDATE constraint_layer SET enabled = $2, version = version + 1 WHERE id = $1`, id, enabled); err != nil {
			return err
		}
		return change.Publish(ctx, tx, change.Change{Layer: "platforms"})
	})
	if err != nil {
		return Layer{}, err
	}
	ls, err := s.ListLayers(ctx)
	if err != nil {
		return Layer{}, err
	}
	for _, l := range ls {
		if l.ID == id {
			return l, nil
		}
	}
	return Layer{}, fmt.Errorf("layer %d: %w", id, ErrNotFound)
}
