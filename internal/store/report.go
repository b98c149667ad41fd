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

// AreaMethod describes how every area is computed (the SQL function
// ellipsoidal_area of migrations/0004_ellipsoidal_area.sql).
const AreaMethod = "CGCS2000 ellipsoidal area (PostGIS ST_Area on geography, EPSG:4490; edges straight in longitude/latitude, densified to 0.0005° first); 1 mu = 2000/3 m²"

// maxGapParts bounds the pairwise distance computation for the largest gap.
const maxGapParts = 300

// Report computes the developable-area report of a live platform. All
// queries run in one repeatable-read snapshot, and each constraint layer
// contributes only its subdivided pieces that intersect the platform.
func (s *Store) Report(ctx context.Context, platformID int64) (Report, error) {
	var r Report
	err := s.reportSnapshot(ctx, func(tx pgx.Tx) error {
		p, err := getPlatform(ctx, tx, platformID, false)
		if err != nil {
			return err
		}
		if p.RetiredAt != nil {
			return fmt.Errorf("platform %d is retired: %w", platformID, ErrGone)
		}
		r, err = computeReport(ctx, tx, p, memberDraft{})
		return err
	})
	if err != nil {
		return r, fmt.Errorf("report of platform %d: %w", platformID, err)
	}
	return r, nil
}

// Preview is what a zone's geometry being edited would make of its area
// and of the reports of the platforms it belongs to.
type Preview struct {
	Area   Area
	Reason string // why PostGIS finds the geometry invalid; empty when valid
	// Reports are the live platforms' reports with the zone's geometry
	// replaced by the draft (none when the draft is invalid), by platform id.
	Reports []Report
	// Zone is the draft's own report (as ZoneDevelopable): PreviewZone only,
	// nil when the draft is invalid.
	Zone *Report
}

