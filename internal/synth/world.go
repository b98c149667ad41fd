package synth

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// part is one polygon of a zone.
type part struct {
	fr   frame // local frame at the centre
	c    xy    // centre in the global frame
	b    blob  // shape in local metres
	pts  []xy  // vertices in local metres
	ring orb.Ring
	pr   pring   // ring in the global frame
	bnd  float64 // bounding radius, m
}

type zone struct {
	name, kind, adcode, disposition, docNo string
	platform                               int // index into the platform specs, -1 for none
	approvedHa                             float64
	dent, clip                             bool // see parkSpec
	parts                                  []*part
}

// poly is one single-ring constraint or reference polygon.
type poly struct {
	name string
	ring orb.Ring
	pr   pring
}

// world holds everything drawn for one seed and one set of platform scales.
type world struct {
	seed   uint64
	g      frame // global frame for placement tests
	specs  []platformSpec
	cnty   []countySpec
	seats  []xy
	hull   pring
	cells  [][]xy // county cells (power diagram of the seats clipped to the hull)
	vals   []polyline
	zones  []*zone
	parts  []*part // all zone parts, for placement tests
	urban  []poly
	seatN  int    // urban[:seatN] are the county seats' blobs
	red    []poly // clippers first, then background polygons
	farm   []poly // patches inside platforms first, then the generic clusters
	patchN int
	fields *discs // bounding discs of the farmland parcels
}

// rng returns the random stream of one named object.
func (w *world) rng(label string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label))
	return rand.New(rand.NewPCG(w.seed, h.Sum64()))
}

// newWorld draws the zones and the constraints that bear on the platforms: the urban boundary,
// the red-line polygons clipping platform edges and the farmland patches inside platforms.
// scales[i] multiplies the linear size of platform i's zones.
func newWorld(seed uint64, scales []float64) *world {
	w := &world{seed: seed, g: newFrame(119.55, 28.2), specs: platformSpecs(), cnty: countySpecs()}
	var hp []xy
	for _, p := range cityOutline() {
		hp = append(hp, w.g.xy(orb.Point{p[0], p[1]}))
	}
	hull := convexHull(hp)
	w.hull = newPring(hull)
	for _, c := range w.cnty {
		w.seats = append(w.seats, w.g.xy(orb.Point{c.lon, c.lat}))
	}
	for i := range w.cnty {
		cell := hull
		for j := range w.cnty {
			if i != j {
				a, c := w.bisector(i, j)
				cell = clipHalfPlane(cell, a, c)
			}
		}
		w.cells = append(w.cells, cell)
	}
	for _, v := range valleys() {
		var l polyline
		for _, p := range v {
			l = append(l, w.g.xy(orb.Point{p[0], p[1]}))
		}
		w.vals = append(w.vals, l)
	}
	w.fields = newDiscs(w.hull.min, w.hull.max, 500)

	names := w.newTownNames()
	w.placeParks(scales)
	w.placeMemberTowns(names)
	w.placeOtherTowns(names)
	w.drawUrban()
	w.drawClippers()
	w.drawPatches()
	return w
}

// bisector returns the half-plane a·p <= c of points closer (in power distance) to seat i than j.
func (w *world) bisector(i, j int) (xy, float64) {
	si, sj := w.seats[i], w.seats[j]
	a := xy{2 * (sj.x - si.x), 2 * (sj.y - si.y)}
	c := sj.x*sj.x + sj.y*sj.y - si.x*si.x - si.y*si.y - w.cnty[j].weight*1e6 + w.cnty[i].weight*1e6
	return a, c
}

// countyAt returns the index of the county whose illustrative cell holds p.
func (w *world) countyAt(p xy) int {
	best, bi := math.Inf(1), 0
	for i, s := range w.seats {
		d := (p.x-s.x)*(p.x-s.x) + (p.y-s.y)*(p.y-s.y) - w.cnty[i].weight*1e6
		if d < best {
			best, bi = d, i
		}
	}
	return bi
}

func (w *world) countyIndex(adcode string) int {
	for i, c := range w.cnty {
		if c.adcode == adcode {
			return i
		}
	}
	panic("synth: unknown county " + adcode)
}

