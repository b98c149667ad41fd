package exchange

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"wanmu/internal/geodesy"
)

// testTable is an area table for two platforms, one short of the threshold.
func testTable() []PlatformRow {
	return []PlatformRow{
		{
			Name: "丽水市级产业平台", Role: "一心", Counties: "莲都区",
			Members: []MemberRow{
				{Name: "丽水经济技术开发区", Kind: "开发区", County: "莲都区", Disposition: "保留", AreaM2: 7_000_000},
				{Name: "空港园", Kind: "园区", County: "莲都区", Disposition: "并", AreaM2: 1_500_000},
			},
			GrossM2: 8_400_000, OverlapM2: 100_000,
			Deductions: []Deduction{{Layer: "生态保护红线", Kind: "exclude", M2: 200_000}, {Layer: "永久基本农田", Kind: "exclude", M2: 150_000},
				{Layer: "城镇开发边界", Kind: "include", M2: 50_000}},
			DeductedM2: 380_000, DevelopableM2: 8_020_000, Parts: 2, MaxGapM: 850.5,
		},
		{
			Name: "遂松[遂昌+松阳]产业平台", Role: "三片区", Counties: "遂昌县、松阳县",
			Members: []MemberRow{{Name: "遂昌工业园区", Kind: "园区", County: "遂昌县", Disposition: "提", AreaM2: 6_660_000}},
			GrossM2: 6_660_000,
			// 9,985 mu: just short of 10,000.
			Deductions:    []Deduction{{Layer: "生态保护红线", Kind: "exclude", M2: 3333.33}},
			DeductedM2:    3333.33,
			DevelopableM2: geodesy.SquareMetresFromMu(9985),
			Parts:         1,
		},
	}
}

func TestPlatformRow(t *testing.T) {
	rows := testTable()
	if !rows[0].Meets() || rows[0].ShortfallMu() != 0 {
		t.Errorf("row 0: meets %v shortfall %v", rows[0].Meets(), rows[0].ShortfallMu())
	}
	if rows[1].Meets() || math.Abs(rows[1].ShortfallMu()-15) > 1e-9 {
		t.Errorf("row 1: meets %v shortfall %v, want false 15", rows[1].Meets(), rows[1].ShortfallMu())
	}
	r := PlatformRow{DevelopableM2: geodesy.SquareMetresFromMu(10000), ThresholdMu: 10000}
	if !r.Meets() {
		t.Error("exactly 10,000 mu must meet the threshold")
	}
	r.DevelopableM2 -= 0.001 // 0.0000015 mu short: rounding would hide it
	if r.Meets() {
		t.Error("a hair under 10,000 mu must not meet the threshold")
	}
}

