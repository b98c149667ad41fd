package geodesy

import "math"

// Gauss-Kruger (transverse Mercator) on CGCS2000, as used by Chinese survey
// tables and by EPSG:4549/4528. X is the northing and Y the easting.
const (
	// FalseEasting is added to every Gauss-Kruger easting (500 km).
	FalseEasting = 500000.0
	// Zone40 is the 3-degree Gauss-Kruger zone that covers all of 丽水.
	Zone40 = 40
	// Zone40CentralMeridian is the central meridian of 3-degree zone 40, in degrees east.
	Zone40CentralMeridian = 120.0
	// Zone40Prefix is what EPSG:4528 adds to eastings: the zone number times 10⁶ m.
	Zone40Prefix = Zone40 * 1e6
)

// EPSG codes of the coordinate reference systems wanmu reads and writes.
const (
	// EPSGCGCS2000 is CGCS2000 longitude/latitude, the storage CRS.
	EPSGCGCS2000 = 4490
	// EPSGWGS84 is WGS84 longitude/latitude, accepted as CGCS2000.
	EPSGWGS84 = 4326
	// EPSGGK3Zone40 is CGCS2000 / 3-degree Gauss-Kruger CM 120E (easting without zone prefix).
	EPSGGK3Zone40 = 4549
	// EPSGGK3Zone40Prefixed is CGCS2000 / 3-degree Gauss-Kruger zone 40 (easting with the "40" prefix).
	EPSGGK3Zone40Prefixed = 4528
)

// Krüger series to sixth order in the third flattening n (Karney 2011,
// "Transverse Mercator with an accuracy of a few nanometers", eqs. 35–36):
// errors are a few nanometres within a 3-degree zone, far below survey needs.
var (
	tmE       = math.Sqrt(EccentricitySquared)
	tmRectify float64    // A: the rectifying radius, 2πA is a meridian's length
	tmAlpha   [7]float64 // one-based, conformal sphere → ellipsoid
	tmBeta    [7]float64 // one-based, ellipsoid → conformal sphere
)

func init() {
	n := Flattening / (2 - Flattening)
	n2 := n * n
	n3 := n2 * n
	n4 := n3 * n
	n5 := n4 * n
	n6 := n5 * n
	tmRectify = SemiMajorAxis / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	tmAlpha = [7]float64{0,
		n/2 - 2.0/3*n2 + 5.0/16*n3 + 41.0/180*n4 - 127.0/288*n5 + 7891.0/37800*n6,
		13.0/48*n2 - 3.0/5*n3 + 557.0/1440*n4 + 281.0/630*n5 - 1983433.0/1935360*n6,
		61.0/240*n3 - 103.0/140*n4 + 15061.0/26880*n5 + 167603.0/181440*n6,
		49561.0/161280*n4 - 179.0/168*n5 + 6601661.0/7257600*n6,
		34729.0/80640*n5 - 3418889.0/1995840*n6,
		212378941.0 / 319334400 * n6,
	}
	tmBeta = [7]float64{0,
		n/2 - 2.0/3*n2 + 37.0/96*n3 - 1.0/360*n4 - 81.0/512*n5 + 96199.0/604800*n6,
		1.0/48*n2 + 1.0/15*n3 - 437.0/1440*n4 + 46.0/105*n5 - 1118711.0/3870720*n6,
		17.0/480*n3 - 37.0/840*n4 - 209.0/4480*n5 + 5569.0/90720*n6,
		4397.0/161280*n4 - 11.0/504*n5 - 830251.0/7257600*n6,
		4583.0/161280*n5 - 108847.0/3991680*n6,
		20648693.0 / 638668800 * n6,
	}
}

// ToGaussKruger projects CGCS2000 lon/lat degrees to Gauss-Kruger metres
// (scale 1 on the central meridian, false easting 500000, no zone prefix).
func ToGaussKruger(lon, lat, centralMeridian float64) (northing, easting float64) {
	lam := wrapDegrees(lon-centralMeridian) * degree
	tau := math.Tan(lat * degree)
	taup := conformalTan(tau)
	// Conformal latitude and longitude on the sphere, then Gauss-Schreiber
	// transverse Mercator coordinates (ξ', η'). At the poles τ is ±Inf and
	// atan2 still gives ξ' = ±π/2.
	cosLam, sinLam := math.Cos(lam), math.Sin(lam)
	xip := math.Atan2(taup, cosLam)
	etap := math.Asinh(sinLam / math.Hypot(taup, cosLam))
	if math.IsInf(taup, 0) {
		xip, etap = math.Copysign(math.Pi/2, taup), 0
	}
	xi, eta := xip, etap
	for j := 1; j <= 6; j++ {
		s, c := math.Sincos(2 * float64(j) * xip)
		xi += tmAlpha[j] * s * math.Cosh(2*float64(j)*etap)
		eta += tmAlpha[j] * c * math.Sinh(2*float64(j)*etap)
	}
	return tmRectify * xi, tmRectify*eta + FalseEasting
}

