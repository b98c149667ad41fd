package synth

import "math"

// areas of one platform in m²: gross is the union of its zones, dev the developable part.
type areas struct{ gross, dev float64 }

// boxesMeet reports whether two rings' boxes overlap.
func boxesMeet(a, b *pring) bool {
	return a.min.x <= b.max.x && b.min.x <= a.max.x && a.min.y <= b.max.y && b.min.y <= a.max.y
}

// measure estimates each platform's gross and developable area, (P ∩ ∪urban) − ∪red − ∪farm, by
// sampling a square lattice of step metres. Each sample weighs the CGCS2000 ellipsoidal area
// element at its latitude, so the estimate converges to the ellipsoidal area the service
// reports; it is a sizing aid, PostGIS (testdata/check.sql) is the reference.
// Platforms for which want returns false are skipped (want nil: all).
func (w *world) measure(step float64, want func(int) bool) []areas {
	out := make([]areas, len(w.specs))
	for pi := range w.specs {
		if want != nil && !want(pi) {
			continue
		}
		var ps []*part
		for _, z := range w.zones {
			if z.platform == pi {
				ps = append(ps, z.parts...)
			}
		}
		for k, p := range ps {
			var earlier, inc, exc []*pring
			for _, q := range ps[:k] {
				if boxesMeet(&p.pr, &q.pr) {
					earlier = append(earlier, &q.pr)
				}
			}
			for i := range w.urban {
				if boxesMeet(&p.pr, &w.urban[i].pr) {
					inc = append(inc, &w.urban[i].pr)
				}
			}
			for _, l := range [][]poly{w.red, w.farm} {
				for i := range l {
					if boxesMeet(&p.pr, &l[i].pr) {
						exc = append(exc, &l[i].pr)
					}
				}
			}
			any := func(rs []*pring, q xy) bool {
				for _, r := range rs {
					if r.contains(q) {
						return true
					}
				}
				return false
			}
			y0 := math.Floor(p.pr.min.y/step) * step
			x0 := math.Floor(p.pr.min.x/step) * step
			for y := y0 + step/2; y < p.pr.max.y; y += step {
				f := newFrame(w.g.lon0, w.g.lat0+y/w.g.ky)
				cell := step * step * (f.kx / w.g.kx) * (f.ky / w.g.ky)
				for x := x0 + step/2; x < p.pr.max.x; x += step {
					q := xy{x, y}
					if !p.pr.contains(q) || any(earlier, q) {
						continue
					}
					out[pi].gross += cell
					if any(inc, q) && !any(exc, q) {
						out[pi].dev += cell
					}
				}
			}
		}
	}
	return out
}

// overlapArea estimates the planar area (m²) shared by two rings on a lattice of step metres.
func overlapArea(a, b *pring, step float64) float64 {
	var n int
	for y := math.Floor(max(a.min.y, b.min.y)/step)*step + step/2; y < min(a.max.y, b.max.y); y += step {
		for x := math.Floor(max(a.min.x, b.min.x)/step)*step + step/2; x < min(a.max.x, b.max.x); x += step {
			if a.contains(xy{x, y}) && b.contains(xy{x, y}) {
				n++
			}
		}
	}
	return float64(n) * step * step
}

// calibrate returns the platform scales that bring each sized platform's developable area to
// its target (a few fixed-point steps on finer and finer lattices; the scale is rounded to 1/1000 so tiny floating-point
// differences between machines cannot move the result).
func calibrate(seed uint64) []float64 {
	specs := platformSpecs()
	scales := make([]float64, len(specs))
	for i := range scales {
		scales[i] = 1
	}
	sized := func(i int) bool { return specs[i].target > 0 }
	for _, step := range []float64{50, 50, 25, 25} {
		m := newWorld(seed, scales).measure(step, sized)
		for i, sp := range specs {
			if sized(i) && m[i].dev > 0 {
				scales[i] = math.Round(scales[i]*math.Sqrt(sp.target/(m[i].dev*muPerM2))*1000) / 1000
			}
		}
	}
	return scales
}
