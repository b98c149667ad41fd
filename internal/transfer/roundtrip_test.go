package transfer

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/exchange"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/testenv"
)

// roundTrip says what a format carries back through export → import.
type roundTrip struct {
	format, crs string
	attrs       bool // free attributes and the known fields come back
	typed       bool // ... with their types (integer, real, text, flag)
	exact       bool // coordinates come back bit for bit (EPSG:4490 binary formats)
	flag        any  // what a flag (true) comes back as
}

// roundTrips are the formats that can be read back. XLSX is a table without
// geometry and is not one of them.
var roundTrips = []roundTrip{
	{exchange.FormatGeoJSON, "EPSG:4490", true, true, true, true},
	{exchange.FormatGPKG, "EPSG:4490", true, true, true, true},
	// File Geodatabase: coordinates on a grid of 1e-9°, no flag type.
	{exchange.FormatFileGDB, "EPSG:4490", true, true, false, int64(1)},
	{exchange.FormatShp, "EPSG:4490", true, true, true, true}, // flags through fields.csv
	{exchange.FormatShp, "EPSG:4528", true, true, false, true},
	{exchange.FormatGPKG, "EPSG:4549", true, true, false, true},
	{exchange.FormatCSV, "EPSG:4490", true, true, false, true}, // types by quoting
	{exchange.FormatKML, "", true, false, false, "是"},          // ExtendedData is text
	{exchange.FormatKMZ, "", true, false, false, "是"},
	{exchange.FormatDXF, "EPSG:4528", true, true, false, true},
}

func requireGDAL(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ogr2ogr", "ogrinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "%s not found: install gdal-bin", tool)
		}
	}
}

// seedZones writes zones that exercise what a round trip can lose: a
// hole, two parts, the approval fields and typed free attributes.
func seedZones(t *testing.T, st *store.Store) map[string]map[string]any {
	t.Helper()
	seeded := map[string]map[string]any{}
	ctx := context.Background()
	sq := func(w, s, e, n float64) orb.Ring {
		return orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
	}
	ha := 123.4567
	for _, z := range []struct {
		name, kind, county, disp, doc string
		approved                      *float64
		geom                          orb.MultiPolygon
		attrs                         map[string]any
	}{
		{"带洞园区", "park", "331102", "保留", "丽政发〔2020〕12号", &ha,
			orb.MultiPolygon{{sq(119.90, 28.40, 119.93, 28.43), sq(119.91, 28.41, 119.915, 28.415)}},
			map[string]any{"count": int64(3), "ratio": 12.0, "note": "示例数据", "illustrative": true, "big": 2e6, "huge": int64(1234567890123456789), "批次": int64(3)}},
		{"两块工业功能区", "township", "331122", "并", "", nil,
			orb.MultiPolygon{{sq(120.05, 28.60, 120.06, 28.61)}, {sq(120.07, 28.60, 120.075, 28.605)}},
			map[string]any{"count": int64(7), "ratio": 0.25, "note": "两块", "big": 1.5}},
		{"普通功能区", "township", "331121", "提", "青政〔2019〕3号", nil,
			orb.MultiPolygon{{orb.Ring{{120.16, 28.13}, {120.171234567891, 28.1312345678912}, {120.165, 28.145}, {120.16, 28.13}}}},
			map[string]any{"count": int64(-1), "ratio": 1e-7, "note": "", "big": -3e9}},
	} {
		f := store.ZoneFields{Name: &z.name, Kind: &z.kind, CountyAdcode: &z.county, Disposition: &z.disp,
			DocumentNo: &z.doc, Geom: z.geom, Attributes: z.attrs}
		if z.approved != nil {
			f.ApprovedAreaHa = &z.approved
		}
		if _, err := st.CreateZone(ctx, f, store.Change{Actor: "test"}); err != nil {
			t.Fatalf("seed %s: %v", z.name, err)
		}
		seeded[z.name] = z.attrs
	}
	return seeded
}

