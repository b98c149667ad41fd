package geodesy

import (
	"math"
	"testing"
)

// rect returns the unclosed, counter-clockwise lon/lat rectangle ring.
func rect(w, s, e, n float64) Ring {
	return Ring{{w, s}, {e, s}, {e, n}, {w, n}}
}

// refRect is the reference rectangle of /work/shared/reference/README.md:
// 119.845–119.875°E × 28.370–28.3905°N, 10,020.66 mu on CGCS2000.
var refRect = rect(119.845, 28.370, 119.875, 28.3905)

// sphericalArea is the area of a lon/lat rectangle on a sphere of radius r,
// R²·ΔL·(sin B2 − sin B1): what spherical tools (Leaflet, Turf, orb geo.Area)
// compute, kept here only to show how far they are from the survey formula.
func sphericalArea(r, w, s, e, n float64) float64 {
	return r * r * (e - w) * degree * (math.Sin(n*degree) - math.Sin(s*degree))
}

func reversed(r Ring) Ring {
	out := make(Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func closed(r Ring) Ring {
	return append(append(Ring{}, r...), r[0])
}

func TestUnits(t *testing.T) {
	tests := []struct {
		name      string
		got, want float64
	}{
		{"one mu in m²", SquareMetresFromMu(1), 2000.0 / 3},
		{"m² of one mu back to mu", Mu(2000.0 / 3), 1},
		{"one hectare in mu", Mu(10000), 15},
		{"15 mu in hectares", Hectares(SquareMetresFromMu(15)), 1},
		{"10,000 mu in km²", SquareMetresFromMu(10000) / 1e6, 6.666666666666667},
		{"10,000 mu in hectares", Hectares(SquareMetresFromMu(10000)), 666.6666666666666},
		{"MuPerSquareMetre × SquareMetresPerMu", MuPerSquareMetre * SquareMetresPerMu, 1},
		{"MuPerHectare", MuPerHectare, Mu(SquareMetresPerHectare)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.Abs(tt.got-tt.want) > 1e-12*math.Max(1, math.Abs(tt.want)) {
				t.Errorf("got %.15g, want %.15g", tt.got, tt.want)
			}
		})
	}
}

func TestEllipsoidConstants(t *testing.T) {
	b := SemiMajorAxis * (1 - 1/InverseFlattening)
	e2 := (SemiMajorAxis*SemiMajorAxis - b*b) / (SemiMajorAxis * SemiMajorAxis)
	if math.Abs(SemiMinorAxis-6356752.314140356) > 1e-6 {
		t.Errorf("b = %.9f, want 6356752.314140356", SemiMinorAxis)
	}
	if math.Abs(EccentricitySquared-e2) > 1e-15 {
		t.Errorf("e² = %.18f, want (a²−b²)/a² = %.18f", EccentricitySquared, e2)
	}
}

func TestReferenceRectangle(t *testing.T) {
	m2 := EllipsoidalArea(Polygon{refRect})
	mu := Mu(m2)
	t.Logf("reference rectangle: %.6f m² = %.6f mu", m2, mu)
	if math.Abs(mu-10020.66) > 0.01 {
		t.Errorf("EllipsoidalArea(reference rectangle) = %.6f mu, want 10,020.66 ± 0.01", mu)
	}

	// Spheres read too large: these are the numbers in the reference README.
	spheres := []struct {
		name   string
		radius float64
		wantMu float64
		excess float64 // relative to the ellipsoidal area
	}{
		{"sphere of radius a", SemiMajorAxis, 10057.71, 0.0037},
		{"mean-radius sphere", (2*SemiMajorAxis + SemiMinorAxis) / 3, 10035.24, 0.00145},
	}
	for _, s := range spheres {
		t.Run(s.name, func(t *testing.T) {
			sph := Mu(sphericalArea(s.radius, 119.845, 28.370, 119.875, 28.3905))
			rel := sph/mu - 1
			t.Logf("%s: %.4f mu, %+.4f %% against the survey formula", s.name, sph, 100*rel)
			if math.Abs(sph-s.wantMu) > 0.01 {
				t.Errorf("spherical area = %.4f mu, want ≈ %.2f", sph, s.wantMu)
			}
			if math.Abs(rel-s.excess) > 0.0001 {
				t.Errorf("spherical excess = %.5f, want ≈ %.5f", rel, s.excess)
			}
		})
	}
}

// Geodesic-edge areas (what PostGIS ST_Area(geography) computes), made with
// PROJ 9.1: each edge densified to 200 points along the GRS80 geodesic by
// geod, projected by cs2cs to an ellipsoidal Lambert azimuthal equal-area
// projection, shoelace. The survey formula follows the vertices it is given,
// so it matches these only once long edges are densified; as given, it is
// off by tens to hundreds of ppm (rawPPM records how far, as a regression
// check). SpatiaLite 5.0.1's ST_Area(geom, 1) is no reference here: it
// agrees on the rectangle but is off by −180 ppm on the 15 km triangle.
func TestEllipsoidalAreaAgainstGeodesic(t *testing.T) {
	tests := []struct {
		name     string
		poly     Polygon
		geodesic float64 // m²
		rawPPM   float64 // EllipsoidalArea(poly) against geodesic
		densePPM float64 // bound after DensifyGaussKruger to 100 m
	}{
		{"reference rectangle", Polygon{closed(refRect)}, 6680442.744, -0.01, 0.1},
		{"3.5 km triangle near 丽水 city (8,141 mu)", Polygon{{{119.90, 28.44}, {119.935, 28.445}, {119.91, 28.47}}}, 5427901.556, -79.60, 0.1},
		{"15 km triangle near 丽水 city", Polygon{{{119.80, 28.40}, {119.95, 28.42}, {119.88, 28.52}, {119.80, 28.40}}}, 89031892.608, -326.13, 1},
		{"60 km pentagon over 莲都", Polygon{{{119.60, 28.20}, {120.20, 28.25}, {120.35, 28.60}, {119.95, 28.95}, {119.55, 28.70}, {119.60, 28.20}}}, 4542250730.746, -106.64, 6},
		{"15 km quadrilateral in 龙泉, 1.2° west of the CM", Polygon{{{118.70, 28.10}, {118.85, 28.12}, {118.86, 28.25}, {118.72, 28.26}, {118.70, 28.10}}}, 227986005.017, -15.04, 3},
		{"1000-vertex star, 25 m edges", polygon1000(), 13913773.596, 0, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := EllipsoidalArea(tt.poly)
			rawPPM := (raw/tt.geodesic - 1) * 1e6
			dense := EllipsoidalArea(DensifyGaussKruger(tt.poly, Zone40CentralMeridian, 100))
			densePPM := (dense/tt.geodesic - 1) * 1e6
			t.Logf("geodesic %.3f m²; as given %.3f m² (%+.3f ppm); densified to 100 m %.3f m² (%+.3f ppm)",
				tt.geodesic, raw, rawPPM, dense, densePPM)
			if math.Abs(rawPPM-tt.rawPPM) > 0.05 {
				t.Errorf("EllipsoidalArea = %.3f m², %+.3f ppm from geodesic, want %+.2f ppm", raw, rawPPM, tt.rawPPM)
			}
			if math.Abs(densePPM) > tt.densePPM {
				t.Errorf("EllipsoidalArea(densified) = %.3f m², %+.3f ppm from geodesic, want within ±%g", dense, densePPM, tt.densePPM)
			}
		})
	}
}