func TestAreaTable(t *testing.T) {
	var buf bytes.Buffer
	date := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := AreaTable(&buf, testTable(), AreaTableOptions{Definition: "扣除生态保护红线、永久基本农田；限城镇开发边界内", Date: date}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	want := []string{SheetSummary, "丽水市级产业平台", "遂松_遂昌+松阳_产业平台", SheetNotes}
	if strings.Join(sheets, "|") != strings.Join(want, "|") {
		t.Errorf("sheets %q, want %q", sheets, want)
	}
	rows, err := f.GetRows(SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	header := rows[2]
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %q", name, header)
		return -1
	}
	for _, h := range []string{"扣除：生态保护红线（亩）", "扣除：永久基本农田（亩）", "城镇开发边界以外（亩）", "可开发面积（亩）", "可开发面积（公顷）", "是否达标", "缺口（亩）"} {
		col(h)
	}
	num := func(row []string, c int) float64 {
		v, err := strconv.ParseFloat(row[c], 64)
		if err != nil {
			t.Fatalf("cell %q: %v", row[c], err)
		}
		return v
	}
	r1, r2 := rows[3], rows[4]
	if r1[1] != "丽水市级产业平台" || r1[col("是否达标")] != "是" || r2[col("是否达标")] != "否" {
		t.Errorf("rows %q %q", r1, r2)
	}
	if got := num(r1, col("可开发面积（亩）")); math.Abs(got-12030) > 1e-6 {
		t.Errorf("developable mu %v", got)
	}
	if got := num(r1, col("可开发面积（公顷）")); math.Abs(got-802) > 1e-9 {
		t.Errorf("developable ha %v", got)
	}
	if got := num(r2, col("缺口（亩）")); math.Abs(got-15) > 1e-6 {
		t.Errorf("shortfall %v", got)
	}
	if len(r2) > col("扣除：永久基本农田（亩）") && r2[col("扣除：永久基本农田（亩）")] != "" {
		t.Errorf("a layer the platform lacks shows %q", r2[col("扣除：永久基本农田（亩）")])
	}
	if rows[5][1] != "合计" {
		t.Errorf("total row %q", rows[5])
	}
	// m² show two decimals, 亩 and 公顷 four, in rows and totals alike.
	shown, _ := f.GetRows(SheetSummary)
	for _, c := range []struct {
		head string
		dec  int
	}{{"毛面积（平方米）", 2}, {"毛面积（亩）", 4}, {"可开发面积（公顷）", 4}, {"可开发面积（平方米）", 2}} {
		for _, r := range []int{3, 5} {
			v := shown[r][col(c.head)]
			if i := strings.LastIndex(v, "."); i < 0 || len(v)-i-1 != c.dec {
				t.Errorf("%s row %d shows %q, want %d decimals", c.head, r+1, v, c.dec)
			}
		}
	}
	detail, _ := f.GetRows("丽水市级产业平台", excelize.Options{RawCellValue: true})
	if len(detail) != 2+2+3 || detail[2][1] != "丽水经济技术开发区" || detail[4][1] != "成员合计" || detail[1][7] != "面积（公顷）" {
		t.Errorf("detail sheet %q", detail)
	}
	if ha := cellFloat(t, detail[4][7]); math.Abs(ha-850) > 1e-9 {
		t.Errorf("members total %v ha, want 850", ha)
	}
	notes, _ := f.GetRows(SheetNotes)
	text := ""
	for _, r := range notes {
		text += strings.Join(r, " ") + "\n"
	}
	for _, s := range []string{"国土调查办发〔2008〕32号", "2000/3", "2025-03-01", "限城镇开发边界内"} {
		if !strings.Contains(text, s) {
			t.Errorf("notes lack %q:\n%s", s, text)
		}
	}
}

// testPackage is a handover of the test zones and platforms with one
// constraint layer, developable and deducted land; illustrative marks two
// zones and the layer as sample data.
func testPackage(illustrative bool) HandoverPackage {
	zones, platforms := testZones(), testPlatforms()
	areaFields := []Field{{Name: "platform", Type: FieldString, Title: "平台名称"}, {Name: "reason", Type: FieldString, Title: "扣除原因"},
		{Name: "area_m2", Type: FieldReal, Title: "面积（平方米）"}, {Name: "area_mu", Type: FieldReal, Title: "面积（亩）"},
		{Name: "area_ha", Type: FieldReal, Title: "面积（公顷）"}}
	feature := func(g orb.Geometry, reason string) Feature {
		m2 := areaOf(g)
		return Feature{Geometry: g, Properties: map[string]any{"platform": "丽水市级产业平台", "reason": reason,
			"area_m2": math.Round(m2*100) / 100, "area_mu": geodesy.Mu(m2), "area_ha": geodesy.Hectares(m2)}}
	}
	red := orb.Polygon{rect(119.9000, 28.4400, 119.9020, 28.4500)}
	dev := ExportLayer{Name: "developable", Title: "可开发空间", Fields: areaFields[:1:1], Features: []Feature{
		feature(orb.MultiPolygon{{rect(119.9020, 28.4400, 119.9100, 28.4500)}, zones.Features[1].Geometry.(orb.Polygon)}, "")}}
	dev.Fields = append(dev.Fields, areaFields[2:]...)
	ded := ExportLayer{Name: "deducted", Title: "扣除用地", Fields: areaFields, Features: []Feature{feature(orb.MultiPolygon{red}, "生态保护红线")}}
	layer := ExportLayer{Name: "layer_7", Title: "生态保护红线", Fields: []Field{{Name: "fid", Type: FieldInteger}, {Name: "code", Type: FieldString}},
		Features: []Feature{{Geometry: orb.MultiPolygon{red, {rect(121.0, 29.0, 121.01, 29.01)}}, Properties: map[string]any{"fid": int64(1), "code": "HX-01"}}}}
	prov := Provenance{Zones: len(zones.Features), MemberZones: 2, Platforms: 1, ZoneRevision: 41, PlatformRevision: 42,
		ZonesChangedAt: time.Date(2025, 2, 27, 9, 30, 0, 0, beijing), PlatformsChangedAt: time.Date(2025, 2, 28, 16, 5, 0, 0, beijing),
		Layers: []LayerSource{{Name: "生态保护红线", Kind: "exclude", Source: "红线.shp.zip", Version: 3, Features: 1,
			ImportedAt: time.Date(2025, 1, 10, 8, 0, 0, 0, beijing), Illustrative: illustrative}}}
	if illustrative {
		prov.IllustrativeZones = 2
	}
	return HandoverPackage{Platforms: platforms, Zones: zones, Developable: dev, Deducted: ded,
		Constraints: []ExportLayer{layer}, Table: testTable(), Provenance: prov}
}

// handoverNames are the Shapefile and GeoPackage names the package's layers
// get, by the export's own naming rule.
func handoverNames(t *testing.T, pkg HandoverPackage) (shp, gpkg []string) {
	t.Helper()
	for _, f := range []string{FormatShp, FormatGPKG} {
		j, err := newExportJob(pkg.layers(), ExportOptions{Format: f})
		if err != nil {
			t.Fatal(err)
		}
		if f == FormatShp {
			shp = j.names
		} else {
			gpkg = j.names
		}
	}
	return shp, gpkg
}

// ogrLayers opens a data source with ogrinfo and returns its layers.
func ogrLayers(t *testing.T, src string) []layerInfo {
	t.Helper()
	_, layers := parseOgrinfo(runGDAL(t, "ogrinfo", "-ro", "-so", "-al", src))
	return layers
}

func TestHandover(t *testing.T) {
	requireGDAL(t)
	for _, tc := range []struct {
		enc          string
		illustrative bool
	}{{EncodingUTF8, false}, {EncodingGBK, true}} {
		t.Run(tc.enc, func(t *testing.T) {
			dir := t.TempDir()
			var buf bytes.Buffer
			date := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
			var calls []int64
			pkg := testPackage(tc.illustrative)
			err := Handover(context.Background(), &buf, pkg, HandoverOptions{
				CRS: CRS4528, Encoding: tc.enc, Date: date, Definition: "可开发空间 = 平台范围 − (生态保护红线)",
				Progress: func(done, total int64) { calls = append(calls, done) }})
			if err != nil {
				t.Fatal(err)
			}
			checkMonotone(t, calls)
			p := filepath.Join(dir, "handover.zip")
			if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			names := unzipTo(t, p, dir)
			root := "wanmu-handover-20250301/"
			shpNames, gpkgNames := handoverNames(t, pkg)
			want := []string{"README.txt", "metadata.xml", "area_table.xlsx", "attributes.xlsx", "gpkg/wanmu.gpkg", "shp/fields.csv"}
			for _, n := range shpNames {
				for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
					want = append(want, "shp/"+n+ext)
				}
			}
			for _, w := range want {
				if !contains(names, root+w) {
					t.Errorf("package lacks %s (has %v)", w, names)
				}
			}
			base := filepath.Join(dir, root)
			layers := pkg.layers()

			// Every layer opens in GDAL, in EPSG:4528, with all its features.
			gpkg := ogrLayers(t, filepath.Join(base, "gpkg", "wanmu.gpkg"))
			if len(gpkg) != len(layers) {
				t.Fatalf("GeoPackage has %d layers, want %d", len(gpkg), len(layers))
			}
			byName := map[string]layerInfo{}
			for _, l := range gpkg {
				byName[l.Name] = l
			}
			for i, l := range layers {
				g, ok := byName[gpkgNames[i]]
				if !ok || g.Count != int64(len(l.Features)) || g.EPSG != 4528 {
					t.Errorf("gpkg layer %s: %+v, want %d features in EPSG:4528", gpkgNames[i], g, len(l.Features))
				}
				shp := ogrLayers(t, filepath.Join(base, "shp", shpNames[i]+".shp"))
				if len(shp) != 1 || shp[0].Count != int64(len(l.Features)) || shp[0].EPSG != 4528 {
					t.Errorf("shp %s: %+v, want %d features in EPSG:4528", shpNames[i], shp, len(l.Features))
				}
			}
			// The developable land read back measures its area attribute.
			fc := readBack(t, filepath.Join(base, "gpkg", "wanmu.gpkg"), gpkgNames[2])
			for i, f := range fc.Features {
				want := pkg.Developable.Features[i].Properties["area_m2"].(float64)
				if got, attr := areaOf(f.Geometry), f.Properties["area_m2"]; math.Abs(got-want) > 0.01 || attr != want {
					t.Errorf("developable %d: %.4f m² from the file, attribute %v, want %.2f", i, got, attr, want)
				}
			}

			checkHandoverReadme(t, filepath.Join(base, "README.txt"), pkg, shpNames, tc.enc, tc.illustrative)
			checkHandoverMetadata(t, filepath.Join(base, "metadata.xml"), pkg, tc.illustrative)
			checkHandoverTables(t, base, pkg)
		})
	}
}

