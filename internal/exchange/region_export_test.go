package exchange

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
	"wanmu/internal/region"
)

// TestExportRegionZone: DXF drawings are in the region's Gauss-Kruger zone
// by default (丽水: EPSG:4528, as before; a city in zone 41: EPSG:4529), any
// CGCS2000 3-degree zone may be asked for, and other CRSs are refused.
func TestExportRegionZone(t *testing.T) {
	zhoushan, err := region.Parse([]byte(`{"adcode":"330900","name":"舟山市","extent":{"min_lon":121.5,"min_lat":29.5,"max_lon":123.3,"max_lat":30.9},
		"counties":[{"adcode":"330902","name":"定海区","lon":122.1,"lat":30.02}]}`))
	if err != nil {
		t.Fatal(err)
	}
	l := ExportLayer{Name: "zones", Title: "分区", Fields: []Field{{Name: "name", Type: FieldString}},
		Features: []Feature{{Geometry: orb.Polygon{rect(122.2, 30.0, 122.21, 30.01)}, Properties: map[string]any{"name": "海岛园区"}}}}
	for _, tc := range []struct {
		rg   *region.Region
		crs  string
		epsg int
		cm   float64
		pre  float64
	}{
		{nil, "", 4528, 120, 40e6},
		{zhoushan, "", 4529, 123, 41e6},
		{zhoushan, "EPSG:4550", 4550, 123, 0},
		{nil, "EPSG:4549", 4549, 120, 0},
	} {
		j, err := newExportJob([]ExportLayer{l}, ExportOptions{Format: FormatDXF, CRS: tc.crs, Region: tc.rg})
		if err != nil {
			t.Fatalf("%q: %v", tc.crs, err)
		}
		if j.epsg != tc.epsg {
			t.Errorf("DXF %q for %v: EPSG:%d, want %d", tc.crs, tc.rg != nil, j.epsg, tc.epsg)
		}
		n, e := geodesy.ToGaussKruger(122.2, 30.0, tc.cm)
		if got := j.dxfProjection()(orb.Point{122.2, 30.0}); math.Abs(got[0]-(e+tc.pre)) > 1e-6 || math.Abs(got[1]-n) > 1e-6 {
			t.Errorf("EPSG:%d projects 122.2°E 30°N to %v, want (%v, %v)", tc.epsg, got, e+tc.pre, n)
		}
		if desc := crsDescription(tc.epsg); !strings.HasPrefix(desc, fmt.Sprintf("EPSG:%d ", tc.epsg)) || !strings.Contains(desc, fmt.Sprintf("中央经线 %g°E", tc.cm)) {
			t.Errorf("description of EPSG:%d: %s", tc.epsg, desc)
		}
	}
	if desc := crsDescription(4528); desc != "EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40（CGCS2000 国家大地坐标系 3 度带高斯-克吕格投影第 40 带，中央经线 120°E，东坐标带 40 带号，单位米；X 为北坐标，Y 为东坐标）" {
		t.Errorf("4528 described as %s", desc)
	}
	for _, crs := range []string{"EPSG:3857", "EPSG:4502"} {
		if _, _, err := Export(context.Background(), &bytes.Buffer{}, []ExportLayer{l}, ExportOptions{Format: FormatGeoJSON, CRS: crs}); !isCode(err, CodeInvalidOption) {
			t.Errorf("export in %s: %v, want refused", crs, err)
		}
	}
	if _, err := newExportJob([]ExportLayer{l}, ExportOptions{Format: FormatDXF, CRS: "EPSG:4490", Region: zhoushan}); err == nil || !strings.Contains(err.Error(), "EPSG:4529") {
		t.Errorf("DXF in lon/lat for 舟山: %v, want a refusal suggesting EPSG:4529", err)
	}
}