func (w *world) valleyDist(p xy) float64 {
	d := math.Inf(1)
	for _, v := range w.vals {
		d = min(d, v.dist(p))
	}
	return d
}

// shapePart draws an unplaced zone polygon of area m² with n in [nmin, nmax] vertices.
func shapePart(r *rand.Rand, area, aspect, rot float64, nmin, nmax int) *part {
	p := &part{b: newBlob(r, 2, 5, 0.28, aspect, rot)}
	ts := angles(r, nmin+r.IntN(nmax-nmin+1), 0.3)
	p.pts = p.b.outline(ts, nil)
	p.b.fitArea(p.pts, area)
	p.bnd = bound(p.pts)
	return p
}

// place puts the part's centre at c (global frame).
func (p *part) place(w *world, c xy) {
	ll := w.g.ll(c)
	p.fr = newFrame(ll[0], ll[1])
	p.c = w.g.xy(ll)
	p.ring = closeRing(p.fr, p.pts)
	p.pr = ringPring(w.g, p.ring)
}

// clear reports whether the part keeps gap metres from every placed part.
func (w *world) clear(p *part, gap float64) bool {
	for _, q := range w.parts {
		if ringsWithin(&p.pr, &q.pr, gap) {
			return false
		}
	}
	return true
}

func (w *world) addZone(z *zone) {
	w.zones = append(w.zones, z)
	w.parts = append(w.parts, z.parts...)
}

func (w *world) findZone(name string) *zone {
	for _, z := range w.zones {
		if z.name == name {
			return z
		}
	}
	panic("synth: layout: no zone " + name)
}

func (w *world) placeParks(scales []float64) {
	for pi, sp := range w.specs {
		for _, ps := range sp.parks {
			r := w.rng("park/" + ps.name)
			z := &zone{name: ps.name, kind: ZonePark, adcode: ps.adcode, platform: pi,
				approvedHa: ps.approvedHa, docNo: ps.documentNo, disposition: DispKeep, dent: ps.dent, clip: ps.clip}
			for _, s := range ps.parts {
				area := s.mu / muPerM2 * scales[pi] * scales[pi]
				p := shapePart(r, area, s.aspect, s.rot, 24, 40)
				if ps.leanOn != "" {
					w.lean(p, w.findZone(ps.leanOn).parts[0], ps.leanDir, ps.leanMu)
				} else {
					p.place(w, w.g.xy(orb.Point{s.lon, s.lat}))
				}
				z.parts = append(z.parts, p)
			}
			w.addZone(z)
		}
	}
}

// lean places p on the side dir (degrees) of t so that they overlap by about mu, by bisection
// on the distance between their centres.
func (w *world) lean(p, t *part, dir, mu float64) {
	u := xy{math.Cos(dir * math.Pi / 180), math.Sin(dir * math.Pi / 180)}
	touch := t.b.reach(u) + p.b.reach(xy{-u.x, -u.y})
	lo, hi := touch-1500, touch+500 // overlap(lo) > mu > overlap(hi)
	for range 16 {
		d := (lo + hi) / 2
		p.place(w, xy{t.c.x + d*u.x, t.c.y + d*u.y})
		if overlapArea(&p.pr, &t.pr, 10)*muPerM2 > mu {
			lo = d
		} else {
			hi = d
		}
	}
	p.place(w, xy{t.c.x + hi*u.x, t.c.y + hi*u.y})
}

// townNames hands out invented, unique township names.
type townNames struct {
	r             *rand.Rand
	first, second []string
	used          map[string]bool
}

func (w *world) newTownNames() *townNames {
	f, s, avoid := nameParts()
	return &townNames{r: w.rng("names"), first: f, second: s, used: avoid}
}

func (n *townNames) next() string {
	for {
		base := n.first[n.r.IntN(len(n.first))] + n.second[n.r.IntN(len(n.second))]
		if n.used[base] {
			continue
		}
		n.used[base] = true
		if n.r.IntN(4) == 0 {
			return base + "乡工业功能区"
		}
		return base + "镇工业功能区"
	}
}

