package store

// What closes a platform's shortfall (缺口补足建议, issue 17): the land a
// planner could add to a platform below its threshold, each candidate with
// the developable area the platform would gain, and a smallest set that
// closes the gap.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
	"wanmu/internal/policy"
)

// Search parameters of the suggestions.
const (
	// DefaultShortfallRadiusM is how far from the platform land is looked
	// for: 5 km, a distance still counted as "nearby" (地域相近) for a
	// platform of a county seat. MaxShortfallRadiusM bounds it: the work
	// grows with the square of the radius.
	DefaultShortfallRadiusM = 5000.0
	MinShortfallRadiusM     = 100.0
	MaxShortfallRadiusM     = 20000.0
	// ShortfallBlockM is the side of the grid cells free land is cut along:
	// a block is one contiguous piece of free land inside one 600 m × 600 m
	// cell (at most 36 ha = 540 mu), a parcel a planner can draw into a plan
	// on its own. The grid is fixed per degree of latitude, so the blocks
	// stay the same while the platform grows.
	ShortfallBlockM = 600.0
	// ShortfallMinBlockMu drops slivers: a block smaller than 10 mu is not
	// worth an extension of its own.
	ShortfallMinBlockMu = 10.0
	// ShortfallMaxBlocks keeps the nearest blocks only.
	ShortfallMaxBlocks = 150
)

// ErrOfficialData refuses a suggestion's addition outside a scenario: the
// official data changes only by adopting a plan.
var ErrOfficialData = errors.New("suggestions are added inside a plan (方案) only: the official data changes by adopting a plan")

// ShortfallCandidate is one piece of land that could join a platform.
type ShortfallCandidate struct {
	Key         string // "zone:<id>" or "block:<hash of its bounding box>"
	Kind        string // zone | block
	ZoneID      int64  // kind zone
	Name        string
	ZoneKind    string // kind zone: park | township
	Disposition string // kind zone
	Geom        orb.MultiPolygon
	wkb         []byte
	Area        Area
	// Marginal is the developable area the platform gains by adding this
	// candidate alone: report(platform + candidate) − report(platform).
	Marginal  Area
	DistanceM float64 // to the platform, on the ellipsoid
	Touches   bool
	County    string // adcode; "" when unknown
	Cross     bool   // the county is none of the platform's
	Suggested int    // place in the suggested set (1…), 0 when not in it
}

// Shortfall is the answer for one platform.
type Shortfall struct {
	Report     Report // the platform as it is
	RadiusM    float64
	BlockM     float64
	MinBlockMu float64
	Candidates []ShortfallCandidate
	// Suggested lists the keys of the suggested set, in the order chosen;
	// SuggestedGain is what the whole set adds, by one report of the
	// platform with all of it; Closes says whether that reaches the
	// threshold, Minimal whether no smaller set can (proved by the bound
	// below), Additive whether the candidates' gains simply add up.
	Suggested     []string
	SuggestedGain Area
	SuggestedKm   float64 // sum of the chosen candidates' distances, km
	Closes        bool
	Minimal       bool
	Method        string
}

// ShortfallMethod says how the set is chosen.
const ShortfallMethod = "贪心法：每步取边际贡献最大的候选（相同时取距离近者），每步对“平台＋已选候选”用平台报表引擎重算各候选的边际贡献，直到补足缺口；" +
	"随后在个数不变的前提下，用距离更近的候选逐个替换已选者（替换后整套仍须补足缺口），减少总距离。" +
	"个数最少的证明：边际贡献不会因多选而增大，若最大的 k−1 个单独边际贡献之和仍小于缺口，则 k 个已是最少；总距离最小未作证明。"

