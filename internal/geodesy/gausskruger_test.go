package geodesy

import (
	"math"
	"testing"
)

// The reference points of DESIGN.md, EPSG:4528 (X northing, Y easting with
// the zone prefix), given to the centimetre.
var gkReference = []struct {
	name     string
	lon, lat float64
	x, y     float64
}{
	{"丽水 city", 119.922, 28.451, 3148425.44, 40492359.95},
	{"丽水机场", 119.84333, 28.37806, 3140349.28, 40484643.75},
}

func TestToEPSG4528Reference(t *testing.T) {
	for _, tt := range gkReference {
		t.Run(tt.name, func(t *testing.T) {
			x, y := ToEPSG4528(tt.lon, tt.lat)
			t.Logf("X %.4f (%+.4f m), Y %.4f (%+.4f m)", x, x-tt.x, y, y-tt.y)
			// The reference is rounded to the centimetre: 5 mm is the most it can be off.
			if math.Abs(x-tt.x) > 0.006 || math.Abs(y-tt.y) > 0.006 {
				t.Errorf("ToEPSG4528(%v, %v) = (%.4f, %.4f), want (%.2f, %.2f)", tt.lon, tt.lat, x, y, tt.x, tt.y)
			}
			x9, y9 := ToEPSG4549(tt.lon, tt.lat)
			if x9 != x || math.Abs(y9-(y-Zone40Prefix)) > 1e-6 {
				t.Errorf("ToEPSG4549 = (%.4f, %.4f), want the EPSG:4528 pair without prefix", x9, y9)
			}
			// Back from the rounded reference: a centimetre is ~1e-7°.
			lon, lat := FromEPSG4528(tt.x, tt.y)
			if math.Abs(lon-tt.lon) > 2e-7 || math.Abs(lat-tt.lat) > 2e-7 {
				t.Errorf("FromEPSG4528(%.2f, %.2f) = (%.9f, %.9f), want (%v, %v)", tt.x, tt.y, lon, lat, tt.lon, tt.lat)
			}
		})
	}
}

// Points projected by PROJ 9.1.1 (cs2cs EPSG:4490 EPSG:4549, tmerc with the
// Poder/Engsager series), printed to the micrometre.
func TestToGaussKrugerAgainstPROJ(t *testing.T) {
	tests := []struct {
		name       string
		lon, lat   float64
		cm         float64
		north, eas float64
	}{
		{"丽水 city", 119.922, 28.451, 120, 3148425.442858, 492359.953032},
		{"丽水机场", 119.84333, 28.37806, 120, 3140349.283382, 484643.753922},
		{"west of 龙泉, 1.5° off the CM", 118.5, 27.5, 120, 3043930.093568, 351772.011319},
		{"1.5° east of the CM", 121.5, 29.0, 120, 3210197.057762, 646167.275492},
		{"on the CM", 120, 28, 120, 3098441.747297, 500000},
		{"庆元-ish", 119.1, 27.9, 120, 3087685.549379, 411390.667308},
		{"equator on the CM", 120, 0, 120, 0, 500000},
		{"equator 3° off", 123, 0, 120, 0, 834112.201800},
		{"southern hemisphere", 118.2, -33.9, 120, -3754028.274362, 333502.341947},
		{"60°N, 5° off", 115, 60, 120, 6664618.887977, 221177.241141},
		{"85°N", 121, 85, 120, 9443594.765000, 509734.035875},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, e := ToGaussKruger(tt.lon, tt.lat, tt.cm)
			if math.Abs(n-tt.north) > 1e-3 || math.Abs(e-tt.eas) > 1e-3 {
				t.Errorf("ToGaussKruger(%v, %v, %v) = (%.6f, %.6f), want (%.6f, %.6f): off by (%.2g, %.2g) m",
					tt.lon, tt.lat, tt.cm, n, e, tt.north, tt.eas, n-tt.north, e-tt.eas)
			}
		})
	}
}

func TestGaussKrugerRoundTrip(t *testing.T) {
	var worst float64
	for lat := -80.0; lat <= 84; lat += 0.7 {
		for dlon := -3.0; dlon <= 3; dlon += 0.13 {
			for _, cm := range []float64{120, 117, -75} {
				lon := cm + dlon
				n, e := ToGaussKruger(lon, lat, cm)
				lon2, lat2 := FromGaussKruger(n, e, cm)
				d := math.Max(math.Abs(lon2-lon), math.Abs(lat2-lat))
				worst = math.Max(worst, d)
				if d > 1e-9 {
					t.Fatalf("round trip (%v, %v) CM %v → (%.3f, %.3f) → (%.12f, %.12f)", lon, lat, cm, n, e, lon2, lat2)
				}
			}
		}
	}
	t.Logf("worst round-trip error %.2g°", worst)

	// Zone-40 helpers, over 丽水 and around it.
	for lat := 27.0; lat <= 29.5; lat += 0.05 {
		for lon := 118.0; lon <= 121.0; lon += 0.05 {
			x, y := ToEPSG4528(lon, lat)
			lon2, lat2 := FromEPSG4528(x, y)
			x9, y9 := ToEPSG4549(lon, lat)
			lon3, lat3 := FromEPSG4549(x9, y9)
			for _, p := range [][2]float64{{lon2, lat2}, {lon3, lat3}} {
				if math.Abs(p[0]-lon) > 1e-9 || math.Abs(p[1]-lat) > 1e-9 {
					t.Fatalf("zone 40 round trip (%v, %v) → (%.12f, %.12f)", lon, lat, p[0], p[1])
				}
			}
		}
	}
}

func TestGaussKrugerPoles(t *testing.T) {
	for _, lat := range []float64{90, -90} {
		n, e := ToGaussKruger(121, lat, 120)
		if math.IsNaN(n) || math.IsNaN(e) || math.Abs(e-FalseEasting) > 1e-6 {
			t.Errorf("ToGaussKruger(121, %v) = (%v, %v)", lat, n, e)
		}
		_, lat2 := FromGaussKruger(n, e, 120)
		if math.Abs(lat2-lat) > 1e-9 {
			t.Errorf("pole %v came back as %v", lat, lat2)
		}
	}
}

func BenchmarkToGaussKruger(b *testing.B) {
	var sink float64
	for b.Loop() {
		n, e := ToEPSG4528(119.922, 28.451)
		sink += n + e
	}
	_ = sink
}
