package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// The merge rule, field by field (README, "Merging zones"). Nothing of the
// sources is dropped: what cannot be combined is asked of the planner.
//   - name: the planner's, else the first source's;
//   - kind, county, disposition, platform: the sources' when they agree;
//     when they differ the merge stops with a MergeQuestion listing the
//     choices, and the planner answers in the request;
//   - document_no (批复文号): every source's numbers, each once, joined by "；";
//   - approved_area_ha (核准面积): the sum of the sources' (a note says which
//     sources have none);
//   - attributes: the union; a key whose sources disagree keeps the first
//     source's value and lists every value under "merge_conflicts";
//     "merged_from" lists the sources. The planner's attributes override;
//   - sources that do not touch are merged only when the planner confirmed
//     the gap (AllowGapM at least the distance, in metres).

// MergeOptions are the planner's decisions for a merge. Zero values mean
// "from the sources".
type MergeOptions struct {
	Fields ZoneFields
	// PlatformID is the platform the merged zone joins: nil to keep the
	// sources' common platform, 0 for none.
	PlatformID *int64
	// AllowGapM confirms merging sources that lie up to this far apart (m).
	AllowGapM float64
	// DryRun computes the merge and writes nothing.
	DryRun bool
}

// MergeResult is the merged zone and what the merge made of its sources.
type MergeResult struct {
	Zone      Zone
	Sources   []Zone
	GapM      float64          // distance between the sources' separate groups; 0 when they all touch
	Parts     int              // separate groups of touching sources
	Conflicts map[string][]any // attribute keys whose sources disagree: every value, in source order
	Notes     []string
}

// MergeQuestion stops a merge whose sources disagree on something only the
// planner can decide.
type MergeQuestion struct {
	Field   string // kind, county_adcode, disposition, platform_id or allow_gap_m
	Message string
	Choices []any   // the sources' values (nil for "none" where it applies)
	GapM    float64 // for allow_gap_m: the distance to confirm
}

func (e *MergeQuestion) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *MergeQuestion) Is(target error) bool { return target == ErrInvalid }

var errDryRun = errors.New("dry run")

// provenanceKeys are attributes that describe a zone's own history; a merge
// writes its own and leaves the sources' in their history.
var provenanceKeys = []string{"merged_from", "split_from", "merge_conflicts"}

func provenanceFree(attrs map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range attrs {
		if !slices.Contains(provenanceKeys, k) {
			out[k] = v
		}
	}
	return out
}

