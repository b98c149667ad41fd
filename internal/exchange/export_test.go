package exchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/xuri/excelize/v2"

	"wanmu/internal/geodesy"
)

// checkReadBack compares features read back from an exported file (in
// EPSG:4490) with the originals: count, names and other text, and the area
// recomputed from the file's geometry within 0.01 mu of both the original
// and the file's own area_mu attribute. rename maps file field names to
// original names.
func checkReadBack(t *testing.T, fc *geojson.FeatureCollection, want ExportLayer, rename map[string]string) {
	t.Helper()
	if len(fc.Features) != len(want.Features) {
		t.Fatalf("read back %d features, want %d", len(fc.Features), len(want.Features))
	}
	byName := map[string]Feature{}
	for _, f := range want.Features {
		byName[f.Properties["name"].(string)] = f
	}
	for i, f := range fc.Features {
		props := map[string]any{}
		for k, v := range f.Properties {
			if n, ok := rename[k]; ok {
				k = n
			}
			props[k] = v
		}
		name, _ := props["name"].(string)
		orig, ok := byName[name]
		if !ok {
			t.Errorf("feature %d: name %q is not one of the exported names (text damaged?)", i, name)
			continue
		}
		for _, k := range []string{"kind", "county", "disposition", "role"} {
			if w, ok := orig.Properties[k]; ok && fmt.Sprint(props[k]) != fmt.Sprint(w) {
				t.Errorf("%s: %s = %v, want %v", name, k, props[k], w)
			}
		}
		got := geodesy.Mu(areaOf(f.Geometry))
		wantMu := orig.Properties["area_mu"].(float64)
		if math.Abs(got-wantMu) > 0.01 {
			t.Errorf("%s: area from file %.4f mu, exported %.4f mu (diff %.4f)", name, got, wantMu, got-wantMu)
		}
		attrMu := props["area_mu"]
		if s, ok := attrMu.(string); ok { // KML <Data> values are untyped
			attrMu, _ = strconv.ParseFloat(s, 64)
		}
		if attr, ok := attrMu.(float64); ok {
			if math.Abs(attr-got) > 0.01 {
				t.Errorf("%s: area_mu attribute %.4f vs recomputed %.4f", name, attr, got)
			}
		} else {
			t.Errorf("%s: area_mu attribute missing or not a number: %#v", name, props["area_mu"])
		}
		if d := maxVertexDistance(f.Geometry, orig.Geometry); metres(d) > 0.01 {
			t.Errorf("%s: vertices moved by %.4f m", name, metres(d))
		}
	}
}

func TestExportFormats(t *testing.T) {
	requireGDAL(t)
	zones := testZones()
	crss := []string{CRS4490, CRS4326, CRS4549, CRS4528}
	for _, format := range []string{FormatGeoJSON, FormatShp, FormatGPKG, FormatFileGDB, FormatKML, FormatKMZ, FormatDXF, FormatCSV} {
		for _, crs := range crss {
			if format == FormatDXF && (crs == CRS4490 || crs == CRS4326) {
				continue
			}
			if (format == FormatKML || format == FormatKMZ) && crs != CRS4490 {
				continue
			}
			t.Run(format+"/"+crs, func(t *testing.T) {
				dir := t.TempDir()
				p := exportFile(t, dir, []ExportLayer{zones}, ExportOptions{Format: format, CRS: crs})
				wantEPSG := map[string]int{CRS4490: 4490, CRS4326: 4326, CRS4549: 4549, CRS4528: 4528}[crs]
				switch format {
				case FormatShp:
					unzipTo(t, p, dir)
					shp := filepath.Join(dir, "zones.shp")
					if got := layerEPSG(t, shp, ""); got != wantEPSG {
						t.Errorf("EPSG %d, want %d", got, wantEPSG)
					}
					rename := shpRename(t, dir)
					checkReadBack(t, readBack(t, shp, ""), zones, rename)
				case FormatFileGDB:
					unzipTo(t, p, dir)
					gdb := filepath.Join(dir, "分区.gdb") // the layer's own name, as folder and layer
					if got := layerEPSG(t, gdb, "分区"); got != wantEPSG {
						t.Errorf("EPSG %d, want %d", got, wantEPSG)
					}
					checkReadBack(t, readBack(t, gdb, "分区"), zones, nil)
				case FormatGPKG, FormatGeoJSON:
					layer := ""
					if format == FormatGPKG {
						layer = "分区"
					}
					if got := layerEPSG(t, p, layer); got != wantEPSG {
						t.Errorf("EPSG %d, want %d", got, wantEPSG)
					}
					checkReadBack(t, readBack(t, p, layer), zones, nil)
				case FormatKML, FormatKMZ:
					if got := layerEPSG(t, p, ""); got != 4326 {
						t.Errorf("EPSG %d, want 4326", got)
					}
					// GDAL reads the placemark <name> (what 奥维 and Google
					// Earth show) as Name; ExtendedData's name folds into it.
					checkReadBack(t, readBack(t, p, ""), zones, map[string]string{"Name": "name"})
					kml := readKML(t, p)
					if !strings.Contains(kml, "<name>丽水经济技术开发区</name>") || !strings.Contains(kml, `<Data name="name"><displayName>名称</displayName><value>丽水经济技术开发区</value></Data>`) {
						t.Error("KML lacks the placemark name or the name in ExtendedData")
					}
					if !strings.Contains(kml, "<name>分区</name>") {
						t.Error("KML folder is not titled 分区")
					}
				case FormatCSV:
					b, _ := os.ReadFile(p)
					if !bytes.HasPrefix(b, []byte("\ufeff")) {
						t.Error("CSV has no UTF-8 BOM; Excel would show mojibake")
					}
					checkReadBack(t, readBack(t, p, "", "-s_srs", crs, "-oo", "GEOM_POSSIBLE_NAMES=WKT", "-oo", "KEEP_GEOM_COLUMNS=NO", "-oo", "AUTODETECT_TYPE=YES"), zones, nil)
				case FormatDXF:
					ds, err := Inspect(context.Background(), p, ImportOptions{})
					if err != nil {
						t.Fatal(err)
					}
					if ds.SourceCRS[:9] != crs {
						t.Errorf("DXF read back as %s, want %s", ds.SourceCRS, crs)
					}
					checkDXF(t, ds, zones)
				}
			})
		}
	}
}

