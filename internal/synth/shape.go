package synth

import (
	"math"
	"math/rand/v2"
)

type harmonic struct{ k, amp, phase float64 }

// blob is a smooth star-shaped outline: radius(θ) = 1 + Σ amp·cos(kθ + phase) with Σ amp < 1,
// mapped by a linear map (stretch, rotation, scale) with positive determinant. Any polygon whose
// vertices follow increasing θ on it is star-shaped around the centre, hence simple and
// anticlockwise, which is what keeps every generated polygon valid.
type blob struct {
	h []harmonic
	m [4]float64 // x' = m0·x + m1·y, y' = m2·x + m3·y
}

// newBlob draws harmonics k = kmin..kmax with amplitudes summing to total (< 1).
func newBlob(r *rand.Rand, kmin, kmax int, total, aspect, rotDeg float64) blob {
	var b blob
	var sum float64
	for k := kmin; k <= kmax; k++ {
		a := (0.3 + 0.7*r.Float64()) / math.Pow(float64(k), 0.8)
		b.h = append(b.h, harmonic{float64(k), a, 2 * math.Pi * r.Float64()})
		sum += a
	}
	for i := range b.h {
		b.h[i].amp *= total / sum
	}
	sa := math.Sqrt(aspect)
	c, s := math.Cos(rotDeg*math.Pi/180), math.Sin(rotDeg*math.Pi/180)
	b.m = [4]float64{c * sa, -s / sa, s * sa, c / sa}
	return b
}

func (b *blob) radius(t float64) float64 {
	r := 1.0
	for _, h := range b.h {
		r += h.amp * math.Cos(h.k*t+h.phase)
	}
	return r
}

// point returns the outline point at parameter t, with the radius multiplied by mul.
func (b *blob) point(t, mul float64) xy {
	r := b.radius(t) * mul
	x, y := r*math.Cos(t), r*math.Sin(t)
	return xy{b.m[0]*x + b.m[1]*y, b.m[2]*x + b.m[3]*y}
}

// scale multiplies the linear map by k.
func (b *blob) scale(k float64) {
	for i := range b.m {
		b.m[i] *= k
	}
}

// reach returns the distance from the centre to the smooth outline along unit direction u.
func (b *blob) reach(u xy) float64 {
	det := b.m[0]*b.m[3] - b.m[1]*b.m[2]
	wx := (b.m[3]*u.x - b.m[1]*u.y) / det
	wy := (-b.m[2]*u.x + b.m[0]*u.y) / det
	return b.radius(math.Atan2(wy, wx)) / math.Hypot(wx, wy)
}

// param returns the outline parameter θ whose point lies in direction u from the centre.
func (b *blob) param(u xy) float64 {
	det := b.m[0]*b.m[3] - b.m[1]*b.m[2]
	return math.Atan2((-b.m[2]*u.x+b.m[0]*u.y)/det, (b.m[3]*u.x-b.m[1]*u.y)/det)
}

// angles returns n increasing parameters around the circle with jitter (fraction of a step).
func angles(r *rand.Rand, n int, jitter float64) []float64 {
	t0 := 2 * math.Pi * r.Float64()
	step := 2 * math.Pi / float64(n)
	out := make([]float64, n)
	for i := range out {
		out[i] = t0 + (float64(i)+jitter*(2*r.Float64()-1))*step
	}
	return out
}

// outline samples the blob at ts with radius multiplier mul (nil: 1).
func (b *blob) outline(ts []float64, mul func(t float64) float64) []xy {
	pts := make([]xy, len(ts))
	for i, t := range ts {
		k := 1.0
		if mul != nil {
			k = mul(t)
		}
		pts[i] = b.point(t, k)
	}
	return pts
}

// fitArea scales pts (and the blob) so that the polygon has area target (m²).
func (b *blob) fitArea(pts []xy, target float64) {
	k := math.Sqrt(target / shoelace(pts))
	for i := range pts {
		pts[i].x *= k
		pts[i].y *= k
	}
	b.scale(k)
}

// bound returns the largest distance of pts from the centre.
func bound(pts []xy) float64 {
	var d float64
	for _, p := range pts {
		d = max(d, math.Hypot(p.x, p.y))
	}
	return d
}

// logUniform draws from [lo, hi] with a uniform logarithm.
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return lo * math.Exp(r.Float64()*math.Log(hi/lo))
}

// parcelShape draws a small field: 4–8 corners around a centre, radii within ±18 %, stretched up
// to 2.6:1 and rotated, scaled to area m². It returns the points and their bounding radius.
func parcelShape(r *rand.Rand, area float64, buf []xy) ([]xy, float64) {
	n := 4 + r.IntN(5)
	t0 := 2 * math.Pi * r.Float64()
	step := 2 * math.Pi / float64(n)
	asp := 1 + 1.6*r.Float64()
	sa := math.Sqrt(asp)
	rot := math.Pi * r.Float64()
	c, s := math.Cos(rot), math.Sin(rot)
	pts := buf[:0]
	for i := range n {
		t := t0 + (float64(i)+0.25*(2*r.Float64()-1))*step
		rad := 1 + 0.18*(2*r.Float64()-1)
		x, y := rad*math.Cos(t)*sa, rad*math.Sin(t)/sa
		pts = append(pts, xy{c*x - s*y, s*x + c*y})
	}
	k := math.Sqrt(area / shoelace(pts))
	var bnd float64
	for i := range pts {
		pts[i].x *= k
		pts[i].y *= k
		bnd = max(bnd, math.Hypot(pts[i].x, pts[i].y))
	}
	return pts, bnd
}
