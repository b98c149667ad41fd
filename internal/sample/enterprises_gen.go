package sample

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"wanmu/internal/evaluation"
	"wanmu/internal/geodesy"
	"wanmu/internal/region"
	"wanmu/internal/store"
)

// The generator of illustrative enterprise tables, here rather than in
// internal/transfer (whose SampleEnterprises calls it) so that the first
// start's sample can write them without an import cycle.

// Enterprises writes illustrative enterprise tables (示例数据 from
// evaluation.Synthesize, grown year by year with evaluation.Grow) for the
// years given, n enterprises, so that the evaluation, the placements and the
// unplaced list have data to show. About seven in eight are placed in the
// live official zones, a zone's share in proportion to its area, each with a
// rectangular parcel of its land's area inside the zone, none overlapping
// another (layout.go), all of a zone's together about 60 % of its area (the
// rest is roads, vacant land and room to grow): their land is drawn anew
// (many small firms, few large; 规上 larger) and scaled to fit, the
// figures scaled with it so that the per-亩 values stay as synthesized. A
// few straddle the edge between two overlapping zones; those without land
// (租赁厂房) get a point in their zone. The others get a point in their county
// and mostly lie outside every zone. The same enterprise keeps its parcel
// and code every year. A pure function of the seed and the zones. Years
// that hold figures already are left alone; the written count is returned.
func Enterprises(ctx context.Context, st *store.Store, rg *region.Region, seed uint64, n int, years []int) (int, error) {
	return enterprises(ctx, st, rg, seed, n, years, nil)
}

// enterprises is Enterprises with parcels kept clear of the reserved
// rectangles (the sample's vacant land).
func enterprises(ctx context.Context, st *store.Store, rg *region.Region, seed uint64, n int, years []int, reserved []orb.Bound) (int, error) {
	if len(years) == 0 {
		return 0, nil
	}
	have, err := st.EnterpriseYears(ctx)
	if err != nil {
		return 0, err
	}
	done := map[int]bool{}
	for _, y := range have {
		done[y.Year] = true
	}
	zones, err := st.In(store.Official).ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return 0, err
	}
	es := evaluation.Synthesize(seed, n, rg.Adcodes(), years[0])
	at := place(seed, es, zones, rg, reserved)
	written := 0
	for k, year := range years {
		if k > 0 {
			es = evaluation.Grow(seed+uint64(k), es, year)
		}
		if done[year] {
			continue
		}
		rows := make([]store.EnterpriseRecord, len(es))
		for i, e := range es {
			e.Year = year
			if at[i].parcel != nil { // the parcel decides the land, whatever Grow did
				e.LandMu = evaluation.F(at[i].land)
			}
			rows[i] = store.EnterpriseRecord{Enterprise: e, Parcel: at[i].parcel, Location: at[i].point, SourceRow: i + 2}
		}
		res, err := st.ReplaceEnterprises(ctx, year, rows, fmt.Sprintf("sample-%d", seed), "wanmu sample")
		if err != nil {
			return written, fmt.Errorf("sample enterprises of %d: %w", year, err)
		}
		written += res.Written
	}
	return written, nil
}

// where an enterprise is: a parcel of land 亩, or a point.
type where struct {
	parcel orb.MultiPolygon
	point  *orb.Point
	land   float64
}

// Land in a zone: fill of its area at most (less where it did not fit); no
// enterprise over bigShare of it. inZones of the enterprises are in zones.
const (
	fill       = 0.6
	bigShare   = 0.25
	straddlers = 4 // at most, over all pairs of overlapping zones
	inZones    = 0.875
	bareM2     = 300.0 // room kept for an enterprise without land (its point)
)

