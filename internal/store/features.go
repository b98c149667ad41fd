package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"wanmu/internal/change"
)

// FeatureCollection describes one collection of features served to GIS
// clients (OGC API – Features): the live zones, the platform outlines, or
// one constraint or reference layer.
type FeatureCollection struct {
	// ID is "zones", "platforms", "layer-<id>", or a plan's
	// "scenario-<id>-zones" and "scenario-<id>-platforms".
	ID    string
	Title string // a layer's name
	// Kind is "zones", "platforms", or the layer's kind (include, exclude,
	// reference).
	Kind string
	// Scenario is the plan (方案) whose zones or platforms these are; 0 is
	// the official data (and every layer's).
	Scenario     int64
	ScenarioName string
	Enabled      bool // constraint layers: counts in the developable-area figures
	// Bounds is the lon/lat extent of the features; nil for an empty
	// collection.
	Bounds *orb.Bound
}

// Titles of the zone and platform collections (as in the tile list).
const (
	zonesTitle     = "Zones 园区与乡镇工业功能区"
	platformsTitle = "Platforms 产业平台"
)

// FeatureQuery selects one page of a collection. Pages are in id order and
// start at the beginning (skipping Offset features), after an id, or end
// before one: After and Before walk a large layer along its primary key, so
// that the last page costs what the first does, where an Offset costs the
// features it skips.
type FeatureQuery struct {
	// BBox keeps the features whose geometry intersects it (not merely
	// its bounding box); nil keeps all.
	BBox *orb.Bound
	// Since and Until keep the features last changed (a layer's: imported)
	// within [Since, Until]; nil leaves that end open.
	Since, Until *time.Time
	Limit        int   // at most this many features; must be positive
	Offset       int   // features skipped from the start (not with After or Before)
	After        int64 // only features with a greater id
	Before       int64 // only the last Limit features with a smaller id
	// Count asks for every match to be counted (Page.Matched): a scan of
	// the whole selection, which for a large layer costs tens of ms.
	Count bool
}

// Page says where a page lies in its selection.
type Page struct {
	Matched int64 // features matching the BBox in all; -1 when not counted
	// More says whether features follow the page (with Before: precede
	// it).
	More bool
}

// PlatformItem is a live platform with the dissolved outline of its live
// member zones; Geom is nil when it has none.
type PlatformItem struct {
	Platform
	Geom orb.MultiPolygon
}

// LayerItem is one feature of a constraint or reference layer.
type LayerItem struct {
	ID         int64
	Geom       orb.MultiPolygon
	Attributes json.RawMessage // a JSON object, "{}" when there are none
	AreaM2     float64         // ellipsoidal, as the report measures it
}

// The extent of each collection, from fixed fragments. A layer's is kept by
// a trigger as its features are added (migrations/0007_layer_extent.sql);
// the zones and platforms are few. $1 is the scenario.
const (
	zonesExtentSQL = `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(geom) AS e FROM zone WHERE retired_at IS NULL AND scenario_id = $1) x`
	platformsExtentSQL = `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
		FROM (SELECT ST_Extent(z.geom) AS e FROM zone z
			JOIN platform_member m ON m.zone_id = z.id
			JOIN platform p ON p.id = m.platform_id AND p.retired_at IS NULL AND p.scenario_id = $1
			WHERE z.retired_at IS NULL) x`
	layersExtentSQL = `SELECT l.id, l.name, l.kind, l.enabled, ST_XMin(l.extent), ST_YMin(l.extent), ST_XMax(l.extent), ST_YMax(l.extent)
		FROM constraint_layer l`
	layersSQL = `SELECT l.id, l.name, l.kind, l.enabled, NULL::float8, NULL::float8, NULL::float8, NULL::float8
		FROM constraint_layer l WHERE l.id = $1`
)

