package tiles

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// Tolerance is the Douglas–Peucker tolerance in tile units (1/8 of a
// screen pixel of a 256-pixel tile): invisible, and it drops most of the
// vertices of densely digitised boundaries.
const Tolerance = 2.0

// minRingArea2 is twice the smallest ring area kept, in square tile units:
// a quarter pixel. Smaller rings (holes, islands, slivers) are invisible.
const minRingArea2 = 2 * Pixel * Pixel / 4

// prop is one property with a value of type string, int64, float64 or bool.
type prop struct {
	key string
	val any
}

// feature is one feature of a built tile, in tile units.
type feature struct {
	id    int64
	props []prop // sorted by key
	polys []ipoly
}

// layerTile is a built tile: the features of one layer, sorted by id.
type layerTile struct {
	tile     Tile
	layer    string
	features []feature
	// invalid counts features kept although simplification could not make
	// them valid (their source is invalid); for logs.
	invalid int
}

// query returns what to ask the source for tile t.
func query(t Tile, scenario int64) store.TileQuery {
	q := store.TileQuery{Bound: t.Bound(Buffer), Clip: t.Bound(2 * Buffer), Scenario: scenario}
	if t.Z <= subPixelZoom {
		q.SubPixel = PixelDegrees(t.Z)
	}
	return q
}

// subPixelZoom is the highest zoom at which the database leaves out the
// geometry of sub-pixel features. Above it they are rare (a pixel is
// under 20 m), and the per-row box arithmetic would cost more than it
// saves; build still spots them from their geometry.
const subPixelZoom = 12

// cellAcc gathers the sub-pixel features of one pixel cell.
type cellAcc struct {
	cx, cy int64
	cover  float64 // summed area in cells
	rep    *store.TileFeature
	repA   float64
}

// build turns source features into the tile's features: clipped to the
// tile plus Buffer, quantised, simplified and valid; sub-pixel features
// become density squares.
func build(t Tile, layer string, src []store.TileFeature) (*layerTile, error) {
	out := &layerTile{tile: t, layer: layer}
	sh := &shaper{t: t, box: rect{-Buffer, -Buffer, Extent + Buffer, Extent + Buffer}}
	keys := map[string]string{}
	px := PixelDegrees(t.Z)
	cells := map[[2]int64]*cellAcc{}
	// Cells fully inside the buffered tile.
	c0x, c0y := int64(t.X)*(Extent/Pixel)-Buffer/Pixel, int64(t.Y)*(Extent/Pixel)-Buffer/Pixel
	c1x, c1y := c0x+(Extent+2*Buffer)/Pixel, c0y+(Extent+2*Buffer)/Pixel
	for i := range src {
		f := &src[i]
		if f.Geom == nil || (layer != store.TilePlatforms && subPixel(f.Bound, px)) {
			c := f.Bound.Center()
			cx, cy := cellOf(t.Z, c)
			if cx < c0x || cx >= c1x || cy < c0y || cy >= c1y {
				continue
			}
			a := f.Area
			if f.Geom != nil && a == 0 {
				a = planarArea(f.Geom)
			}
			cover := a / (px * px * math.Cos(c[1]*math.Pi/180))
			acc := cells[[2]int64{cx, cy}]
			if acc == nil {
				acc = &cellAcc{cx: cx, cy: cy}
				cells[[2]int64{cx, cy}] = acc
			}
			acc.cover += cover
			if acc.rep == nil || a > acc.repA || (a == acc.repA && f.ID < acc.rep.ID) {
				acc.rep, acc.repA = f, a
			}
			continue
		}
		polys, ok := sh.shape(f.Geom)
		if len(polys) == 0 {
			continue
		}
		if !ok {
			out.invalid++
		}
		props, err := properties(f, keys)
		if err != nil {
			return nil, err
		}
		out.features = append(out.features, feature{id: f.ID, props: props, polys: polys})
	}
	for _, acc := range cells {
		if acc.cover < cellThreshold(t.Z, acc.cx, acc.cy) {
			continue
		}
		props, err := properties(acc.rep, keys)
		if err != nil {
			return nil, err
		}
		x := int32(acc.cx*Pixel - int64(t.X)*Extent)
		y := int32(acc.cy*Pixel - int64(t.Y)*Extent)
		sq := iring{{x, y}, {x + Pixel, y}, {x + Pixel, y + Pixel}, {x, y + Pixel}}
		out.features = append(out.features, feature{id: acc.rep.ID, props: props, polys: []ipoly{{sq}}})
	}
	if !slices.IsSortedFunc(out.features, compareFeatures) {
		slices.SortFunc(out.features, compareFeatures)
	}
	return out, nil
}

// compareFeatures orders features by id, then (density squares of one
// feature cannot share a cell) by first point.
func compareFeatures(a, b feature) int {
	if c := cmp.Compare(a.id, b.id); c != 0 {
		return c
	}
	pa, pb := a.polys[0][0][0], b.polys[0][0][0]
	if c := cmp.Compare(pa.x, pb.x); c != 0 {
		return c
	}
	return cmp.Compare(pa.y, pb.y)
}

