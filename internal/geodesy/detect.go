package geodesy

// Ranges of zone-40 Gauss-Kruger coordinates that can belong to 丽水 (about
// 118.7–120.5°E, 27.4–28.9°N), with a generous margin so that a neighbouring
// county's survey is still recognised. Northings and eastings of these ranges
// cannot be confused with each other, nor with degrees.
const (
	lishuiMinNorthing = 2900000.0 // ≈ 26.2°N
	lishuiMaxNorthing = 3400000.0 // ≈ 30.7°N
	lishuiMinEasting  = 300000.0  // ≈ 118.0°E at 28°N
	lishuiMaxEasting  = 700000.0  // ≈ 122.0°E at 28°N
)

// LooksLikeGaussKruger reports whether a coordinate pair (x, y) — taken as
// posted, e.g. as "lon, lat" — is in fact zone-40 Gauss-Kruger metres around
// 丽水: epsg is 4528 when the easting carries the "40" prefix and 4549 when it
// does not; swapped is true when the pair is written survey-style, northing
// first (X = northing, Y = easting).
func LooksLikeGaussKruger(x, y float64) (epsg int, swapped bool, ok bool) {
	if isNorthing(y) {
		if code, found := eastingEPSG(x); found {
			return code, false, true
		}
	}
	if isNorthing(x) {
		if code, found := eastingEPSG(y); found {
			return code, true, true
		}
	}
	return 0, false, false
}

func isNorthing(v float64) bool {
	return v >= lishuiMinNorthing && v <= lishuiMaxNorthing
}

// eastingEPSG says which zone-40 CRS an easting belongs to, if any.
func eastingEPSG(v float64) (int, bool) {
	switch {
	case v >= lishuiMinEasting && v <= lishuiMaxEasting:
		return EPSGGK3Zone40, true
	case v >= Zone40Prefix+lishuiMinEasting && v <= Zone40Prefix+lishuiMaxEasting:
		return EPSGGK3Zone40Prefixed, true
	}
	return 0, false
}