func TestDensifyGaussKruger(t *testing.T) {
	tests := []struct {
		name    string
		ring    Ring
		step    float64
		wantLen int
	}{
		// The reference rectangle's sides are ≈ 2.94 km and 2.27 km.
		{"unclosed rectangle, 1 km", refRect, 1000, 3 + 3 + 3 + 3},
		{"closed rectangle stays closed", closed(refRect), 1000, 3 + 3 + 3 + 3 + 1},
		{"no step", refRect, 0, 4},
		{"step longer than every edge", refRect, 10000, 4},
		{"NaN step", refRect, math.NaN(), 4},
		{"empty ring", Ring{}, 100, 0},
		{"single point", Ring{{120, 28}}, 100, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DensifyGaussKruger(Polygon{tt.ring}, Zone40CentralMeridian, tt.step)[0]
			if len(got) != tt.wantLen {
				t.Fatalf("got %d vertices, want %d: %v", len(got), tt.wantLen, got)
			}
			if len(tt.ring) > 0 && got[0] != tt.ring[0] {
				t.Errorf("first vertex moved: %v, want %v", got[0], tt.ring[0])
			}
			if len(tt.ring) > 1 && (tt.ring[0] == tt.ring[len(tt.ring)-1]) != (got[0] == got[len(got)-1]) {
				t.Errorf("closure changed: %v", got)
			}
			// Meridian and parallel edges are exact in the formula, and GK
			// straight lines between them bow by millimetres: the area hardly moves.
			if a, b := EllipsoidalArea(Polygon{tt.ring}), EllipsoidalArea(Polygon{got}); math.Abs(a-b) > 1e-6*a+1e-9 {
				t.Errorf("area moved from %.3f to %.3f m²", a, b)
			}
		})
	}
}

