package synth

import "math"

// grid is a uniform bucket grid of ids over a box, for finding what lies near a point.
// An id is stored in every cell its box touches, so visits may repeat ids.
type grid struct {
	min    xy
	cell   float64
	nx, ny int
	cells  [][]int32
}

func newGrid(lo, hi xy, cell float64) *grid {
	nx := int(math.Ceil((hi.x-lo.x)/cell)) + 1
	ny := int(math.Ceil((hi.y-lo.y)/cell)) + 1
	return &grid{min: lo, cell: cell, nx: nx, ny: ny, cells: make([][]int32, nx*ny)}
}

func (g *grid) span(lo, hi xy) (x0, y0, x1, y1 int) {
	c := func(v float64, n int) int { return max(0, min(n-1, int(math.Floor(v)))) }
	return c((lo.x-g.min.x)/g.cell, g.nx), c((lo.y-g.min.y)/g.cell, g.ny),
		c((hi.x-g.min.x)/g.cell, g.nx), c((hi.y-g.min.y)/g.cell, g.ny)
}

func (g *grid) add(id int, lo, hi xy) {
	x0, y0, x1, y1 := g.span(lo, hi)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			g.cells[y*g.nx+x] = append(g.cells[y*g.nx+x], int32(id))
		}
	}
}

// visit calls fn for the ids stored in cells touching the box until fn returns false;
// it reports whether the visit ran to the end.
func (g *grid) visit(lo, hi xy, fn func(id int) bool) bool {
	x0, y0, x1, y1 := g.span(lo, hi)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			for _, id := range g.cells[y*g.nx+x] {
				if !fn(int(id)) {
					return false
				}
			}
		}
	}
	return true
}

// discs rejects placements whose bounding disc overlaps one already placed.
type discs struct {
	g *grid
	c []xy
	r []float64
}

func newDiscs(lo, hi xy, cell float64) *discs { return &discs{g: newGrid(lo, hi, cell)} }

// free reports whether a disc at p of radius r stays clear of every placed disc, the radii
// shrunk by factor (below 1 lets irregular shapes occasionally touch).
func (d *discs) free(p xy, r, factor float64) bool {
	return d.g.visit(xy{p.x - r, p.y - r}, xy{p.x + r, p.y + r}, func(id int) bool {
		q := d.c[id]
		lim := (r + d.r[id]) * factor
		dx, dy := p.x-q.x, p.y-q.y
		return dx*dx+dy*dy >= lim*lim
	})
}

func (d *discs) add(p xy, r float64) {
	d.g.add(len(d.c), xy{p.x - r, p.y - r}, xy{p.x + r, p.y + r})
	d.c = append(d.c, p)
	d.r = append(d.r, r)
}
