package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// redLine is a constraint layer as the store holds it: a Chinese title, a
// 10-digit id, a version past 9999, areas with more digits than they mean,
// and free attributes of each type.
func redLine() ExportLayer {
	l := ExportLayer{Name: "layer_7", Title: "生态保护红线", Fields: []Field{
		{Name: "id", Type: FieldInteger, Title: "编号"},
		{Name: "name", Type: FieldString, Title: "名称"},
		{Name: "version", Type: FieldInteger, Title: "版本"},
		{Name: "area_m2", Type: FieldReal, Title: "面积（平方米）", Precision: 2},
		{Name: "area_mu", Type: FieldReal, Title: "面积（亩）", Precision: 4},
		{Name: "批准文号", Title: "批准文号"},
		{Name: "parcels"}, // inferred from json.Number "3": an integer
		{Name: "ratio"},   // inferred from json.Number "0.125": a real
	}}
	geoms := []orb.Geometry{
		orb.Polygon{rect(119.9000, 28.4400, 119.9100, 28.4500)},
		orb.MultiPolygon{{rect(120.1000, 28.6000, 120.1050, 28.6050)}, {rect(120.1100, 28.6000, 120.1120, 28.6030)}},
	}
	for i, g := range geoms {
		l.Features = append(l.Features, Feature{Geometry: g, Properties: map[string]any{
			"id": int64(1234567890 + i), "name": []string{"瓯江源", "好溪"}[i], "version": int64(12345 + i),
			"area_m2": 17999.979999999999563 + float64(i), "area_mu": 26.12345678 + float64(i),
			"批准文号": "浙政函〔2023〕12号", "parcels": json.Number("3"), "ratio": json.Number("0.125"),
		}})
	}
	return l
}

// ogrFields returns "name: Type (w.p)" for each field ogrinfo -so lists.
func ogrFields(t *testing.T, src, layer string, openOpts ...string) []string {
	t.Helper()
	args := []string{"-ro", "-so"}
	for _, o := range openOpts {
		args = append(args, "-oo", o)
	}
	out := runGDAL(t, "ogrinfo", append(args, src, layer)...)
	var fields []string
	re := regexp.MustCompile(`(?m)^(\S[^:\n]*): (String|Integer|Integer64|Real|Date|DateTime) \((\d+\.\d+)\)`)
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		fields = append(fields, m[1]+": "+m[2]+" ("+m[3]+")")
	}
	return fields
}

func fieldNames(fields []string) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f[:strings.Index(f, ": ")])
	}
	return out
}

func TestExportFieldLayoutShapefile(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	l := redLine()
	unzipTo(t, exportFile(t, dir, []ExportLayer{l}, ExportOptions{Format: FormatShp, CRS: CRS4528}), dir)
	shp := filepath.Join(dir, "layer_7.shp") // Shapefiles keep the ASCII name
	got := strings.Join(ogrFields(t, shp, "layer_7"), "; ")
	for _, want := range []string{"id: Integer64 (18.0)", "version: Integer64 (18.0)", "area_m2: Real (20.2)", "area_mu: Real (20.4)",
		"parcels: Integer64 (18.0)", "ratio: Real (20.3)"} {
		if !strings.Contains(got, want) {
			t.Errorf("Shapefile fields %s: lack %q", got, want)
		}
	}
	fc := readBack(t, shp, "")
	p := fc.Features[0].Properties
	if p["id"] != 1234567890.0 || p["version"] != 12345.0 || p["area_m2"] != 17999.98 || p["area_mu"] != 26.1235 {
		t.Errorf("values read back %v", p)
	}
	dbf, _ := os.ReadFile(filepath.Join(dir, "layer_7.dbf"))
	if !bytes.Contains(dbf, []byte("17999.98")) || bytes.Contains(dbf, []byte("17999.979")) {
		t.Error("DBF does not hold area_m2 as 17999.98")
	}
	table, _ := os.ReadFile(filepath.Join(dir, fieldTableName))
	if !bytes.Contains(table, []byte("批准文号")) {
		t.Error("fields.csv lacks the field 批准文号")
	}
}