// MergeZones replaces the given live zones by one new zone that is their
// union, following the merge rule above. The sources are retired with a link
// to it; their platforms record the change. versions must hold each
// source's version (ConflictError when one moved on).
func (s *Store) MergeZones(ctx context.Context, ids []int64, versions map[int64]int, o MergeOptions, c Change) (MergeResult, error) {
	if len(ids) < 2 {
		return MergeResult{}, fmt.Errorf("merge: give at least two zones: %w", ErrInvalid)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return MergeResult{}, &FieldError{Field: "zone_ids", Message: fmt.Sprintf("zone %d is listed twice", id)}
		}
		seen[id] = true
	}
	var res MergeResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		res = MergeResult{}
		locked, err := lockZones(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			z, ok := locked[id]
			if !ok {
				return &FieldError{Field: "zone_ids", Message: fmt.Sprintf("zone %d does not exist", id)}
			}
			if z.RetiredAt != nil {
				return &FieldError{Field: "zone_ids", Message: fmt.Sprintf("zone %d (%s) is retired: merge only live zones", id, z.Name)}
			}
			if z.ScenarioID != s.scenario {
				return &FieldError{Field: "zone_ids", Message: fmt.Sprintf("zone %d (%s) is not in this scenario: merge zones of the scenario you work in", id, z.Name)}
			}
			if v, ok := versions[id]; ok && v != z.Version {
				return &ConflictError{Entity: "zone", ID: id, Expected: v, Current: z.Version}
			}
			res.Sources = append(res.Sources, z)
		}
		target, err := mergePlatform(res.Sources, o.PlatformID)
		if err != nil {
			return err
		}
		lockIDs := platformsOf(res.Sources...)
		if target != nil {
			lockIDs = append(lockIDs, *target)
		}
		platforms, err := lockPlatforms(ctx, tx, lockIDs)
		if err != nil {
			return err
		}
		if target != nil {
			if p, ok := platforms[*target]; !ok || p.RetiredAt != nil {
				return &FieldError{Field: "platform_id", Message: fmt.Sprintf("platform %d does not exist or is retired", *target)}
			}
		}
		fields, err := mergeFields(&res, ids, o.Fields)
		if err != nil {
			return err
		}
		if res.GapM, res.Parts, err = mergeGap(ctx, tx, ids); err != nil {
			return err
		}
		if res.GapM > 0 && o.AllowGapM < res.GapM {
			return &MergeQuestion{Field: "allow_gap_m", GapM: res.GapM, Message: fmt.Sprintf(
				"the zones do not touch: they form %d separate groups, %.2f m apart at the widest gap; the merged zone would have separate parts. Confirm with allow_gap_m ≥ %.2f, or merge only neighbouring zones",
				res.Parts, res.GapM, math.Ceil(res.GapM*100)/100)}
		}
		var g []byte
		if err := tx.QueryRow(ctx, `SELECT ST_AsBinary(ST_Multi(ST_Union(geom))) FROM zone WHERE id = ANY($1)`, ids).Scan(&g); err != nil {
			return fmt.Errorf("merge: union: %w", classify(err))
		}
		if fields.Geom, err = decodeMulti(g); err != nil {
			return err
		}
		if res.Zone, err = createZone(ctx, tx, res.Sources[0].ScenarioID, fields, c, "merge"); err != nil {
			return err
		}
		for _, z := range res.Sources {
			if err := retireZone(ctx, tx, z, &res.Zone.ID, c, "merged_into"); err != nil {
				return err
			}
		}
		if target != nil {
			if err := addMembership(ctx, tx, res.Zone.ID, *target, c); err != nil {
				return err
			}
		}
		if err := recordMembership(ctx, tx, platforms, "merge", c); err != nil {
			return err
		}
		if res.Zone, err = getZone(ctx, tx, res.Zone.ID, false); err != nil {
			return err
		}
		if o.DryRun {
			return errDryRun
		}
		bounds := []orb.Bound{res.Zone.Geom.Bound()}
		affected := platformsOf(res.Sources...)
		if target != nil {
			affected = append(affected, *target)
		}
		return publishZones(ctx, tx, res.Zone.ScenarioID, sortedUnique(affected), bounds...)
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