func checkHandoverReadme(t *testing.T, path string, pkg HandoverPackage, shpNames []string, enc string, illustrative bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	must := []string{"\ufeff", "\r\n", "EPSG:4528", "CGCS2000", "国土调查办发〔2008〕32号", "2000/3", "2025年3月1日",
		"可开发空间 = 平台范围 − (生态保护红线)", // the definition
		"10000 亩", // the default threshold
		"生成日期：2025年3月1日 08:00（北京时间）",                               // 00:00 UTC, read in China
		"2025-02-27 09:30（修订记录号 41）", "2025-02-28 16:05（修订记录号 42）", // zone and platform versions
		"生态保护红线（扣除）：第 3 版，1 个要素，导入于 2025-01-10 08:00，来源：红线.shp.zip", // layer provenance
		"其中 2 个属于某一平台", "2 个未纳入任何平台", // zones described as they are
		"metadata.xml", "attributes.xlsx", "可开发空间", "扣除用地", "平方米", "公顷",
	}
	for _, n := range shpNames {
		must = append(must, "shp/"+n+".shp")
	}
	if enc == EncodingGBK {
		must = append(must, "936")
	}
	for _, s := range must {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q", s)
		}
	}
	if strings.Contains(readme, "平台成员分区，") {
		t.Error("README calls every zone a platform member")
	}
	if got := strings.Contains(readme, IllustrativeNotice); got != illustrative {
		t.Errorf("README disclaimer present = %v, want %v", got, illustrative)
	}
	if !strings.Contains(readme, "所有平台均采用默认门槛") {
		t.Error("README does not say every platform has the default threshold")
	}
}

