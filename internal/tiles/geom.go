package tiles

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// ipt is a quantised point in tile units.
type ipt struct{ x, y int32 }

// iring is an open ring of quantised points; ipoly a shell and its holes.
type (
	iring []ipt
	ipoly []iring
)

// area2 is twice the shoelace area.
func (r iring) area2() int64 {
	var a int64
	n := len(r)
	for i := range n {
		p, q := r[i], r[(i+1)%n]
		a += int64(p.x)*int64(q.y) - int64(q.x)*int64(p.y)
	}
	return a
}

// quantise snaps a ring to whole tile units (floor: unit i covers [i, i+1),
// the convention of orb's MVT decoder) and removes repeated points.
func quantise(ring []orb.Point) iring {
	out := make(iring, 0, len(ring))
	for _, p := range ring {
		q := ipt{int32(math.Floor(p[0])), int32(math.Floor(p[1]))}
		if len(out) == 0 || out[len(out)-1] != q {
			out = append(out, q)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

func cross(o, a, b ipt) int64 {
	return (int64(a.x)-int64(o.x))*(int64(b.y)-int64(o.y)) - (int64(a.y)-int64(o.y))*(int64(b.x)-int64(o.x))
}

// clean removes repeated points, collinear points and spikes (a point
// where the ring turns straight back), which quantising and simplifying
// leave behind.
func clean(r iring) iring {
	if n := len(r); n >= 3 {
		ok := true
		for i := range n {
			prev, cur, next := r[(i+n-1)%n], r[i], r[(i+1)%n]
			if cur == prev || cross(prev, cur, next) == 0 {
				ok = false
				break
			}
		}
		if ok {
			return r
		}
	}
	for {
		n := len(r)
		if n < 3 {
			return nil
		}
		out := make(iring, 0, n)
		changed := false
		for i := range n {
			prev := r[(i+n-1)%n]
			if len(out) > 0 {
				prev = out[len(out)-1]
			}
			cur, next := r[i], r[(i+1)%n]
			if cur == prev || cross(prev, cur, next) == 0 {
				changed = true
				continue
			}
			out = append(out, cur)
		}
		r = out
		if !changed {
			return r
		}
	}
}

// simplify runs Douglas–Peucker on a closed ring with tolerance tol (tile
// units), keeping the first point and the point farthest from it. It
// returns r itself when it keeps every point.
func (s *shaper) simplify(r iring, tol float64) iring {
	n := len(r)
	if tol <= 0 || n <= 4 {
		return r
	}
	far, best := 0, int64(-1)
	for i := 1; i < n; i++ {
		dx, dy := int64(r[i].x-r[0].x), int64(r[i].y-r[0].y)
		if d := dx*dx + dy*dy; d > best {
			far, best = i, d
		}
	}
	s.keep = slices.Grow(s.keep[:0], n+1)[:n+1]
	keep := s.keep
	clear(keep)
	keep[0], keep[far], keep[n] = true, true, true
	at := func(i int) ipt { return r[i%n] }
	var dp func(a, b int)
	tol2 := tol * tol
	dp = func(a, b int) {
		if b-a < 2 {
			return
		}
		pa, pb := at(a), at(b)
		dx, dy := float64(pb.x-pa.x), float64(pb.y-pa.y)
		l2 := dx*dx + dy*dy
		idx, dmax := -1, tol2
		for i := a + 1; i < b; i++ {
			p := at(i)
			px, py := float64(p.x-pa.x), float64(p.y-pa.y)
			var d float64
			if l2 == 0 {
				d = px*px + py*py
			} else {
				c := px*dy - py*dx
				d = c * c / l2
			}
			if d > dmax {
				idx, dmax = i, d
			}
		}
		if idx >= 0 {
			keep[idx] = true
			dp(a, idx)
			dp(idx, b)
		}
	}
	dp(0, far)
	dp(far, n)
	kept := 0
	for _, k := range keep[:n] {
		if k {
			kept++
		}
	}
	if kept == n {
		return r
	}
	out := make(iring, 0, kept)
	for i := range n {
		if keep[i] {
			out = append(out, r[i])
		}
	}
	return out
}

// seg is one edge of a ring, for the validity check.
type seg struct {
	a, b       ipt
	ring, i, n int
}

func (s seg) minX() int32 { return min(s.a.x, s.b.x) }
func (s seg) maxX() int32 { return max(s.a.x, s.b.x) }

func sign(v int64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSeg(p, a, b ipt) bool {
	return min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
}

// contact classifies how two segments meet: 0 not at all, 1 at single
// points, 2 crossing or overlapping along a stretch.
func contact(s, t seg) int {
	o1, o2 := sign(cross(s.a, s.b, t.a)), sign(cross(s.a, s.b, t.b))
	o3, o4 := sign(cross(t.a, t.b, s.a)), sign(cross(t.a, t.b, s.b))
	if o1*o2 < 0 && o3*o4 < 0 {
		return 2
	}
	if o1 == 0 && o2 == 0 {
		// Collinear: overlap of more than a point?
		lo, hi := s.a, s.b
		c, d := t.a, t.b
		key := func(p ipt) int64 { return int64(p.x)*4_000_000 + int64(p.y) }
		if key(lo) > key(hi) {
			lo, hi = hi, lo
		}
		if key(c) > key(d) {
			c, d = d, c
		}
		start, end := max(key(lo), key(c)), min(key(hi), key(d))
		switch {
		case start < end:
			return 2
		case start == end:
			return 1
		}
		return 0
	}
	if (o1 == 0 && onSeg(t.a, s.a, s.b)) || (o2 == 0 && onSeg(t.b, s.a, s.b)) ||
		(o3 == 0 && onSeg(s.a, t.a, t.b)) || (o4 == 0 && onSeg(s.b, t.a, t.b)) {
		return 1
	}
	return 0
}

// validPolys reports whether polygons are valid in the OGC sense as far as
// simplification can break them: rings are simple, rings cross no other
// ring (they may touch at points), shells are positive and holes negative
// and inside their shell, and no polygon lies inside another.
func (s *shaper) valid(polys []ipoly) bool {
	segs := s.segs[:0]
	defer func() { s.segs = segs[:0] }()
	ringNo := 0
	for _, p := range polys {
		for k, r := range p {
			if len(r) < 3 {
				return false
			}
			a := r.area2()
			if (k == 0) != (a > 0) || a == 0 {
				return false
			}
			for i := range r {
				segs = append(segs, seg{r[i], r[(i+1)%len(r)], ringNo, i, len(r)})
			}
			ringNo++
		}
	}
	// Small rings: every pair; large ones: sweep along x.
	if len(segs) > 32 {
		slices.SortFunc(segs, func(a, b seg) int { return cmp.Compare(a.minX(), b.minX()) })
	}
	sorted := len(segs) > 32
	for i := range segs {
		s := segs[i]
		sx := s.maxX()
		for j := i + 1; j < len(segs); j++ {
			t := segs[j]
			if t.minX() > sx {
				if sorted {
					break
				}
				continue
			}
			if t.maxX() < s.minX() {
				continue
			}
			if min(s.a.y, s.b.y) > max(t.a.y, t.b.y) || min(t.a.y, t.b.y) > max(s.a.y, s.b.y) {
				continue
			}
			c := contact(s, t)
			if c == 0 {
				continue
			}
			if s.ring != t.ring {
				if c == 2 {
					return false
				}
				continue
			}
			adjacent := (s.i+1)%s.n == t.i || (t.i+1)%t.n == s.i
			if !adjacent || c == 2 {
				return false
			}
		}
	}
	// Without crossings, a ring is inside another exactly when one of its
	// vertices is; test a vertex off the other ring.
	for _, p := range polys {
		for _, h := range p[1:] {
			if !inside(h, p[0]) {
				return false
			}
		}
	}
	if len(polys) > 1 {
		for i, p := range polys {
			for j, q := range polys {
				if i != j && inside(q[0], p[0]) {
					held := false
					for _, h := range p[1:] {
						if inside(q[0], h) {
							held = true
							break
						}
					}
					if !held {
						return false
					}
				}
			}
		}
	}
	return true
}

// inside reports whether ring r lies inside ring outer, given that they
// do not cross: decided by the first vertex of r not on outer.
func inside(r, outer iring) bool {
	for _, p := range r {
		switch pointInIring(p, outer) {
		case 1:
			return true
		case -1:
			return false
		}
	}
	return false
}

// pointInIring returns 1 inside, -1 outside, 0 on the boundary.
func pointInIring(p ipt, r iring) int {
	in := false
	n := len(r)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := r[i], r[j]
		if cross(a, b, p) == 0 && onSeg(p, a, b) {
			return 0
		}
		if (a.y > p.y) != (b.y > p.y) {
			// x of the edge at p.y, compared exactly.
			num := int64(b.x-a.x) * int64(p.y-a.y)
			den := int64(b.y - a.y)
			lhs := int64(p.x-a.x) * den
			if (den > 0 && lhs < num) || (den < 0 && lhs > num) {
				in = !in
			}
		}
	}
	if in {
		return 1
	}
	return -1
}
