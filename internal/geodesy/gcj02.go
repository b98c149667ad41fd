package geodesy

import "math"

// GCJ-02 ("Mars coordinates") is the obfuscated datum that Amap, Tencent and
// other Chinese web maps display; it is about 500–600 m off WGS84 in 丽水.
// The forward transform below is the widely published formula based on the
// Krasovsky ellipsoid. wanmu never stores GCJ-02: it converts it on input.
const (
	gcjA  = 6378245.0              // Krasovsky 1940 semi-major axis
	gcjEE = 0.00669342162296594323 // Krasovsky 1940 e²
)

// InGCJ02Area reports whether a WGS84 position lies in the rough box in which
// GCJ-02 applies an offset; outside it the two datums coincide.
func InGCJ02Area(lon, lat float64) bool {
	return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271
}

// WGS84ToGCJ02 converts WGS84 (or CGCS2000) lon/lat degrees to GCJ-02.
func WGS84ToGCJ02(lon, lat float64) (gcjLon, gcjLat float64) {
	if !InGCJ02Area(lon, lat) {
		return lon, lat
	}
	dLon, dLat := gcjDelta(lon, lat)
	return lon + dLon, lat + dLat
}

// GCJ02ToWGS84 converts GCJ-02 lon/lat degrees back to WGS84 by fixed-point
// iteration on WGS84ToGCJ02; the result reproduces the input to well under a
// millimetre.
func GCJ02ToWGS84(gcjLon, gcjLat float64) (lon, lat float64) {
	if !InGCJ02Area(gcjLon, gcjLat) {
		return gcjLon, gcjLat
	}
	// The offset changes by well under 1 % of any change in position, so
	// each step gains about three digits: four or five reach float64
	// precision.
	lon, lat = gcjLon, gcjLat
	for range 20 {
		fLon, fLat := WGS84ToGCJ02(lon, lat)
		eLon, eLat := fLon-gcjLon, fLat-gcjLat
		lon -= eLon
		lat -= eLat
		if math.Abs(eLon) < 1e-13 && math.Abs(eLat) < 1e-13 {
			break
		}
	}
	return lon, lat
}

// gcjDelta returns the GCJ-02 offset in degrees at a WGS84 position.
func gcjDelta(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105, lat-35
	dLat = gcjTransformLat(x, y)
	dLon = gcjTransformLon(x, y)
	radLat := lat * degree
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = dLat * 180 / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = dLon * 180 / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

func gcjTransformLat(x, y float64) float64 {
	r := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(y*math.Pi) + 40*math.Sin(y/3*math.Pi)) * 2 / 3
	r += (160*math.Sin(y/12*math.Pi) + 320*math.Sin(y*math.Pi/30)) * 2 / 3
	return r
}

func gcjTransformLon(x, y float64) float64 {
	r := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(x*math.Pi) + 40*math.Sin(x/3*math.Pi)) * 2 / 3
	r += (150*math.Sin(x/12*math.Pi) + 300*math.Sin(x/30*math.Pi)) * 2 / 3
	return r
}
