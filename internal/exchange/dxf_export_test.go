package exchange

import (
	"bytes"
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/policy"
)

// needGDAL skips (fails under CI) a test that needs GDAL's utilities.
// dxfZones is testZones plus a zone whose hole holds an island, and a
// township zone of two parts, one of them with a hole.
func dxfZones() ExportLayer {
	l := testZones()
	add := func(g orb.Geometry, name, kind, disp string) {
		l.Features = append(l.Features, Feature{Geometry: g, Properties: map[string]any{
			"name": name, "kind": kind, "county": "331123", "disposition": disp, "members": int64(len(l.Features) + 1)}})
	}
	add(orb.MultiPolygon{
		{rect(119.50, 28.50, 119.52, 28.52), rect(119.505, 28.505, 119.515, 28.515)},
		{rect(119.508, 28.508, 119.512, 28.512)}, // an island in the hole
	}, "遂昌县金竹䶮工业功能区", "township", "撤") // 䶮 is not in GBK: written as \U+4DAE
	add(orb.MultiPolygon{
		{rect(119.30, 28.30, 119.31, 28.31), rect(119.302, 28.302, 119.304, 28.304)},
		{rect(119.32, 28.30, 119.325, 28.305)},
	}, "松阳县望松工业功能区", "township", "待定")
	return l
}

// dxfEntities reads a DXF with ogr2ogr into GeoJSON features (raw
// coordinates), optionally with GDAL's raw code values (XDATA).
func dxfEntities(t testing.TB, path string, raw bool) []Feature {
	t.Helper()
	args := []string{"-f", "GeoJSON", "-lco", "RFC7946=NO", "/vsistdout/", path}
	if raw {
		args = append([]string{"--config", "DXF_INCLUDE_RAW_CODE_VALUES", "TRUE"}, args...)
	}
	out := runGDAL(t, "ogr2ogr", args...)
	fc, err := geojson.UnmarshalFeatureCollection([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	feats := make([]Feature, len(fc.Features))
	for i, f := range fc.Features {
		feats[i] = Feature{Geometry: f.Geometry, Properties: f.Properties}
	}
	return feats
}

// TestDXFExportGDAL: GDAL opens the Go writer's DXF and finds a layer per
// kind and disposition, a hatch per polygon with its holes, a closed
// polyline per ring without the repeated vertex, and the labels.
func TestDXFExportGDAL(t *testing.T) {
	requireGDAL(t)
	zones := dxfZones()
	p := exportFile(t, t.TempDir(), []ExportLayer{zones, testPlatforms()}, ExportOptions{Format: FormatDXF})
	feats := dxfEntities(t, p, false)
	var wantPolys, wantRings int
	wantLayers := map[string]bool{"平台": true}
	for _, f := range zones.Features {
		for _, poly := range polygonsOf(f.Geometry) {
			wantPolys++
			wantRings += len(poly)
		}
		wantLayers[dxfLayerName(f.Properties["kind"].(string), f.Properties["disposition"].(string), "")] = true
	}
	wantPolys += 2 // the platform's two parts
	wantRings += 3
	var hatches, rings, holes int
	layers := map[string]bool{}
	var texts []string
	for _, f := range feats {
		layer := f.Properties[dxfLayerField].(string)
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			hatches++
			holes += len(g) - 1
			if !strings.HasSuffix(layer, dxfFillSuffix) {
				t.Errorf("hatch on layer %s", layer)
			}
		case orb.LineString:
			rings++
			layers[layer] = true
			if g[0] != g[len(g)-1] {
				t.Errorf("polyline on %s is not closed", layer)
			}
			for k := 1; k < len(g)-1; k++ {
				if g[k] == g[0] {
					t.Errorf("polyline on %s repeats its first vertex", layer)
				}
			}
		case orb.Point:
			texts = append(texts, acUnescape(stringOf(f.Properties[dxfTextField]))) // GDAL keeps \U+XXXX
		}
	}
	if hatches != wantPolys || rings != wantRings {
		t.Errorf("%d hatches and %d closed polylines, want %d and %d", hatches, rings, wantPolys, wantRings)
	}
	if holes != 4 { // three in the zones, one in the platform
		t.Errorf("hatches hold %d holes, want 4", holes)
	}
	for l := range wantLayers {
		if !layers[l] {
			t.Errorf("no boundaries on layer %s (layers %v)", l, layers)
		}
	}
	all := strings.Join(texts, "|")
	for _, f := range zones.Features {
		if !strings.Contains(all, f.Properties["name"].(string)) {
			t.Errorf("no label %s in %q", f.Properties["name"], all)
		}
	}
	if !strings.Contains(all, dxfFiguresPrefix) || !strings.Contains(all, " 亩") {
		t.Errorf("no area text in %q", all)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AC1018", "ANSI_936", "\nWANMU\n", "AcDbLayerTableRecord"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("DXF lacks %q", want)
		}
	}
	checkDXFHandles(t, b)
}