// Shortfall computes the candidates that could close platform id's gap
// within radiusM metres (0: DefaultShortfallRadiusM) and a smallest set of
// them that closes it. A platform that meets its threshold has none.
func (s *Store) Shortfall(ctx context.Context, platformID int64, radiusM float64) (Shortfall, error) {
	if radiusM == 0 {
		radiusM = DefaultShortfallRadiusM
	}
	out := Shortfall{RadiusM: radiusM, BlockM: ShortfallBlockM, MinBlockMu: ShortfallMinBlockMu,
		Candidates: []ShortfallCandidate{}, Suggested: []string{}, Method: ShortfallMethod}
	if radiusM < MinShortfallRadiusM || radiusM > MaxShortfallRadiusM || math.IsNaN(radiusM) {
		return out, &FieldError{Field: "radius_m", Message: fmt.Sprintf("the search radius is %g–%g m", MinShortfallRadiusM, MaxShortfallRadiusM)}
	}
	err := s.reportSnapshot(ctx, func(tx pgx.Tx) error {
		p, err := getPlatform(ctx, tx, platformID, false)
		if err != nil {
			return err
		}
		if p.RetiredAt != nil {
			return fmt.Errorf("platform %d is retired: %w", platformID, ErrGone)
		}
		if out.Report, err = computeReport(ctx, tx, p, memberDraft{}); err != nil {
			return err
		}
		if out.Report.Meets || len(p.ZoneIDs) == 0 {
			return nil
		}
		if out.Candidates, err = shortfallCandidates(ctx, tx, p, radiusM); err != nil {
			return err
		}
		base := out.Report.Developable.M2
		for i := range out.Candidates {
			// A zone may overlap the platform: the platform's report with
			// it. A block overlaps no zone, so what it adds to the
			// platform is its own report's developable area (the same
			// engine, on the block alone: far cheaper).
			c := &out.Candidates[i]
			if c.Kind == "block" {
				r, err := zoneReport(ctx, tx, c.Name, c.wkb)
				if err != nil {
					return err
				}
				c.Marginal = r.Developable
				continue
			}
			r, err := computeReport(ctx, tx, p, memberDraft{wkb: c.wkb})
			if err != nil {
				return err
			}
			c.Marginal = AreaOf(r.Developable.M2 - base)
		}
		return suggest(ctx, tx, p, &out)
	})
	if err != nil {
		return out, fmt.Errorf("shortfall of platform %d: %w", platformID, err)
	}
	return out, nil
}