// readKML returns the KML text of a .kml or .kmz.
func readKML(t *testing.T, p string) string {
	t.Helper()
	if strings.HasSuffix(p, ".kmz") {
		dir := t.TempDir()
		names := unzipTo(t, p, dir)
		if len(names) != 1 || names[0] != "doc.kml" {
			t.Errorf("KMZ entries %v, want [doc.kml]", names)
		}
		p = filepath.Join(dir, "doc.kml")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shpRename reads fields.csv of an exported Shapefile zip.
func shpRename(t *testing.T, dir string) map[string]string {
	t.Helper()
	rows, err := readFieldTable(filepath.Join(dir, fieldTableName))
	if err != nil {
		t.Fatalf("fields.csv: %v", err)
	}
	m := map[string]string{}
	for _, r := range rows {
		if len(r.Short) > 10 || !isASCII([]byte(r.Short)) {
			t.Errorf("DBF field name %q is not ASCII ≤ 10 bytes", r.Short)
		}
		m[r.Short] = r.Name
	}
	return m
}

// checkDXF compares polygons read back from a DXF with the zones: the
// parcels come back as polygons (holes as separate rings), with their names
// from the text labels.
func checkDXF(t *testing.T, ds *Dataset, zones ExportLayer) {
	t.Helper()
	got := map[string]float64{}
	for _, f := range ds.Features {
		name, _ := f.Properties["name"].(string) // from XDATA (a wanmu drawing has no Text column)
		if name == "" {
			continue
		}
		got[name] += areaOf(f.Geometry)
	}
	for _, z := range zones.Features {
		name := z.Properties["name"].(string)
		a, ok := got[name]
		if !ok {
			t.Errorf("DXF: no polygon labelled %q (labels: %v)", name, keys(got))
			continue
		}
		// Holes and parts come back (hatches, XDATA): the whole area.
		want := areaOf(z.Geometry)
		if math.Abs(geodesy.Mu(a)-geodesy.Mu(want)) > 0.01 {
			t.Errorf("DXF %s: area %.4f mu, want %.4f mu", name, geodesy.Mu(a), geodesy.Mu(want))
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestExportShapefileEncodings(t *testing.T) {
	requireGDAL(t)
	zones := testZones()
	for _, tc := range []struct {
		enc, cpg string
		ldid     byte
	}{
		{EncodingUTF8, "UTF-8", 0},
		{EncodingGBK, "936", 0x4D},
	} {
		t.Run(tc.enc, func(t *testing.T) {
			dir := t.TempDir()
			p := exportFile(t, dir, []ExportLayer{zones, testPlatforms()}, ExportOptions{Format: FormatShp, CRS: CRS4528, Encoding: tc.enc})
			names := unzipTo(t, p, dir)
			for _, want := range []string{"zones.shp", "zones.shx", "zones.dbf", "zones.prj", "zones.cpg", "platforms.shp", "platforms.cpg", fieldTableName} {
				if !contains(names, want) {
					t.Errorf("zip lacks %s (has %v)", want, names)
				}
			}
			cpg, _ := os.ReadFile(filepath.Join(dir, "zones.cpg"))
			if strings.TrimSpace(string(cpg)) != tc.cpg {
				t.Errorf(".cpg says %q, want %q", cpg, tc.cpg)
			}
			dbf, _ := os.ReadFile(filepath.Join(dir, "zones.dbf"))
			if dbf[29] != tc.ldid {
				t.Errorf("DBF language driver id %#x, want %#x", dbf[29], tc.ldid)
			}
			gbkName, _ := gbkBytes("丽水经济技术开发区")
			if tc.enc == EncodingGBK && !bytes.Contains(dbf, gbkName) {
				t.Error("DBF does not hold the name in GBK bytes")
			}
			if tc.enc == EncodingUTF8 && !bytes.Contains(dbf, []byte("丽水经济技术开发区")) {
				t.Error("DBF does not hold the name in UTF-8 bytes")
			}
			prj, _ := os.ReadFile(filepath.Join(dir, "zones.prj"))
			if !strings.Contains(string(prj), "CGCS2000_3_Degree_GK_Zone_40") {
				t.Errorf(".prj is not the ESRI zone-40 definition: %s", prj)
			}
			rename := shpRename(t, dir)
			checkReadBack(t, readBack(t, filepath.Join(dir, "zones.shp"), ""), zones, rename)
			// And without the .cpg: the LDID (GBK) or the content (UTF-8) must still tell.
			os.Remove(filepath.Join(dir, "zones.cpg"))
			ds, err := Inspect(context.Background(), filepath.Join(dir, "zones.shp"), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := ds.Features[0].Properties["name"]; got != "丽水经济技术开发区" {
				t.Errorf("without .cpg the name reads %q", got)
			}
			if ds.Encoding != tc.enc {
				t.Errorf("Encoding %q, want %q", ds.Encoding, tc.enc)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestExportErrors(t *testing.T) {
	zones := testZones()
	withRare := testZones()
	withRare.Features[0].Properties["name"] = "𠀀字园区" // CJK Extension B, not in GBK
	mixed := testZones()
	mixed.Features[1].Geometry = orb.Point{119.9, 28.4}
	rareField := testZones() // a field name only the CSV's header holds
	rareField.Fields = append(rareField.Fields, Field{Name: "𠀀", Type: FieldReal})
	for _, tc := range []struct {
		name   string
		layers []ExportLayer
		opts   ExportOptions
		code   string
	}{
		{"unknown format", []ExportLayer{zones}, ExportOptions{Format: "mif"}, CodeInvalidOption},
		{"unknown CRS", []ExportLayer{zones}, ExportOptions{Format: FormatGPKG, CRS: "EPSG:3857"}, CodeInvalidOption},
		{"DXF in degrees", []ExportLayer{zones}, ExportOptions{Format: FormatDXF, CRS: CRS4490}, CodeInvalidOption},
		{"bad encoding", []ExportLayer{zones}, ExportOptions{Format: FormatShp, Encoding: "Big5"}, CodeInvalidOption},
		{"no layers", nil, ExportOptions{Format: FormatShp}, CodeInvalidInput},
		{"Chinese layer name", []ExportLayer{{Name: "分区"}}, ExportOptions{Format: FormatShp}, CodeInvalidInput},
		{"GBK cannot hold", []ExportLayer{withRare}, ExportOptions{Format: FormatShp, Encoding: EncodingGBK}, CodeInvalidInput},
		{"mixed geometry in shp", []ExportLayer{mixed}, ExportOptions{Format: FormatShp}, CodeInvalidInput},
		{"GBK CSV header cannot hold", []ExportLayer{rareField}, ExportOptions{Format: FormatCSV, Encoding: EncodingGBK}, CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, _, err := Export(context.Background(), &buf, tc.layers, tc.opts)
			if CodeOf(err) != tc.code {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
			var e *Error
			if errors.As(err, &e) && (e.Message == "" || e.English == "") {
				t.Errorf("error lacks a message: %+v", e)
			}
		})
	}
	// UTF-8 holds what GBK cannot.
	var buf bytes.Buffer
	if _, _, err := Export(context.Background(), &buf, []ExportLayer{withRare}, ExportOptions{Format: FormatShp}); err != nil {
		t.Fatalf("UTF-8 export of a rare character: %v", err)
	}
}

func TestExportTarget(t *testing.T) {
	z, p := testZones(), testPlatforms()
	for _, tc := range []struct {
		layers   []ExportLayer
		opts     ExportOptions
		name, ct string
	}{
		{[]ExportLayer{z}, ExportOptions{Format: FormatShp, CRS: CRS4528}, "分区_EPSG4528.shp.zip", "application/zip"},
		{[]ExportLayer{z, p}, ExportOptions{Format: FormatGPKG}, "wanmu_EPSG4490.gpkg", "application/geopackage+sqlite3"},
		{[]ExportLayer{z}, ExportOptions{Format: FormatKML, CRS: CRS4528}, "分区_WGS84.kml", "application/vnd.google-earth.kml+xml"},
		{[]ExportLayer{z, p}, ExportOptions{Format: FormatGeoJSON, Name: "丽水 平台/导出"}, "丽水 平台_导出_EPSG4490.geojson.zip", "application/zip"},
		{[]ExportLayer{z}, ExportOptions{Format: FormatCSV, Encoding: EncodingGBK}, "分区_EPSG4490.csv", "text/csv; charset=GBK"},
		{[]ExportLayer{z}, ExportOptions{Format: FormatDXF}, "分区_EPSG4528.dxf", "image/vnd.dxf"},
	} {
		name, ct, err := ExportTarget(tc.layers, tc.opts)
		if err != nil || name != tc.name || ct != tc.ct {
			t.Errorf("ExportTarget(%s) = %q, %q, %v; want %q, %q", tc.opts.Format, name, ct, err, tc.name, tc.ct)
		}
	}
}

func TestExportMultiLayerAndXLSX(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	z, p := testZones(), testPlatforms()
	gpkg := exportFile(t, dir, []ExportLayer{z, p}, ExportOptions{Format: FormatGPKG, CRS: CRS4549})
	checkReadBack(t, readBack(t, gpkg, "分区"), z, nil)
	checkReadBack(t, readBack(t, gpkg, "平台"), p, nil)
	out := runGDAL(t, "ogrinfo", "-ro", "-so", gpkg, "平台")
	if !strings.Contains(out, "Geometry: Multi Polygon") {
		t.Errorf("platforms layer is not MultiPolygon (ArcGIS needs one type):\n%s", out)
	}

	x := exportFile(t, dir, []ExportLayer{z, p}, ExportOptions{Format: FormatXLSX})
	f, err := excelize.OpenFile(x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "分区" || got[1] != "平台" {
		t.Errorf("sheets %v, want [分区 平台]", got)
	}
	rows, _ := f.GetRows("分区", excelize.Options{RawCellValue: true})
	if len(rows) < 1+len(z.Features) || rows[0][0] != "名称" || rows[1][0] != "丽水经济技术开发区" {
		t.Errorf("zone sheet rows: %v", rows)
	}
	mu := z.Features[0].Properties["area_mu"].(float64)
	if got, err := strconv.ParseFloat(rows[1][5], 64); err != nil || math.Abs(got-mu) > 1e-9 {
		t.Errorf("area_mu cell %q, want the unrounded %v", rows[1][5], mu)
	}
}

func TestExportProgress(t *testing.T) {
	requireGDAL(t)
	var calls []int64
	_, _, err := Export(context.Background(), &bytes.Buffer{}, []ExportLayer{testZones()}, ExportOptions{Format: FormatGPKG,
		Progress: func(done, total int64) {
			if total != ProgressTotal {
				t.Errorf("total %d", total)
			}
			calls = append(calls, done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	checkMonotone(t, calls)
}

func checkMonotone(t *testing.T, calls []int64) {
	t.Helper()
	if len(calls) < 2 || calls[len(calls)-1] != ProgressTotal {
		t.Fatalf("progress calls %v: want several ending at %d", calls, ProgressTotal)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] <= calls[i-1] {
			t.Fatalf("progress not increasing: %v", calls)
		}
	}
}

func TestExportEmptyLayer(t *testing.T) {
	requireGDAL(t)
	empty := ExportLayer{Name: "empty", Fields: []Field{{Name: "name", Type: FieldString}}}
	for _, f := range ListFormats() {
		var buf bytes.Buffer
		if _, _, err := Export(context.Background(), &buf, []ExportLayer{empty}, ExportOptions{Format: f.ID}); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %v, %d bytes", f.ID, err, buf.Len())
		}
	}
}
