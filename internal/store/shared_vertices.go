package store

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// Topological editing (issue 12): neighbouring zones hold the very same
// floats at the vertices of a shared boundary. When an edit moves or
// removes such vertices of one zone, UpdateZoneSharing moves (or removes)
// them in every live neighbour of the same scenario that has them, in the
// transaction of the zone's own update: one operation in the history, so
// one undo takes the zone and its neighbours back together, and no
// neighbour is missed because the page had not loaded it.

// MaxSharedVertices is how many moved vertices one update may carry.
const MaxSharedVertices = 1000

// VertexMove is a vertex of a zone's stored boundary that an edit moved to
// To, or removed (To nil).
type VertexMove struct {
	From orb.Point
	To   *orb.Point
}

// SharedResult says which neighbours followed and which did not, and why.
type SharedResult struct {
	Updated []SharedUpdate `json:"updated"`
	Skipped []SharedSkip   `json:"skipped"`
}

// SharedUpdate is a neighbour written with the moves: Moved vertices.
type SharedUpdate struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Moved int    `json:"moved"`
	Zone  Zone   `json:"-"`
}

// SharedSkip is a neighbour left as it was. Reason: outside-counties (the
// editor may not write it), too-few-vertices (a ring would keep fewer than
// 3 corners), invalid (the moved boundary would not be a valid polygon).
type SharedSkip struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// vkey is a position bit for bit.
type vkey [2]uint64

func keyOf(p orb.Point) vkey { return vkey{math.Float64bits(p[0]), math.Float64bits(p[1])} }