func TestExportAliasesAndNames(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	l := redLine()
	gpkg := exportFile(t, dir, []ExportLayer{l}, ExportOptions{Format: FormatGPKG, CRS: CRS4549})
	if filepath.Base(gpkg) != "生态保护红线_EPSG4549.gpkg" {
		t.Errorf("download name %s", filepath.Base(gpkg))
	}
	fields := ogrFields(t, gpkg, "生态保护红线") // fails if the layer is not named by its title
	if want := "id: Integer64 (0.0)"; fields[0] != want {
		t.Errorf("first GPKG field %q, want %q", fields[0], want)
	}
	out := runGDAL(t, "ogrinfo", "-ro", "-q", gpkg, "-sql", "SELECT column_name || '=' || title FROM gpkg_data_columns WHERE table_name = '生态保护红线'")
	for _, want := range []string{"id=编号", "area_mu=面积（亩）", "批准文号=批准文号"} {
		if !strings.Contains(out, want) {
			t.Errorf("gpkg_data_columns lacks %s:\n%s", want, out)
		}
	}

	unzipTo(t, exportFile(t, dir, []ExportLayer{l}, ExportOptions{Format: FormatFileGDB, CRS: CRS4528}), dir)
	gdb := filepath.Join(dir, "生态保护红线.gdb")
	fields = ogrFields(t, gdb, "生态保护红线")
	if !contains(fields, "id: Integer (0.0)") || !contains(fields, "version: Integer (0.0)") {
		t.Errorf("FileGDB fields %v: id and version should be (32-bit) integers, which ArcGIS 10.x reads", fields)
	}
	info := runGDAL(t, "ogrinfo", "-ro", "-so", gdb, "生态保护红线")
	for _, want := range []string{`id: Integer (0.0), alternative name="编号"`, `area_mu: Real (0.0), alternative name="面积（亩）"`} {
		if !strings.Contains(info, want) {
			t.Errorf("FileGDB lacks %q:\n%s", want, info)
		}
	}
	if strings.Contains(info, `批准文号: String (0.0), alternative name`) {
		t.Error("FileGDB field 批准文号 has its own name as alias")
	}

	// Several layers: each table gets its own aliases.
	dir = t.TempDir()
	unzipTo(t, exportFile(t, dir, []ExportLayer{testZones(), testPlatforms(), l}, ExportOptions{Format: FormatFileGDB, Name: "成果"}), dir)
	for layer, want := range map[string]string{"分区": `county: String (0.0), alternative name="县（市、区）代码"`,
		"平台": `developable_mu: Real (0.0), alternative name="可开发面积（亩）"`, "生态保护红线": `version: Integer (0.0), alternative name="版本"`} {
		if info := runGDAL(t, "ogrinfo", "-ro", "-so", filepath.Join(dir, "成果.gdb"), layer); !strings.Contains(info, want) {
			t.Errorf("FileGDB layer %s lacks %q:\n%s", layer, want, info)
		}
	}
}

// TestExportFieldOrder exports the same layer twice, with its features'
// properties in different map orders, and checks that every format writes
// the fields in the order of Fields.
func TestExportFieldOrder(t *testing.T) {
	requireGDAL(t)
	want := []string{"id", "name", "version", "area_m2", "area_mu", "批准文号", "parcels", "ratio"}
	for _, format := range []string{FormatGPKG, FormatFileGDB, FormatGeoJSON, FormatCSV} {
		var runs [][]string
		for run := 0; run < 2; run++ {
			dir := t.TempDir()
			l := redLine()
			if run == 1 { // rebuild the maps: Go iterates them in another order
				for i, f := range l.Features {
					p := map[string]any{}
					for k, v := range f.Properties {
						p[k] = v
					}
					l.Features[i].Properties = p
				}
			}
			p := exportFile(t, dir, []ExportLayer{l}, ExportOptions{Format: format, CRS: CRS4490})
			src, layer := p, "生态保护红线"
			if format == FormatFileGDB {
				unzipTo(t, p, dir)
				src = filepath.Join(dir, "生态保护红线.gdb")
			}
			if format == FormatCSV {
				layer = strings.TrimSuffix(filepath.Base(p), ".csv")
			}
			got := fieldNames(ogrFields(t, src, layer))
			if format == FormatCSV {
				got = got[1:] // WKT first
			}
			runs = append(runs, got)
		}
		if strings.Join(runs[0], ",") != strings.Join(runs[1], ",") {
			t.Errorf("%s: field order differs between exports: %v and %v", format, runs[0], runs[1])
		}
		if !strings.HasPrefix(strings.Join(runs[0], ","), strings.Join(want, ",")) {
			t.Errorf("%s: fields %v, want %v first", format, runs[0], want)
		}
	}
}

