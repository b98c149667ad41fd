package geodesy

import (
	"math"
	"testing"
)

// distance is a local flat-earth distance in metres, good enough for offsets
// of a few hundred metres.
func distance(lon1, lat1, lon2, lat2 float64) float64 {
	const r = SemiMajorAxis
	dx := (lon2 - lon1) * degree * r * math.Cos((lat1+lat2)/2*degree)
	dy := (lat2 - lat1) * degree * r
	return math.Hypot(dx, dy)
}

func TestGCJ02Lishui(t *testing.T) {
	tests := []struct {
		name     string
		lon, lat float64
	}{
		{"丽水 city", 119.922, 28.451},
		{"丽水机场", 119.84333, 28.37806},
		{"龙泉", 119.14, 28.07},
		{"庆元", 119.06, 27.62},
		{"缙云", 120.09, 28.66},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gLon, gLat := WGS84ToGCJ02(tt.lon, tt.lat)
			off := distance(tt.lon, tt.lat, gLon, gLat)
			lon, lat := GCJ02ToWGS84(gLon, gLat)
			back := distance(tt.lon, tt.lat, lon, lat)
			t.Logf("GCJ-02 (%.6f, %.6f): offset %.1f m (%+.1f m E, %+.1f m N); round trip %.2g m",
				gLon, gLat, off,
				distance(tt.lon, tt.lat, gLon, tt.lat)*math.Copysign(1, gLon-tt.lon),
				distance(tt.lon, tt.lat, tt.lon, gLat)*math.Copysign(1, gLat-tt.lat), back)
			if off < 450 || off > 650 {
				t.Errorf("offset %.1f m, want roughly 500–600 m", off)
			}
			if back > 0.01 {
				t.Errorf("round trip error %.4f m, want < 0.01 m", back)
			}
		})
	}
}

func TestGCJ02OutsideChina(t *testing.T) {
	for _, p := range [][2]float64{{0, 51.5}, {-74, 40.7}, {139.7, 35.7}, {120, -30}} {
		if lon, lat := WGS84ToGCJ02(p[0], p[1]); lon != p[0] || lat != p[1] {
			t.Errorf("WGS84ToGCJ02(%v) = (%v, %v), want unchanged", p, lon, lat)
		}
		if lon, lat := GCJ02ToWGS84(p[0], p[1]); lon != p[0] || lat != p[1] {
			t.Errorf("GCJ02ToWGS84(%v) = (%v, %v), want unchanged", p, lon, lat)
		}
	}
}

func TestGCJ02RoundTripChina(t *testing.T) {
	var worst float64
	for lat := 18.0; lat <= 53; lat += 0.37 {
		for lon := 74.0; lon <= 135; lon += 0.41 {
			gLon, gLat := WGS84ToGCJ02(lon, lat)
			lon2, lat2 := GCJ02ToWGS84(gLon, gLat)
			d := distance(lon, lat, lon2, lat2)
			worst = math.Max(worst, d)
			if d > 0.01 {
				t.Fatalf("round trip (%v, %v): error %.4f m", lon, lat, d)
			}
		}
	}
	t.Logf("worst round-trip error over China: %.2g m", worst)
}