// TestHandoverRefusesLayersWithoutProvenance: a constraint layer whose
// source is not stated would make a README that hides where figures come from.
func TestHandoverRefusesLayersWithoutProvenance(t *testing.T) {
	pkg := testPackage(false)
	pkg.Provenance.Layers = nil
	var buf bytes.Buffer
	err := Handover(context.Background(), &buf, pkg, HandoverOptions{})
	// The caller's mistake, so not an *Error a client would be shown.
	var xe *Error
	if err == nil || errors.As(err, &xe) || !strings.Contains(err.Error(), "provenance") || buf.Len() != 0 {
		t.Errorf("got %v, %d bytes written", err, buf.Len())
	}
}

func TestHandoverThresholdLine(t *testing.T) {
	d := handoverDoc{pkg: HandoverPackage{Table: []PlatformRow{{Name: "甲"}, {Name: "乙", ThresholdMu: 8000.5}}}}
	if got := d.thresholdLine(); !strings.Contains(got, "10000 亩（默认）") || !strings.Contains(got, "乙 8000.5 亩") || strings.Contains(got, "甲") {
		t.Errorf("threshold line %q", got)
	}
	d.pkg.Table[1].ThresholdMu = 0
	if got := d.thresholdLine(); !strings.Contains(got, "所有平台均采用默认门槛") {
		t.Errorf("threshold line %q", got)
	}
}

