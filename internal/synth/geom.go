package synth

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// CGCS2000 ellipsoid.
const (
	ellA  = 6378137.0
	ellF  = 1 / 298.257222101
	ellE2 = ellF * (2 - ellF)

	// muPerM2 converts square metres to mu (1 mu = 2000/3 m²).
	muPerM2 = 0.0015
)

// xy is a point in metres in a plane frame.
type xy struct{ x, y float64 }

// frame is an equirectangular plane tangent to the CGCS2000 ellipsoid at (lon0, lat0):
// kx and ky are metres per degree of longitude and latitude there.
type frame struct{ lon0, lat0, kx, ky float64 }

func newFrame(lon, lat float64) frame {
	phi := lat * math.Pi / 180
	s := math.Sin(phi)
	w := 1 - ellE2*s*s
	n := ellA / math.Sqrt(w)
	m := ellA * (1 - ellE2) / (w * math.Sqrt(w))
	return frame{lon0: lon, lat0: lat, kx: n * math.Cos(phi) * math.Pi / 180, ky: m * math.Pi / 180}
}

// ll converts plane metres to a rounded lon/lat point.
func (f frame) ll(p xy) orb.Point {
	return orb.Point{round7(f.lon0 + p.x/f.kx), round7(f.lat0 + p.y/f.ky)}
}

// xy converts lon/lat to plane metres.
func (f frame) xy(p orb.Point) xy {
	return xy{(p[0] - f.lon0) * f.kx, (p[1] - f.lat0) * f.ky}
}

// round7 rounds a coordinate to 7 decimals (about 1 cm).
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// closeRing converts plane points to a closed lon/lat ring, dropping points that collapse onto
// their predecessor after rounding.
func closeRing(f frame, pts []xy) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		q := f.ll(p)
		if len(r) > 0 && r[len(r)-1] == q {
			continue
		}
		r = append(r, q)
	}
	if len(r) > 1 && r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	return append(r, r[0])
}

// shoelace returns the signed planar area of an open ring (positive when anticlockwise).
func shoelace(pts []xy) float64 {
	var s float64
	for i, p := range pts {
		q := pts[(i+1)%len(pts)]
		s += p.x*q.y - q.x*p.y
	}
	return s / 2
}

// pring is a ring in the global plane frame with its bounding box, for placement tests.
type pring struct {
	pts      []xy // open: last point != first
	min, max xy
}

func newPring(pts []xy) pring {
	r := pring{pts: pts, min: xy{math.Inf(1), math.Inf(1)}, max: xy{math.Inf(-1), math.Inf(-1)}}
	for _, p := range pts {
		r.min.x, r.min.y = min(r.min.x, p.x), min(r.min.y, p.y)
		r.max.x, r.max.y = max(r.max.x, p.x), max(r.max.y, p.y)
	}
	return r
}

// ringPring projects a closed lon/lat ring into the frame.
func ringPring(f frame, r orb.Ring) pring {
	pts := make([]xy, 0, len(r))
	for _, p := range r[:len(r)-1] {
		pts = append(pts, f.xy(p))
	}
	return newPring(pts)
}

func (r *pring) inBox(p xy, pad float64) bool {
	return p.x >= r.min.x-pad && p.x <= r.max.x+pad && p.y >= r.min.y-pad && p.y <= r.max.y+pad
}

// contains reports whether p is inside the ring (even-odd rule).
func (r *pring) contains(p xy) bool {
	if !r.inBox(p, 0) {
		return false
	}
	in := false
	n := len(r.pts)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := r.pts[i], r.pts[j]
		if (a.y > p.y) != (b.y > p.y) && p.x < (b.x-a.x)*(p.y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

// dist returns the distance from p to the ring's boundary.
func (r *pring) dist(p xy) float64 {
	d := math.Inf(1)
	n := len(r.pts)
	for i := range n {
		d = min(d, segPointDist(p, r.pts[i], r.pts[(i+1)%n]))
	}
	return d
}

// near reports whether a disc of radius rad around p touches the ring or its inside.
func (r *pring) near(p xy, rad float64) bool {
	if !r.inBox(p, rad) {
		return false
	}
	return r.contains(p) || r.dist(p) < rad
}

func segPointDist(p, a, b xy) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = max(0, min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/l2))
	}
	return math.Hypot(p.x-a.x-t*dx, p.y-a.y-t*dy)
}