// FeatureCollections lists the collections with their extents: the
// official zones and platforms, each draft plan's zones and platforms, then
// the constraint and reference layers by id.
func (s *Store) FeatureCollections(ctx context.Context) ([]FeatureCollection, error) {
	var out []FeatureCollection
	err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
		plans := []Scenario{{ID: Official}}
		rows, err := tx.Query(ctx, `SELECT `+scenarioColumns+` FROM scenario WHERE id <> 0 AND retired_at IS NULL ORDER BY id`)
		if err != nil {
			return err
		}
		drafts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scenario, error) { return scanScenario(r) })
		if err != nil {
			return err
		}
		for _, sc := range append(plans, drafts...) {
			for _, kind := range []string{change.Zones, change.Platforms} {
				c, err := fixedCollection(ctx, tx, sc, kind)
				if err != nil {
					return err
				}
				out = append(out, c)
			}
		}
		layers, err := layerCollections(ctx, tx, layersExtentSQL+` ORDER BY l.id`)
		out = append(out, layers...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list feature collections: %w", err)
	}
	return out, nil
}

// FeatureCollectionInfo describes one collection ("zones", "platforms",
// "layer-<id>", or a draft plan's "scenario-<id>-zones" or
// "scenario-<id>-platforms"); it returns ErrNotFound for any other id, and
// for a plan deleted or adopted. Without extent, Bounds is left nil and
// nothing reads the features.
func (s *Store) FeatureCollectionInfo(ctx context.Context, id string, extent bool) (FeatureCollection, error) {
	scenario, kind, planned := change.ParseScenarioCollection(id)
	if id == change.Zones || id == change.Platforms {
		kind, planned = id, true
	}
	if planned && scenario == Official && !extent { // nothing to read
		return scenarioCollectionInfo(Scenario{ID: Official}, kind), nil
	}
	if planned {
		var c FeatureCollection
		err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
			sc := Scenario{ID: Official}
			if scenario != Official {
				var err error
				sc, err = scanScenario(tx.QueryRow(ctx, `SELECT `+scenarioColumns+` FROM scenario WHERE id = $1 AND retired_at IS NULL`, scenario))
				if errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("collection %q: no draft plan %d: %w", id, scenario, ErrNotFound)
				} else if err != nil {
					return err
				}
			}
			if !extent {
				c = scenarioCollectionInfo(sc, kind)
				return nil
			}
			var err error
			c, err = fixedCollection(ctx, tx, sc, kind)
			return err
		})
		if err != nil {
			return c, fmt.Errorf("describe collection %s: %w", id, err)
		}
		return c, nil
	}
	layerID, ok := change.LayerID(id)
	if !ok {
		return FeatureCollection{}, fmt.Errorf("collection %q: %w", id, ErrNotFound)
	}
	sql := layersSQL
	if extent {
		sql = layersExtentSQL + ` WHERE l.id = $1`
	}
	cs, err := layerCollections(ctx, s.db, sql, layerID)
	if err != nil {
		return FeatureCollection{}, fmt.Errorf("describe collection %s: %w", id, err)
	}
	if len(cs) == 0 {
		return FeatureCollection{}, fmt.Errorf("collection %q: %w", id, ErrNotFound)
	}
	return cs[0], nil
}

// scenarioCollectionInfo describes the zones or platforms of sc, without
// their extent; a plan's title names it.
func scenarioCollectionInfo(sc Scenario, kind string) FeatureCollection {
	c := FeatureCollection{ID: change.ScenarioCollection(sc.ID, kind), Title: zonesTitle, Kind: kind, Enabled: true,
		Scenario: sc.ID, ScenarioName: sc.Name}
	if kind == change.Platforms {
		c.Title = platformsTitle
	}
	if sc.ID != Official {
		c.Title += " — 方案「" + sc.Name + "」"
	}
	return c
}