// isoMetadata reads the parts of metadata.xml the test checks.
type isoMetadata struct {
	XMLName    xml.Name `xml:"http://www.isotc211.org/2005/gmd MD_Metadata"`
	FileID     string   `xml:"fileIdentifier>CharacterString"`
	DateStamp  string   `xml:"dateStamp>DateTime"`
	EPSG       string   `xml:"referenceSystemInfo>MD_ReferenceSystem>referenceSystemIdentifier>RS_Identifier>code>CharacterString"`
	CodeSpace  string   `xml:"referenceSystemInfo>MD_ReferenceSystem>referenceSystemIdentifier>RS_Identifier>codeSpace>CharacterString"`
	Contact    string   `xml:"contact>CI_ResponsibleParty>organisationName>CharacterString"`
	Title      string   `xml:"identificationInfo>MD_DataIdentification>citation>CI_Citation>title>CharacterString"`
	Limitation []string `xml:"identificationInfo>MD_DataIdentification>resourceConstraints>MD_Constraints>useLimitation>CharacterString"`
	BBox       struct {
		West  float64 `xml:"westBoundLongitude>Decimal"`
		East  float64 `xml:"eastBoundLongitude>Decimal"`
		South float64 `xml:"southBoundLatitude>Decimal"`
		North float64 `xml:"northBoundLatitude>Decimal"`
	} `xml:"identificationInfo>MD_DataIdentification>extent>EX_Extent>geographicElement>EX_GeographicBoundingBox"`
	Statement string   `xml:"dataQualityInfo>DQ_DataQuality>lineage>LI_Lineage>statement>CharacterString"`
	Sources   []string `xml:"dataQualityInfo>DQ_DataQuality>lineage>LI_Lineage>source>LI_Source>sourceCitation>CI_Citation>title>CharacterString"`
	Editions  []string `xml:"dataQualityInfo>DQ_DataQuality>lineage>LI_Lineage>source>LI_Source>sourceCitation>CI_Citation>edition>CharacterString"`
}

func checkHandoverMetadata(t *testing.T, path string, pkg HandoverPackage, illustrative bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Well-formed: every token decodes to the end.
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("metadata.xml is not well-formed: %v", err)
		}
	}
	var m isoMetadata
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	bound, _ := pkg.extent()
	if m.EPSG != "4528" || m.CodeSpace != "EPSG" || m.Title == "" || m.Contact == "" || !strings.HasPrefix(m.DateStamp, "2025-03-01") ||
		!strings.HasPrefix(m.FileID, "wanmu-handover-20250301-") {
		t.Errorf("metadata %+v", m)
	}
	if math.Abs(m.BBox.West-bound.Min.Lon()) > 1e-6 || math.Abs(m.BBox.East-bound.Max.Lon()) > 1e-6 ||
		math.Abs(m.BBox.South-bound.Min.Lat()) > 1e-6 || math.Abs(m.BBox.North-bound.Max.Lat()) > 1e-6 || m.BBox.East < 121.01-1e-9 {
		t.Errorf("bbox %+v, want %v (the constraint layer reaches 121.01°E)", m.BBox, bound)
	}
	if len(m.Sources) != 1 || m.Sources[0] != "生态保护红线" || m.Editions[0] != "3" || !strings.Contains(m.Statement, "修订记录号 41") {
		t.Errorf("lineage sources %q editions %q statement %q", m.Sources, m.Editions, m.Statement)
	}
	if got := strings.Contains(strings.Join(m.Limitation, "|"), IllustrativeNotice); got != illustrative {
		t.Errorf("metadata disclaimer present = %v, want %v: %q", got, illustrative, m.Limitation)
	}
}