// cellThreshold is a pseudo-random number in (0, 1] fixed for each pixel
// cell of the world at zoom z. A cell whose sub-pixel features cover at
// least that fraction of it is drawn full: the expected drawn area equals
// the true area (up to one cell each), the same cell gets the same answer
// in every tile that reaches it, and the pattern does not shimmer as
// unrelated data changes.
func cellThreshold(z int, cx, cy int64) float64 {
	h := uint64(z)*0x9E3779B97F4A7C15 ^ uint64(cx)*0xBF58476D1CE4E5B9 ^ uint64(cy)*0x94D049BB133111EB
	h ^= h >> 30
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 27
	h *= 0x94D049BB133111EB
	h ^= h >> 31
	return float64(h>>11+1) / (1 << 53)
}

// planarArea is the lon/lat planar area of polygons, in square degrees.
func planarArea(g orb.Geometry) float64 {
	var a float64
	for _, p := range polygons(g) {
		for i, r := range p {
			ar := math.Abs(signedArea(r))
			if i == 0 {
				a += ar
			} else {
				a -= ar
			}
		}
	}
	return a
}

// polygons lists the polygons of g (other geometry types are ignored).
func polygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	case orb.Collection:
		var out []orb.Polygon
		for _, c := range g {
			out = append(out, polygons(c)...)
		}
		return out
	}
	return nil
}

// shaper turns lon/lat polygons into valid tile polygons, reusing its
// buffers from feature to feature.
type shaper struct {
	t    Tile
	box  rect
	pts  []orb.Point
	keep []bool
	segs []seg
}

// shape projects, clips, quantises and simplifies g. It simplifies with
// Tolerance, then half of it, then not at all, until the result is
// valid; ok is false when even that is not (an invalid source).
func (s *shaper) shape(g orb.Geometry) (_ []ipoly, ok bool) {
	var quant [][]iring
	for _, p := range polygons(g) {
		n := 0
		for _, r := range p {
			n += len(r)
		}
		s.pts = slices.Grow(s.pts[:0], n)
		rings := make([][]orb.Point, 0, len(p))
		b := rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, r := range p {
			start := len(s.pts)
			for _, q := range r {
				pt := s.t.Project(q)
				s.pts = append(s.pts, pt)
				b.minX, b.maxX = math.Min(b.minX, pt[0]), math.Max(b.maxX, pt[0])
				b.minY, b.maxY = math.Min(b.minY, pt[1]), math.Max(b.maxY, pt[1])
			}
			pr := s.pts[start:len(s.pts):len(s.pts)]
			if len(pr) > 1 && pr[0] == pr[len(pr)-1] {
				pr = pr[:len(pr)-1]
			}
			rings = append(rings, pr)
		}
		if b.maxX < s.box.minX || b.minX > s.box.maxX || b.maxY < s.box.minY || b.minY > s.box.maxY {
			continue
		}
		if b.minX >= s.box.minX && b.maxX <= s.box.maxX && b.minY >= s.box.minY && b.maxY <= s.box.maxY {
			// Inside the tile: no clipping; orient after quantising.
			q := make([]iring, 0, len(rings))
			for j, r := range rings {
				ir := clean(quantise(r))
				a := ir.area2()
				if a == 0 {
					if j == 0 {
						break
					}
					continue
				}
				if (j == 0) != (a > 0) {
					slices.Reverse(ir)
				}
				q = append(q, ir)
			}
			if len(q) > 0 {
				quant = append(quant, q)
			}
			continue
		}
		for _, cp := range clipPolygon(rings, s.box) {
			q := make([]iring, 0, len(cp))
			for _, r := range cp {
				q = append(q, clean(quantise(r)))
			}
			quant = append(quant, q)
		}
	}
	if len(quant) == 0 {
		return nil, true
	}
	var polys []ipoly
	for _, tol := range [...]float64{Tolerance, Tolerance / 2, 0} {
		polys = polys[:0:0]
		for _, p := range quant {
			var out ipoly
			for j, r := range p {
				r = clean(s.simplify(r, tol))
				a := r.area2()
				if len(r) < 3 || (j == 0 && a < minRingArea2) || (j > 0 && -a < minRingArea2) {
					if j == 0 {
						break // the shell collapsed: so do its holes
					}
					continue
				}
				out = append(out, r)
			}
			if len(out) > 0 {
				polys = append(polys, out)
			}
		}
		if len(polys) == 0 || s.valid(polys) {
			return polys, true
		}
	}
	return polys, false
}

// properties merges a source feature's attributes, fixed properties and
// id into one sorted list of scalar values. Nested JSON travels as text,
// nulls are left out: MVT cannot carry either.
func properties(f *store.TileFeature, keys map[string]string) ([]prop, error) {
	out := make([]prop, 0, len(f.Props)+8)
	if len(f.Attrs) > 0 {
		err := parseAttrs(f.Attrs, keys, func(k string, v any) {
			if _, fixed := f.Props[k]; !fixed && k != "id" {
				out = append(out, prop{k, v})
			}
		})
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", f.ID, err)
		}
	}
	for k, v := range f.Props {
		if s := scalar(v); s != nil && k != "id" {
			out = append(out, prop{k, s})
		}
	}
	out = append(out, prop{"id", f.ID})
	// jsonb holds each key once, and fixed properties were skipped above:
	// keys are unique.
	// Few properties: insertion sort.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].key < out[j-1].key; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// scalar converts a property value to string, int64, float64 or bool;
// nil for null.
func scalar(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	case string, bool, int64:
		return v
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case float32:
		return scalar(float64(v))
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(string(v), 64); err == nil && !math.IsInf(f, 0) {
			return f
		}
		return string(v)
	case fmt.Stringer:
		return v.String()
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
}