// UpdateZoneSharing is UpdateZone (f must carry the geometry) plus the
// moves of its shared vertices in its neighbours. Each From must be a
// vertex of the zone's stored boundary and each To a vertex of the new one.
func (s *Store) UpdateZoneSharing(ctx context.Context, id int64, version int, f ZoneFields, moves []VertexMove, c Change) (Zone, SharedResult, error) {
	if len(moves) == 0 {
		z, err := s.UpdateZone(ctx, id, version, f, c)
		return z, SharedResult{Updated: []SharedUpdate{}, Skipped: []SharedSkip{}}, err
	}
	if len(moves) > MaxSharedVertices {
		return Zone{}, SharedResult{}, &FieldError{Field: "shared_vertices",
			Message: fmt.Sprintf("at most %d moved vertices per update (got %d)", MaxSharedVertices, len(moves))}
	}
	if f.Geom == nil {
		return Zone{}, SharedResult{}, &FieldError{Field: "shared_vertices", Message: "only with a new geometry"}
	}
	var z Zone
	var res SharedResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		res = SharedResult{Updated: []SharedUpdate{}, Skipped: []SharedSkip{}}
		cur, err := getZone(ctx, tx, id, false)
		if err != nil {
			return err
		}
		ids, err := sharedCandidates(ctx, tx, cur.ScenarioID, id, moves)
		if err != nil {
			return err
		}
		// The zone and its neighbours are locked together, by id.
		zs, err := lockZones(ctx, tx, append(ids, id))
		if err != nil {
			return err
		}
		// A zone given one of the vertices since the search is locked too
		// (out of order, rarely: a deadlock is retried by inTx).
		again, err := sharedCandidates(ctx, tx, cur.ScenarioID, id, moves)
		if err != nil {
			return err
		}
		if late := slices.DeleteFunc(again, func(n int64) bool { _, ok := zs[n]; return ok }); len(late) > 0 {
			more, err := lockZones(ctx, tx, late)
			if err != nil {
				return err
			}
			for n, z := range more {
				zs[n] = z
			}
			ids = append(ids, late...)
		}
		before := zs[id]
		if before.RetiredAt != nil {
			return fmt.Errorf("zone %d is retired: %w", id, ErrGone)
		}
		if version != before.Version {
			return &ConflictError{Entity: "zone", ID: id, Expected: version, Current: before.Version}
		}
		if err := checkMoves(before.Geom, f.Geom, moves); err != nil {
			return err
		}
		if z, err = updateLockedZone(ctx, tx, before, f, c); err != nil {
			return err
		}
		to := map[vkey]*orb.Point{}
		for _, m := range moves {
			to[keyOf(m.From)] = m.To
		}
		nc := Change{Actor: c.Actor, Reason: fmt.Sprintf("shared vertices with zone %d (%s) moved together. %s", id, before.Name, c.Reason)}
		var bounds []orb.Bound
		var written []Zone
		for _, nid := range sortedUnique(ids) {
			n, ok := zs[nid]
			if !ok || n.RetiredAt != nil || n.ScenarioID != before.ScenarioID {
				continue
			}
			g, moved, reason := moveVertices(n.Geom, to)
			if moved == 0 && reason == "" {
				continue
			}
			if reason == "" && !mayWrite(ctx, n) {
				reason = "outside-counties"
			}
			var wkb []byte
			if reason == "" {
				if wkb, err = encodeGeom(g); err != nil {
					return err
				}
				if checkValid(ctx, tx, wkb) != nil {
					reason = "invalid"
				}
			}
			if reason != "" {
				res.Skipped = append(res.Skipped, SharedSkip{ID: n.ID, Name: n.Name, Reason: reason})
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE zone SET geom = ST_Multi(ST_GeomFromWKB($2, 4490)),
				version = version + 1, updated_at = now(), updated_by = $3 WHERE id = $1`, n.ID, wkb, nullable(c.Actor)); err != nil {
				return fmt.Errorf("update zone %d: %w", n.ID, classify(err))
			}
			after, err := getZone(ctx, tx, n.ID, false)
			if err != nil {
				return err
			}
			// Same transaction: the same operation (revision_op, migration 0008).
			if err := addRevision(ctx, tx, "zone", n.ID, after.Version, "update", nc, zoneSnapshot(n), zoneSnapshot(after)); err != nil {
				return err
			}
			res.Updated = append(res.Updated, SharedUpdate{ID: n.ID, Name: after.Name, Moved: moved, Zone: after})
			bounds = append(bounds, n.Geom.Bound(), after.Geom.Bound())
			written = append(written, n, after)
		}
		if len(bounds) == 0 {
			return nil
		}
		return publishZones(ctx, tx, before.ScenarioID, platformsOf(written...), bounds...)
	})
	return z, res, err
}

// mayWrite reports whether the county limit of ctx lets it write zone z.
func mayWrite(ctx context.Context, z Zone) bool {
	lim := CountyLimit(ctx)
	return lim == nil || slices.Contains(lim, z.CountyAdcode)
}

// sharedCandidates lists the live zones of scenario other than id whose box
// holds one of the moved vertices; moveVertices then compares exactly.
func sharedCandidates(ctx context.Context, tx pgx.Tx, scenario, id int64, moves []VertexMove) ([]int64, error) {
	xs := make([]float64, len(moves))
	ys := make([]float64, len(moves))
	for i, m := range moves {
		xs[i], ys[i] = m.From[0], m.From[1]
	}
	rows, err := tx.Query(ctx, `
		SELECT DISTINCT z.id FROM unnest($3::float8[], $4::float8[]) AS p(x, y)
		JOIN zone z ON z.geom && ST_Expand(ST_SetSRID(ST_MakePoint(p.x, p.y), 4490), 1e-9)
		WHERE z.scenario_id = $1 AND z.id <> $2 AND z.retired_at IS NULL`, scenario, id, xs, ys)
	if err != nil {
		return nil, fmt.Errorf("find zones sharing vertices with zone %d: %w", id, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// checkMoves refuses a move whose From is not a vertex of the stored
// boundary old, or whose To is not a vertex of the new one, naming it.
func checkMoves(old, new orb.MultiPolygon, moves []VertexMove) error {
	had, has := vertexSet(old), vertexSet(new)
	seen := map[vkey]bool{}
	for i, m := range moves {
		k := keyOf(m.From)
		switch {
		case !had[k]:
			return &FieldError{Field: fmt.Sprintf("shared_vertices[%d].from", i),
				Message: fmt.Sprintf("%v is not a vertex of the zone's stored boundary (bit for bit)", m.From)}
		case seen[k]:
			return &FieldError{Field: fmt.Sprintf("shared_vertices[%d].from", i), Message: fmt.Sprintf("%v is listed twice", m.From)}
		case m.To != nil && !has[keyOf(*m.To)]:
			return &FieldError{Field: fmt.Sprintf("shared_vertices[%d].to", i),
				Message: fmt.Sprintf("%v is not a vertex of the new geometry", *m.To)}
		}
		seen[k] = true
	}
	return nil
}

func vertexSet(g orb.MultiPolygon) map[vkey]bool {
	set := map[vkey]bool{}
	for _, poly := range g {
		for _, ring := range poly {
			for _, p := range ring {
				set[keyOf(p)] = true
			}
		}
	}
	return set
}

// moveVertices returns g with every vertex listed in to moved there (or
// removed for nil), how many it moved or removed, and why it may not be
// written ("too-few-vertices": a ring would keep fewer than 3 corners).
// A ring stays closed, whichever of its vertices moved, and a vertex moved
// onto its next one becomes one vertex.
func moveVertices(g orb.MultiPolygon, to map[vkey]*orb.Point) (orb.MultiPolygon, int, string) {
	n := 0
	out := make(orb.MultiPolygon, len(g))
	for i, poly := range g {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			open := make([]orb.Point, 0, len(ring))
			for _, p := range ring[:max(len(ring)-1, 0)] {
				t, ok := to[keyOf(p)]
				if !ok {
					open = append(open, p)
					continue
				}
				n++
				if t != nil {
					open = append(open, *t)
				}
			}
			kept := open[:0:0]
			for k, p := range open {
				if keyOf(p) != keyOf(open[(k+1)%len(open)]) {
					kept = append(kept, p)
				}
			}
			if len(kept) < 3 {
				return g, n, "too-few-vertices"
			}
			out[i][j] = append(orb.Ring(kept), kept[0])
		}
	}
	return out, n, ""
}