// townArea draws a township zone's area in m² (30–600 mu; members from 250).
func townArea(r *rand.Rand, member bool) float64 {
	if member {
		return (250 + 340*r.Float64()) / muPerM2
	}
	return logUniform(r, 32, 590) / muPerM2
}

func (w *world) placeMemberTowns(names *townNames) {
	doc := 0
	for pi, sp := range w.specs {
		for ti, ts := range sp.towns {
			r := w.rng(fmt.Sprintf("town/%d/%d", pi, ti))
			z := &zone{name: names.next(), kind: ZoneTownship, adcode: ts.adcode, disposition: ts.disposition, platform: pi}
			if ts.disposition == DispMerge {
				doc++
				z.docNo = fmt.Sprintf("示例〔2021〕%d号", doc)
			}
			p := shapePart(r, townArea(r, true), 1+r.Float64(), 180*r.Float64(), 12, 24)
			anchor := w.findZone(sp.parks[ts.anchor].name).parts[0]
			ci := w.countyIndex(ts.adcode)
			for attempt := 0; ; attempt++ {
				if attempt == 3000 {
					panic("synth: layout: cannot place township zone of " + sp.name)
				}
				t := 2 * math.Pi * r.Float64()
				u := xy{math.Cos(t), math.Sin(t)}
				gap := 700 + 3000*r.Float64() + float64(attempt)*5
				d := anchor.b.reach(u) + gap + p.b.reach(xy{-u.x, -u.y})
				c := xy{anchor.c.x + d*u.x, anchor.c.y + d*u.y}
				if !w.hull.contains(c) || (attempt < 2000 && w.countyAt(c) != ci) {
					continue
				}
				p.place(w, c)
				if w.clear(p, 400) {
					break
				}
			}
			z.parts = []*part{p}
			w.addZone(z)
		}
	}
}

func (w *world) placeOtherTowns(names *townNames) {
	members := map[string]int{}
	for _, sp := range w.specs {
		for _, t := range sp.towns {
			members[t.adcode]++
		}
	}
	disp := otherDispositions()
	dr := w.rng("dispositions")
	dr.Shuffle(len(disp), func(i, j int) { disp[i], disp[j] = disp[j], disp[i] })
	k := 0
	for ci, cs := range w.cnty {
		cell := newPring(w.cells[ci])
		for i := range cs.towns - members[cs.adcode] {
			r := w.rng(fmt.Sprintf("town/%s/%d", cs.adcode, i))
			p := shapePart(r, townArea(r, false), 1+r.Float64(), 180*r.Float64(), 12, 24)
			for attempt := 0; ; attempt++ {
				if attempt == 6000 {
					panic("synth: layout: cannot place township zones in " + cs.name)
				}
				c := xy{cell.min.x + r.Float64()*(cell.max.x-cell.min.x), cell.min.y + r.Float64()*(cell.max.y-cell.min.y)}
				if !cell.contains(c) || w.hull.dist(c) < 2000 {
					continue
				}
				if attempt < 3000 && w.valleyDist(c) > 5000 {
					continue
				}
				nearSeat := false
				for _, s := range w.seats {
					nearSeat = nearSeat || math.Hypot(c.x-s.x, c.y-s.y) < 3500
				}
				if nearSeat {
					continue
				}
				p.place(w, c)
				if w.clear(p, 1500) {
					break
				}
			}
			z := &zone{name: names.next(), kind: ZoneTownship, adcode: cs.adcode, platform: -1,
				disposition: disp[k%len(disp)], parts: []*part{p}}
			k++
			w.addZone(z)
		}
	}
}

func (w *world) addUrban(name string, fr frame, pts []xy) {
	ring := closeRing(fr, pts)
	w.urban = append(w.urban, poly{name: name, ring: ring, pr: ringPring(w.g, ring)})
}

