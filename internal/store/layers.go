package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"wanmu/internal/change"
)

// Layer is a constraint or reference layer.
type Layer struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Kind       string    `json:"kind"` // one of LayerKinds
	Enabled    bool      `json:"enabled"`
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"imported_at"`
	Features   int       `json:"features"`
	Version    int       `json:"version"`
}

// LayerKinds are the kinds of layer: include and exclude define the
// developable area; reference layers are only shown; vacant layers (闲置土地:
// 批而未供、供而未用 parcels) are shown and summed in the platforms' 低效用地,
// never deducted.
var LayerKinds = []string{"include", "exclude", "reference", "vacant"}

// ValidLayerKind reports whether k is one of LayerKinds.
func ValidLayerKind(k string) bool { return slices.Contains(LayerKinds, k) }

// layerSelect reads layers with their feature counts (scanLayer reads a row).
const layerSelect = `SELECT l.id, l.name, l.kind, l.enabled, l.source, l.imported_at,
	(SELECT count(*) FROM constraint_feature f WHERE f.layer_id = l.id), l.version
	FROM constraint_layer l`

func scanLayer(row pgx.CollectableRow) (Layer, error) {
	var l Layer
	err := row.Scan(&l.ID, &l.Name, &l.Kind, &l.Enabled, &l.Source, &l.ImportedAt, &l.Features, &l.Version)
	return l, err
}

// ListLayers returns every constraint and reference layer.
func (s *Store) ListLayers(ctx context.Context) ([]Layer, error) {
	rows, err := s.db.Query(ctx, layerSelect+` ORDER BY l.id`)
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	ls, err := pgx.CollectRows(rows, scanLayer)
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	return ls, nil
}

// getLayer reads layer id in tx: the write that changed it answers with it
// from inside its own transaction, so that once it commits nothing is left
// to fail.
func getLayer(ctx context.Context, tx pgx.Tx, id int64) (Layer, error) {
	rows, err := tx.Query(ctx, layerSelect+` WHERE l.id = $1`, id)
	if err != nil {
		return Layer{}, fmt.Errorf("layer %d: %w", id, err)
	}
	l, err := pgx.CollectExactlyOneRow(rows, scanLayer)
	if err != nil {
		return Layer{}, fmt.Errorf("layer %d: %w", id, err)
	}
	return l, nil
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

// LoadReport says what loading a layer did to its features besides storing
// them.
type LoadReport struct {
	// Repaired counts the invalid geometries repaired with ST_MakeValid.
	Repaired int
	// Empty lists the features (1-based, in the order given) left out
	// because they enclose no area, as given or once repaired: an empty
	// polygon, or a sliver that collapses to a line.
	Empty []int
}

// CreateLayer creates a constraint (include/exclude) or reference layer and
// loads its features in one transaction: either all of them land or none.
// Invalid geometries are repaired with ST_MakeValid (a layer is reference
// data, not an edit); the report counts the repairs and names the features
// left out for enclosing no area. The load is recorded in the history as c's
// (an undo switches the layer off).
func (s *Store) CreateLayer(ctx context.Context, c Change, name, kind, source string, features []LayerFeature, progress func(done, total int)) (Layer, LoadReport, error) {
	var l Layer
	var rep LoadReport
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO constraint_layer (name, kind, source) VALUES ($1, $2, $3) RETURNING id`,
			name, kind, source).Scan(&l.ID); err != nil {
			return fmt.Errorf("create layer %s: %w", name, classify(err))
		}
		var err error
		rep, err = loadFeatures(ctx, tx, l.ID, kind, features, progress)
		if err != nil {
			return fmt.Errorf("load layer %s: %w", name, err)
		}
		if err := change.Publish(ctx, tx, change.Change{Layer: fmt.Sprintf("layer-%d", l.ID)}); err != nil {
			return err
		}
		if err := change.Publish(ctx, tx, change.Change{Layer: "platforms"}); err != nil {
			return err
		}
		if l, err = getLayer(ctx, tx, l.ID); err != nil {
			return err
		}
		return addRevision(ctx, tx, "layer", l.ID, l.Version, "import", c, nil, layerState(l))
	})
	if err != nil {
		return Layer{}, LoadReport{}, err
	}
	return l, rep, nil
}

// loadBatch is the number of features per COPY batch and per statement of
// the later phases, so that progress moves while a large layer loads.
const loadBatch = 20000

// analyzeAbove is the number of features above which a load analyses the
// tables at once, so that the next report is planned with the new rows
// counted rather than after autovacuum gets round to it.
const analyzeAbove = 10000

