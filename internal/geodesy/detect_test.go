package geodesy

import "testing"

func TestLooksLikeGaussKruger(t *testing.T) {
	tests := []struct {
		name        string
		x, y        float64
		wantEPSG    int
		wantSwapped bool
		wantOK      bool
	}{
		{"EPSG:4528 survey order (X northing, Y easting)", 3148425.44, 40492359.95, 4528, true, true},
		{"EPSG:4528 GIS order (easting, northing)", 40492359.95, 3148425.44, 4528, false, true},
		{"EPSG:4549 survey order", 3148425.44, 492359.95, 4549, true, true},
		{"EPSG:4549 GIS order", 492359.95, 3148425.44, 4549, false, true},
		{"龙泉 west edge, 4549", 370000, 3110000, 4549, false, true},
		{"lon/lat degrees", 119.922, 28.451, 0, false, false},
		{"lat/lon degrees", 28.451, 119.922, 0, false, false},
		{"Web Mercator metres of 丽水", 13349800, 3306000, 0, false, false},
		{"another zone's prefix (39)", 3148425.44, 39492359.95, 0, false, false},
		{"northing far north of 丽水 (Beijing)", 4420000, 500000, 0, false, false},
		{"two eastings", 492359.95, 492359.95, 0, false, false},
		{"two northings", 3148425.44, 3148425.44, 0, false, false},
		{"zeros", 0, 0, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			epsg, swapped, ok := LooksLikeGaussKruger(tt.x, tt.y)
			if epsg != tt.wantEPSG || swapped != tt.wantSwapped || ok != tt.wantOK {
				t.Errorf("LooksLikeGaussKruger(%v, %v) = (%d, %v, %v), want (%d, %v, %v)",
					tt.x, tt.y, epsg, swapped, ok, tt.wantEPSG, tt.wantSwapped, tt.wantOK)
			}
		})
	}
}

// Every point of 丽水 projected to either zone-40 CRS is recognised, and the
// recognised pair converts back to the point.
func TestLooksLikeGaussKrugerCoversLishui(t *testing.T) {
	for lat := 27.4; lat <= 29.0; lat += 0.1 {
		for lon := 118.6; lon <= 120.5; lon += 0.1 {
			n, e := ToEPSG4528(lon, lat)
			for _, c := range []struct {
				x, y    float64
				epsg    int
				swapped bool
			}{
				{n, e, 4528, true}, {e, n, 4528, false},
				{n, e - Zone40Prefix, 4549, true}, {e - Zone40Prefix, n, 4549, false},
			} {
				epsg, swapped, ok := LooksLikeGaussKruger(c.x, c.y)
				if !ok || epsg != c.epsg || swapped != c.swapped {
					t.Fatalf("(%v, %v) as (%.2f, %.2f): got (%d, %v, %v), want (%d, %v, true)",
						lon, lat, c.x, c.y, epsg, swapped, ok, c.epsg, c.swapped)
				}
			}
		}
	}
}

// A region in zone 41 (CM 123°E, e.g. 温州's east) is recognised in its own
// zone: unprefixed eastings are EPSG:4550, prefixed ones 4529, 丽水's
// prefix 40 only when zone 40 is one of the region's.
func TestLooksLikeGaussKrugerOtherZone(t *testing.T) {
	n, e := ToGaussKruger(121.0, 28.0, 123)
	for _, c := range []struct {
		name    string
		x, y    float64
		zones   []int
		epsg    int
		swapped bool
		ok      bool
	}{
		{"4550 GIS order", e, n, []int{41}, 4550, false, true},
		{"4529 survey order", n, e + 41e6, []int{41}, 4529, true, true},
		{"zone 40's prefix, region in 41 only", n, e + 40e6, []int{41}, 0, false, false},
		{"zone 40's prefix, region in 41 and 40", n, e + 40e6, []int{41, 40}, 4528, true, true},
		{"no prefix in a two-zone region: the main zone", e, n, []int{41, 40}, 4550, false, true},
	} {
		epsg, swapped, ok := LooksLikeGaussKruger(c.x, c.y, c.zones...)
		if epsg != c.epsg || swapped != c.swapped || ok != c.ok {
			t.Errorf("%s: (%d, %v, %v), want (%d, %v, %v)", c.name, epsg, swapped, ok, c.epsg, c.swapped, c.ok)
		}
	}
	if ZoneOf(120.65) != 40 || ZoneOf(121.6) != 41 || ZoneOf(118.4) != 39 {
		t.Errorf("ZoneOf: %d %d %d", ZoneOf(120.65), ZoneOf(121.6), ZoneOf(118.4))
	}
}