// PreviewZone computes, in one snapshot and without writing anything, the
// reports of the live platforms that zone zoneID belongs to as if its
// geometry were the draft wkb: what a planner sees while dragging a vertex,
// before saving. The zone must be live.
func (s *Store) PreviewZone(ctx context.Context, zoneID int64, wkb []byte) (Preview, error) {
	var pv Preview
	err := s.reportSnapshot(ctx, func(tx pgx.Tx) error {
		z, err := getZone(ctx, tx, zoneID, false)
		if err != nil {
			return err
		}
		if z.RetiredAt != nil {
			return fmt.Errorf("zone %d is retired: %w", zoneID, ErrGone)
		}
		if pv.Area, pv.Reason, err = measure(ctx, tx, wkb); err != nil {
			return err
		}
		pv.Reports = []Report{}
		if pv.Reason != "" {
			return nil
		}
		own, err := zoneReport(ctx, tx, z.Name, wkb)
		if err != nil {
			return err
		}
		pv.Zone = &own
		rows, err := tx.Query(ctx, `SELECT p.id FROM platform p JOIN platform_member pm ON pm.platform_id = p.id
			WHERE pm.zone_id = $1 AND p.retired_at IS NULL ORDER BY p.id`, zoneID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range ids {
			p, err := getPlatform(ctx, tx, id, false)
			if err != nil {
				return err
			}
			r, err := computeReport(ctx, tx, p, memberDraft{zoneID: zoneID, wkb: wkb})
			if err != nil {
				return err
			}
			pv.Reports = append(pv.Reports, r)
		}
		return nil
	})
	if err != nil {
		return pv, fmt.Errorf("preview of zone %d: %w", zoneID, err)
	}
	return pv, nil
}

// memberDraft stands in for one member's stored geometry in a report (the
// zero value for none).
type memberDraft struct {
	zoneID int64
	wkb    []byte
}

func computeReport(ctx context.Context, tx pgx.Tx, p Platform, draft memberDraft) (Report, error) {
	r := Report{PlatformID: p.ID, Name: p.Name, PlatformVersion: p.Version, ThresholdMu: p.ThresholdMu,
		ComputedAt: time.Now().UTC(), Method: AreaMethod, Layers: []LayerDeduction{}}

	layers, err := enabledLayers(ctx, tx)
	if err != nil {
		return r, err
	}
	include, exclude := []int64{}, []int64{}
	for _, l := range layers {
		if l.Kind == "include" {
			include = append(include, l.ID)
			r.Definition.Include = append(r.Definition.Include, l.Name)
		} else {
			exclude = append(exclude, l.ID)
			r.Definition.Exclude = append(r.Definition.Exclude, l.Name)
		}
	}
	r.Definition.Text = definitionText(r.Definition)

	var union []byte
	var gross, memberSum, included float64
	var incInside, excOwn, excCum []float64
	err = tx.QueryRow(ctx, reportSQL, p.ID, include, exclude, probeVertices, maxGapParts, draft.zoneID, draft.wkb).Scan(
		&memberSum, &r.Members, &gross, &r.Parts, &union, &incInside, &included, &excOwn, &excCum)
	if err != nil {
		return r, fmt.Errorf("developable area: %w", err)
	}
	if len(incInside) != len(include) || len(excOwn) != len(exclude) || len(excCum) != len(exclude) {
		return r, fmt.Errorf("developable area: %d/%d/%d figures for %d include and %d exclude layers",
			len(incInside), len(excOwn), len(excCum), len(include), len(exclude))
	}
	r.Gross, r.MemberSum = AreaOf(gross), AreaOf(memberSum)
	r.Overlap = AreaOf(math.Max(0, memberSum-gross))
	// enabledLayers lists the include layers first, then the exclude layers.
	// A deduction is never negative; differences of equal areas computed
	// along different vertices can be, by a few square millimetres.
	deduction := func(m2 float64) Area { return AreaOf(math.Max(0, m2)) }
	for i, l := range layers[:len(include)] {
		// Include layers act together (any of them admits land), so they
		// share one cumulative figure.
		r.Layers = append(r.Layers, LayerDeduction{LayerID: l.ID, Name: l.Name, Kind: l.Kind,
			Own: deduction(gross - incInside[i]), Cumulative: deduction(gross - included)})
	}
	for k, l := range layers[len(include):] {
		r.Layers = append(r.Layers, LayerDeduction{LayerID: l.ID, Name: l.Name, Kind: l.Kind,
			Own: deduction(excOwn[k]), Cumulative: deduction(gross - included + excCum[k])})
	}
	r.Developable = AreaOf(included)
	if n := len(exclude); n > 0 {
		// Exclude layers covering all of I leave a few square millimetres
		// either side of zero, like the deductions.
		r.Developable = AreaOf(math.Max(0, included-excCum[n-1]))
	}
	if union != nil {
		if r.LargestGapM, err = largestGap(ctx, tx, union); err != nil {
			return r, err
		}
	}
	finish(&r)
	return r, nil
}

// probeVertices bounds the vertices of the pieces the platform (and its
// included land) is cut into to probe the index: tight boxes find few
// constraint pieces that do not meet it, and clipping against a small piece
// is cheap.
const probeVertices = 64

// reportSQL computes a platform's figures in one statement, with work
// proportional to what meets the platform ($1), never to the size of a
// layer. The platform P is cut into probes of at most $4 vertices, whose
// tight boxes find in the GiST index the pieces of the include layers $2
// that meet it; P cut to their union is the included land I (P itself when
// $2 is empty). I is cut into probes in turn, which find the pieces of the
// exclude layers $3 (in report order). A piece inside a probe is taken whole,
// with its precomputed area; only pieces across a probe's edge are clipped.
// The member $6, if any, counts with the draft geometry $7 (WKB) instead of
// its stored one (a preview).
//
// Members whose interiors do not meet add up: then gross is the sum of their
// stored areas (a union only puts vertices on their straight edges, which
// does not change the area in wanmu's edge model). Each layer's pieces are
// asked of the (layer_id, geom) index one layer at a time (OFFSET 0 keeps the
// planner from turning the layer into a filter over every layer's pieces).
//
// No union is formed of the exclude pieces except of those marked
// overlapping: the others' interiors meet no other exclude piece, so
// area(I ∩ (X1 ∪ … ∪ Xk)) is the sum of their clipped areas plus the area of
// the union of the marked ones. It returns:
//
//	member sum, members, gross, parts, P as WKB when it has 2–$5 parts (for
//	the largest gap), area(P ∩ each include layer), area(I),
//	area(I ∩ each exclude layer), area(I ∩ (X1 ∪ … ∪ Xk)) for each k.
const reportSQL = `
WITH m AS MATERIALIZED (
	SELECT z.id, coalesce(d.g, z.geom) AS geom, CASE WHEN d.g IS NULL THEN z.area_m2 ELSE ellipsoidal_area(d.g) END AS area_m2
	FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
	LEFT JOIN (SELECT ST_GeomFromWKB($7::bytea, 4490) AS g) d ON z.id = $6
	WHERE pm.platform_id = $1 AND z.retired_at IS NULL
	UNION ALL -- a new zone's draft (member 0) joining the platform: PreviewNewZone
	SELECT 0, d.g, ellipsoidal_area(d.g) FROM (SELECT ST_GeomFromWKB($7::bytea, 4490) AS g) d WHERE $6::bigint = 0 AND d.g IS NOT NULL
), p AS MATERIALIZED (
	SELECT u.*, CASE WHEN EXISTS (SELECT 1 FROM m a JOIN m b ON a.id < b.id AND a.geom && b.geom
	                              WHERE ST_Relate(a.geom, b.geom, '2********'))
	                 THEN ellipsoidal_area(u.g) ELSE u.member_sum END AS gross
	FROM (SELECT ST_Union(m.geom) AS g, coalesce(sum(m.area_m2), 0) AS member_sum, count(*) AS members FROM m) u
), probe AS MATERIALIZED (
	SELECT ST_Subdivide(p.g, $4) AS g FROM p WHERE p.g IS NOT NULL
), inc AS MATERIALIZED (
	SELECT f.layer_id, ST_Union(f.g) AS g FROM (
		SELECT cp.layer_id, CASE WHEN ST_Covers(pr.g, cp.geom) THEN cp.geom
		                         ELSE ST_CollectionExtract(ST_Intersection(cp.geom, pr.g), 3) END AS g
		FROM probe pr CROSS JOIN unnest($2::bigint[]) l(id) CROSS JOIN LATERAL (
			SELECT * FROM constraint_piece c WHERE c.layer_id = l.id AND c.geom && pr.g OFFSET 0) cp
		WHERE ST_Intersects(pr.g, cp.geom)
	) f GROUP BY f.layer_id
), i0 AS MATERIALIZED (
	SELECT CASE cardinality($2::bigint[]) WHEN 0 THEN p.g
	                                      WHEN 1 THEN (SELECT inc.g FROM inc)
	                                      ELSE (SELECT ST_Union(inc.g) FROM inc) END AS g FROM p
), i AS MATERIALIZED (
	SELECT i0.g, CASE WHEN cardinality($2::bigint[]) = 0 THEN p.gross ELSE coalesce(ellipsoidal_area(i0.g), 0) END AS a FROM i0, p
), iprobe AS MATERIALIZED (
	SELECT ST_Subdivide(i.g, $4) AS g FROM i WHERE i.g IS NOT NULL AND NOT ST_IsEmpty(i.g)
), frag AS MATERIALIZED (
	SELECT k, overlapping,
	       CASE WHEN overlapping THEN NULL WHEN whole THEN coalesce(area_m2, ellipsoidal_area(geom))
	            ELSE ellipsoidal_area(ST_CollectionExtract(ST_Intersection(geom, probe), 3)) END AS a,
	       CASE WHEN NOT overlapping THEN NULL WHEN whole THEN geom
	            ELSE ST_CollectionExtract(ST_Intersection(geom, probe), 3) END AS g
	FROM (
		SELECT array_position($3::bigint[], cp.layer_id) AS k, cp.overlapping, cp.area_m2, cp.geom, ip.g AS probe,
		       ST_Covers(ip.g, cp.geom) AS whole
		FROM iprobe ip CROSS JOIN unnest($3::bigint[]) l(id) CROSS JOIN LATERAL (
			SELECT * FROM constraint_piece c WHERE c.layer_id = l.id AND c.geom && ip.g OFFSET 0) cp
		WHERE ST_Intersects(ip.g, cp.geom) OFFSET 0) hit
), solo AS (
	SELECT k, sum(a) AS a FROM frag WHERE NOT overlapping GROUP BY k
), shared AS (
	SELECT k, ellipsoidal_area(ST_Union(g)) AS a FROM frag WHERE overlapping GROUP BY k
), shared_cum AS (
	SELECT s.k, ellipsoidal_area(ST_Union(f.g)) AS a
	FROM generate_series(1, cardinality($3::bigint[])) s(k) JOIN frag f ON f.overlapping AND f.k <= s.k
	GROUP BY s.k
), ks AS (
	SELECT s.k, coalesce(solo.a, 0) AS solo, coalesce(shared.a, 0) AS shared, coalesce(shared_cum.a, 0) AS shared_cum
	FROM generate_series(1, cardinality($3::bigint[])) s(k)
	LEFT JOIN solo ON solo.k = s.k LEFT JOIN shared ON shared.k = s.k LEFT JOIN shared_cum ON shared_cum.k = s.k
)
SELECT p.member_sum, p.members, p.gross, coalesce(ST_NumGeometries(p.g), 0),
	CASE WHEN ST_NumGeometries(p.g) BETWEEN 2 AND $5 THEN ST_AsBinary(p.g) END,
	CASE cardinality($2::bigint[]) WHEN 1 THEN ARRAY[i.a] -- that layer's land is I
	ELSE (SELECT coalesce(array_agg(coalesce(ellipsoidal_area(inc.g), 0) ORDER BY l.n), '{}')
	      FROM unnest($2::bigint[]) WITH ORDINALITY l(id, n) LEFT JOIN inc ON inc.layer_id = l.id) END,
	i.a,
	(SELECT coalesce(array_agg(ks.solo + ks.shared ORDER BY ks.k), '{}') FROM ks),
	(SELECT coalesce(array_agg(c ORDER BY k), '{}') FROM
		(SELECT ks.k, sum(ks.solo) OVER (ORDER BY ks.k) + ks.shared_cum AS c FROM ks) cum)
FROM p, i`

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
// of the platform: the widest distance that separates its groups of parts,
// measured on the ellipsoid. The tree is built on Gauss-Krüger plane
// distances in the 3-degree zone of the platform's longitude (the middle of
// its bounding box; 丽水: zone 40, EPSG:4549), within 0.03 % of the
// ellipsoidal ones inside a zone and some twenty times cheaper; only its
// longest edge is measured on the ellipsoid.
func largestGap(ctx context.Context, tx pgx.Tx, union []byte) (float64, error) {
	rows, err := tx.Query(ctx, `
		WITH u AS (SELECT ST_GeomFromWKB($1, 4490) AS g),
		z AS (SELECT 4509 + LEAST(45, GREATEST(25, floor(((ST_XMin(u.g) + ST_XMax(u.g)) / 2 + 1.5) / 3)::int)) AS srid FROM u),
		parts AS (SELECT d.path[1] AS i, ST_Transform(d.geom, z.srid) AS g FROM u, z, ST_Dump(u.g) d)
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
	if n < 2 {
		return 0, nil
	}
	// Prim's algorithm on the complete graph of parts (1-based indices).
	dist := make([]float64, n+1)
	from := make([]int, n+1)
	in := make([]bool, n+1)
	w := make(map[[2]int]float64, 2*len(edges))
	for _, e := range edges {
		w[[2]int{e.a, e.b}] = e.d
		w[[2]int{e.b, e.a}] = e.d
	}
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	dist[1] = 0
	longest, la, lb := -1.0, 0, 0
	for range n {
		u := -1
		for v := 1; v <= n; v++ {
			if !in[v] && (u < 0 || dist[v] < dist[u]) {
				u = v
			}
		}
		in[u] = true
		if u != 1 && dist[u] > longest {
			longest, la, lb = dist[u], from[u], u
		}
		for v := 1; v <= n; v++ {
			if d, ok := w[[2]int{u, v}]; ok && !in[v] && d < dist[v] {
				dist[v], from[v] = d, u
			}
		}
	}
	var gap float64
	if err := tx.QueryRow(ctx, `WITH s AS (SELECT ST_GeomFromWKB($1, 4490) AS g)
		SELECT ST_Distance(ST_GeometryN(g, $2)::geography, ST_GeometryN(g, $3)::geography) FROM s`, union, la, lb).Scan(&gap); err != nil {
		return 0, fmt.Errorf("gap between parts %d and %d: %w", la, lb, err)
	}
	return gap, nil
}

// Measure returns the ellipsoidal area of a geometry and whether PostGIS
// finds it valid (with the reason when not).
func (s *Store) Measure(ctx context.Context, wkb []byte) (Area, string, error) {
	return measure(ctx, s.db, wkb)
}

func measure(ctx context.Context, q querier, wkb []byte) (Area, string, error) {
	var m2 float64
	var reason string
	err := q.QueryRow(ctx, `WITH g AS (SELECT ST_GeomFromWKB($1, 4490) AS g)
		SELECT ellipsoidal_area(g), CASE WHEN ST_IsValid(g) THEN '' ELSE ST_IsValidReason(g) END FROM g`, wkb).Scan(&m2, &reason)
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