// suggest chooses the set (see ShortfallMethod). Gains are recomputed by
// the report engine against the platform with the chosen candidates, so
// overlaps between zones (blocks overlap nothing) are counted once.
func suggest(ctx context.Context, tx pgx.Tx, p Platform, out *Shortfall) error {
	cs := out.Candidates
	threshold := geodesy.SquareMetresFromMu(p.ThresholdMu)
	base := out.Report.Developable.M2
	gapM2 := threshold - base
	// with reports the developable area of the platform with the
	// candidates idx (by one draft: their union).
	with := func(idx []int) (float64, error) {
		if len(idx) == 0 {
			return base, nil
		}
		gs := make([][]byte, len(idx))
		for k, i := range idx {
			gs[k] = cs[i].wkb
		}
		var u []byte
		if err := tx.QueryRow(ctx, `SELECT ST_AsBinary(ST_Union(ST_GeomFromWKB(g, 4490))) FROM unnest($1::bytea[]) g`, gs).Scan(&u); err != nil {
			return 0, fmt.Errorf("union of candidates: %w", err)
		}
		r, err := computeReport(ctx, tx, p, memberDraft{wkb: u})
		return r.Developable.M2, err
	}
	overlaps := func(i int, chosen []int) bool {
		if cs[i].Kind != "zone" {
			return false
		}
		for _, j := range chosen {
			if cs[j].Kind == "zone" && cs[i].Geom.Bound().Intersects(cs[j].Geom.Bound()) {
				return true
			}
		}
		return false
	}
	gain := make([]float64, len(cs))
	for i := range cs {
		gain[i] = cs[i].Marginal.M2
	}
	var chosen []int
	cur := base
	used := make([]bool, len(cs))
	for cur < threshold {
		best := -1
		for i := range cs {
			if used[i] || gain[i] <= 0 {
				continue
			}
			if best < 0 || gain[i] > gain[best] || (gain[i] == gain[best] && cs[i].DistanceM < cs[best].DistanceM) {
				best = i
			}
		}
		if best < 0 {
			break // nothing left closes more of the gap
		}
		used[best] = true
		chosen = append(chosen, best)
		if cs[best].Kind == "block" {
			cur += gain[best] // a block overlaps nothing: its gain adds
			continue
		}
		var err error
		if cur, err = with(chosen); err != nil {
			return err
		}
		for i := range cs { // a zone meeting a chosen zone gains less now
			if !used[i] && overlaps(i, chosen) {
				d, err := with(append(slices.Clone(chosen), i))
				if err != nil {
					return err
				}
				gain[i] = d - cur
			}
		}
	}
	closes := cur >= threshold
	if closes {
		// Less distance: swap a chosen candidate for a nearer unchosen one
		// while the set still closes the gap.
		for k := range chosen {
			for _, i := range byDistance(cs) {
				if used[i] || cs[i].DistanceM >= cs[chosen[k]].DistanceM || cs[i].Marginal.M2 <= 0 {
					continue
				}
				try := slices.Clone(chosen)
				try[k] = i
				// Two blocks overlap nothing: the swap's figure is exact
				// by arithmetic (kept a square centimetre clear of the
				// threshold for the rounding of the final report). A zone
				// takes a report.
				d := cur - cs[chosen[k]].Marginal.M2 + cs[i].Marginal.M2 - 1e-4
				if cs[chosen[k]].Kind != "block" || cs[i].Kind != "block" {
					var err error
					if d, err = with(try); err != nil {
						return err
					}
				}
				if d >= threshold {
					used[chosen[k]], used[i] = false, true
					chosen, cur = try, d
				}
			}
		}
	}
	// The set's figure by one report, whatever was added up.
	var err error
	if cur, err = with(chosen); err != nil {
		return err
	}
	closes = closes && cur >= threshold
	// Minimal: no k−1 candidates can close it, since a candidate's gain
	// never grows when others are added (the developable area of a union is
	// submodular) and the k−1 largest single gains fall short.
	single := make([]float64, 0, len(cs))
	for _, c := range cs {
		single = append(single, c.Marginal.M2)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(single)))
	top := 0.0
	for _, g := range single[:max(0, min(len(chosen)-1, len(single)))] {
		top += max(0, g)
	}
	out.Closes = closes
	out.Minimal = closes && top < gapM2
	out.SuggestedGain = AreaOf(cur - base)
	for n, i := range chosen {
		cs[i].Suggested = n + 1
		out.Suggested = append(out.Suggested, cs[i].Key)
		out.SuggestedKm += cs[i].DistanceM / 1000
	}
	return nil
}

func byDistance(cs []ShortfallCandidate) []int {
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return cs[idx[a]].DistanceM < cs[idx[b]].DistanceM })
	return idx
}

