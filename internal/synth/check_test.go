package synth

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Geometry checks shared by the tests.

// polygonsOf returns the polygons of a Polygon or MultiPolygon.
func polygonsOf(g orb.Geometry) ([]orb.Polygon, error) {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}, nil
	case orb.MultiPolygon:
		return g, nil
	}
	return nil, fmt.Errorf("geometry %T is not a polygon", g)
}

// checkRing reports the first problem of a closed lon/lat ring: too short, not closed, repeated
// points, wrong orientation (exterior rings anticlockwise, RFC 7946) or a self-intersection.
func checkRing(r orb.Ring, exterior bool) error {
	if len(r) < 4 {
		return fmt.Errorf("ring of %d positions", len(r))
	}
	if r[0] != r[len(r)-1] {
		return fmt.Errorf("ring not closed")
	}
	f := newFrame(r[0][0], r[0][1])
	pts := make([]xy, 0, len(r)-1)
	for i, p := range r[:len(r)-1] {
		if p == r[i+1] {
			return fmt.Errorf("repeated position %v at %d", p, i)
		}
		pts = append(pts, f.xy(p))
	}
	if a := shoelace(pts); a == 0 || (a > 0) != exterior {
		return fmt.Errorf("ring orientation: signed area %g m²", a)
	}
	if i, j, ok := selfIntersection(pts); ok {
		return fmt.Errorf("edges %d and %d intersect near %v", i, j, r[i])
	}
	return nil
}

// selfIntersection finds two non-adjacent edges of an open ring that meet, or adjacent edges
// folding back on each other, bucketing edges in a grid so that long rings stay fast.
func selfIntersection(pts []xy) (int, int, bool) {
	n := len(pts)
	for i := range n {
		a, b, c := pts[i], pts[(i+1)%n], pts[(i+2)%n]
		if cross(a, b, c) == 0 && (b.x-a.x)*(c.x-b.x)+(b.y-a.y)*(c.y-b.y) < 0 {
			return i, (i + 1) % n, true
		}
	}
	r := newPring(pts)
	cell := max(r.max.x-r.min.x, r.max.y-r.min.y) / math.Max(1, math.Sqrt(float64(n)))
	g := newGrid(r.min, r.max, max(cell, 1e-6))
	for i := range n {
		a, b := pts[i], pts[(i+1)%n]
		g.add(i, xy{min(a.x, b.x), min(a.y, b.y)}, xy{max(a.x, b.x), max(a.y, b.y)})
	}
	for _, ids := range g.cells {
		for x, i := range ids {
			for _, j := range ids[x+1:] {
				i, j := int(min(i, j)), int(max(i, j))
				if j == i+1 || (i == 0 && j == n-1) {
					continue
				}
				if segsCross(pts[i], pts[(i+1)%n], pts[j], pts[(j+1)%n]) {
					return i, j, true
				}
			}
		}
	}
	return 0, 0, false
}

// checkGeometry checks every ring of a Polygon or MultiPolygon and that the parts of a
// MultiPolygon do not meet.
func checkGeometry(g orb.Geometry) error {
	polys, err := polygonsOf(g)
	if err != nil {
		return err
	}
	var outers []pring
	f := newFrame(119.55, 28.2)
	for _, p := range polys {
		if len(p) == 0 {
			return fmt.Errorf("empty polygon")
		}
		for k, r := range p {
			if err := checkRing(r, k == 0); err != nil {
				return err
			}
			for _, q := range r {
				if q[0] < 118.6 || q[0] > 120.5 || q[1] < 27.3 || q[1] > 29.0 {
					return fmt.Errorf("position %v outside 丽水", q)
				}
			}
		}
		outers = append(outers, ringPring(f, p[0]))
	}
	for i := range outers {
		for j := range outers[:i] {
			if ringsWithin(&outers[i], &outers[j], 0) {
				return fmt.Errorf("parts %d and %d meet", j, i)
			}
		}
	}
	return nil
}

// ringAreaMu returns a ring's area in mu, planar in a frame at its first point.
func ringAreaMu(r orb.Ring) float64 {
	f := newFrame(r[0][0], r[0][1])
	pts := make([]xy, 0, len(r))
	for _, p := range r[:len(r)-1] {
		pts = append(pts, f.xy(p))
	}
	return math.Abs(shoelace(pts)) * muPerM2
}

func countBy[T any](xs []T, key func(T) string) map[string]int {
	m := map[string]int{}
	for _, x := range xs {
		m[key(x)]++
	}
	return m
}
