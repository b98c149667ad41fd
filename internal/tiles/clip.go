package tiles

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// A ring here is open (the first point is not repeated at the end) and
// lives in tile coordinates (x right, y down). Shells have positive
// shoelace area, holes negative — MVT's convention.

// rect is an axis-aligned clip box.
type rect struct{ minX, minY, maxX, maxY float64 }

func (r rect) contains(p orb.Point) bool {
	return p[0] >= r.minX && p[0] <= r.maxX && p[1] >= r.minY && p[1] <= r.maxY
}

func (r rect) onEdge(p orb.Point) bool {
	return p[0] == r.minX || p[0] == r.maxX || p[1] == r.minY || p[1] == r.maxY
}

// perimeter position of a point on the box boundary, increasing in the
// shells' rotational sense: along minY, then maxX, then maxY, then minX.
func (r rect) pos(p orb.Point) float64 {
	w, h := r.maxX-r.minX, r.maxY-r.minY
	switch {
	case p[1] == r.minY:
		return p[0] - r.minX
	case p[0] == r.maxX:
		return w + p[1] - r.minY
	case p[1] == r.maxY:
		return w + h + r.maxX - p[0]
	default:
		return 2*w + h + r.maxY - p[1]
	}
}

func (r rect) corners() [4]struct {
	s float64
	p orb.Point
} {
	w, h := r.maxX-r.minX, r.maxY-r.minY
	return [4]struct {
		s float64
		p orb.Point
	}{
		{0, orb.Point{r.minX, r.minY}},
		{w, orb.Point{r.maxX, r.minY}},
		{w + h, orb.Point{r.maxX, r.maxY}},
		{2*w + h, orb.Point{r.minX, r.maxY}},
	}
}

func (r rect) ring() []orb.Point {
	return []orb.Point{{r.minX, r.minY}, {r.maxX, r.minY}, {r.maxX, r.maxY}, {r.minX, r.maxY}}
}