// shortfallCandidates lists, for platform p of the store's scenario, the
// live zones of its scenario in no platform within radiusM (township
// zones marked 并 or 提 first), then the free blocks, nearest first.
func shortfallCandidates(ctx context.Context, tx pgx.Tx, p Platform, radiusM float64) ([]ShortfallCandidate, error) {
	include, exclude, err := layerIDs(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `
		WITH p AS (SELECT ST_Union(z.geom) AS g FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
		           WHERE pm.platform_id = $1 AND z.retired_at IS NULL)
		SELECT z.id, z.name, z.kind, z.disposition, z.county_adcode, ST_AsBinary(z.geom), z.area_m2,
		       ST_Distance(z.geom::geography, p.g::geography), ST_Intersects(z.geom, p.g)
		FROM p, zone z
		WHERE z.scenario_id = $2 AND z.retired_at IS NULL AND ST_DWithin(z.geom, p.g, $4)
		  AND NOT EXISTS (SELECT 1 FROM platform_member m WHERE m.zone_id = z.id)
		  AND ST_DWithin(z.geom::geography, p.g::geography, $3)
		ORDER BY (z.kind = 'township' AND z.disposition IN ('并', '提')) DESC, 8, z.id`,
		p.ID, p.ScenarioID, radiusM, degreesFor(radiusM))
	if err != nil {
		return nil, fmt.Errorf("zones in no platform: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ShortfallCandidate, error) {
		c := ShortfallCandidate{Kind: "zone"}
		var m2 float64
		err := row.Scan(&c.ZoneID, &c.Name, &c.ZoneKind, &c.Disposition, &c.County, &c.wkb, &m2, &c.DistanceM, &c.Touches)
		c.Key, c.Area = fmt.Sprintf("zone:%d", c.ZoneID), AreaOf(m2)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("zones in no platform: %w", err)
	}
	blocks, err := freeBlocks(ctx, tx, p, include, exclude, radiusM)
	if err != nil {
		return nil, err
	}
	out = append(out, blocks...)
	counties := p.Counties
	if len(counties) == 0 {
		if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(DISTINCT z.county_adcode), '{}') FROM zone z
			JOIN platform_member pm ON pm.zone_id = z.id WHERE pm.platform_id = $1`, p.ID).Scan(&counties); err != nil {
			return nil, err
		}
	}
	for i := range out {
		c := &out[i]
		if c.Geom, err = decodeMulti(c.wkb); err != nil {
			return nil, err
		}
		c.Cross = c.County != "" && !slices.Contains(counties, c.County)
	}
	return out, nil
}

func layerIDs(ctx context.Context, tx pgx.Tx) (include, exclude []int64, err error) {
	layers, err := enabledLayers(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	include, exclude = []int64{}, []int64{}
	for _, l := range layers {
		if l.Kind == "include" {
			include = append(include, l.ID)
		} else {
			exclude = append(exclude, l.ID)
		}
	}
	return include, exclude, nil
}

// degreesFor is a distance in degrees no shorter than m metres anywhere
// south of 60° (a prefilter for the index; the ellipsoidal test follows).
func degreesFor(m float64) float64 { return m / 111320 / math.Cos(60*math.Pi/180) }

// freeBlocksSQL cuts the free land near platform $1 into blocks: land
// inside the include layers $2 (anywhere when none), outside every exclude
// layer $3 and every live zone of scenario $4, within $5 m of the platform.
// The grid's cells are $6 × $7 degrees ($8 metres a side at the platform's
// whole degree of latitude), aligned on 0°; only cells within $9 degrees of
// the platform are worked on, each on its own (small unions). A block is a
// connected piece of a cell's free land of at least $10 m². The nearest $11.
const freeBlocksSQL = `
WITH p AS MATERIALIZED (
	SELECT ST_Union(z.geom) AS g FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
	WHERE pm.platform_id = $1 AND z.retired_at IS NULL
), env AS MATERIALIZED (
	SELECT ST_Expand(p.g, $8) AS g FROM p
), cells AS MATERIALIZED (
	SELECT ST_MakeEnvelope(i * $6, j * $7, (i + 1) * $6, (j + 1) * $7, 4490) AS g
	FROM env, generate_series(floor(ST_XMin(env.g) / $6)::int, floor(ST_XMax(env.g) / $6)::int) i,
	          generate_series(floor(ST_YMin(env.g) / $7)::int, floor(ST_YMax(env.g) / $7)::int) j
), near AS MATERIALIZED (
	SELECT c.g FROM cells c, p WHERE ST_DWithin(c.g, p.g, $8)
), land AS MATERIALIZED (
	SELECT n.g AS cell, CASE WHEN cardinality($2::bigint[]) = 0 THEN n.g ELSE (
		SELECT ST_Union(ST_CollectionExtract(ST_Intersection(cp.geom, n.g), 3))
		FROM unnest($2::bigint[]) l(id) CROSS JOIN LATERAL (
			SELECT cp.geom FROM constraint_piece cp WHERE cp.layer_id = l.id AND cp.geom && n.g OFFSET 0) cp
		WHERE ST_Intersects(cp.geom, n.g)) END AS g
	FROM near n
), free AS MATERIALIZED (
	SELECT ST_CollectionExtract(CASE WHEN x.g IS NULL THEN l.g ELSE ST_Difference(l.g, x.g) END, 3) AS g
	FROM land l CROSS JOIN LATERAL (
		SELECT ST_Union(o.geom) AS g FROM (
			SELECT cp.geom FROM unnest($3::bigint[]) e(id) CROSS JOIN LATERAL (
				SELECT cp.geom FROM constraint_piece cp WHERE cp.layer_id = e.id AND cp.geom && l.g OFFSET 0) cp
			UNION ALL
			SELECT z.geom FROM zone z WHERE z.scenario_id = $4 AND z.retired_at IS NULL AND z.geom && l.g
		) o WHERE ST_Intersects(o.geom, l.g)) x
	WHERE l.g IS NOT NULL AND NOT ST_IsEmpty(l.g)
), block AS MATERIALIZED (
	SELECT d.geom AS g, ellipsoidal_area(d.geom) AS a FROM free, ST_Dump(free.g) d
	WHERE NOT ST_IsEmpty(free.g)
), scored AS (
	SELECT b.g, b.a, ST_Distance(b.g::geography, p.g::geography) AS d, ST_Intersects(b.g, p.g) AS touches FROM block b, p
	WHERE b.a >= $9
)
SELECT ST_AsBinary(ST_Multi(s.g)), s.a, s.d, s.touches, coalesce((
	SELECT f.attributes->>'adcode' FROM constraint_feature f JOIN constraint_layer cl ON cl.id = f.layer_id
	WHERE cl.kind = 'reference' AND f.attributes ? 'adcode' AND ST_Intersects(f.geom, ST_PointOnSurface(s.g))
	ORDER BY f.id LIMIT 1), (
	SELECT z.county_adcode FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
	WHERE pm.platform_id = $1 AND z.retired_at IS NULL ORDER BY z.geom <-> s.g, z.id LIMIT 1))
FROM scored s WHERE s.d <= $5
ORDER BY s.d, ST_XMin(s.g), ST_YMin(s.g) LIMIT $10`

// freeBlocks lists the free blocks near p (freeBlocksSQL).
func freeBlocks(ctx context.Context, tx pgx.Tx, p Platform, include, exclude []int64, radiusM float64) ([]ShortfallCandidate, error) {
	var lat float64
	if err := tx.QueryRow(ctx, `SELECT coalesce(round(avg(ST_Y(ST_Centroid(z.geom)))), 0) FROM zone z
		JOIN platform_member pm ON pm.zone_id = z.id WHERE pm.platform_id = $1`, p.ID).Scan(&lat); err != nil {
		return nil, fmt.Errorf("free land: %w", err)
	}
	// Metres per degree on the ellipsoid at latitude lat (meridian and
	// parallel radii of curvature), for cells of about ShortfallBlockM.
	phi := lat * math.Pi / 180
	e2 := geodesy.EccentricitySquared
	w := math.Sqrt(1 - e2*math.Sin(phi)*math.Sin(phi))
	mLat := math.Pi / 180 * geodesy.SemiMajorAxis * (1 - e2) / (w * w * w)
	mLon := math.Pi / 180 * geodesy.SemiMajorAxis * math.Cos(phi) / w
	rows, err := tx.Query(ctx, freeBlocksSQL, p.ID, include, exclude, p.ScenarioID, radiusM,
		ShortfallBlockM/mLon, ShortfallBlockM/mLat, degreesFor(radiusM),
		geodesy.SquareMetresFromMu(ShortfallMinBlockMu), ShortfallMaxBlocks)
	if err != nil {
		return nil, fmt.Errorf("free land: %w", err)
	}
	n := 0
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ShortfallCandidate, error) {
		n++
		c := ShortfallCandidate{Kind: "block"}
		var m2 float64
		if err := row.Scan(&c.wkb, &m2, &c.DistanceM, &c.Touches, &c.County); err != nil {
			return c, err
		}
		g, err := decodeMulti(c.wkb)
		if err != nil {
			return c, err
		}
		// The key is the block's bounding box: the same land keeps it when
		// the land beside it changes (a neighbour added to the platform
		// makes GEOS return this block with its vertices in another order).
		b := g.Bound()
		sum := sha256.Sum256(fmt.Appendf(nil, "%.7f %.7f %.7f %.7f", b.Min[0], b.Min[1], b.Max[0], b.Max[1]))
		c.Key, c.Area = "block:"+hex.EncodeToString(sum[:8]), AreaOf(m2)
		c.Name = fmt.Sprintf("地块 %d", n)
		return c, nil
	})
}

// AddShortfallCandidate adds the candidate key ("zone:<id>" or
// "block:<hash>", as Shortfall lists it) to platform id at version, in the
// store's scenario only: a zone joins the platform; a block becomes a new
// park zone (扩区, its exact geometry) of the block's county that joins the
// platform. The candidate must still be one (a block found again, by its
// bounding box, within radiusM as it was listed). It returns the platform
// after.
func (s *Store) AddShortfallCandidate(ctx context.Context, platformID int64, version int, key string, radiusM float64, c Change) (Platform, error) {
	var p Platform
	if s.scenario == Official {
		return p, ErrOfficialData
	}
	if radiusM == 0 {
		radiusM = DefaultShortfallRadiusM
	}
	err := s.InTx(ctx, func(tx *Store) error {
		cur, err := tx.GetPlatform(ctx, platformID)
		if err != nil {
			return err
		}
		if cur.ScenarioID != s.scenario {
			return fmt.Errorf("platform %d is not in scenario %d: %w", platformID, s.scenario, ErrNotFound)
		}
		if cur.RetiredAt != nil {
			return fmt.Errorf("platform %d is retired: %w", platformID, ErrGone)
		}
		if cur.Version != version {
			return &ConflictError{Entity: "platform", ID: platformID, Expected: version, Current: cur.Version}
		}
		zoneID, found := int64(0), false
		if id, ok := strings.CutPrefix(key, "zone:"); ok {
			zoneID, _ = strconv.ParseInt(id, 10, 64)
			// A zone is still a candidate while it is live, of this
			// scenario and in no platform (SetMembers checks the rest).
			z, err := tx.GetZone(ctx, zoneID)
			found = err == nil && z.ScenarioID == s.scenario && z.RetiredAt == nil && z.PlatformID == nil
		} else {
			var blocks []ShortfallCandidate
			err := tx.reportSnapshot(ctx, func(rtx pgx.Tx) error {
				include, exclude, err := layerIDs(ctx, rtx)
				if err != nil {
					return err
				}
				blocks, err = freeBlocks(ctx, rtx, cur, include, exclude, radiusM)
				return err
			})
			if err != nil {
				return err
			}
			if i := slices.IndexFunc(blocks, func(x ShortfallCandidate) bool { return x.Key == key }); i >= 0 {
				b := blocks[i]
				g, err := decodeMulti(b.wkb)
				if err != nil {
					return err
				}
				kind, name, county := policy.KindPark, fmt.Sprintf("%s扩区（%s）", cur.Name, key[len("block:"):len("block:")+6]), b.County
				if county == "" && len(cur.Counties) > 0 {
					county = cur.Counties[0]
				}
				z, err := tx.CreateZone(ctx, ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &county, Geom: g,
					Attributes: map[string]any{"来源": "缺口补足建议"}}, c)
				if err != nil {
					return err
				}
				zoneID, found = z.ID, true
			}
		}
		if !found {
			return &FieldError{Field: "key", Message: fmt.Sprintf(
				"%s is no longer a candidate for platform %d (the land or the zone changed): reload the suggestions", truncateKey(key), platformID)}
		}
		p, err = tx.SetMembers(ctx, platformID, version, append(slices.Clone(cur.ZoneIDs), zoneID), c)
		return err
	})
	return p, err
}

func truncateKey(k string) string {
	if len(k) > 40 {
		return k[:40] + "…"
	}
	return k
}