// mergeGap measures how far apart the sources lie: they fall into groups of
// touching zones, and the gap is the longest step needed to join every
// group to the others through their nearest neighbours (the longest edge of
// the minimum spanning tree between the groups, ellipsoidal metres).
func mergeGap(ctx context.Context, tx pgx.Tx, ids []int64) (gap float64, groups int, err error) {
	rows, err := tx.Query(ctx, `
		WITH s AS (SELECT id, geom, ST_ClusterDBSCAN(geom, 0, 1) OVER () AS c FROM zone WHERE id = ANY($1))
		SELECT a.c, b.c, min(ST_Distance(a.geom::geography, b.geom::geography))
		FROM s a JOIN s b ON a.c < b.c GROUP BY a.c, b.c ORDER BY 3`, ids)
	if err != nil {
		return 0, 0, fmt.Errorf("merge: distance between the zones: %w", err)
	}
	defer rows.Close()
	group := map[int]int{} // union-find over the groups
	var find func(int) int
	find = func(x int) int {
		if p, ok := group[x]; ok && p != x {
			r := find(p)
			group[x] = r
			return r
		}
		group[x] = x
		return x
	}
	for rows.Next() {
		var a, b int
		var d float64
		if err := rows.Scan(&a, &b, &d); err != nil {
			return 0, 0, err
		}
		if ra, rb := find(a), find(b); ra != rb {
			group[ra] = rb
			gap = d // edges come shortest first: the last joining one is the longest
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	groups = max(len(group), 1)
	return gap, groups, nil
}

// mergePlatform decides the platform of the merged zone: the planner's
// choice (0: none), else the sources' common one (or none when no source
// is in a platform), else a question.
func mergePlatform(sources []Zone, chosen *int64) (*int64, error) {
	if chosen != nil {
		if *chosen == 0 {
			return nil, nil
		}
		return chosen, nil
	}
	first := sources[0].PlatformID
	for _, z := range sources[1:] {
		if !sameID(first, z.PlatformID) {
			var choices []any
			var names []string
			for _, z := range sources {
				names = append(names, fmt.Sprintf("%s: %s", z.Name, platformLabel(z)))
				var v any
				if z.PlatformID != nil {
					v = *z.PlatformID
				}
				if !slices.Contains(choices, v) {
					choices = append(choices, v)
				}
			}
			return nil, &MergeQuestion{Field: "platform_id", Choices: choices, Message: fmt.Sprintf(
				"the zones belong to different platforms (%s): choose the platform the merged zone joins (platform_id), or 0 for none",
				strings.Join(names, "; "))}
		}
	}
	return first, nil
}

func platformLabel(z Zone) string {
	if z.PlatformID == nil {
		return "no platform"
	}
	return fmt.Sprintf("platform %d %s", *z.PlatformID, z.PlatformName)
}

// mergeFields applies the merge rule to the sources in res, with the
// planner's choices in f taking precedence.
func mergeFields(res *MergeResult, ids []int64, f ZoneFields) (ZoneFields, error) {
	src := res.Sources
	out := ZoneFields{Name: &src[0].Name}
	if f.Name != nil {
		out.Name = f.Name
	}
	agree := func(field string, chosen *string, value func(Zone) string) (*string, error) {
		if chosen != nil {
			return chosen, nil
		}
		v := value(src[0])
		var choices []any
		var names []string
		differ := false
		for _, z := range src {
			if value(z) != v {
				differ = true
			}
			if !slices.Contains(choices, any(value(z))) {
				choices = append(choices, value(z))
			}
			names = append(names, z.Name+": "+value(z))
		}
		if differ {
			return nil, &MergeQuestion{Field: field, Choices: choices, Message: fmt.Sprintf(
				"the zones differ in %s (%s): choose the merged zone's", field, strings.Join(names, "; "))}
		}
		return &v, nil
	}
	var err error
	if out.Kind, err = agree("kind", f.Kind, func(z Zone) string { return z.Kind }); err != nil {
		return out, err
	}
	if out.CountyAdcode, err = agree("county_adcode", f.CountyAdcode, func(z Zone) string { return z.CountyAdcode }); err != nil {
		return out, err
	}
	if out.Disposition, err = agree("disposition", f.Disposition, func(z Zone) string { return z.Disposition }); err != nil {
		return out, err
	}

	if f.DocumentNo != nil {
		out.DocumentNo = f.DocumentNo
	} else {
		var docs []string
		for _, z := range src {
			for _, d := range strings.Split(z.DocumentNo, "；") {
				if d = strings.TrimSpace(d); d != "" && !slices.Contains(docs, d) {
					docs = append(docs, d)
				}
			}
		}
		joined := strings.Join(docs, "；")
		if n := len([]rune(joined)); n > 200 {
			return out, &MergeQuestion{Field: "document_no", Message: fmt.Sprintf(
				"the zones' document numbers together are %d characters, more than the 200 a zone holds: give the merged zone's document_no", n)}
		}
		out.DocumentNo = &joined
	}

	if f.ApprovedAreaHa != nil {
		out.ApprovedAreaHa = f.ApprovedAreaHa
	} else {
		var sum float64
		var with int
		var without []string
		for _, z := range src {
			if z.ApprovedAreaHa != nil {
				sum += *z.ApprovedAreaHa
				with++
			} else {
				without = append(without, z.Name)
			}
		}
		if with > 0 {
			total := &sum
			out.ApprovedAreaHa = &total
			if len(without) > 0 {
				res.Notes = append(res.Notes, fmt.Sprintf("approved_area_ha is the sum of %d of %d zones: %s have none",
					with, len(src), strings.Join(without, ", ")))
			}
		}
	}

	attrs := map[string]any{}
	res.Conflicts = map[string][]any{}
	for _, z := range src {
		for k, v := range provenanceFree(z.Attributes) {
			cur, ok := attrs[k]
			if !ok {
				attrs[k] = v
				continue
			}
			if sameJSON(map[string]any{k: cur}, map[string]any{k: v}) {
				continue
			}
			if _, listed := res.Conflicts[k]; !listed {
				res.Conflicts[k] = []any{cur}
			}
			if !slices.ContainsFunc(res.Conflicts[k], func(x any) bool { return sameJSON(map[string]any{k: x}, map[string]any{k: v}) }) {
				res.Conflicts[k] = append(res.Conflicts[k], v)
			}
		}
	}
	for k, v := range f.Attributes {
		attrs[k] = v
		delete(res.Conflicts, k) // the planner decided
	}
	if len(res.Conflicts) > 0 {
		attrs["merge_conflicts"] = res.Conflicts
	}
	attrs["merged_from"] = ids
	out.Attributes = attrs
	return out, nil
}
