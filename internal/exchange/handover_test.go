package exchange

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
	detail, _ := f.GetRows("丽水市级产业平台", excelize.Options{RawCellValue: true})
	if len(detail) != 2+2+3 || detail[2][1] != "丽水经济技术开发区" || detail[4][1] != "成员合计" {
		t.Errorf("detail sheet %q", detail)
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

func TestHandover(t *testing.T) {
	requireGDAL(t)
	for _, enc := range []string{EncodingUTF8, EncodingGBK} {
		t.Run(enc, func(t *testing.T) {
			dir := t.TempDir()
			var buf bytes.Buffer
			date := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
			var calls []int64
			err := Handover(context.Background(), &buf, testPlatforms(), testZones(), testTable(), HandoverOptions{
				CRS: CRS4528, Encoding: enc, Date: date, Definition: "扣除生态保护红线",
				Progress: func(done, total int64) { calls = append(calls, done) }})
			if err != nil {
				t.Fatal(err)
			}
			checkMonotone(t, calls)
			p := filepath.Join(dir, "handover.zip")
			os.WriteFile(p, buf.Bytes(), 0o600)
			names := unzipTo(t, p, dir)
			root := "wanmu-handover-20250301/"
			for _, want := range []string{"README.txt", "area_table.xlsx", "gpkg/wanmu.gpkg", "shp/zones.shp", "shp/zones.prj", "shp/zones.cpg",
				"shp/platforms.shp", "shp/platforms.dbf", "shp/fields.csv"} {
				if !contains(names, root+want) {
					t.Errorf("package lacks %s (has %v)", want, names)
				}
			}
			base := filepath.Join(dir, root)
			readme, _ := os.ReadFile(filepath.Join(base, "README.txt"))
			for _, s := range []string{"\ufeff", "EPSG:4528", "CGCS2000", "国土调查办发〔2008〕32号", "2000/3", "2025年3月1日", "\r\n", "扣除生态保护红线"} {
				if !bytes.Contains(readme, []byte(s)) {
					t.Errorf("README lacks %q", s)
				}
			}
			if enc == EncodingGBK && !bytes.Contains(readme, []byte("936")) {
				t.Error("README does not explain the GBK .cpg")
			}
			// Both formats carry both layers in EPSG:4528 with the same areas.
			gpkg := filepath.Join(base, "gpkg", "wanmu.gpkg")
			for _, layer := range []ExportLayer{testZones(), testPlatforms()} {
				if got := layerEPSG(t, gpkg, layer.Name); got != 4528 {
					t.Errorf("gpkg %s EPSG %d", layer.Name, got)
				}
				checkReadBack(t, readBack(t, gpkg, layer.Name), layer, nil)
				shp := filepath.Join(base, "shp", layer.Name+".shp")
				if got := layerEPSG(t, shp, ""); got != 4528 {
					t.Errorf("shp %s EPSG %d", layer.Name, got)
				}
				checkReadBack(t, readBack(t, shp, ""), layer, shpRename(t, filepath.Join(base, "shp")))
			}
			f, err := excelize.OpenFile(filepath.Join(base, "area_table.xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if v, _ := f.GetCellValue(SheetSummary, "B4"); v != "丽水市级产业平台" {
				t.Errorf("area table B4 = %q", v)
			}
		})
	}
}
