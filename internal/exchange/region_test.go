package exchange

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wanmu/internal/geodesy"
	"wanmu/internal/region"
)

// TestInspectRegionZone: a CSV of Gauss-Kruger metres without a CRS is read
// in the zone of the region it is imported for, not 丽水's zone 40.
func TestInspectRegionZone(t *testing.T) {
	requireGDAL(t)
	parse := func(s string) *region.Region {
		t.Helper()
		r, err := region.Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// A made-up 舟山 (zone 41, CM 123°E) and a made-up city spanning zones
	// 40 and 41, most of its counties in 40.
	zhoushan := parse(`{"adcode":"330900","name":"舟山市","short":"舟山","extent":{"min_lon":121.5,"min_lat":29.5,"max_lon":123.3,"max_lat":30.9},
		"counties":[{"adcode":"330902","name":"定海区","lon":122.1,"lat":30.02},{"adcode":"330903","name":"普陀区","lon":122.3,"lat":29.95}]}`)
	twoZones := parse(`{"adcode":"330300","name":"两带市","extent":{"min_lon":119.6,"min_lat":27.0,"max_lon":122.5,"max_lat":30.2},
		"counties":[{"adcode":"330302","name":"甲区","lon":120.6,"lat":28.0},{"adcode":"330303","name":"乙区","lon":120.8,"lat":27.9},
		{"adcode":"330304","name":"丙区","lon":122.2,"lat":30.0}]}`)
	if zhoushan.MainZone() != 41 || twoZones.MainZone() != 40 || len(twoZones.Zones()) != 2 {
		t.Fatalf("zones: %v, %v", zhoushan.Zones(), twoZones.Zones())
	}
	// A 1 km square at 122.2°E 30.0°N in zone 41 metres, easting first.
	csv := func(prefix float64) string {
		var pts []string
		for _, c := range [][2]float64{{122.2, 30.0}, {122.21, 30.0}, {122.21, 30.01}, {122.2, 30.01}, {122.2, 30.0}} {
			n, e := geodesy.ToGaussKruger(c[0], c[1], 123)
			pts = append(pts, fmt.Sprintf("%.3f %.3f", e+prefix, n))
		}
		p := filepath.Join(t.TempDir(), "zones.csv")
		if err := os.WriteFile(p, []byte("名称,WKT\n海岛园区,\"POLYGON (("+strings.Join(pts, ",")+"))\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		rg     *region.Region
		prefix float64
		crs    string
		lon    float64 // where the first vertex lands
		warn   string  // in the warnings, or "" for none
	}{
		{"舟山, no prefix", zhoushan, 0, "EPSG:4550", 122.2, ""},
		{"舟山, zone prefix", zhoushan, 41e6, "EPSG:4529", 122.2, ""},
		{"two zones, no prefix: the zone that puts it in the region", twoZones, 0, "EPSG:4550", 122.2, ""},
		// 丽水 reads unprefixed eastings on CM 120°E, as before: the
		// square lands 3° west, outside 丽水, and the planner is told.
		{"丽水, no prefix", nil, 0, "EPSG:4549", 119.2, "超出丽水市域范围"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Inspect(context.Background(), csv(tc.prefix), ImportOptions{Region: tc.rg})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ds.SourceCRS, tc.crs) || !ds.CRSAssumed {
				t.Errorf("SourceCRS %q (assumed %v), want %s", ds.SourceCRS, ds.CRSAssumed, tc.crs)
			}
			b := ds.Features[0].Geometry.Bound()
			if math.Abs(b.Min[0]-tc.lon) > 0.05 || math.Abs(b.Min[1]-30.0) > 0.05 {
				t.Errorf("lands at %v, want near %v°E 30°N", b.Min, tc.lon)
			}
			w := strings.Join(ds.Warnings, "\n")
			if (tc.warn == "") != !strings.Contains(w, "超出") || (tc.warn != "" && !strings.Contains(w, tc.warn)) {
				t.Errorf("warnings %q, want %q", w, tc.warn)
			}
		})
	}
}