// checkHandoverTables: the area table has totals and all three units, the
// attribute workbook a 合计 row under each area column.
func checkHandoverTables(t *testing.T, base string, pkg HandoverPackage) {
	t.Helper()
	f, err := excelize.OpenFile(filepath.Join(base, "area_table.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// The sheet most often forwarded alone says when it is sample data.
	notes, _ := f.GetRows(SheetNotes)
	marked := strings.Contains(rows[1][0], IllustrativeNotice) && strings.Contains(fmt.Sprint(notes), IllustrativeNotice)
	if marked != pkg.Provenance.Illustrative() {
		t.Errorf("area table marked as sample data: %v, want %v (subtitle %q)", marked, pkg.Provenance.Illustrative(), rows[1][0])
	}
	header := rows[2]
	col := func(h string) int {
		for i, x := range header {
			if x == h {
				return i
			}
		}
		t.Fatalf("summary lacks column %q: %q", h, header)
		return -1
	}
	total := rows[3+len(pkg.Table)]
	if total[1] != "合计" {
		t.Fatalf("total row %q", total)
	}
	for _, c := range []struct {
		head string
		of   func(PlatformRow) float64
	}{
		{"毛面积（平方米）", func(r PlatformRow) float64 { return r.GrossM2 }},
		{"毛面积（公顷）", func(r PlatformRow) float64 { return geodesy.Hectares(r.GrossM2) }},
		{"可开发面积（平方米）", func(r PlatformRow) float64 { return r.DevelopableM2 }},
		{"可开发面积（亩）", func(r PlatformRow) float64 { return r.DevelopableMu() }},
		{"可开发面积（公顷）", func(r PlatformRow) float64 { return geodesy.Hectares(r.DevelopableM2) }},
	} {
		k := col(c.head)
		var sum, want float64
		for i, r := range pkg.Table {
			sum += cellFloat(t, rows[3+i][k])
			want += c.of(r)
		}
		if got := cellFloat(t, total[k]); math.Abs(got-want) > 1e-6*want || math.Abs(sum-want) > 1e-6*want {
			t.Errorf("%s: total %v, rows add to %v, want %v", c.head, got, sum, want)
		}
	}
	detail, _ := f.GetRows(pkg.Table[0].Name, excelize.Options{RawCellValue: true})
	if len(detail[1]) < 8 || detail[1][7] != "面积（公顷）" {
		t.Fatalf("member sheet header %q", detail[1])
	}
	for i, m := range pkg.Table[0].Members {
		if got := cellFloat(t, detail[2+i][7]); math.Abs(got-m.AreaM2/10000) > 1e-9 {
			t.Errorf("member %s: %v ha, want %v", m.Name, got, m.AreaM2/10000)
		}
	}

	a, err := excelize.OpenFile(filepath.Join(base, "attributes.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n := len(a.GetSheetList()); n != len(pkg.layers()) {
		t.Errorf("attribute workbook has %d sheets, want %d", n, len(pkg.layers()))
	}
	zrows, err := a.GetRows(pkg.Zones.Title, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	last := zrows[len(zrows)-1]
	if len(zrows) != 2+len(pkg.Zones.Features) || !slices.Contains(last, "合计") {
		t.Fatalf("zones sheet ends with %q (%d rows)", last, len(zrows))
	}
	for k, h := range zrows[0] {
		name := ""
		for _, fd := range pkg.Zones.Fields {
			if fd.Title == h || fd.Name == h {
				name = fd.Name
			}
		}
		if name != "area_m2" && name != "area_mu" {
			continue
		}
		var want float64
		for _, z := range pkg.Zones.Features {
			want += z.Properties[name].(float64)
		}
		if got := cellFloat(t, last[k]); math.Abs(got-want) > 1e-6 {
			t.Errorf("zones 合计 %s = %v, want %v", name, got, want)
		}
	}
}

func cellFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("cell %q: %v", s, err)
	}
	return v
}