// checkDXFHandles: every handle (group 5 or 105) is unique and below
// $HANDSEED, which CAD uses for the next object it adds.
func checkDXFHandles(t *testing.T, b []byte) {
	t.Helper()
	lines := strings.Split(string(b), "\n")
	seen := map[uint64]bool{}
	var seed, top uint64
	for k := 0; k+1 < len(lines); k += 2 {
		code, val := strings.TrimSpace(lines[k]), strings.TrimSpace(lines[k+1])
		if val == "$HANDSEED" {
			seed, _ = strconv.ParseUint(strings.TrimSpace(lines[k+3]), 16, 64)
			k += 2 // its value has group code 5 too
			continue
		}
		if (code == "5" || code == "105") && seed > 0 {
			h, err := strconv.ParseUint(val, 16, 64)
			if err != nil || seen[h] {
				t.Fatalf("handle %q at line %d is not hexadecimal or repeats", val, k+2)
			}
			seen[h] = true
			top = max(top, h)
		}
	}
	if seed == 0 || top >= seed {
		t.Errorf("$HANDSEED %x, highest handle %x", seed, top)
	}
}

// TestDXFRoundTrip: export → Inspect gives the same zones: count, holes,
// parts, areas within 0.1 ppm, names, kinds and dispositions — from the
// layer scheme and labels alone (Inspect as it reads today), and with the
// XDATA (GDAL's raw code values) also the other fields with their types.
func TestDXFRoundTrip(t *testing.T) {
	requireGDAL(t)
	zones := dxfZones()
	for _, crs := range []string{CRS4528, CRS4549} {
		t.Run(crs, func(t *testing.T) {
			p := exportFile(t, t.TempDir(), []ExportLayer{zones}, ExportOptions{Format: FormatDXF, CRS: crs})
			ds, err := Inspect(context.Background(), p, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ds.SourceCRS, crs) {
				t.Errorf("read back as %s, want %s", ds.SourceCRS, crs)
			}
			if !strings.Contains(strings.Join(ds.Warnings, "\n"), "组成 6 个面（3 个带洞，3 个多部分）") {
				t.Errorf("warnings %q do not say what was made of the drawing", ds.Warnings)
			}
			compareDXFZones(t, zones, ds.Features, false)

			// The same drawing with XDATA: the importer's own grouping key.
			feats := dxfEntities(t, p, true)
			r := dxfRebuild(feats)
			use, _ := lookupCRS(map[string]int{CRS4528: 4528, CRS4549: 4549}[crs])
			for i := range r.features {
				r.features[i].Geometry = mapPoints(r.features[i].Geometry, use.toLonLat)
			}
			compareDXFZones(t, zones, r.features, true)
		})
	}
}

// compareDXFZones matches imported features to the zones by name.
func compareDXFZones(t *testing.T, zones ExportLayer, got []Feature, xdata bool) {
	t.Helper()
	if len(got) != len(zones.Features) {
		t.Fatalf("%d features, want %d", len(got), len(zones.Features))
	}
	byName := map[string]Feature{}
	for _, f := range got {
		byName[stringOf(f.Properties["name"])] = f
	}
	for _, z := range zones.Features {
		name := z.Properties["name"].(string)
		f, ok := byName[name]
		if !ok {
			t.Errorf("no feature named %s", name)
			continue
		}
		want, have := polygonsOf(z.Geometry), polygonsOf(f.Geometry)
		if len(want) != len(have) {
			t.Errorf("%s: %d parts, want %d", name, len(have), len(want))
		}
		for k := range want {
			if k < len(have) && len(want[k]) != len(have[k]) {
				t.Errorf("%s part %d: %d rings, want %d", name, k+1, len(have[k]), len(want[k]))
			}
		}
		a, b := areaOf(f.Geometry), areaOf(z.Geometry)
		if math.Abs(a-b)/b > 1e-7 {
			t.Errorf("%s: area %.4f m², want %.4f m² (%.3f ppm)", name, a, b, math.Abs(a-b)/b*1e6)
		}
		if policy.Normalise(policy.Kinds, stringOf(f.Properties["kind"])) != policy.Normalise(policy.Kinds, z.Properties["kind"].(string)) {
			t.Errorf("%s: kind %v, want %v", name, f.Properties["kind"], z.Properties["kind"])
		}
		if f.Properties["disposition"] != z.Properties["disposition"] {
			t.Errorf("%s: disposition %v, want %v", name, f.Properties["disposition"], z.Properties["disposition"])
		}
		if xdata {
			if f.Properties["county"] != z.Properties["county"] || f.Properties["members"] != z.Properties["members"] {
				t.Errorf("%s: XDATA county %v members %#v, want %v %#v", name,
					f.Properties["county"], f.Properties["members"], z.Properties["county"], z.Properties["members"])
			}
			// The areas travel too, as every format's do: an import of
			// wanmu's own file recognises them as computed (transfer).
			if f.Properties["area_mu"] != z.Properties["area_mu"] {
				t.Errorf("%s: XDATA area_mu %#v, want %#v", name, f.Properties["area_mu"], z.Properties["area_mu"])
			}
		}
	}
}