func fixedCollection(ctx context.Context, tx pgx.Tx, sc Scenario, kind string) (FeatureCollection, error) {
	c := scenarioCollectionInfo(sc, kind)
	sql := zonesExtentSQL
	if kind == change.Platforms {
		sql = platformsExtentSQL
	}
	var box [4]*float64
	if err := tx.QueryRow(ctx, sql, sc.ID).Scan(&box[0], &box[1], &box[2], &box[3]); err != nil {
		return c, err
	}
	c.Bounds = bound(box)
	return c, nil
}

func layerCollections(ctx context.Context, q rowQuerier, sql string, args ...any) ([]FeatureCollection, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (FeatureCollection, error) {
		var (
			c   FeatureCollection
			id  int64
			box [4]*float64
		)
		err := row.Scan(&id, &c.Title, &c.Kind, &c.Enabled, &box[0], &box[1], &box[2], &box[3])
		c.ID, c.Bounds = change.ConstraintLayer(id), bound(box)
		return c, err
	})
}

func bound(box [4]*float64) *orb.Bound {
	if box[0] == nil || box[1] == nil || box[2] == nil || box[3] == nil {
		return nil
	}
	return &orb.Bound{Min: orb.Point{*box[0], *box[1]}, Max: orb.Point{*box[2], *box[3]}}
}

// pageSQL holds the statements of one kind of page: the count, the ids of a
// page forward (after an id, skipping offset) and backward (before an id,
// highest first).
type pageSQL struct {
	count, forward, backward string
}

// pageStatements builds the statements of a page without and with a bbox
// from fixed fragments (none comes from input). The arguments are: those of
// where ($1 … $first-1), then with a bbox the envelope, then the forward
// page's after, limit and offset, or the backward page's before and limit.
// cond is the bbox condition, with ENVELOPE for the box.
func pageStatements(from, where, when, cond, id string, first int) [2]pageSQL {
	// The time window's ends are parameters that may be NULL: planned for
	// the values given (custom plans), an open end costs nothing.
	where += fmt.Sprintf(` AND ($%[1]d::timestamptz IS NULL OR %[3]s >= $%[1]d) AND ($%[2]d::timestamptz IS NULL OR %[3]s <= $%[2]d)`,
		first, first+1, when)
	first += 2
	mk := func(where string, next int) pageSQL {
		return pageSQL{
			count: `SELECT count(*) FROM ` + from + ` WHERE ` + where,
			forward: fmt.Sprintf(`SELECT %s FROM %s WHERE %s AND %s > $%d ORDER BY %s LIMIT $%d OFFSET $%d`,
				id, from, where, id, next, id, next+1, next+2),
			backward: fmt.Sprintf(`SELECT %s FROM %s WHERE %s AND %s < $%d ORDER BY %s DESC LIMIT $%d`,
				id, from, where, id, next, id, next+1),
		}
	}
	env := fmt.Sprintf(`ST_MakeEnvelope($%d, $%d, $%d, $%d, 4490)`, first, first+1, first+2, first+3)
	return [2]pageSQL{mk(where, first), mk(where+` AND `+strings.ReplaceAll(cond, "ENVELOPE", env), first+4)}
}

var (
	// ST_Intersects keeps what meets the box itself, through the GiST
	// index; the pages go by id, along the primary key. $1 is the
	// scenario (the store's).
	zonePage = pageStatements(`zone z`, `z.retired_at IS NULL AND z.scenario_id = $1`, `z.updated_at`, `ST_Intersects(z.geom, ENVELOPE)`, `z.id`, 2)
	// A platform meets the box when one of its live members does: the
	// outline is their union.
	platformPage = pageStatements(`platform p`, `p.retired_at IS NULL AND p.scenario_id = $1`, `p.updated_at`, `EXISTS (SELECT 1 FROM platform_member m
		JOIN zone z ON z.id = m.zone_id AND z.retired_at IS NULL
		WHERE m.platform_id = p.id AND ST_Intersects(z.geom, ENVELOPE))`, `p.id`, 2)
	// A layer's features date from its import.
	layerPage = pageStatements(`constraint_feature f`, `f.layer_id = $1`, `(SELECT l.imported_at FROM constraint_layer l WHERE l.id = $1)`,
		`ST_Intersects(f.geom, ENVELOPE)`, `f.id`, 2)
)

