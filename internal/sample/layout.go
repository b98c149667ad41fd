package sample

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"wanmu/internal/geodesy"
)

// Parcels of the illustrative enterprises: rectangles aligned with the
// meridians and parallels, packed in shelves (rows) from a zone's north edge
// southwards, as a 工业园区 is laid out in blocks along its roads. A
// rectangle never crosses a zone's edge, nor another rectangle: a shelf's
// free stretches are found exactly (the zone's edges and the parcels already
// there block the longitudes they cover within the shelf's latitudes; what
// is left is wholly inside or wholly outside the zone), and its widths come
// from the ellipsoidal area of the band, so a parcel has its land's area.

// site is a zone to lay parcels in; avoid are earlier zones overlapping it,
// whose land is theirs.
type site struct {
	geom  orb.MultiPolygon
	avoid []orb.MultiPolygon
	bound orb.Bound
	mLat  float64 // metres per degree of latitude here
	mLon  float64 // metres per degree of longitude here
}

func newSite(geom orb.MultiPolygon, avoid []orb.MultiPolygon) site {
	b := geom.Bound()
	lat := b.Center()[1] * math.Pi / 180
	e2 := geodesy.EccentricitySquared
	w := math.Sqrt(1 - e2*math.Sin(lat)*math.Sin(lat))
	return site{geom: geom, avoid: avoid, bound: b,
		mLat: geodesy.SemiMajorAxis * (1 - e2) / (w * w * w) * math.Pi / 180,
		mLon: geodesy.SemiMajorAxis / w * math.Cos(lat) * math.Pi / 180}
}

// Spacing in metres at gap 1: roads between shelves, lanes between parcels,
// and the clearance kept from a zone's edge.
const (
	roadM   = 14.0
	laneM   = 5.0
	marginM = 3.0
	aspect  = 1.5 // a shelf's first parcel is this much wider than deep
)

// free returns the stretches [lo, hi] of longitude where the band between
// latitudes s and n (degrees) lies inside the site, clear of the taken
// rectangles by dx, dy degrees and of the zone's edges by the margin.
func (st site) free(s, n float64, taken []orb.Bound, dx, dy float64) [][2]float64 {
	mx, my := marginM/st.mLon, marginM/st.mLat
	var blocked [][2]float64
	edges := func(mp orb.MultiPolygon) {
		for _, p := range mp {
			for _, r := range p {
				for i := 1; i < len(r); i++ {
					if lo, hi, ok := clipToBand(r[i-1], r[i], s-my, n+my); ok {
						blocked = append(blocked, [2]float64{lo - mx, hi + mx})
					}
				}
			}
		}
	}
	edges(st.geom)
	for _, a := range st.avoid {
		edges(a)
	}
	for _, t := range taken {
		if t.Min[1] < n+dy && t.Max[1] > s-dy {
			blocked = append(blocked, [2]float64{t.Min[0] - dx, t.Max[0] + dx})
		}
	}
	slices.SortFunc(blocked, func(a, b [2]float64) int {
		if a[0] < b[0] {
			return -1
		}
		if a[0] > b[0] {
			return 1
		}
		return 0
	})
	var out [][2]float64
	lo := st.bound.Min[0]
	add := func(hi float64) {
		if hi > lo && st.inside(orb.Point{(lo + hi) / 2, (s + n) / 2}) {
			out = append(out, [2]float64{lo, hi})
		}
	}
	for _, b := range blocked {
		if b[0] > lo {
			add(b[0])
		}
		lo = max(lo, b[1])
	}
	add(st.bound.Max[0])
	return out
}

func (st site) inside(p orb.Point) bool {
	if !planar.MultiPolygonContains(st.geom, p) {
		return false
	}
	for _, a := range st.avoid {
		if planar.MultiPolygonContains(a, p) {
			return false
		}
	}
	return true
}

// contains reports whether the rectangle lies inside the site, clear of its
// edges by the margin.
func (st site) contains(r orb.Bound) bool {
	for _, iv := range st.free(r.Min[1], r.Max[1], nil, 0, 0) {
		if iv[0] <= r.Min[0] && r.Max[0] <= iv[1] {
			return true
		}
	}
	return false
}

// clipToBand returns the longitudes covered by the segment a–b between the
// latitudes s and n.
func clipToBand(a, b orb.Point, s, n float64) (lo, hi float64, ok bool) {
	if (a[1] < s && b[1] < s) || (a[1] > n && b[1] > n) {
		return 0, 0, false
	}
	t0, t1 := 0.0, 1.0
	if dy := b[1] - a[1]; dy != 0 {
		ts, tn := (s-a[1])/dy, (n-a[1])/dy
		t0, t1 = max(0, min(ts, tn)), min(1, max(ts, tn))
		if t0 > t1 {
			return 0, 0, false
		}
	}
	x0, x1 := a[0]+t0*(b[0]-a[0]), a[0]+t1*(b[0]-a[0])
	return min(x0, x1), max(x0, x1), true
}

// degreesOfLongitude is the width in degrees of a rectangle of m2 square
// metres between the latitudes s and n (degrees), on the CGCS2000 ellipsoid.
func degreesOfLongitude(m2, s, n float64) float64 {
	perRadian := geodesy.TrapezoidArea(s*math.Pi/180, n*math.Pi/180, 1)
	return m2 / perRadian * 180 / math.Pi
}

// pack lays rectangles of the given areas (m², largest first) in the site,
// clear of taken, with roads and lanes scaled by gap. It returns one
// rectangle per area, or false when some did not fit (the rest are zero).
func (st site) pack(areas []float64, taken []orb.Bound, gap float64) ([]orb.Bound, bool) {
	near := make([]orb.Bound, 0, 64)
	for _, t := range taken {
		if t.Intersects(st.bound) {
			near = append(near, t)
		}
	}
	dx, dy := laneM*gap/st.mLon, laneM*gap/st.mLat
	out := make([]orb.Bound, len(areas))
	top := st.bound.Max[1]
	i := 0
	for i < len(areas) && top > st.bound.Min[1] {
		h := max(20, math.Sqrt(areas[i]/aspect))
		placed := 0
		var s float64
		// A shelf as deep as its first parcel wants, or deeper (narrower
		// parcels) where the zone is narrow.
		for _, hh := range []float64{h, 1.6 * h} {
			s = top - hh/st.mLat
			if s < st.bound.Min[1] {
				break
			}
			ivs := st.free(s, top, near, dx, dy)
			next := make([]float64, len(ivs)) // where each stretch's next parcel starts
			for k := range ivs {
				next[k] = ivs[k][0]
			}
			for j := i; j < len(areas); j++ {
				if j > i && math.Sqrt(areas[j]/aspect) < 0.5*hh {
					break // smaller parcels start a shallower shelf
				}
				w := degreesOfLongitude(areas[j], s, top)
				k := 0
				for k < len(ivs) && next[k]+w > ivs[k][1] {
					k++
				}
				if k == len(ivs) {
					break
				}
				r := orb.Bound{Min: orb.Point{next[k], s}, Max: orb.Point{next[k] + w, top}}
				out[j] = r // clear of the later shelves: they lie a road south
				next[k] += w + dx
				placed++
			}
			if placed > 0 {
				break
			}
		}
		if placed == 0 { // nothing fits this far north: move south a little
			top -= h / 4 / st.mLat
			continue
		}
		i += placed
		top = s - roadM*gap/st.mLat
	}
	return out, i == len(areas)
}