// TestRoundTrip exports zones in every format that can be read back,
// imports the file into an empty database, exports again and compares the
// two exports feature by feature.
func TestRoundTrip(t *testing.T) {
	requireGDAL(t)
	ctx := context.Background()
	src := &Service{Store: store.New(testdb.New(t))}
	seeded := seedZones(t, src.Store)
	first, err := src.Layer(ctx, ExportRequest{Layer: "zones"})
	if err != nil {
		t.Fatal(err)
	}
	// The first export holds what was stored, types included: what the
	// round trips below compare against is the seed, not a loss of the store.
	for _, f := range first.Features {
		for k, v := range seeded[fmt.Sprint(f.Properties["name"])] {
			if got := f.Properties[k]; fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", v) {
				t.Errorf("%s: stored attribute %s %#v is exported as %#v", f.Properties["name"], k, v, got)
			}
		}
	}
	for _, rt := range roundTrips {
		t.Run(rt.format+"_"+rt.crs, func(t *testing.T) {
			var buf bytes.Buffer
			name, _, err := src.Export(ctx, &buf, ExportRequest{Layer: "zones"}, exchange.ExportOptions{Format: rt.format, CRS: rt.crs})
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			dst := &Service{Store: store.New(testdb.New(t))}
			p, err := dst.Inspect(ctx, path, Target{Zones: true}, exchange.ImportOptions{}, nil)
			if err != nil {
				t.Fatalf("import %s: %v", name, err)
			}
			if p.Features != len(first.Features) {
				t.Fatalf("import read %d features, want %d (warnings %v)", p.Features, len(first.Features), p.Warnings)
			}
			if _, err := dst.Commit(ctx, p, store.Change{Actor: "test"}, nil); err != nil {
				t.Fatalf("commit: %v", err)
			}
			second, err := dst.Layer(ctx, ExportRequest{Layer: "zones"})
			if err != nil {
				t.Fatal(err)
			}
			compareLayers(t, rt, first, second)
		})
	}
}

// compareLayers checks that second reproduces first, matching features by
// name.
func compareLayers(t *testing.T, rt roundTrip, first, second exchange.ExportLayer) {
	t.Helper()
	byName := map[string]exchange.Feature{}
	for _, f := range second.Features {
		byName[fmt.Sprint(f.Properties["name"])] = f
	}
	if len(second.Features) != len(first.Features) {
		t.Errorf("%d features came back, want %d", len(second.Features), len(first.Features))
	}
	for _, a := range first.Features {
		name := fmt.Sprint(a.Properties["name"])
		b, ok := byName[name]
		if !ok {
			t.Errorf("feature %s did not come back", name)
			continue
		}
		am, bm := multi(a.Geometry), multi(b.Geometry)
		if shape(am) != shape(bm) {
			t.Errorf("%s: shape %s came back as %s", name, shape(am), shape(bm))
		}
		if rt.exact && !sameRings(am, bm) {
			t.Errorf("%s: coordinates changed", name)
		}
		ma, mb := a.Properties["area_m2"].(float64), b.Properties["area_m2"].(float64)
		if d := math.Abs(ma - mb); d > 0.005+ma*1e-7 {
			t.Errorf("%s: area %.2f m² came back as %.2f m² (%.3f ppm)", name, ma, mb, d/ma*1e6)
		}
		known := []string{"kind", "disposition"}
		if rt.attrs {
			known = append(known, "county", "adcode", "document_no", "approved_area_ha")
		}
		for _, k := range known {
			if fmt.Sprint(a.Properties[k]) != fmt.Sprint(b.Properties[k]) {
				t.Errorf("%s: %s %v came back as %v", name, k, a.Properties[k], b.Properties[k])
			}
		}
		if !rt.attrs {
			continue
		}
		for _, k := range []string{"count", "ratio", "note", "illustrative", "big", "huge", "批次"} {
			va, vb := a.Properties[k], b.Properties[k]
			if va == true {
				va = rt.flag
			}
			// Integers a format cannot hold as numbers come back as their
			// text: File Geodatabase has no 64-bit integers (and a double
			// would round it), DXF's XDATA 32-bit ones only.
			if n, ok := va.(int64); ok && (rt.format == exchange.FormatFileGDB && n > 1<<53 ||
				rt.format == exchange.FormatDXF && n > 1<<31) {
				va = fmt.Sprint(n)
			}
			switch {
			case va == "" && vb == nil && rt.format == exchange.FormatShp:
				// DBF cannot tell an empty text from none
			case rt.typed && (fmt.Sprintf("%T", va) != fmt.Sprintf("%T", vb) || fmt.Sprint(va) != fmt.Sprint(vb)):
				t.Errorf("%s: attribute %s %#v came back as %#v", name, k, va, vb)
			case !rt.typed && !sameText(va, vb):
				t.Errorf("%s: attribute %s %#v came back as %#v", name, k, va, vb)
			}
		}
	}
	if rt.attrs {
		if fa, fb := fieldNames(first), fieldNames(second); fa != fb {
			t.Errorf("field order changed:\n%s\n%s", fa, fb)
		}
	}
}

// sameText compares values a format keeps as text only.
func sameText(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && (b == nil || b == "")
	}
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case string:
		var f float64
		_, err := fmt.Sscan(v, &f)
		return f, err == nil
	}
	return 0, false
}

func fieldNames(l exchange.ExportLayer) string {
	var names []string
	for _, f := range l.Fields {
		if f.Name != "imported" { // the import's own mark
			names = append(names, f.Name)
		}
	}
	return fmt.Sprint(names)
}