// signedArea is the shoelace area of an open ring.
func signedArea(ring []orb.Point) float64 {
	var a float64
	n := len(ring)
	for i := range n {
		p, q := ring[i], ring[(i+1)%n]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a / 2
}

func reversed(ring []orb.Point) []orb.Point {
	out := make([]orb.Point, len(ring))
	for i, p := range ring {
		out[len(ring)-1-i] = p
	}
	return out
}

func ringBound(ring []orb.Point) rect {
	b := rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range ring {
		b.minX, b.maxX = math.Min(b.minX, p[0]), math.Max(b.maxX, p[0])
		b.minY, b.maxY = math.Min(b.minY, p[1]), math.Max(b.maxY, p[1])
	}
	return b
}

// pointInRing reports whether p is strictly inside ring (even-odd rule).
func pointInRing(p orb.Point, ring []orb.Point) bool {
	in := false
	n := len(ring)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > p[1]) != (b[1] > p[1]) &&
			p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// liangBarsky clips segment p→q to the closed box and returns the
// parameter range inside it.
func liangBarsky(p, q orb.Point, r rect) (t0, t1 float64, ok bool) {
	t0, t1 = 0, 1
	dx, dy := q[0]-p[0], q[1]-p[1]
	for _, e := range [4][2]float64{
		{-dx, p[0] - r.minX},
		{dx, r.maxX - p[0]},
		{-dy, p[1] - r.minY},
		{dy, r.maxY - p[1]},
	} {
		pp, qq := e[0], e[1]
		if pp == 0 {
			if qq < 0 {
				return 0, 0, false
			}
			continue
		}
		t := qq / pp
		if pp < 0 {
			if t > t1 {
				return 0, 0, false
			}
			if t > t0 {
				t0 = t
			}
		} else {
			if t < t0 {
				return 0, 0, false
			}
			if t < t1 {
				t1 = t
			}
		}
	}
	return t0, t1, true
}

// at returns the point of p→q at parameter t, snapped exactly onto the box
// edge it lies on (t strictly between 0 and 1 means a crossing).
func at(p, q orb.Point, t float64, r rect) orb.Point {
	if t == 0 {
		return p
	}
	if t == 1 {
		return q
	}
	x := p[0] + t*(q[0]-p[0])
	y := p[1] + t*(q[1]-p[1])
	x = math.Max(r.minX, math.Min(r.maxX, x))
	y = math.Max(r.minY, math.Min(r.maxY, y))
	// Snap the coordinate that made the crossing onto the edge, so that
	// perimeter positions are exact.
	const eps = 1e-9
	switch {
	case math.Abs(x-r.minX) < eps:
		x = r.minX
	case math.Abs(x-r.maxX) < eps:
		x = r.maxX
	}
	switch {
	case math.Abs(y-r.minY) < eps:
		y = r.minY
	case math.Abs(y-r.maxY) < eps:
		y = r.maxY
	}
	if !r.onEdge(orb.Point{x, y}) {
		// Numerically off the edge: move to the nearest edge.
		dl, dr, db, dt := x-r.minX, r.maxX-x, y-r.minY, r.maxY-y
		switch m := math.Min(math.Min(dl, dr), math.Min(db, dt)); m {
		case dl:
			x = r.minX
		case dr:
			x = r.maxX
		case db:
			y = r.minY
		default:
			y = r.maxY
		}
	}
	return orb.Point{x, y}
}

// chain is the part of a ring inside the box between an entry and an exit
// on its boundary.
type chain struct {
	pts        []orb.Point
	entry, out float64 // perimeter positions of the first and last point
}

// ringChains cuts ring at the box boundary. inside is true when the whole
// ring lies in the closed box (chains is then nil).
func ringChains(ring []orb.Point, r rect) (chains []chain, inside bool) {
	n := len(ring)
	start := -1
	for i, p := range ring {
		if !r.contains(p) {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, true
	}
	var cur []orb.Point
	in := false
	add := func(p orb.Point) {
		if len(cur) == 0 || cur[len(cur)-1] != p {
			cur = append(cur, p)
		}
	}
	end := func() {
		if len(cur) >= 2 {
			allEdge := true
			for _, p := range cur {
				if !r.onEdge(p) {
					allEdge = false
					break
				}
			}
			// A run along the boundary only adds nothing: the walk along
			// the box reproduces it when it belongs to the result.
			if !allEdge {
				chains = append(chains, chain{pts: cur, entry: r.pos(cur[0]), out: r.pos(cur[len(cur)-1])})
			}
		}
		cur = nil
		in = false
	}
	for k := range n {
		p, q := ring[(start+k)%n], ring[(start+k+1)%n]
		t0, t1, ok := liangBarsky(p, q, r)
		if !in {
			if !ok {
				continue
			}
			cur = cur[:0:0]
			add(at(p, q, t0, r))
			if t1 < 1 {
				add(at(p, q, t1, r))
				end()
				continue
			}
			add(q)
			in = true
			continue
		}
		if !ok {
			end()
			continue
		}
		if t1 < 1 {
			add(at(p, q, t1, r))
			end()
			continue
		}
		add(q)
	}
	if in {
		end()
	}
	return chains, false
}

// clipPolygon clips one polygon (rings[0] the shell, the rest holes, in
// any orientation) to the box. The result holds polygons with shells of
// positive and holes of negative area.
func clipPolygon(rings [][]orb.Point, r rect) [][][]orb.Point {
	if len(rings) == 0 || len(rings[0]) < 3 {
		return nil
	}
	shellBound := ringBound(rings[0])
	if shellBound.maxX < r.minX || shellBound.minX > r.maxX || shellBound.maxY < r.minY || shellBound.minY > r.maxY {
		return nil
	}
	oriented := make([][]orb.Point, 0, len(rings))
	for i, ring := range rings {
		if len(ring) < 3 {
			continue
		}
		a := signedArea(ring)
		if a == 0 {
			continue
		}
		if (i == 0) != (a > 0) {
			ring = reversed(ring)
		}
		oriented = append(oriented, ring)
	}
	if len(oriented) == 0 || signedArea(oriented[0]) <= 0 {
		return nil
	}
	// Fast path: the whole polygon is inside the box.
	if shellBound.minX >= r.minX && shellBound.maxX <= r.maxX && shellBound.minY >= r.minY && shellBound.maxY <= r.maxY {
		return [][][]orb.Point{oriented}
	}

	var (
		chains     []chain
		shells     [][]orb.Point // whole shells inside the box
		holes      [][]orb.Point // whole holes inside the box
		boxIsShell bool
		boxInHole  bool
		center     = orb.Point{(r.minX + r.maxX) / 2, (r.minY + r.maxY) / 2}
	)
	for i, ring := range oriented {
		cs, inside := ringChains(ring, r)
		switch {
		case inside && i == 0:
			shells = append(shells, ring)
		case inside:
			holes = append(holes, ring)
		case len(cs) > 0:
			chains = append(chains, cs...)
		default:
			// The ring misses the box or surrounds it.
			if pointInRing(center, ring) {
				if i == 0 {
					boxIsShell = true
				} else {
					boxInHole = true
				}
			}
		}
	}
	if boxInHole {
		return nil
	}
	if len(chains) == 0 && boxIsShell {
		shells = append(shells, r.ring())
	}
	if len(chains) == 0 && len(shells) == 0 {
		return nil
	}
	shells = append(shells, joinChains(chains, r)...)

	out := make([][][]orb.Point, 0, len(shells))
	for _, s := range shells {
		out = append(out, [][]orb.Point{s})
	}
	for _, h := range holes {
		if len(out) == 1 {
			out[0] = append(out[0], h)
			continue
		}
		for i := range out {
			if ringHoldsRing(out[i][0], h) {
				out[i] = append(out[i], h)
				break
			}
		}
	}
	return out
}

// ringHoldsRing reports whether inner lies inside outer, judged by its
// first vertex that is not on outer's boundary.
func ringHoldsRing(outer, inner []orb.Point) bool {
	b := ringBound(outer)
	for _, p := range inner {
		if p[0] < b.minX || p[0] > b.maxX || p[1] < b.minY || p[1] > b.maxY {
			return false
		}
	}
	// Vertices on the boundary may give either answer; most don't lie there.
	votes := 0
	for i, p := range inner {
		if i >= 3 {
			break
		}
		if pointInRing(p, outer) {
			votes++
		} else {
			votes--
		}
	}
	return votes > 0
}

// joinChains links chains into closed rings by walking the box boundary
// from each exit to the next entry in the shells' rotational sense.
func joinChains(chains []chain, r rect) [][]orb.Point {
	if len(chains) == 0 {
		return nil
	}
	per := 2 * ((r.maxX - r.minX) + (r.maxY - r.minY))
	order := make([]int, len(chains))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return chains[order[a]].entry < chains[order[b]].entry })
	used := make([]bool, len(chains))
	corners := r.corners()
	var rings [][]orb.Point
	for first := range chains {
		if used[first] {
			continue
		}
		var ring []orb.Point
		add := func(p orb.Point) {
			if len(ring) == 0 || ring[len(ring)-1] != p {
				ring = append(ring, p)
			}
		}
		cur := first
		for steps := 0; steps <= len(chains); steps++ {
			used[cur] = true
			for _, p := range chains[cur].pts {
				add(p)
			}
			exit := chains[cur].out
			// Next entry at or after exit along the perimeter.
			next, best := -1, math.Inf(1)
			for _, j := range order {
				if used[j] && j != first {
					continue
				}
				d := chains[j].entry - exit
				if d < 0 {
					d += per
				}
				if d < best {
					next, best = j, d
				}
			}
			if next < 0 {
				break
			}
			// Corners passed on the way.
			for _, c := range cornersBetween(corners, exit, best, per) {
				add(c)
			}
			if next == first {
				break
			}
			cur = next
		}
		if len(ring) > 1 && ring[0] == ring[len(ring)-1] {
			ring = ring[:len(ring)-1]
		}
		if len(ring) >= 3 && signedArea(ring) > 0 {
			rings = append(rings, ring)
		}
	}
	return rings
}

// cornersBetween returns the box corners strictly after perimeter position
// from and within dist of it, in walking order.
func cornersBetween(corners [4]struct {
	s float64
	p orb.Point
}, from, dist, per float64) []orb.Point {
	var out []orb.Point
	type cd struct {
		d float64
		p orb.Point
	}
	var cs []cd
	for _, c := range corners {
		d := c.s - from
		if d <= 0 {
			d += per
		}
		if d > 0 && d < dist {
			cs = append(cs, cd{d, c.p})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	for _, c := range cs {
		out = append(out, c.p)
	}
	return out
}