// drawUrban draws the 城镇开发边界: a blob for each county seat's town and one around each
// platform zone, 12 % wider than the zone except, for parks marked dent, a wedge left outside.
// Where a park sits on the seat, the town's blob is drawn beside the park and the wedge faces
// away from the town, so that the town does not cover it.
func (w *world) drawUrban() {
	dentDir := map[*part]xy{}
	for i, c := range w.cnty {
		r := w.rng("urban/seat/" + c.adcode)
		b := newBlob(r, 2, 6, 0.3, 1+0.5*r.Float64(), 180*r.Float64())
		pts := b.outline(angles(r, 64, 0.3), nil)
		b.fitArea(pts, math.Pi*c.seatR*c.seatR)
		at := w.seats[i]
		if p := w.parkAt(at, 3000); p != nil {
			t := 2 * math.Pi * r.Float64()
			u := xy{math.Cos(t), math.Sin(t)}
			if d := math.Hypot(at.x-p.c.x, at.y-p.c.y); d > 300 {
				u = xy{(at.x - p.c.x) / d, (at.y - p.c.y) / d}
			}
			k := p.b.reach(u) + 0.25*c.seatR
			at = xy{p.c.x + k*u.x, p.c.y + k*u.y}
			dentDir[p] = xy{-u.x, -u.y}
		}
		ll := w.g.ll(at)
		w.addUrban("城镇开发边界（示意）·"+c.name, newFrame(ll[0], ll[1]), pts)
	}
	w.seatN = len(w.urban)
	for _, z := range w.zones {
		if z.platform < 0 {
			continue
		}
		for k, p := range z.parts {
			r := w.rng(fmt.Sprintf("urban/zone/%s/%d", z.name, k))
			mul := func(float64) float64 { return 1.12 }
			if z.dent {
				td := 2 * math.Pi * r.Float64()
				if u, ok := dentDir[p]; ok {
					td = p.b.param(u)
				}
				hw := 0.5 + 0.4*r.Float64()
				depth := 0.45 + 0.15*r.Float64()
				mul = func(t float64) float64 {
					d := math.Remainder(t-td, 2*math.Pi)
					if math.Abs(d) >= hw {
						return 1.12
					}
					c := math.Cos(math.Pi / 2 * d / hw)
					return 1.12 - depth*c*c
				}
			}
			name := "城镇开发边界（示意）·" + z.name
			if len(z.parts) > 1 {
				name += fmt.Sprintf("（%d）", k+1)
			}
			w.addUrban(name, p.fr, p.b.outline(angles(r, 72, 0.2), mul))
		}
	}
}

// parkAt returns the platform park part whose centre is nearest to p within dist, or nil.
func (w *world) parkAt(p xy, dist float64) *part {
	var best *part
	for _, z := range w.zones {
		if z.kind != ZonePark || z.platform < 0 {
			continue
		}
		for _, q := range z.parts {
			if d := math.Hypot(p.x-q.c.x, p.y-q.c.y); d < dist {
				best, dist = q, d
			}
		}
	}
	return best
}

// redShape draws a red-line polygon of about area πR² with n vertices and ragged edges.
func redShape(r *rand.Rand, rad float64, n int) ([]xy, blob, float64) {
	b := newBlob(r, 2, 14, 0.55, 1+1.2*r.Float64(), 180*r.Float64())
	ts := angles(r, n, 0.3)
	pts := make([]xy, n)
	for i, t := range ts {
		pts[i] = b.point(t, 1+0.03*(2*r.Float64()-1))
	}
	b.fitArea(pts, math.Pi*rad*rad)
	return pts, b, bound(pts)
}

func (w *world) addRed(c xy, pts []xy) {
	ll := w.g.ll(c)
	ring := closeRing(newFrame(ll[0], ll[1]), pts)
	w.red = append(w.red, poly{name: fmt.Sprintf("生态保护红线（示意）-%03d", len(w.red)+1), ring: ring, pr: ringPring(w.g, ring)})
}