// FromGaussKruger is the inverse of ToGaussKruger: Gauss-Kruger metres (no
// zone prefix) to CGCS2000 lon/lat degrees.
func FromGaussKruger(northing, easting, centralMeridian float64) (lon, lat float64) {
	xi := northing / tmRectify
	eta := (easting - FalseEasting) / tmRectify
	xip, etap := xi, eta
	for j := 1; j <= 6; j++ {
		s, c := math.Sincos(2 * float64(j) * xi)
		xip -= tmBeta[j] * s * math.Cosh(2*float64(j)*eta)
		etap -= tmBeta[j] * c * math.Sinh(2*float64(j)*eta)
	}
	sinhEtap := math.Sinh(etap)
	sinXip, cosXip := math.Sincos(xip)
	taup := sinXip / math.Hypot(sinhEtap, cosXip)
	lam := math.Atan2(sinhEtap, cosXip)
	tau := geographicTan(taup)
	return centralMeridian + lam/degree, math.Atan(tau) / degree
}

// conformalTan returns τ' = tan χ, the tangent of the conformal latitude, for
// τ = tan φ (Karney 2011, eqs. 7–9).
func conformalTan(tau float64) float64 {
	if math.IsInf(tau, 0) {
		return tau
	}
	tau1 := math.Hypot(1, tau)
	sig := math.Sinh(tmE * math.Atanh(tmE*tau/tau1))
	return tau*math.Hypot(1, sig) - sig*tau1
}

// geographicTan inverts conformalTan by Newton's method (Karney 2011,
// eqs. 19–21); it converges to full precision in two or three steps.
func geographicTan(taup float64) float64 {
	if math.IsInf(taup, 0) || math.IsNaN(taup) {
		return taup
	}
	e2m := 1 - EccentricitySquared
	tau := taup / e2m
	for range 10 {
		tp := conformalTan(tau)
		d := (taup - tp) * (1 + e2m*tau*tau) /
			(e2m * math.Hypot(1, tau) * math.Hypot(1, tp))
		tau += d
		if math.Abs(d) <= 1e-15*math.Max(1, math.Abs(tau)) {
			break
		}
	}
	return tau
}

// ToEPSG4549 projects CGCS2000 lon/lat degrees to EPSG:4549 (zone 40, CM
// 120°E, easting without zone prefix).
func ToEPSG4549(lon, lat float64) (northing, easting float64) {
	return ToGaussKruger(lon, lat, Zone40CentralMeridian)
}

// FromEPSG4549 converts EPSG:4549 metres to CGCS2000 lon/lat degrees.
func FromEPSG4549(northing, easting float64) (lon, lat float64) {
	return FromGaussKruger(northing, easting, Zone40CentralMeridian)
}

// ToEPSG4528 projects CGCS2000 lon/lat degrees to EPSG:4528 (zone 40 with
// the "40" prefix on the easting, e.g. Y = 40492359.95).
func ToEPSG4528(lon, lat float64) (northing, easting float64) {
	northing, easting = ToEPSG4549(lon, lat)
	return northing, easting + Zone40Prefix
}

// FromEPSG4528 converts EPSG:4528 metres (prefixed easting) to CGCS2000
// lon/lat degrees.
func FromEPSG4528(northing, easting float64) (lon, lat float64) {
	return FromEPSG4549(northing, easting-Zone40Prefix)
}

// ZoneOf is the 3-degree Gauss-Kruger zone of a longitude, ⌊(lon + 1.5) / 3⌋
// (120.65°E → 40); its central meridian is 3 × zone.
func ZoneOf(lon float64) int { return int(math.Floor((lon + 1.5) / 3)) }

// EPSGGK3Prefixed is the CGCS2000 3-degree Gauss-Kruger CRS of zone with
// the zone prefix on the easting (zone 40: EPSG:4528).
func EPSGGK3Prefixed(zone int) int { return 4488 + zone }

// EPSGGK3NoPrefix is the same zone without the prefix (zone 40: EPSG:4549).
func EPSGGK3NoPrefix(zone int) int { return 4509 + zone }