// pageIDs returns the ids of the page q selects, in ascending order, where
// the page lies, and (with q.Count) how many features match in all. It
// asks for one id more than the page holds to know whether more follow.
func pageIDs(ctx context.Context, tx pgx.Tx, sqls [2]pageSQL, q FeatureQuery, extra ...any) ([]int64, Page, error) {
	page := Page{Matched: -1}
	if q.Limit <= 0 || q.Offset < 0 || q.After < 0 || q.Before < 0 || (q.Before > 0 && (q.After > 0 || q.Offset > 0)) {
		return nil, page, fmt.Errorf("page of %d from offset %d, after %d, before %d: %w", q.Limit, q.Offset, q.After, q.Before, ErrInvalid)
	}
	sql, args := sqls[0], append(extra, q.Since, q.Until)
	if q.BBox != nil {
		sql = sqls[1]
		args = append(args, q.BBox.Min[0], q.BBox.Min[1], q.BBox.Max[0], q.BBox.Max[1])
	}
	if q.Count {
		if err := tx.QueryRow(ctx, sql.count, args...).Scan(&page.Matched); err != nil {
			return nil, page, err
		}
		if int64(q.Offset) >= page.Matched && q.After == 0 && q.Before == 0 {
			return nil, page, nil
		}
	}
	var rows pgx.Rows
	var err error
	if q.Before > 0 {
		rows, err = tx.Query(ctx, sql.backward, append(args, q.Before, q.Limit+1)...)
	} else {
		rows, err = tx.Query(ctx, sql.forward, append(args, q.After, q.Limit+1, q.Offset)...)
	}
	if err != nil {
		return nil, page, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, page, err
	}
	if len(ids) > q.Limit {
		page.More = true
		ids = ids[:q.Limit]
	}
	if q.Before > 0 {
		slices.Reverse(ids)
	}
	return ids, page, nil
}

// ZonePage returns one page of the live zones of the store's scenario, in
// id order.
func (s *Store) ZonePage(ctx context.Context, q FeatureQuery) ([]Zone, Page, error) {
	var (
		zs   []Zone
		page Page
	)
	err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
		ids, p, err := pageIDs(ctx, tx, zonePage, q, s.scenario)
		page = p
		if err != nil || len(ids) == 0 {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+zoneColumns+zoneFrom+" WHERE z.id = ANY($1) ORDER BY z.id", ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			z, err := scanZone(rows)
			if err != nil {
				return err
			}
			zs = append(zs, z)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, page, fmt.Errorf("page of zones: %w", err)
	}
	return zs, page, nil
}

// outlinesSQL dissolves the live members of each platform of $1.
const outlinesSQL = `SELECT m.platform_id, ST_AsBinary(ST_Multi(ST_Union(z.geom))) FROM platform_member m
	JOIN zone z ON z.id = m.zone_id AND z.retired_at IS NULL
	WHERE m.platform_id = ANY($1) GROUP BY m.platform_id`

// PlatformPage returns one page of the live platforms of the store's
// scenario with their outlines, in id order.
func (s *Store) PlatformPage(ctx context.Context, q FeatureQuery) ([]PlatformItem, Page, error) {
	var (
		ps   []PlatformItem
		page Page
	)
	err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
		ids, p, err := pageIDs(ctx, tx, platformPage, q, s.scenario)
		page = p
		if err != nil || len(ids) == 0 {
			return err
		}
		ps, err = platformOutlines(ctx, tx, ids)
		return err
	})
	if err != nil {
		return nil, page, fmt.Errorf("page of platforms: %w", err)
	}
	return ps, page, nil
}

