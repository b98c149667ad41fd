package exchange

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzDXFRebuild: rebuilding polygons from any mix of closed and open
// polylines, hatches, texts and XDATA never panics, makes only polygons
// with closed rings of four or more points, and never more features than
// there were rings and hatches.
func FuzzDXFRebuild(f *testing.F) {
	f.Add([]byte{0, 0, 0, 10, 10, 40, 0, 0, 0, 20, 20, 10, 2, 0, 0, 22, 22, 0}, "1000 _feature|1000 zones/1|1000 name|1000 甲")
	f.Add([]byte{1, 1, 1, 0, 0, 50, 0, 1, 1, 0, 0, 50, 0, 1, 2, 5, 5, 5, 3, 0, 0, 1, 2, 3}, "1000 _label|1000 figures")
	f.Add([]byte{0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0}, "1071 x|1040 1e400|1000 \\U+4E2D")
	f.Fuzz(runFuzzDXF)
}

func runFuzzDXF(t *testing.T, b []byte, raw string) {
	{
		var in []Feature
		var rings int
		layers := []string{"A", "开发区园区_保留", "乡镇工业功能区_并_填充"}
		var xdata []any
		if raw != "" {
			xdata = []any{"1001 WANMU"}
			for _, s := range strings.Split(raw, "|") {
				xdata = append(xdata, s)
			}
		}
		for i := 0; i+6 <= len(b) && len(in) < 200; i += 6 {
			typ, layer := b[i]%4, layers[int(b[i+1])%len(layers)]
			x, y, size := float64(b[i+3]), float64(b[i+4]), float64(b[i+5])
			props := map[string]any{dxfLayerField: layer, dxfHandleField: "1"}
			if b[i+2]%2 == 1 {
				props[dxfRawField] = xdata
			}
			var g orb.Geometry
			switch typ {
			case 0:
				g = orb.LineString(square(x, y, size))
				rings++
			case 1:
				g = orb.Polygon{square(x, y, size), square(x+1, y+1, size/2)}
				rings++
			case 2:
				g = orb.Point{x, y}
				props[dxfTextField] = raw
			case 3:
				g = orb.Collection{orb.LineString{{x, y}, {size, size}}, orb.MultiPoint{{x, y}}, orb.MultiLineString{orb.LineString(square(y, x, size))}}
				rings++
			}
			in = append(in, Feature{Geometry: g, Properties: props})
		}
		r := dxfRebuild(in)
		if len(r.features) > rings {
			t.Fatalf("%d features from %d rings and hatches", len(r.features), rings)
		}
		for _, f := range r.features {
			for _, p := range polygonsOf(f.Geometry) {
				for _, ring := range p {
					if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
						t.Fatalf("ring %v is not closed", ring)
					}
				}
			}
			if polygonsOf(f.Geometry) == nil {
				t.Fatalf("geometry %T", f.Geometry)
			}
		}
		if r.summary() == "" {
			t.Fatal("empty summary")
		}
	}
}