func TestEllipsoidalAreaRings(t *testing.T) {
	ref := EllipsoidalArea(Polygon{refRect})
	hole := rect(119.85, 28.375, 119.855, 28.38)
	hole2 := rect(119.86, 28.38, 119.87, 28.385)
	holeArea := EllipsoidalArea(Polygon{hole})
	hole2Area := EllipsoidalArea(Polygon{hole2})
	east := rect(119.875, 28.370, 119.905, 28.3905)

	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"closed ring equals unclosed", EllipsoidalArea(Polygon{closed(refRect)}), ref},
		{"clockwise equals counter-clockwise", EllipsoidalArea(Polygon{reversed(refRect)}), ref},
		{"closed clockwise", EllipsoidalArea(Polygon{closed(reversed(refRect))}), ref},
		{"rotated start vertex", EllipsoidalArea(Polygon{append(refRect[2:], refRect[:2]...)}), ref},
		{"one hole", EllipsoidalArea(Polygon{refRect, hole}), ref - holeArea},
		{"hole orientation does not matter", EllipsoidalArea(Polygon{refRect, reversed(hole)}), ref - holeArea},
		{"two holes", EllipsoidalArea(Polygon{refRect, closed(hole), hole2}), ref - holeArea - hole2Area},
		{"multipolygon adds", EllipsoidalAreaMulti(MultiPolygon{{refRect}, {east}}), ref + EllipsoidalArea(Polygon{east})},
		// Two rectangles side by side make one twice as wide; meridian edges
		// are exact in the formula, so the sum matches to rounding.
		{"adjacent parts equal their union", EllipsoidalAreaMulti(MultiPolygon{{refRect}, {east}}),
			EllipsoidalArea(Polygon{rect(119.845, 28.370, 119.905, 28.3905)})},
		{"multipolygon with holes", EllipsoidalAreaMulti(MultiPolygon{{refRect, hole}, {reversed(east)}}),
			ref - holeArea + EllipsoidalArea(Polygon{east})},
		{"empty polygon", EllipsoidalArea(Polygon{}), 0},
		{"empty multipolygon", EllipsoidalAreaMulti(MultiPolygon{}), 0},
		{"degenerate ring of two points", EllipsoidalArea(Polygon{{{120, 28}, {120.1, 28.1}}}), 0},
		{"ring of three collinear points on a meridian", EllipsoidalArea(Polygon{{{120, 28}, {120, 28.1}, {120, 28.2}}}), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.Abs(tt.got-tt.want) > 1e-9*math.Max(1, tt.want) {
				t.Errorf("got %.6f m², want %.6f m²", tt.got, tt.want)
			}
		})
	}
}