// place decides where every enterprise is, and moves those placed in a zone
// to the zone's county and resizes their land (and figures) to fit.
func place(seed uint64, es []evaluation.Enterprise, zones []store.Zone, rg *region.Region, reserved []orb.Bound) []where {
	r := rand.New(rand.NewPCG(seed, 0x656e74))
	at := make([]where, len(es))
	sites := make([]site, len(zones))
	areas := make([]float64, len(zones))
	for k, z := range zones {
		var avoid []orb.MultiPolygon
		for _, y := range zones[:k] {
			if overlap(y.Geom, z.Geom) {
				avoid = append(avoid, y.Geom)
			}
		}
		sites[k] = newSite(z.Geom, avoid)
		areas[k] = geodesy.EllipsoidalAreaMulti(z.Geom)
	}
	members := make([][]int, len(zones))
	outside := func(i int) {
		c, _ := rg.County(es[i].County)
		p := orb.Point{c.Lon + 0.15*(r.Float64()-0.5), c.Lat + 0.15*(r.Float64()-0.5)}
		at[i] = where{point: &p}
	}
	for i := range es {
		if len(zones) == 0 || r.Float64() >= inZones {
			outside(i)
			continue
		}
		k := pick(r, areas)
		members[k] = append(members[k], i)
		if c := zones[k].CountyAdcode; es[i].County != c {
			es[i].County, es[i].CreditCode = c, evaluation.CreditCode(c, seed%100000000+uint64(i))
		}
	}
	// The land each would like: many small firms, few large; 规上 larger.
	floor, draw := make([]float64, len(es)), make([]float64, len(es))
	for i, e := range es {
		switch {
		case e.LandMu != nil && *e.LandMu == 0:
		case e.Scale == evaluation.Above:
			floor[i], draw[i] = 5, 14*math.Exp(0.85*r.NormFloat64())
		default:
			floor[i], draw[i] = 2.5, 4.5*math.Exp(0.75*r.NormFloat64())
		}
	}
	// Those outside the zones keep the same sizes (as a typical zone scales
	// them).
	for i := range es {
		if at[i].point != nil && floor[i] > 0 {
			resize(&es[i], round2(floor[i]+0.75*draw[i]))
		}
	}
	taken := slices.Clone(reserved)
	parcel := func(i int, b orb.Bound) {
		mp := orb.MultiPolygon{{b.ToRing()}}
		if floor[i] == 0 { // no land: a point in the room kept
			c := b.Center()
			at[i] = where{point: &c}
			return
		}
		land := round2(geodesy.Mu(geodesy.EllipsoidalAreaMulti(mp)))
		at[i] = where{parcel: mp, land: land}
		resize(&es[i], land)
	}
	// A few straddle two overlapping zones: a long parcel (14–20 亩) across
	// the land they share, reaching into each zone's own land.
	count := 0
	for k := range zones {
		for _, y := range sites[k].avoid {
			for _, c := range lens(y, zones[k].Geom) {
				if count == straddlers || len(members[k]) == 0 || floor[members[k][0]] == 0 {
					break
				}
				i := members[k][0]
				for _, shape := range [][2]float64{{20, 5}, {14, 5}, {20, 3}, {14, 3}, {20, 0.2}} {
					b := rectAround(sites[k], c, shape[0]*geodesy.SquareMetresPerMu, shape[1])
					if clash(b, taken, 10/sites[k].mLat) || !across(b, y, zones[k].Geom) {
						continue
					}
					parcel(i, b)
					taken = append(taken, b)
					members[k] = members[k][1:]
					count++
					break
				}
			}
		}
	}
	for k, ms := range members {
		if len(ms) == 0 {
			continue
		}
		bound := bigShare * areas[k] / geodesy.SquareMetresPerMu
		var sumF, sumD float64
		for _, i := range ms {
			draw[i] = min(draw[i], max(0, bound-floor[i]))
			sumF, sumD = sumF+floor[i], sumD+draw[i]
		}
		room := fill * areas[k] / geodesy.SquareMetresPerMu
		scale, shrink := 1.0, 1.0
		if sumD > 0 {
			scale = min(1, max(0, room-sumF)/sumD)
		}
		if sumF > room { // too many for their floors: all smaller
			shrink = room / sumF
		}
		var rects []orb.Bound
		for try := 0; ; try++ {
			m2 := make([]float64, len(ms))
			for j, i := range ms {
				m2[j] = bareM2
				if floor[i] > 0 {
					m2[j] = (floor[i]*shrink + draw[i]*scale) * geodesy.SquareMetresPerMu
				}
			}
			order := make([]int, len(ms))
			for j := range order {
				order[j] = j
			}
			slices.SortStableFunc(order, func(a, b int) int { return cmpDesc(m2[a], m2[b]) })
			sorted := make([]float64, len(ms))
			for j, o := range order {
				sorted[j] = m2[o]
			}
			var ok bool
			var got []orb.Bound
			for _, gap := range []float64{2, 1.4, 1} {
				if got, ok = sites[k].pack(sorted, taken, gap); ok {
					break
				}
			}
			if ok || try == 12 {
				rects = make([]orb.Bound, len(ms))
				for j, o := range order {
					rects[o] = got[j]
				}
				break
			}
			scale *= 0.85
			if try >= 4 {
				shrink *= 0.9
			}
		}
		for j, i := range ms {
			if rects[j].IsEmpty() { // did not fit even so: left outside
				outside(i)
				continue
			}
			parcel(i, rects[j])
			taken = append(taken, rects[j])
		}
	}
	return at
}