// TestDXFLayerScheme: the layer names the writer makes are read back as
// the kind and disposition, and names CAD refuses are made safe.
func TestDXFLayerScheme(t *testing.T) {
	for _, tc := range []struct{ kind, disp, title, layer, wantKind, wantDisp string }{
		{"park", "保留", "", "开发区园区_保留", "开发区/园区", "保留"},
		{"开发区/园区", "并", "", "开发区园区_并", "开发区/园区", "并"},
		{"乡镇工业功能区", "待定", "", "乡镇工业功能区_待定", "乡镇工业功能区", "待定"},
		{"", "", "生态保护红线", "生态保护红线", "", ""},
		{"", "", "a/b:c", "a-b-c", "", ""},
		{"township", "", "", "乡镇工业功能区", "乡镇工业功能区", ""},
	} {
		if got := dxfLayerName(tc.kind, tc.disp, tc.title); got != tc.layer {
			t.Errorf("dxfLayerName(%q, %q, %q) = %q, want %q", tc.kind, tc.disp, tc.title, got, tc.layer)
		}
		for _, l := range []string{tc.layer, tc.layer + dxfFillSuffix, tc.layer + dxfLabelSuffix} {
			if k, d := dxfParseLayer(l); k != tc.wantKind || d != tc.wantDisp {
				t.Errorf("dxfParseLayer(%q) = %q, %q, want %q, %q", l, k, d, tc.wantKind, tc.wantDisp)
			}
		}
	}
}

// TestDXFExportLinesPointsAndCancel: a reference layer's lines and points
// are written as open polylines and points on the layer's own CAD layer,
// a feature without geometry is skipped, and a cancelled export stops.
func TestDXFExportLinesPointsAndCancel(t *testing.T) {
	requireGDAL(t)
	ref := ExportLayer{Name: "roads", Title: "道路", Fields: []Field{{Name: "name", Type: FieldString}}, Features: []Feature{
		{Geometry: orb.LineString{{119.90, 28.44}, {119.91, 28.45}, {119.92, 28.45}}, Properties: map[string]any{"name": "丽青路"}},
		{Geometry: orb.Point{119.95, 28.46}, Properties: map[string]any{"name": "路口"}},
		{Properties: map[string]any{"name": "无几何"}},
	}}
	p := exportFile(t, t.TempDir(), []ExportLayer{ref}, ExportOptions{Format: FormatDXF, CRS: CRS4549})
	var lines, points int
	for _, f := range dxfEntities(t, p, false) {
		if f.Properties[dxfLayerField] != "道路" {
			t.Errorf("entity on layer %v, want 道路", f.Properties[dxfLayerField])
		}
		switch g := f.Geometry.(type) {
		case orb.LineString:
			lines++
			if len(g) != 3 || g[0] == g[len(g)-1] {
				t.Errorf("line %v: want the 3 vertices, open", g)
			}
			if g[0][0] > 1e6 {
				t.Errorf("EPSG:4549 easting %.1f has a zone prefix", g[0][0])
			}
		case orb.Point:
			points++
		default:
			t.Errorf("unexpected %T", g)
		}
	}
	if lines != 1 || points != 1 {
		t.Errorf("%d lines and %d points, want 1 and 1", lines, points)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if _, _, err := Export(ctx, &buf, []ExportLayer{dxfZones()}, ExportOptions{Format: FormatDXF}); err != context.Canceled || buf.Len() != 0 {
		t.Errorf("cancelled export: %v, %d bytes written", err, buf.Len())
	}
}
