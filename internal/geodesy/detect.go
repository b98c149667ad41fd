package geodesy

// Ranges of Gauss-Kruger coordinates that can belong to the region: the
// northings of about 26.2–30.7°N (丽水 and its neighbours with a generous
// margin), and eastings within about 2° of the zone's central meridian, so
// that a neighbouring county's survey is still recognised. Northings and
// eastings of these ranges cannot be confused with each other, nor with
// degrees.
const (
	lishuiMinNorthing = 2900000.0 // ≈ 26.2°N
	lishuiMaxNorthing = 3400000.0 // ≈ 30.7°N
	minEasting        = 300000.0  // ≈ CM − 2° at 28°N (zone 40: 118.0°E)
	maxEasting        = 700000.0  // ≈ CM + 2° at 28°N (zone 40: 122.0°E)
)

// LooksLikeGaussKruger reports whether a coordinate pair (x, y) — taken as
// posted, e.g. as "lon, lat" — is in fact Gauss-Kruger metres of one of the
// region's 3-degree zones (main zone first; none given: 丽水's zone 40):
// epsg is 4488 + zone when the easting carries the zone prefix (zone 40:
// 4528) and 4509 + the main zone when it does not (zone 40: 4549); swapped
// is true when the pair is written survey-style, northing first (X =
// northing, Y = easting).
func LooksLikeGaussKruger(x, y float64, zones ...int) (epsg int, swapped bool, ok bool) {
	if len(zones) == 0 {
		zones = []int{Zone40}
	}
	if isNorthing(y) {
		if code, found := eastingEPSG(x, zones); found {
			return code, false, true
		}
	}
	if isNorthing(x) {
		if code, found := eastingEPSG(y, zones); found {
			return code, true, true
		}
	}
	return 0, false, false
}

func isNorthing(v float64) bool {
	return v >= lishuiMinNorthing && v <= lishuiMaxNorthing
}

// eastingEPSG says which of the zones' CRSs an easting belongs to, if any:
// one without a prefix is read in the main zone.
func eastingEPSG(v float64, zones []int) (int, bool) {
	if v >= minEasting && v <= maxEasting {
		return EPSGGK3NoPrefix(zones[0]), true
	}
	for _, z := range zones {
		if prefix := float64(z) * 1e6; v >= prefix+minEasting && v <= prefix+maxEasting {
			return EPSGGK3Prefixed(z), true
		}
	}
	return 0, false
}