func cross(o, a, b xy) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }

// segsCross reports whether segments ab and cd share a point.
func segsCross(a, b, c, d xy) bool {
	d1, d2 := cross(c, d, a), cross(c, d, b)
	d3, d4 := cross(a, b, c), cross(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(p, q, r xy, v float64) bool {
		return v == 0 && min(p.x, q.x) <= r.x && r.x <= max(p.x, q.x) && min(p.y, q.y) <= r.y && r.y <= max(p.y, q.y)
	}
	return on(c, d, a, d1) || on(c, d, b, d2) || on(a, b, c, d3) || on(a, b, d, d4)
}

// ringsWithin reports whether two rings overlap or come closer than gap.
func ringsWithin(a, b *pring, gap float64) bool {
	if a.max.x+gap < b.min.x || b.max.x+gap < a.min.x || a.max.y+gap < b.min.y || b.max.y+gap < a.min.y {
		return false
	}
	if a.contains(b.pts[0]) || b.contains(a.pts[0]) {
		return true
	}
	na, nb := len(a.pts), len(b.pts)
	for i := range na {
		p, q := a.pts[i], a.pts[(i+1)%na]
		for j := range nb {
			c, d := b.pts[j], b.pts[(j+1)%nb]
			if segsCross(p, q, c, d) {
				return true
			}
			if gap > 0 && min(segPointDist(p, c, d), segPointDist(q, c, d), segPointDist(c, p, q), segPointDist(d, p, q)) < gap {
				return true
			}
		}
	}
	return false
}

// polyline is a path in the global plane frame.
type polyline []xy

// dist returns the distance from p to the path.
func (l polyline) dist(p xy) float64 {
	d := math.Inf(1)
	for i := 1; i < len(l); i++ {
		d = min(d, segPointDist(p, l[i-1], l[i]))
	}
	return d
}

func (l polyline) length() float64 {
	var s float64
	for i := 1; i < len(l); i++ {
		s += math.Hypot(l[i].x-l[i-1].x, l[i].y-l[i-1].y)
	}
	return s
}

// at returns the point at distance s along the path and the unit direction there.
func (l polyline) at(s float64) (xy, xy) {
	for i := 1; i < len(l); i++ {
		a, b := l[i-1], l[i]
		seg := math.Hypot(b.x-a.x, b.y-a.y)
		if s <= seg || i == len(l)-1 {
			t := min(1, s/seg)
			u := xy{(b.x - a.x) / seg, (b.y - a.y) / seg}
			return xy{a.x + t*(b.x-a.x), a.y + t*(b.y-a.y)}, u
		}
		s -= seg
	}
	return l[0], xy{1, 0}
}

// convexHull returns the anticlockwise convex hull of pts (monotone chain).
func convexHull(pts []xy) []xy {
	p := slices.Clone(pts)
	slices.SortFunc(p, func(a, b xy) int {
		if a.x != b.x {
			if a.x < b.x {
				return -1
			}
			return 1
		}
		if a.y < b.y {
			return -1
		}
		if a.y > b.y {
			return 1
		}
		return 0
	})
	h := make([]xy, 0, 2*len(p))
	for _, q := range p {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	lo := len(h) + 1
	for i := len(p) - 2; i >= 0; i-- {
		q := p[i]
		for len(h) >= lo && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	return h[:len(h)-1]
}

// clipHalfPlane clips a convex polygon to {p : a·p <= c}.
func clipHalfPlane(poly []xy, a xy, c float64) []xy {
	var out []xy
	n := len(poly)
	for i := range n {
		p, q := poly[i], poly[(i+1)%n]
		vp, vq := a.x*p.x+a.y*p.y-c, a.x*q.x+a.y*q.y-c
		if vp <= 0 {
			out = append(out, p)
		}
		if (vp < 0 && vq > 0) || (vp > 0 && vq < 0) {
			t := vp / (vp - vq)
			out = append(out, xy{p.x + t*(q.x-p.x), p.y + t*(q.y-p.y)})
		}
	}
	return out
}