func TestExportCSVTypesAndCRS(t *testing.T) {
	requireGDAL(t)
	for _, crs := range []string{CRS4528, CRS4490} {
		p := exportFile(t, t.TempDir(), []ExportLayer{redLine()}, ExportOptions{Format: FormatCSV, CRS: crs})
		b, _ := os.ReadFile(p)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if head := rows[0]; head[len(head)-1] != crsColumn {
			t.Errorf("%s: last column %q, want %q", crs, head[len(head)-1], crsColumn)
		}
		for _, r := range rows[1:] {
			if r[len(r)-1] != crs {
				t.Errorf("%s: row's crs %q", crs, r[len(r)-1])
			}
		}
	}
	// Quotes carry the type: GDAL reads integers, reals and text back.
	for _, enc := range []string{EncodingUTF8, EncodingGBK} {
		l := redLine()
		l.Fields = append(l.Fields, Field{Name: "code", Type: FieldString})
		l.Features[0].Properties["code"] = "331102"
		l.Features[0].Properties["area_mu"] = 27.0
		p := exportFile(t, t.TempDir(), []ExportLayer{l}, ExportOptions{Format: FormatCSV, CRS: CRS4549, Encoding: enc})
		b, _ := os.ReadFile(p)
		if enc == EncodingUTF8 && !bytes.Contains(b, []byte(`,1234567890,"瓯江源",12345,17999.98,27.0000,"浙政函〔2023〕12号",3,0.125,"331102",EPSG:4549`+"\r\n")) {
			t.Errorf("CSV row not typed by its quotes:\n%s", b)
		}
		got := strings.Join(ogrFields(t, p, strings.TrimSuffix(filepath.Base(p), ".csv"), "AUTODETECT_TYPE=YES", "QUOTED_FIELDS_AS_STRING=YES"), "; ")
		for _, want := range []string{"id: Integer", "version: Integer", "area_m2: Real", "area_mu: Real", "parcels: Integer", "ratio: Real", "code: String", "crs: String"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s CSV read back by GDAL: %s; lacks %q", enc, got, want)
			}
		}
	}
	l := redLine()
	l.Fields = append(l.Fields, Field{Name: "CRS"})
	if _, _, err := ExportTarget([]ExportLayer{l}, ExportOptions{Format: FormatCSV}); !isCode(err, CodeInvalidInput) {
		t.Errorf("a field named CRS in a CSV export: %v, want an error", err)
	}
}

func TestExportGeoJSONDecimals(t *testing.T) {
	requireGDAL(t)
	l := redLine()
	odd := orb.Polygon{{{119.12345678901234, 28.051234567890123}, {119.1351234, 28.0498765}, {119.1409876, 28.0601234}, {119.12345678901234, 28.051234567890123}}}
	l.Features[0].Geometry = odd
	coord := regexp.MustCompile(`\[\s*(-?\d+(?:\.(\d+))?),\s*(-?\d+(?:\.(\d+))?)\s*\]`)
	for _, crs := range []string{CRS4528, CRS4549, CRS4490, CRS4326} {
		b, _ := os.ReadFile(exportFile(t, t.TempDir(), []ExportLayer{l}, ExportOptions{Format: FormatGeoJSON, CRS: crs}))
		ms := coord.FindAllStringSubmatch(string(b), -1)
		if len(ms) == 0 {
			t.Fatalf("%s: no coordinates in\n%s", crs, b)
		}
		if crs == CRS4528 || crs == CRS4549 {
			for _, m := range ms {
				if len(m[2]) > 6 || len(m[4]) > 6 { // micrometres, not float noise
					t.Errorf("%s: coordinate %s has more than 6 decimals", crs, m[0])
					break
				}
			}
			continue
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			t.Fatal(err)
		}
		got := polygonsOf(fc.Features[0].Geometry)[0][0][0]
		if got[0] != odd[0][0][0] || got[1] != odd[0][0][1] {
			t.Errorf("%s: first vertex %v, want exactly %v", crs, got, odd[0][0])
		}
	}
	if b, _ := os.ReadFile(exportFile(t, t.TempDir(), []ExportLayer{l}, ExportOptions{Format: FormatGeoJSON})); !bytes.Contains(b, []byte(`"id": 1234567890,`)) {
		t.Errorf("GeoJSON id is not written as an integer:\n%.400s", b)
	}
}

func TestExportRefusesUnprojectable(t *testing.T) {
	requireGDAL(t)
	l := redLine()
	l.Features[1].Geometry = orb.Polygon{rect(120.1, 89.9, 120.2, 95)}
	for _, format := range []string{FormatShp, FormatGeoJSON, FormatDXF} {
		_, _, err := Export(context.Background(), &bytes.Buffer{}, []ExportLayer{l}, ExportOptions{Format: format, CRS: CRS4528})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidInput || !strings.Contains(e.Message, "生态保护红线") ||
			!strings.Contains(e.Message, "第 2 个要素（好溪）") || !strings.Contains(e.Message, "纬度") {
			t.Errorf("%s: %v, want an invalid-input error naming the layer, the feature and the latitude", format, err)
		}
	}
	if _, _, err := Export(context.Background(), &bytes.Buffer{}, []ExportLayer{l}, ExportOptions{Format: FormatGeoJSON, CRS: CRS4490}); err != nil {
		t.Errorf("lon/lat export of the same layer: %v", err)
	}
	for _, p := range []orb.Point{{120, 30}, {105, 60}, {-179, 10}, {-60, 10}} {
		_, _, _, bad := firstUnprojectable(p, 120)
		if bad != (p[0] == -60) { // -179° is 61° east of 120°E across the antimeridian
			t.Errorf("firstUnprojectable(%v) = %v", p, bad)
		}
	}
}

func isCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