// The functions are generic, so paulmach/orb's types (Point is a [2]float64)
// and plain slices work as they are.
func TestEllipsoidalAreaOtherTypes(t *testing.T) {
	type point [2]float64
	type ring []point
	type polygon []ring
	type multiPolygon []polygon
	want := EllipsoidalArea(Polygon{refRect})
	r := ring{{119.845, 28.370}, {119.875, 28.370}, {119.875, 28.3905}, {119.845, 28.3905}}
	if got := EllipsoidalArea(polygon{r}); got != want {
		t.Errorf("orb-like polygon: got %f, want %f", got, want)
	}
	if got := EllipsoidalAreaMulti(multiPolygon{{r}}); got != want {
		t.Errorf("orb-like multipolygon: got %f, want %f", got, want)
	}
	if got := EllipsoidalArea([][][2]float64{refRect}); got != want {
		t.Errorf("plain slices: got %f, want %f", got, want)
	}
}

func TestEllipsoidalAreaAntimeridian(t *testing.T) {
	// A 1°×1° square across 180° equals the same square at 0°.
	across := EllipsoidalArea(Polygon{{{179.5, 10}, {-179.5, 10}, {-179.5, 11}, {179.5, 11}}})
	at0 := EllipsoidalArea(Polygon{rect(-0.5, 10, 0.5, 11)})
	if math.Abs(across-at0) > 1e-6 {
		t.Errorf("across 180°: %f m², at 0°: %f m²", across, at0)
	}
}