func multi(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// shape describes parts and holes, e.g. "2 parts, holes [0 0]".
func shape(mp orb.MultiPolygon) string {
	holes := make([]int, len(mp))
	for i, p := range mp {
		holes[i] = len(p) - 1
	}
	sort.Ints(holes)
	return fmt.Sprintf("%d parts, holes %v", len(mp), holes)
}

// sameRings says whether two multipolygons have the same rings, vertex for
// vertex, up to each ring's orientation and starting vertex (Shapefiles
// store outer rings clockwise).
func sameRings(a, b orb.MultiPolygon) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for k := range a[i] {
			if !sameRing(a[i][k], b[i][k]) {
				return false
			}
		}
	}
	return true
}

func sameRing(a, b orb.Ring) bool {
	if len(a) != len(b) || len(a) < 4 {
		return false
	}
	n := len(a) - 1 // closed rings: the last vertex repeats the first
	for _, rev := range []bool{false, true} {
		for start := 0; start < n; start++ {
			same := true
			for k := 0; k < n && same; k++ {
				j := (start + k) % n
				if rev {
					j = ((start-k)%n + n) % n
				}
				same = a[k] == b[j]
			}
			if same {
				return true
			}
		}
	}
	return false
}

// TestLayerRoundTrip exports a constraint layer, imports it as a new layer
// and exports it again: the same features, the area columns, the free
// attributes with their types, in the same order, under the layer's name.
func TestLayerRoundTrip(t *testing.T) {
	requireGDAL(t)
	ctx := context.Background()
	src := &Service{Store: store.New(testdb.New(t))}
	var features []store.LayerFeature
	for i, g := range []orb.MultiPolygon{
		{{{{119.90, 28.40}, {119.93, 28.40}, {119.93, 28.43}, {119.90, 28.40}}}},
		{{{{120.00, 28.40}, {120.02, 28.40}, {120.02, 28.42}, {120.00, 28.42}, {120.00, 28.40}}}},
	} {
		b, err := wkb.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		features = append(features, store.LayerFeature{Geom: b, Attributes: map[string]any{
			"图斑编号": fmt.Sprintf("HX-%d", i+1), "级别": int64(i + 1), "面积系数": 0.5 * float64(i+2)}})
	}
	l, _, err := src.Store.CreateLayer(ctx, store.Change{}, "生态保护红线", "exclude", "test", features, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := ExportRequest{Layer: fmt.Sprintf("layer-%d", l.ID)}
	first, err := src.Layer(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldNames(first); got != "[fid area_m2 area_mu area_ha 图斑编号 级别 面积系数]" {
		t.Errorf("fields = %s", got)
	}
	for _, format := range []string{exchange.FormatGPKG, exchange.FormatShp, exchange.FormatGeoJSON} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			name, _, err := src.Export(ctx, &buf, req, exchange.ExportOptions{Format: format, CRS: "EPSG:4528"})
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			dst := &Service{Store: store.New(testdb.New(t))}
			p, err := dst.Inspect(ctx, path, Target{LayerName: "生态保护红线", LayerKind: "exclude"}, exchange.ImportOptions{}, nil)
			if err != nil {
				t.Fatalf("import %s: %v", name, err)
			}
			res, err := dst.Commit(ctx, p, store.Change{Actor: "test"}, nil)
			if err != nil {
				t.Fatalf("commit: %v", err)
			}
			second, err := dst.Layer(ctx, ExportRequest{Layer: fmt.Sprintf("layer-%d", res.LayerID)})
			if err != nil {
				t.Fatal(err)
			}
			if fa, fb := fieldNames(first), fieldNames(second); fa != fb {
				t.Errorf("field order changed:\n%s\n%s", fa, fb)
			}
			if len(second.Features) != len(first.Features) {
				t.Fatalf("%d features came back, want %d", len(second.Features), len(first.Features))
			}
			for i, a := range first.Features {
				b := second.Features[i]
				for _, k := range []string{"图斑编号", "级别", "面积系数"} {
					if fmt.Sprintf("%#v", a.Properties[k]) != fmt.Sprintf("%#v", b.Properties[k]) {
						t.Errorf("feature %d: %s %#v came back as %#v", i+1, k, a.Properties[k], b.Properties[k])
					}
				}
				ma, mb := a.Properties["area_m2"].(float64), b.Properties["area_m2"].(float64)
				if d := math.Abs(ma - mb); d > 0.005+ma*1e-7 {
					t.Errorf("feature %d: area %.2f m² came back as %.2f m²", i+1, ma, mb)
				}
			}
		})
	}
}
