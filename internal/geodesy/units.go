package geodesy

import "math"

// CGCS2000 ellipsoid (China Geodetic Coordinate System 2000, EPSG:4490).
const (
	// SemiMajorAxis is the CGCS2000 equatorial radius a in metres.
	SemiMajorAxis = 6378137.0
	// InverseFlattening is the CGCS2000 1/f.
	InverseFlattening = 298.257222101
	// Flattening is the CGCS2000 f = (a − b)/a.
	Flattening = 1 / InverseFlattening
	// SemiMinorAxis is the CGCS2000 polar radius b = a(1 − f) in metres.
	SemiMinorAxis = SemiMajorAxis * (1 - Flattening)
	// EccentricitySquared is the CGCS2000 first eccentricity squared e² = f(2 − f) = (a² − b²)/a².
	EccentricitySquared = Flattening * (2 - Flattening)
)

// Area units. One mu (亩) is 2000/3 m² exactly, so 15 mu make one hectare.
const (
	// SquareMetresPerMu is the size of one mu in square metres (2000/3).
	SquareMetresPerMu = 2000.0 / 3.0
	// MuPerSquareMetre converts square metres to mu (0.0015).
	MuPerSquareMetre = 0.0015
	// SquareMetresPerHectare is the size of one hectare in square metres.
	SquareMetresPerHectare = 10000.0
	// MuPerHectare is the number of mu in one hectare (15).
	MuPerHectare = 15.0
)

// Mu converts an area in square metres to mu. The result is unrounded:
// compare it unrounded and round only for display.
func Mu(m2 float64) float64 { return m2 * MuPerSquareMetre }

// Hectares converts an area in square metres to hectares.
func Hectares(m2 float64) float64 { return m2 / SquareMetresPerHectare }

// SquareMetresFromMu converts an area in mu to square metres.
func SquareMetresFromMu(mu float64) float64 { return mu * SquareMetresPerMu }

// Degrees and radians.
const (
	degree = math.Pi / 180
)
