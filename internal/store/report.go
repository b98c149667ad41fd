package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"wanmu/internal/geodesy"
)

// Area is one area in the three units planners use. Values are unrounded.
type Area struct {
	M2 float64 `json:"m2"`
	Mu float64 `json:"mu"`
	Ha float64 `json:"ha"`
}

// AreaOf returns the area m2 in all units.
func AreaOf(m2 float64) Area {
	if math.Abs(m2) < 1e-6 { // clear float noise from differences of equal areas
		m2 = 0
	}
	return Area{M2: m2, Mu: geodesy.Mu(m2), Ha: geodesy.Hectares(m2)}
}

// LayerDeduction is what one constraint layer takes from a platform.
type LayerDeduction struct {
	LayerID int64  `json:"layer_id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	// Own is the area this layer removes on its own: for an exclude layer the
	// part of the counted area (inside the include layers) it covers; for an
	// include layer the part of the platform outside it. Layers overlap, so
	// the Own figures do not add up to the total deduction.
	Own Area `json:"own"`
	// Cumulative is the total deduction after applying this layer and all
	// layers before it in the order listed.
	Cumulative Area `json:"cumulative"`
}

// Definition says which constraint layers a report applied.
type Definition struct {
	Include []string `json:"include"`
	Exclude []string `json:"exclude"`
	Text    string   `json:"text"`
}

// Report is a platform's developable-area check (DESIGN.md).
type Report struct {
	PlatformID      int64            `json:"platform_id"`
	Name            string           `json:"name"`
	PlatformVersion int              `json:"platform_version"`
	Members         int              `json:"members"`
	Gross           Area             `json:"gross"`
	MemberSum       Area             `json:"member_sum"`
	Overlap         Area             `json:"overlap"`
	Layers          []LayerDeduction `json:"layers"`
	Deducted        Area             `json:"deducted"`
	Developable     Area             `json:"developable"`
	ThresholdMu     float64          `json:"threshold_mu"`
	Meets           bool             `json:"meets"`
	Shortfall       Area             `json:"shortfall"`
	Margin          Area             `json:"margin"`
	Parts           int              `json:"parts"`
	LargestGapM     float64          `json:"largest_gap_m"`
	Definition      Definition       `json:"definition"`
	ComputedAt      time.Time        `json:"computed_at"`
	Method          string           `json:"method"`
}

// AreaMethod describes how every area is computed.
const AreaMethod = "CGCS2000 ellipsoidal area (PostGIS ST_Area on geography, EPSG:4490); 1 mu = 2000/3 m²"

// maxGapParts bounds the pairwise distance computation for the largest gap.
const maxGapParts = 300

// Report computes the developable-area report of a live platform. All
// queries run in one repeatable-read snapshot, and each constraint layer
// contributes only its subdivided pieces that intersect the platform.
func (s *Store) Report(ctx context.Context, platformID int64) (Report, error) {
	var r Report
	// One repeatable-read snapshot for all the queries (inside InTx, the
	// caller's transaction).
	var begin func(context.Context) (pgx.Tx, error) = s.db.Begin
	if s.db == dbtx(s.pool) {
		begin = func(ctx context.Context) (pgx.Tx, error) {
			return s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		}
	}
	tx, err := begin(ctx)
	if err != nil {
		return r, fmt.Errorf("report of platform %d: %w", platformID, err)
	}
	defer tx.Rollback(context.Background())
	err = func() error {
		p, err := getPlatform(ctx, tx, platformID, false)
		if err != nil {
			return err
		}
		if p.RetiredAt != nil {
			return fmt.Errorf("platform %d is retired: %w", platformID, ErrGone)
		}
		r, err = computeReport(ctx, tx, p)
		return err
	}()
	if err != nil {
		return r, fmt.Errorf("report of platform %d: %w", platformID, err)
	}
	return r, nil
}

func computeReport(ctx context.Context, tx pgx.Tx, p Platform) (Report, error) {
	r := Report{PlatformID: p.ID, Name: p.Name, PlatformVersion: p.Version, ThresholdMu: p.ThresholdMu,
		ComputedAt: time.Now().UTC(), Method: AreaMethod, Layers: []LayerDeduction{}}

	var union []byte
	var gross, memberSum float64
	err := tx.QueryRow(ctx, `
		WITH m AS (
			SELECT z.geom FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
			WHERE pm.platform_id = $1 AND z.retired_at IS NULL
		), u AS (SELECT ST_Union(geom) AS g, coalesce(sum(ST_Area(geom::geography)), 0) AS s, count(*) AS n FROM m)
		SELECT ST_AsBinary(g), coalesce(ST_Area(g::geography), 0), s, n, coalesce(ST_NumGeometries(g), 0) FROM u`,
		p.ID).Scan(&union, &gross, &memberSum, &r.Members, &r.Parts)
	if err != nil {
		return r, fmt.Errorf("union of members: %w", err)
	}
	r.Gross, r.MemberSum = AreaOf(gross), AreaOf(memberSum)
	r.Overlap = AreaOf(math.Max(0, memberSum-gross))

	layers, err := enabledLayers(ctx, tx)
	if err != nil {
		return r, err
	}
	for _, l := range layers {
		if l.Kind == "include" {
			r.Definition.Include = append(r.Definition.Include, l.Name)
		} else {
			r.Definition.Exclude = append(r.Definition.Exclude, l.Name)
		}
	}
	r.Definition.Text = definitionText(r.Definition)

	if union == nil { // no members
		r.Developable = AreaOf(0)
		for _, l := range layers {
			r.Layers = append(r.Layers, LayerDeduction{LayerID: l.ID, Name: l.Name, Kind: l.Kind})
		}
		finish(&r)
		return r, nil
	}

	// counted starts as the platform and loses, layer by layer, what lies
	// outside the include layers and inside the exclude layers.
	counted := union
	var includeIDs []int64
	for _, l := range layers {
		if l.Kind == "include" {
			includeIDs = append(includeIDs, l.ID)
		}
	}
	// Each include layer's own deduction: the platform outside that layer.
	for _, l := range layers {
		if l.Kind != "include" {
			continue
		}
		var inside float64
		if err := tx.QueryRow(ctx, `SELECT coalesce(ST_Area(`+clippedUnion+`::geography), 0)`, union, []int64{l.ID}).Scan(&inside); err != nil {
			return r, fmt.Errorf("include layer %s: %w", l.Name, err)
		}
		r.Layers = append(r.Layers, LayerDeduction{LayerID: l.ID, Name: l.Name, Kind: l.Kind, Own: AreaOf(gross - inside)})
	}
	if len(includeIDs) > 0 {
		var countedArea float64
		if err := tx.QueryRow(ctx, `WITH c AS (SELECT coalesce(`+clippedUnion+`, 'POLYGON EMPTY'::geometry) AS g)
			SELECT ST_AsBinary(g), ST_Area(g::geography) FROM c`, union, includeIDs).Scan(&counted, &countedArea); err != nil {
			return r, fmt.Errorf("include layers: %w", err)
		}
		cum := AreaOf(gross - countedArea)
		for i := range r.Layers {
			r.Layers[i].Cumulative = cum // includes act together: any of them admits land
		}
	}
	included := counted // exclude layers are measured within the included land
	for _, l := range layers {
		if l.Kind != "exclude" {
			continue
		}
		var own, remaining float64
		err := tx.QueryRow(ctx, `
			WITH d AS (SELECT ST_GeomFromWKB($1, 4490) AS g),
			     x AS (SELECT `+clippedUnionOf("d.g", "$2")+` AS g FROM d),
			     r AS (SELECT x.g AS x, CASE WHEN x.g IS NULL THEN ST_GeomFromWKB($3, 4490)
			                                 ELSE ST_Difference(ST_GeomFromWKB($3, 4490), x.g) END AS rest FROM x)
			SELECT coalesce(ST_Area(r.x::geography), 0), ST_AsBinary(r.rest), ST_Area(r.rest::geography) FROM r`,
			included, []int64{l.ID}, counted).Scan(&own, &counted, &remaining)
		if err != nil {
			return r, fmt.Errorf("exclude layer %s: %w", l.Name, err)
		}
		r.Layers = append(r.Layers, LayerDeduction{LayerID: l.ID, Name: l.Name, Kind: l.Kind, Own: AreaOf(own), Cumulative: AreaOf(gross - remaining)})
	}
	var developable float64
	if err := tx.QueryRow(ctx, `SELECT coalesce(ST_Area(ST_GeomFromWKB($1, 4490)::geography), 0)`, counted).Scan(&developable); err != nil {
		return r, fmt.Errorf("developable area: %w", err)
	}
	r.Developable = AreaOf(developable)
	if r.Parts > 1 && r.Parts <= maxGapParts {
		if r.LargestGapM, err = largestGap(ctx, tx, union); err != nil {
			return r, err
		}
	}
	finish(&r)
	return r, nil
}

// clippedUnion is the union of the pieces of layers $2 that intersect the
// geometry $1, each clipped to it. Only pieces whose boxes meet $1 are read.
var clippedUnion = clippedUnionOf("ST_GeomFromWKB($1, 4490)", "$2")

func clippedUnionOf(geom, layers string) string {
	return `(SELECT ST_Union(ST_Intersection(cp.geom, g.g))
		FROM (SELECT ` + geom + ` AS g) g JOIN constraint_piece cp ON cp.geom && g.g
		WHERE cp.layer_id = ANY(` + layers + `) AND ST_Intersects(cp.geom, g.g))`
}

func finish(r *Report) {
	r.Deducted = AreaOf(r.Gross.M2 - r.Developable.M2)
	r.Meets = r.Developable.Mu >= r.ThresholdMu
	diff := r.Developable.Mu - r.ThresholdMu
	if r.Meets {
		r.Margin = AreaOf(geodesy.SquareMetresFromMu(diff))
	} else {
		r.Shortfall = AreaOf(geodesy.SquareMetresFromMu(-diff))
	}
}

type layerRef struct {
	ID   int64
	Name string
	Kind string
}

func enabledLayers(ctx context.Context, tx pgx.Tx) ([]layerRef, error) {
	rows, err := tx.Query(ctx, `SELECT id, name, kind FROM constraint_layer
		WHERE enabled AND kind IN ('include', 'exclude') ORDER BY kind DESC, id`) // include first
	if err != nil {
		return nil, fmt.Errorf("constraint layers: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (layerRef, error) {
		var l layerRef
		err := row.Scan(&l.ID, &l.Name, &l.Kind)
		return l, err
	})
}

func definitionText(d Definition) string {
	var b strings.Builder
	b.WriteString("可开发空间 = 平台范围")
	if len(d.Include) > 0 {
		b.WriteString(" ∩ (" + strings.Join(d.Include, " ∪ ") + ")")
	}
	if len(d.Exclude) > 0 {
		b.WriteString(" − (" + strings.Join(d.Exclude, " ∪ ") + ")")
	}
	return b.String()
}

// largestGap is the longest edge of the minimum spanning tree over the parts
// of the platform: the widest distance that separates its groups of parts.
func largestGap(ctx context.Context, tx pgx.Tx, union []byte) (float64, error) {
	rows, err := tx.Query(ctx, `
		WITH parts AS (SELECT d.path[1] AS i, d.geom::geography AS g FROM ST_Dump(ST_GeomFromWKB($1, 4490)) d)
		SELECT a.i, b.i, ST_Distance(a.g, b.g) FROM parts a JOIN parts b ON a.i < b.i`, union)
	if err != nil {
		return 0, fmt.Errorf("gaps between parts: %w", err)
	}
	type edge struct {
		a, b int
		d    float64
	}
	var edges []edge
	n := 0
	for rows.Next() {
		var e edge
		if err := rows.Scan(&e.a, &e.b, &e.d); err != nil {
			rows.Close()
			return 0, err
		}
		edges = append(edges, e)
		n = max(n, e.a, e.b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("gaps between parts: %w", err)
	}
	// Prim's algorithm on the complete graph of parts (1-based indices).
	dist := make([]float64, n+1)
	in := make([]bool, n+1)
	w := make(map[[2]int]float64, len(edges))
	for _, e := range edges {
		w[[2]int{e.a, e.b}] = e.d
		w[[2]int{e.b, e.a}] = e.d
	}
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	dist[1] = 0
	longest := 0.0
	for range n {
		u := -1
		for v := 1; v <= n; v++ {
			if !in[v] && (u < 0 || dist[v] < dist[u]) {
				u = v
			}
		}
		in[u] = true
		longest = math.Max(longest, dist[u])
		for v := 1; v <= n; v++ {
			if d, ok := w[[2]int{u, v}]; ok && !in[v] && d < dist[v] {
				dist[v] = d
			}
		}
	}
	return longest, nil
}

// Measure returns the ellipsoidal area of a geometry and whether PostGIS
// finds it valid (with the reason when not).
func (s *Store) Measure(ctx context.Context, wkb []byte) (Area, string, error) {
	var m2 float64
	var reason string
	err := s.db.QueryRow(ctx, `WITH g AS (SELECT ST_GeomFromWKB($1, 4490) AS g)
		SELECT ST_Area(g::geography), CASE WHEN ST_IsValid(g) THEN '' ELSE ST_IsValidReason(g) END FROM g`, wkb).Scan(&m2, &reason)
	if err != nil {
		return Area{}, "", fmt.Errorf("measure: %w", classify(err))
	}
	return AreaOf(m2), reason, nil
}

// ReportKey returns a fingerprint of everything a platform's report depends
// on: the platform's version, its members' versions, and the constraint
// layers' versions. Every write bumps one of these, so a cached report with
// the current key is never stale. It costs one indexed query.
func (s *Store) ReportKey(ctx context.Context, platformID int64) (string, error) {
	var key string
	err := s.db.QueryRow(ctx, `
		SELECT p.version || '/' || coalesce(m.n, 0) || '.' || coalesce(m.v, 0) || '.' || coalesce(m.top, 0)
		       || '/' || l.n || '.' || l.v || '.' || l.top
		FROM platform p
		LEFT JOIN LATERAL (SELECT count(*) AS n, sum(z.version) AS v, max(z.id) AS top
			FROM platform_member pm JOIN zone z ON z.id = pm.zone_id WHERE pm.platform_id = p.id) m ON true
		CROSS JOIN (SELECT count(*) AS n, coalesce(sum(version), 0) AS v, coalesce(max(id), 0) AS top FROM constraint_layer) l
		WHERE p.id = $1`, platformID).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("platform %d: %w", platformID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("report key of platform %d: %w", platformID, err)
	}
	return key, nil
}
