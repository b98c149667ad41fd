package exchange

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// planarCentroid is the area centroid of a polygon in its own coordinates.
func planarCentroid(p orb.Polygon) (orb.Point, float64) { return planar.CentroidArea(p) }

// polygonContains reports whether pt is inside p (holes excluded).
func polygonContains(p orb.Polygon, pt orb.Point) bool { return planar.PolygonContains(p, pt) }

// interiorPoint returns a point inside p: the middle of the widest span of
// the horizontal line through the middle of its bounds (for polygons whose
// centroid falls outside them, such as a U shape).
func interiorPoint(p orb.Polygon) orb.Point {
	b := p.Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	var xs []float64
	for _, r := range p {
		for i := 0; i+1 < len(r); i++ {
			a, c := r[i], r[i+1]
			if (a[1] > y) != (c[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	best, width := orb.Point{(b.Min[0] + b.Max[0]) / 2, y}, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			best, width = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
		}
	}
	if math.IsNaN(best[0]) {
		return p[0][0]
	}
	return best
}