// The survey sanity rule: a parcel's ellipsoidal area never exceeds its
// Gauss-Kruger plane area, since the GK scale factor is ≥ 1. The rule holds
// for the figure bounded by straight GK edges, so the ellipsoidal side is
// densified along those edges; with short edges or edges along meridians and
// parallels it holds on the vertices as given too.
func TestEllipsoidalNotAboveGaussKrugerPlane(t *testing.T) {
	tests := []struct {
		name     string
		poly     Polygon
		rawHolds bool // the rule holds without densifying
	}{
		{"reference rectangle", Polygon{refRect}, true},
		{"rectangle on the CM", Polygon{rect(119.99, 28.0, 120.01, 28.02)}, true},
		{"rectangle just east of the CM", Polygon{rect(120.05, 28.5, 120.08, 28.52)}, true},
		{"rectangle with a hole", Polygon{refRect, rect(119.85, 28.375, 119.855, 28.38)}, true},
		{"1000-vertex star near 丽水 city", polygon1000(), true},
		{"triangle near 丽水 city", Polygon{{{119.80, 28.40}, {119.95, 28.42}, {119.88, 28.52}}}, true},
		{"龙泉, 1.3° west of the CM", Polygon{rect(118.70, 28.10, 118.85, 28.25)}, true},
		{"60 km pentagon", Polygon{{{119.60, 28.20}, {120.20, 28.25}, {120.35, 28.60}, {119.95, 28.95}, {119.55, 28.70}}}, true},
		// Apex south, on the CM: the formula's long edges add 80 ppm, more than
		// the GK scale adds.
		{"3.5 km triangle on the CM, apex south", Polygon{{{119.99, 28.47}, {120.025, 28.465}, {120.00, 28.44}}}, false},
		{"5 km triangle on the CM, apex south", Polygon{{{119.98, 28.45}, {120.02, 28.45}, {120.00, 28.40}}}, false},
		{"5 km triangle on the CM, apex north", Polygon{{{119.98, 28.40}, {120.02, 28.40}, {120.00, 28.45}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := EllipsoidalArea(tt.poly)
			ell := EllipsoidalArea(DensifyGaussKruger(tt.poly, Zone40CentralMeridian, 50))
			plane := GaussKrugerPlaneArea(tt.poly, Zone40CentralMeridian)
			t.Logf("GK plane %.3f m²; ellipsoidal densified %.3f m² (%+.3f ppm), as given %.3f m² (%+.3f ppm)",
				plane, ell, (ell/plane-1)*1e6, raw, (raw/plane-1)*1e6)
			if ell > plane {
				t.Errorf("ellipsoidal (densified) %.6f m² > GK plane %.6f m²", ell, plane)
			}
			if (raw <= plane) != tt.rawHolds {
				t.Errorf("ellipsoidal as given %.6f m², GK plane %.6f m²: rule holds = %v, want %v", raw, plane, raw <= plane, tt.rawHolds)
			}
			// Area scale of GK is ≈ 1 + (Δλ cos B)²; more than that means a bug.
			if plane/ell-1 > 6e-4 {
				t.Errorf("GK plane area %.3f m² is too far above ellipsoidal %.3f m²", plane, ell)
			}
		})
	}
	mp := MultiPolygon{{refRect}, {rect(119.99, 28.0, 120.01, 28.02)}}
	if got, want := GaussKrugerPlaneAreaMulti(mp, 120), GaussKrugerPlaneArea(mp[0], 120)+GaussKrugerPlaneArea(mp[1], 120); math.Abs(got-want) > 1e-6 {
		t.Errorf("GaussKrugerPlaneAreaMulti = %f, want %f", got, want)
	}
}

func TestTrapezoidArea(t *testing.T) {
	// The whole ellipsoid, 2πa² + (πb²/e)·ln((1+e)/(1−e)); the formula's
	// series stops at e⁸, so it is short by about e¹⁰ ≈ 1e-11 of it.
	e := math.Sqrt(EccentricitySquared)
	want := 2*math.Pi*SemiMajorAxis*SemiMajorAxis + math.Pi*SemiMinorAxis*SemiMinorAxis/e*math.Log((1+e)/(1-e))
	got := TrapezoidArea(-math.Pi/2, math.Pi/2, 2*math.Pi)
	if math.Abs(got/want-1) > 2e-11 {
		t.Errorf("whole ellipsoid = %.3f m², want %.3f m²", got, want)
	}
	if got := TrapezoidArea(0.3, 0.3, 1); got != 0 {
		t.Errorf("zero-height trapezoid = %g, want 0", got)
	}
	if a, b := TrapezoidArea(0.1, 0.2, 1), TrapezoidArea(0.2, 0.1, 1); a != -b {
		t.Errorf("S not antisymmetric: %g, %g", a, b)
	}
}

func FuzzEllipsoidalArea(f *testing.F) {
	f.Add(119.845, 28.370, 119.875, 28.3905, 119.86, 28.38, 119.85, 28.4)
	f.Add(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
	f.Add(-180.0, -90.0, 180.0, 90.0, 180.0, -90.0, -180.0, 90.0)
	f.Add(179.9, 10.0, -179.9, 10.0, -179.9, 11.0, 179.9, 11.0)
	f.Fuzz(func(t *testing.T, x1, y1, x2, y2, x3, y3, x4, y4 float64) {
		pts := [][2]float64{{x1, y1}, {x2, y2}, {x3, y3}, {x4, y4}}
		for _, p := range pts {
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
				return
			}
		}
		for _, r := range []Ring{pts, pts[:3], append(pts, pts[0])} {
			a := EllipsoidalArea(Polygon{r})
			if math.IsNaN(a) || math.IsInf(a, 0) || a < 0 {
				t.Fatalf("EllipsoidalArea(%v) = %v", r, a)
			}
			// No ring covers more than the whole ellipsoid.
			if a > 5.2e14 {
				t.Fatalf("EllipsoidalArea(%v) = %g m², more than the Earth", r, a)
			}
			h := EllipsoidalArea(Polygon{r, r[:3]})
			if math.IsNaN(h) || math.IsInf(h, 0) {
				t.Fatalf("EllipsoidalArea with hole (%v) = %v", r, h)
			}
		}
	})
}

// polygon1000 is a star-shaped polygon of 1000 vertices around 丽水 city,
// about 4 km across.
func polygon1000() Polygon {
	r := make(Ring, 1000)
	for i := range r {
		a := 2 * math.Pi * float64(i) / float64(len(r))
		rad := 0.02 + 0.004*math.Sin(7*a)
		r[i] = [2]float64{119.922 + rad*math.Cos(a), 28.451 + rad*math.Sin(a)}
	}
	return Polygon{r}
}

func BenchmarkEllipsoidalArea(b *testing.B) {
	p := polygon1000()
	var sink float64
	for b.Loop() {
		sink += EllipsoidalArea(p)
	}
	_ = sink
}

func BenchmarkGaussKrugerPlaneArea(b *testing.B) {
	p := polygon1000()
	var sink float64
	for b.Loop() {
		sink += GaussKrugerPlaneArea(p, Zone40CentralMeridian)
	}
	_ = sink
}