// loadTimeouts bound a layer load's statements and lock waits (for the
// rest of its transaction).
const loadTimeouts = `SET LOCAL statement_timeout = '15min'; SET LOCAL lock_timeout = '15min'`

// pieceLock serialises the overlap marking of concurrent imports: each must
// see the pieces of the other (arbitrary, fixed).
const pieceLock = 7_202_058

// Load phases, in per mille of the whole load: COPY, features (validity and
// repair), pieces (subdivision and spatial order), overlaps, writing the
// pieces, analysis.
var loadPhases = [...]int{0, 150, 350, 500, 800, 970, 1000}

func loadFeatures(ctx context.Context, tx pgx.Tx, layerID int64, kind string, features []LayerFeature, progress func(done, total int)) (LoadReport, error) {
	var rep LoadReport
	total := len(features)
	report := func(phase int, frac float64) {
		if progress != nil && total > 0 {
			lo, hi := loadPhases[phase], loadPhases[phase+1]
			progress(int(float64(total)*(float64(lo)+min(frac, 1)*float64(hi-lo))/1000), total)
		}
	}
	exec := func(sql string, args ...any) error {
		_, err := tx.Exec(ctx, sql, args...)
		return err
	}
	// A million parcels take two minutes, the overlap marking of one
	// statement a good part of it, and a load waits for another's pieceLock:
	// the session's timeouts (30 s, 5 s) would end a legitimate load.
	if err := exec(loadTimeouts); err != nil {
		return rep, err
	}
	if err := exec(`CREATE TEMP TABLE layer_load (n int, wkb bytea, attrs jsonb) ON COMMIT DROP`); err != nil {
		return rep, err
	}
	for start := 0; start < total; start += loadBatch {
		end := min(start+loadBatch, total)
		rows := make([][]any, 0, end-start)
		for i, f := range features[start:end] {
			attrs := encodeAttributes(f.Attributes)
			rows = append(rows, []any{start + i, f.Geom, attrs})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"layer_load"}, []string{"n", "wkb", "attrs"}, pgx.CopyFromRows(rows)); err != nil {
			return rep, err
		}
		report(0, float64(end)/float64(total))
	}
	// Features, repaired where invalid: each validity test runs once.
	for start := 0; start < total; start += loadBatch {
		var n int
		var empty []int
		if err := tx.QueryRow(ctx, `
			WITH v AS (
				SELECT n, attrs, valid, ST_Multi(ST_CollectionExtract(CASE WHEN valid THEN g0 ELSE ST_MakeValid(g0) END, 3)) AS g
				FROM (SELECT n, attrs, g0, ST_IsValid(g0) AS valid
				      FROM (SELECT n, attrs, ST_GeomFromWKB(wkb, 4490) AS g0 FROM layer_load WHERE n >= $2 AND n < $3) r) s
			), ins AS (
				INSERT INTO constraint_feature (layer_id, geom, attributes)
				SELECT $1, g, attrs FROM v WHERE NOT ST_IsEmpty(g) ORDER BY n
			)
			SELECT count(*) FILTER (WHERE NOT valid), coalesce(array_agg(n + 1 ORDER BY n) FILTER (WHERE ST_IsEmpty(g)), '{}')
			FROM v`, layerID, start, start+loadBatch).Scan(&n, &empty); err != nil {
			return rep, err
		}
		rep.Repaired += n
		rep.Empty = append(rep.Empty, empty...)
		report(1, float64(start+loadBatch)/float64(total))
	}
	// Several layers may load in one transaction: drop what ON COMMIT would.
	if err := exec(`DROP TABLE layer_load`); err != nil {
		return rep, err
	}

	// Pieces are staged, numbered in spatial order (neighbours then share
	// pages, which keeps index scans cheap when the table outgrows memory),
	// marked, and written once.
	var lo, hi int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM constraint_feature WHERE layer_id = $1`, layerID).Scan(&lo, &hi); err != nil {
		return rep, err
	}
	if err := exec(`CREATE TEMP TABLE piece_cut (feature_id bigint, geom geometry) ON COMMIT DROP`); err != nil {
		return rep, err
	}
	for start := lo; start <= hi; start += loadBatch {
		if err := exec(`
			INSERT INTO piece_cut (feature_id, geom)
			SELECT f.id, ST_Subdivide(f.geom, $4) FROM constraint_feature f
			WHERE f.layer_id = $1 AND f.id >= $2 AND f.id < $3`, layerID, start, start+loadBatch, pieceVertices); err != nil {
			return rep, err
		}
		report(2, 0.8*float64(start+loadBatch-lo)/float64(hi-lo+1))
	}
	if err := exec(`
		CREATE TEMP TABLE piece_new ON COMMIT DROP AS
		SELECT row_number() OVER (ORDER BY geom) AS id, feature_id, geom FROM piece_cut;
		DROP TABLE piece_cut;
		CREATE TEMP TABLE piece_overlap (id bigint PRIMARY KEY) ON COMMIT DROP`); err != nil {
		return rep, err
	}
	var pieces int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM piece_new`).Scan(&pieces); err != nil {
		return rep, err
	}
	report(2, 1)

	// overlapping: the piece's interior meets that of a piece of another
	// feature in this layer or in another layer of the same kind. Reference
	// and vacant layers never enter a report and are left marked (the safe default).
	mark := kind == "include" || kind == "exclude"
	if mark {
		if err := exec(`CREATE INDEX ON piece_new USING gist (geom); ANALYZE piece_new`); err != nil {
			return rep, err
		}
		for start := int64(1); start <= pieces; start += loadBatch {
			if err := exec(`
				INSERT INTO piece_overlap (id)
				SELECT p.id FROM piece_new p
				WHERE p.id >= $1 AND p.id < $2 AND EXISTS (
					SELECT 1 FROM piece_new o
					WHERE o.geom && p.geom AND o.feature_id <> p.feature_id AND ST_Relate(o.geom, p.geom, '2********'))`,
				start, start+loadBatch); err != nil {
				return rep, err
			}
			report(3, 0.9*float64(start+loadBatch)/float64(pieces+1))
		}
		// Other layers: from here on this import must see every other
		// import's pieces, and they this one's.
		if err := exec(`SELECT pg_advisory_xact_lock($1)`, pieceLock); err != nil {
			return rep, err
		}
		if err := exec(`
			INSERT INTO piece_overlap (id)
			SELECT DISTINCT p.id FROM piece_new p
			JOIN constraint_piece o ON o.geom && p.geom
			JOIN constraint_layer l ON l.id = o.layer_id
			WHERE l.kind = $1 AND o.layer_id <> $2 AND ST_Relate(o.geom, p.geom, '2********')
			ON CONFLICT DO NOTHING`, kind, layerID); err != nil {
			return rep, err
		}
		// The older pieces these overlap, found from the few marked new ones.
		if err := exec(`
			WITH m AS MATERIALIZED (SELECT p.geom FROM piece_new p JOIN piece_overlap v ON v.id = p.id)
			UPDATE constraint_piece o SET overlapping = true
			FROM m, constraint_layer l
			WHERE o.geom && m.geom AND NOT o.overlapping AND o.layer_id <> $2 AND l.id = o.layer_id AND l.kind = $1
			  AND ST_Relate(o.geom, m.geom, '2********')`, kind, layerID); err != nil {
			return rep, err
		}
		report(3, 1)
	}
	for start := int64(1); start <= pieces; start += loadBatch {
		if err := exec(`
			INSERT INTO constraint_piece (feature_id, layer_id, geom, area_m2, overlapping)
			SELECT p.feature_id, $1, p.geom, ellipsoidal_area(p.geom), NOT $4 OR v.id IS NOT NULL
			FROM piece_new p LEFT JOIN piece_overlap v ON v.id = p.id
			WHERE p.id >= $2 AND p.id < $3 ORDER BY p.id`, layerID, start, start+loadBatch, mark); err != nil {
			return rep, err
		}
		report(4, float64(start+loadBatch)/float64(pieces+1))
	}
	if err := exec(`DROP TABLE piece_new; DROP TABLE piece_overlap`); err != nil {
		return rep, err
	}
	if total >= analyzeAbove {
		if err := exec(`ANALYZE constraint_feature; ANALYZE constraint_piece`); err != nil {
			return rep, err
		}
	}
	report(5, 1)
	return rep, nil
}

// SetLayerEnabled switches a layer on or off for the report, at version,
// as c's change in the history. Switching it to what it is changes nothing.
func (s *Store) SetLayerEnabled(ctx context.Context, id int64, version int, enabled bool, c Change) (Layer, error) {
	var l Layer
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := lockLayer(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return &ConflictError{Entity: "layer", ID: id, Expected: version, Current: cur.Version}
		}
		if cur.Enabled == enabled {
			l = cur
			return nil
		}
		l, err = writeLayerEnabled(ctx, tx, cur, enabled, map[bool]string{true: "enable", false: "disable"}[enabled], c)
		return err
	})
	if err != nil {
		return Layer{}, err
	}
	return l, nil
}