// LivePlatformItem returns a live platform with its outline; a retired
// or unknown platform is ErrNotFound.
func (s *Store) LivePlatformItem(ctx context.Context, id int64) (PlatformItem, error) {
	var ps []PlatformItem
	err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
		var err error
		ps, err = platformOutlines(ctx, tx, []int64{id})
		return err
	})
	if err != nil {
		return PlatformItem{}, fmt.Errorf("platform %d: %w", id, err)
	}
	if len(ps) == 0 {
		return PlatformItem{}, fmt.Errorf("platform %d: %w", id, ErrNotFound)
	}
	return ps[0], nil
}

// platformOutlines reads the live platforms among ids, by id, each with its
// dissolved outline.
func platformOutlines(ctx context.Context, tx pgx.Tx, ids []int64) ([]PlatformItem, error) {
	rows, err := tx.Query(ctx, "SELECT "+platformColumns+" FROM platform p WHERE p.id = ANY($1) AND p.retired_at IS NULL ORDER BY p.id", ids)
	if err != nil {
		return nil, err
	}
	var ps []PlatformItem
	for rows.Next() {
		p, err := scanPlatform(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ps = append(ps, PlatformItem{Platform: p})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, outlinesSQL, ids)
	if err != nil {
		return nil, err
	}
	outlines := map[int64][]byte{}
	var (
		id int64
		g  []byte
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &g}, func() error {
		outlines[id] = append([]byte(nil), g...)
		return nil
	}); err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Geom, err = decodeMulti(outlines[ps[i].ID]); err != nil {
			return nil, fmt.Errorf("outline of platform %d: %w", ps[i].ID, err)
		}
	}
	return ps, nil
}

// layerItemSQL reads features of layer $1 by id ($2, an array); attributes
// that are not a JSON object read as none.
const layerItemSQL = `SELECT f.id, ST_AsBinary(f.geom),
	CASE WHEN jsonb_typeof(f.attributes) = 'object' THEN f.attributes ELSE '{}'::jsonb END::text,
	ellipsoidal_area(f.geom)
	FROM constraint_feature f WHERE f.layer_id = $1 AND f.id = ANY($2) ORDER BY f.id`

// LayerPage returns one page of a constraint or reference layer's features,
// in id order. An unknown layer has no features.
func (s *Store) LayerPage(ctx context.Context, layerID int64, q FeatureQuery) ([]LayerItem, Page, error) {
	var (
		items []LayerItem
		page  Page
	)
	err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
		ids, p, err := pageIDs(ctx, tx, layerPage, q, layerID)
		page = p
		if err != nil || len(ids) == 0 {
			return err
		}
		items, err = layerItems(ctx, tx, layerID, ids)
		return err
	})
	if err != nil {
		return nil, page, fmt.Errorf("page of layer %d: %w", layerID, err)
	}
	return items, page, nil
}

// LayerItem returns one feature of a layer; ErrNotFound when the layer has
// no feature of that id.
func (s *Store) LayerItem(ctx context.Context, layerID, featureID int64) (LayerItem, error) {
	items, err := layerItems(ctx, s.db, layerID, []int64{featureID})
	if err != nil {
		return LayerItem{}, fmt.Errorf("feature %d of layer %d: %w", featureID, layerID, err)
	}
	if len(items) == 0 {
		return LayerItem{}, fmt.Errorf("feature %d of layer %d: %w", featureID, layerID, ErrNotFound)
	}
	return items[0], nil
}

type rowQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func layerItems(ctx context.Context, q rowQuerier, layerID int64, ids []int64) ([]LayerItem, error) {
	rows, err := q.Query(ctx, layerItemSQL, layerID, ids)
	if err != nil {
		return nil, err
	}
	var (
		items []LayerItem
		id    int64
		g     []byte
		attrs string
		area  float64
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &g, &attrs, &area}, func() error {
		geom, err := decodeMulti(g)
		if err != nil {
			return fmt.Errorf("feature %d: %w", id, err)
		}
		items = append(items, LayerItem{ID: id, Geom: geom, Attributes: json.RawMessage(attrs), AreaM2: area})
		return nil
	})
	return items, err
}