// drawClippers places, for each park marked clip, a red-line polygon that bites 30 % of the
// park's equivalent radius off one edge, on the side farthest from the valleys.
func (w *world) drawClippers() {
	for _, z := range w.zones {
		if !z.clip {
			continue
		}
		p := z.parts[0]
		r := w.rng("clip/" + z.name)
		pts, b, bnd := redShape(r, 2500+1500*r.Float64(), 240+r.IntN(241))
		bite := 0.3 * math.Sqrt(shoelace(p.pts)/math.Pi)
		t0 := 2 * math.Pi * r.Float64()
		best := -1.0
		var bestC xy
		for k := range 24 {
			t := t0 + 2*math.Pi*float64(k)/24
			u := xy{math.Cos(t), math.Sin(t)}
			d := p.b.reach(u) - bite + b.reach(xy{-u.x, -u.y})
			c := xy{p.c.x + d*u.x, p.c.y + d*u.y}
			if !w.hull.contains(c) || w.hull.dist(c) < bnd {
				continue
			}
			ll := w.g.ll(c)
			ring := closeRing(newFrame(ll[0], ll[1]), pts)
			pr := ringPring(w.g, ring)
			ok := true
			for _, s := range w.seats {
				ok = ok && !pr.near(s, 500)
			}
			for _, q := range w.parts {
				if q != p && ringsWithin(&pr, &q.pr, 300) {
					ok = false
					break
				}
			}
			if ok && w.valleyDist(c) > best {
				best, bestC = w.valleyDist(c), c
			}
		}
		if best >= 0 {
			w.addRed(bestC, pts)
		}
	}
}

func (w *world) addField(fr frame, off xy, pts []xy, c xy, bnd float64) {
	moved := make([]xy, len(pts))
	for i, p := range pts {
		moved[i] = xy{p.x + off.x, p.y + off.y}
	}
	ring := closeRing(fr, moved)
	w.farm = append(w.farm, poly{ring: ring, pr: ringPring(w.g, ring)})
	w.fields.add(c, bnd)
}

// drawPatches scatters farmland parcels inside and across the edges of platform parks, about
// one 6–110 mu parcel per 320 mu of park.
func (w *world) drawPatches() {
	var buf []xy
	for _, z := range w.zones {
		if z.platform < 0 || z.kind != ZonePark {
			continue
		}
		for k, p := range z.parts {
			r := w.rng(fmt.Sprintf("patch/%s/%d", z.name, k))
			n := int(math.Round(shoelace(p.pts) * muPerM2 / 320))
			for range n {
				for range 40 {
					off := p.b.point(2*math.Pi*r.Float64(), 1.12*math.Sqrt(r.Float64()))
					pts, bnd := parcelShape(r, logUniform(r, 6, 110)/muPerM2, buf)
					buf = pts
					c := xy{p.c.x + off.x, p.c.y + off.y}
					if w.fields.free(c, bnd, 1) {
						w.addField(p.fr, off, pts, c, bnd)
						break
					}
				}
			}
		}
	}
	w.patchN = len(w.farm)
}

// redSpec sizes the background red-line polygons.
type redSpec struct {
	n                  int
	rmin, rmax         float64 // radius of the circle of equal area, m
	vmin, vmax         int     // vertices
	valleyGap, zoneGap float64 // clearance beyond the bounding radius, m
	seatGap, redGap    float64
}