// pick draws an index with probability in proportion to its weight.
func pick(r *rand.Rand, weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for k, w := range weights {
		if x < w {
			return k
		}
		x -= w
	}
	return len(weights) - 1
}

// resize gives an enterprise land 亩 and scales its figures with it, so that
// its per-亩 values stay as synthesized.
func resize(e *evaluation.Enterprise, land float64) {
	old := 0.0
	if e.LandMu != nil {
		old = *e.LandMu
	}
	e.LandMu = evaluation.F(land)
	if old <= 0 || land <= 0 {
		return
	}
	k := land / old
	for _, p := range []**float64{&e.Tax, &e.ValueAdded, &e.Revenue, &e.Energy, &e.Emissions, &e.Electricity, &e.RD, &e.Investment} {
		if *p != nil {
			*p = evaluation.F(round2(**p * k))
		}
	}
	if e.Employees != nil {
		e.Employees = evaluation.F(max(3, math.Round(*e.Employees*k)))
	}
}

// overlap reports whether two zones share land (a vertex of one inside the
// other: enough for the sample's zones).
func overlap(a, b orb.MultiPolygon) bool {
	if !a.Bound().Intersects(b.Bound()) {
		return false
	}
	for _, v := range vertices(a) {
		if planar.MultiPolygonContains(b, v) {
			return true
		}
	}
	for _, v := range vertices(b) {
		if planar.MultiPolygonContains(a, v) {
			return true
		}
	}
	return false
}

func vertices(mp orb.MultiPolygon) []orb.Point {
	var out []orb.Point
	for _, p := range mp {
		for _, r := range p {
			out = append(out, r...)
		}
	}
	return out
}

// rectAround is a rectangle of m2 square metres, wide times as wide as
// deep, centred on c.
func rectAround(st site, c orb.Point, m2, wide float64) orb.Bound {
	half := math.Sqrt(m2/wide) / 2 / st.mLat
	w := degreesOfLongitude(m2, c[1]-half, c[1]+half)
	return orb.Bound{Min: orb.Point{c[0] - w/2, c[1] - half}, Max: orb.Point{c[0] + w/2, c[1] + half}}
}

// lens returns spots in the land two zones share, on a grid over it.
func lens(a, b orb.MultiPolygon) []orb.Point {
	ab, bb := a.Bound(), b.Bound()
	bb = orb.Bound{Min: orb.Point{max(ab.Min[0], bb.Min[0]), max(ab.Min[1], bb.Min[1])},
		Max: orb.Point{min(ab.Max[0], bb.Max[0]), min(ab.Max[1], bb.Max[1])}}
	const n = 16
	var out []orb.Point
	for i := range n {
		for j := range n {
			p := orb.Point{bb.Min[0] + (float64(i)+0.5)/n*(bb.Max[0]-bb.Min[0]), bb.Min[1] + (float64(j)+0.5)/n*(bb.Max[1]-bb.Min[1])}
			if planar.MultiPolygonContains(a, p) && planar.MultiPolygonContains(b, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// across reports whether b lies in the two zones together (on a grid of
// points; a tenth may lie outside both, as a real parcel's may) with at
// least a fifth in each zone's own land.
func across(b orb.Bound, y, z orb.MultiPolygon) bool {
	const n = 12
	out, onlyY, onlyZ := 0, 0, 0
	for i := range n {
		for j := range n {
			p := orb.Point{b.Min[0] + (float64(i)+0.5)/n*(b.Max[0]-b.Min[0]), b.Min[1] + (float64(j)+0.5)/n*(b.Max[1]-b.Min[1])}
			inY, inZ := planar.MultiPolygonContains(y, p), planar.MultiPolygonContains(z, p)
			switch {
			case !inY && !inZ:
				if out++; out > n*n/10 {
					return false
				}
			case !inZ:
				onlyY++
			case !inY:
				onlyZ++
			}
		}
	}
	return onlyY >= n*n/5 && onlyZ >= n*n/5
}

// clash reports whether b comes within d degrees of a taken rectangle.
func clash(b orb.Bound, taken []orb.Bound, d float64) bool {
	b = b.Pad(d)
	for _, t := range taken {
		if b.Intersects(t) {
			return true
		}
	}
	return false
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// randomPointIn picks a point inside mp (rejection in its bounding box).
func randomPointIn(r *rand.Rand, mp orb.MultiPolygon) orb.Point {
	b := mp.Bound()
	for range 200 {
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		if planar.MultiPolygonContains(mp, p) {
			return p
		}
	}
	return b.Center()
}