// drawRedLine places background red-line polygons in the mountains: clear of valleys, seats,
// zones and each other.
func (w *world) drawRedLine(rs redSpec, label string) {
	r := w.rng(label)
	placed := 0
	var cs []xy
	var bs []float64
	for _, q := range w.red {
		c := xy{(q.pr.min.x + q.pr.max.x) / 2, (q.pr.min.y + q.pr.max.y) / 2}
		cs = append(cs, c)
		bs = append(bs, math.Hypot(q.pr.max.x-q.pr.min.x, q.pr.max.y-q.pr.min.y)/2)
	}
	idx := newGrid(w.hull.min, w.hull.max, 10000)
	for i := range cs {
		idx.add(i, xy{cs[i].x - bs[i], cs[i].y - bs[i]}, xy{cs[i].x + bs[i], cs[i].y + bs[i]})
	}
	fits := func(c xy, bnd float64) bool {
		if !w.hull.contains(c) || w.hull.dist(c) < bnd || w.valleyDist(c) < bnd+rs.valleyGap {
			return false
		}
		for _, s := range w.seats {
			if math.Hypot(c.x-s.x, c.y-s.y) <= bnd+rs.seatGap {
				return false
			}
		}
		for _, p := range w.parts {
			if math.Hypot(c.x-p.c.x, c.y-p.c.y) <= bnd+p.bnd+rs.zoneGap {
				return false
			}
		}
		reach := bnd + rs.redGap
		return idx.visit(xy{c.x - reach, c.y - reach}, xy{c.x + reach, c.y + reach}, func(id int) bool {
			return math.Hypot(c.x-cs[id].x, c.y-cs[id].y) > bnd+bs[id]+rs.redGap
		})
	}
	for attempt := 0; placed < rs.n && attempt < 400*rs.n; attempt++ {
		rad := rs.rmin + (rs.rmax-rs.rmin)*r.Float64()*r.Float64()
		c := xy{w.hull.min.x + r.Float64()*(w.hull.max.x-w.hull.min.x), w.hull.min.y + r.Float64()*(w.hull.max.y-w.hull.min.y)}
		// Any shape of area πR² reaches at least R; most reach about 1.3 R. Only drawn
		// polygons are tested with their true bound.
		if !fits(c, 1.3*rad) {
			continue
		}
		pts, _, bnd := redShape(r, rad, rs.vmin+r.IntN(rs.vmax-rs.vmin+1))
		if !fits(c, bnd) {
			continue
		}
		idx.add(len(cs), xy{c.x - bnd, c.y - bnd}, xy{c.x + bnd, c.y + bnd})
		cs, bs = append(cs, c), append(bs, bnd)
		w.addRed(c, pts)
		placed++
	}
}

// fieldOK reports whether a parcel of bounding radius bnd at q stays inside the city and clear of
// zones, seats' urban blobs and the red line.
func (w *world) fieldOK(q xy, bnd float64) bool {
	if !w.hull.contains(q) || w.hull.dist(q) < bnd {
		return false
	}
	for _, p := range w.parts {
		if p.pr.near(q, bnd+30) {
			return false
		}
	}
	for _, u := range w.urban[:w.seatN] {
		if u.pr.near(q, bnd) {
			return false
		}
	}
	for i := range w.red {
		if w.red[i].pr.near(q, bnd) {
			return false
		}
	}
	return true
}

// valleyPoint picks a point near a valley: uniform along the valleys, normal offset of sd metres.
func (w *world) valleyPoint(r *rand.Rand, sd float64) xy {
	var total float64
	for _, v := range w.vals {
		total += v.length()
	}
	s := total * r.Float64()
	for _, v := range w.vals {
		if l := v.length(); s > l {
			s -= l
			continue
		}
		p, u := v.at(s)
		o := sd * r.NormFloat64()
		return xy{p.x - o*u.y, p.y + o*u.x}
	}
	return w.vals[0][0]
}

// drawFarmland adds n generic farmland parcels (2–200 mu) in clusters along the valleys and
// around township zones.
func (w *world) drawFarmland(n int) {
	r := w.rng("farmland")
	var towns []*part
	for _, z := range w.zones {
		if z.kind == ZoneTownship {
			towns = append(towns, z.parts[0])
		}
	}
	var buf []xy
	for placed := 0; placed < n; {
		var c xy
		if r.Float64() < 0.75 {
			c = w.valleyPoint(r, 1500)
		} else {
			t := towns[r.IntN(len(towns))].c
			c = xy{t.x + 1200*r.NormFloat64(), t.y + 1200*r.NormFloat64()}
		}
		sigma := logUniform(r, 400, 1200)
		m := 20 + r.IntN(71)
		ll := w.g.ll(c)
		fr := newFrame(ll[0], ll[1])
		c = w.g.xy(ll)
		for got, fails := 0, 0; got < m && fails < 4*m && placed < n; {
			off := xy{sigma * r.NormFloat64(), sigma * r.NormFloat64()}
			pts, bnd := parcelShape(r, logUniform(r, 2, 200)/muPerM2, buf)
			buf = pts
			q := xy{c.x + off.x, c.y + off.y}
			if !w.fieldOK(q, bnd) || !w.fields.free(q, bnd, 0.9) {
				fails++
				continue
			}
			w.addField(fr, off, pts, q, bnd)
			got++
			placed++
		}
	}
}
