package transfer

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"wanmu/internal/geodesy"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/uscc"
)

// creditCode is a valid code registered in 莲都 (331102), numbered i.
func creditCode(i int) string {
	first := fmt.Sprintf("91331102MA2%06d", i)
	c, err := uscc.CheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

func rectWKT(w, s, e, n float64) string {
	return fmt.Sprintf("POLYGON((%g %g,%g %g,%g %g,%g %g,%g %g))", w, s, e, s, e, n, w, n, w, s)
}

var enterpriseHeader = []string{"序号", "统一社会信用代码", "企业名称", "县（市、区）", "规上/规下", "用地面积（亩）", "实缴税金（万元）",
	"增加值（万元）", "营业收入（万元）", "能耗（吨标准煤）", "排放当量（吨）", "用电量（万千瓦时）", "研发经费（万元）", "年平均职工人数",
	"经度", "纬度", "地块WKT"}

// countyRows are rows as a county's 经信局 writes them: a parcel straddling
// the two zones of the test, a point in the east zone, a point outside
// every zone but in 丽水; with bad, also a row for each error.
func countyRows(bad bool) [][]string {
	rows := [][]string{
		{"1", creditCode(1), "丽水跨区机械有限公司", "莲都区", "规上", "30.456", "150.5", "420", "3,600", "800", "12", "500", "90", "120", "", "", rectWKT(119.915, 28.405, 119.925, 28.41)},
		{"2", creditCode(2), "丽水东区电子有限公司", "331102", "规下", "10.5", "20", "", "300", "", "", "80", "", "25", "119.93", "28.41", ""},
		{"3", creditCode(3), "区外阀门厂", "莲都", "规上", "8", "40", "60", "500", "100", "1", "60", "5", "40", "28°18′", "119°57′", ""}, // swapped, in degrees and minutes
	}
	if bad {
		wrong := creditCode(4)
		wrong = wrong[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte(uscc.Alphabet, wrong[17])+1)%31])
		rows = append(rows,
			[]string{"4", wrong, "代码抄错的企业", "莲都区", "规上", "5", "1", "", "", "", "", "", "", "", "", "", ""},
			[]string{"5", creditCode(5), "用地为负的企业", "莲都区", "规上", "-3", "1", "", "", "", "", "", "", "", "", "", ""},
			[]string{"6", creditCode(6), "税收写错的企业", "莲都区", "规下", "4", "12..5", "", "", "", "", "", "", "", "", "", ""},
			[]string{"7", creditCode(7), "外市企业", "杭州市", "规上", "4", "1", "", "", "", "", "", "", "", "", "", ""},
			[]string{"8", creditCode(8), "位置在上海的企业", "莲都区", "规上", "4", "1", "", "", "", "", "", "", "", "121.47", "31.23", ""},
		)
	}
	return append(rows, []string{"合计", "", "", "", "", "53.5", "210.5", "", "", "", "", "", "", "", "", "", ""})
}

// gbkXLSX writes rows as an .xlsx whose XML parts are GBK-encoded and say
// so (encoding="GBK"), as some Chinese office software saves them, under a
// title row.
func gbkXLSX(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	sh := "2024年度亩均评价"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		t.Fatal(err)
	}
	// Figures are numbers shown with two decimals, as the office formats
	// them; the import reads their full value.
	twoDecimals, err := f.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		t.Fatal(err)
	}
	put := func(r int, vals []string) {
		for c, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				if err := f.SetCellFloat(sh, cell, x, -1, 64); err != nil {
					t.Fatal(err)
				}
				f.SetCellStyle(sh, cell, cell, twoDecimals)
				continue
			}
			if err := f.SetCellStr(sh, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(1, []string{"丽水市莲都区2024年度工业企业亩均效益综合评价数据表"})
	put(2, enterpriseHeader)
	for i, r := range rows {
		put(i+3, r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	// Re-encode the workbook, sheets and shared strings as GBK (the theme
	// names fonts in scripts GBK lacks, and stays UTF-8).
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	decl := regexp.MustCompile(`(?i)encoding="UTF-8"`)
	gbkParts := 0
	for _, e := range zr.File {
		rc, _ := e.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if (e.Name == "xl/workbook.xml" || e.Name == "xl/sharedStrings.xml" || strings.HasPrefix(e.Name, "xl/worksheets/")) && decl.Match(b) {
			g, err := simplifiedchinese.GBK.NewEncoder().Bytes(decl.ReplaceAll(b, []byte(`encoding="GBK"`)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(g, b) {
				gbkParts++
			}
			b = g
		}
		w, _ := zw.Create(e.Name)
		w.Write(b)
	}
	zw.Close()
	if gbkParts < 2 || bytes.Contains(out.Bytes(), []byte("统一社会信用代码")) {
		t.Fatalf("the file is not GBK: %d parts re-encoded", gbkParts)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gbkCSV(t *testing.T, path string, header []string, rows [][]string) {
	t.Helper()
	var b strings.Builder
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(c, ",\"") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	g, err := simplifiedchinese.GBK.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(g), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rectMP(w, s, e, n float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}

// TestEnterpriseImport: a county's GBK XLSX with Chinese headers under a
// title row: the mapping is guessed, each bad row is named with its sheet
// row, column and reason, and the commit is refused while they are there;
// the same table without them commits, the straddling parcel split between
// the two zones as PostGIS measures them, the point outside every zone
// listed as unplaced. A GBK CSV of the next year with Gauss-Kruger X/Y sits
// beside it.
func TestEnterpriseImport(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	svc := &Service{Store: st}
	zone := func(name string, g orb.MultiPolygon) int64 {
		k, c := "park", "331102"
		z, err := st.CreateZone(ctx, store.ZoneFields{Kind: &k, Name: &name, CountyAdcode: &c, Geom: g}, store.Change{Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return z.ID
	}
	west := zone("西区", rectMP(119.90, 28.40, 119.92, 28.42))
	east := zone("东区", rectMP(119.92, 28.40, 119.94, 28.42))
	dir := t.TempDir()

	bad := filepath.Join(dir, "bad.xlsx")
	gbkXLSX(t, bad, countyRows(true))
	p, err := svc.InspectEnterprises(ctx, bad, 2024, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Sheet != "2024年度亩均评价" || p.HeaderRow != 2 || p.Rows != 8 || p.Valid != 3 || p.ErrorRows != 5 {
		t.Fatalf("preview: sheet %q header %d rows %d valid %d errors %d %+v", p.Sheet, p.HeaderRow, p.Rows, p.Valid, p.ErrorRows, p.Errors)
	}
	want := map[string]string{"credit_code": "统一社会信用代码", "name": "企业名称", "county": "县（市、区）", "scale": "规上/规下",
		"land": "用地面积（亩）", "tax": "实缴税金（万元）", "value_added": "增加值（万元）", "revenue": "营业收入（万元）",
		"energy": "能耗（吨标准煤）", "emissions": "排放当量（吨）", "electricity": "用电量（万千瓦时）", "rd": "研发经费（万元）",
		"employees": "年平均职工人数", "lon": "经度", "lat": "纬度", "parcel": "地块WKT"}
	for code, h := range want {
		if p.Mapping.Columns[code] != h {
			t.Errorf("mapping %s = %q, want %q", code, p.Mapping.Columns[code], h)
		}
	}
	if len(p.Mapping.Columns) != len(want) {
		t.Errorf("mapping %v: 序号 is no field", p.Mapping.Columns)
	}
	wantErr := []struct {
		row   int
		field string
		text  string
	}{{6, "credit_code", "check character"}, {7, "land", "negative"}, {8, "tax", "not a number"},
		{9, "county", "not a county of 丽水"}, {10, "lon", "outside 丽水"}}
	if len(p.Errors) != len(wantErr) {
		t.Fatalf("errors %+v", p.Errors)
	}
	for i, w := range wantErr {
		e := p.Errors[i]
		if e.Row != w.row || e.Field != w.field || !strings.Contains(e.English, w.text) || e.Message == "" || e.Column != want[w.field] {
			t.Errorf("error %d = %+v, want row %d %s %q", i, e, w.row, w.field, w.text)
		}
	}
	if !strings.Contains(strings.Join(p.Warnings, " "), "合计") {
		t.Errorf("warnings %v: the sum row is skipped and said", p.Warnings)
	}
	_, err = svc.CommitEnterprises(ctx, p, "job-bad", "ann")
	var re *RowsError
	if !errors.As(err, &re) || re.Count != 5 || re.First.Row != 6 || !errors.Is(err, store.ErrInvalid) || !strings.Contains(re.Chinese(), "第 6 行") {
		t.Fatalf("commit with errors: %v", err)
	}
	if ys, _ := st.EnterpriseYears(ctx); len(ys) != 0 {
		t.Fatalf("a refused commit wrote %+v", ys)
	}

	good := filepath.Join(dir, "good.xlsx")
	gbkXLSX(t, good, countyRows(false))
	p, err = svc.InspectEnterprises(ctx, good, 2024, "")
	if err != nil || p.ErrorRows != 0 || p.Valid != 3 || p.WithParcel != 1 || p.WithPoint != 2 || p.Counties["331102"] != 3 {
		t.Fatalf("good preview: %+v %v", p, err)
	}
	res, err := svc.CommitEnterprises(ctx, p, "job-good", "ann")
	if err != nil || res.Written != 3 || res.Unplaced != 1 {
		t.Fatalf("commit: %+v %v", res, err)
	}
	all, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024})
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %v %v", all, err)
	}
	e := all[0]
	if e.CreditCode != creditCode(1) || e.Name != "丽水跨区机械有限公司" || *e.LandMu != 30.456 || *e.Revenue != 3600 || e.SourceRow != 3 || e.ImportID != "job-good" {
		t.Errorf("row 3 as stored: %+v", e)
	}
	var wWest, wEast float64
	if err := st.Pool().QueryRow(ctx, `
		SELECT ST_Area(ST_Intersection(e.parcel, w.geom)::geography) / ST_Area(e.parcel::geography),
		       ST_Area(ST_Intersection(e.parcel, x.geom)::geography) / ST_Area(e.parcel::geography)
		FROM enterprise_year e, zone w, zone x WHERE e.id = $1 AND w.id = $2 AND x.id = $3 AND w.scenario_id = 0 AND x.scenario_id = 0`,
		e.ID, west, east).Scan(&wWest, &wEast); err != nil {
		t.Fatal(err)
	}
	if len(e.Placements) != 2 {
		t.Fatalf("placements %+v", e.Placements)
	}
	got := map[int64]float64{e.Placements[0].ZoneID: e.Placements[0].Share, e.Placements[1].ZoneID: e.Placements[1].Share}
	if math.Abs(got[west]-wWest) > 1e-12 || math.Abs(got[east]-wEast) > 1e-12 || math.Abs(got[west]+got[east]-1) > 1e-9 ||
		got[west] < 0.45 || got[west] > 0.55 {
		t.Errorf("shares %v, PostGIS %v %v", got, wWest, wEast)
	}
	if pl := all[1].Placements; len(pl) != 1 || pl[0].ZoneID != east || pl[0].Share != 1 || all[1].Tax == nil || all[1].ValueAdded != nil {
		t.Errorf("point row: %+v", all[1])
	}
	un, err := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2024, Unplaced: true})
	if err != nil || len(un) != 1 || un[0].Name != "区外阀门厂" || un[0].Location == nil || math.Abs(un[0].Location[0]-119.95) > 1e-9 || math.Abs(un[0].Location[1]-28.30) > 1e-9 {
		t.Errorf("unplaced: %+v %v", un, err)
	}

	if again, err := svc.InspectEnterprises(ctx, good, 2024, ""); err != nil || again.Existing != 3 || again.Replaces != 3 {
		t.Errorf("the same table again: existing %d, replaces %d, %v", again.Existing, again.Replaces, err)
	}

	// 2025 as GBK CSV: X/Y in Gauss-Kruger zone 40 with its prefix, land
	// in 平方米, tax in 元, one enterprise of 2024 again.
	n, eE := geodesy.ToGaussKruger(119.93, 28.41, 120)
	csvPath := filepath.Join(dir, "2025.csv")
	gbkCSV(t, csvPath, []string{"统一社会信用代码", "企业名称", "企业规模", "用地面积（平方米）", "税收（元）", "X", "Y"}, [][]string{
		{creditCode(2), "丽水东区电子有限公司", "规模以下", "7000", "250000", fmt.Sprintf("%.3f", n), fmt.Sprintf("%.3f", eE+40e6)},
		{strings.ToLower(creditCode(9)), "新投产企业", "规上", "6,666.67", "", "", ""},
	})
	p, err = svc.InspectEnterprises(ctx, csvPath, 2025, "")
	if err != nil || p.Encoding != "GBK" || p.ErrorRows != 0 || p.Valid != 2 || p.Existing != 0 || p.Replaces != 0 {
		t.Fatalf("csv preview: %+v %v", p, err)
	}
	res, err = svc.CommitEnterprises(ctx, p, "job-csv", "bob")
	if err != nil || res.Written != 2 || res.Unplaced != 1 {
		t.Fatalf("csv commit: %+v %v", res, err)
	}
	c25, _ := st.ListEnterprises(ctx, store.EnterpriseFilter{Year: 2025})
	if len(c25) != 2 || c25[0].County != "331102" || c25[0].Scale != "规下" || math.Abs(*c25[0].LandMu-10.5) > 1e-9 ||
		math.Abs(*c25[0].Tax-25) > 1e-9 || c25[0].Location == nil ||
		math.Abs(c25[0].Location[0]-119.93) > 1e-8 || math.Abs(c25[0].Location[1]-28.41) > 1e-8 ||
		len(c25[0].Placements) != 1 || c25[0].Placements[0].ZoneID != east || c25[1].CreditCode != creditCode(9) {
		t.Errorf("2025: %+v", c25)
	}
	ys, _ := st.EnterpriseYears(ctx)
	if len(ys) != 2 || ys[0].Year != 2025 || ys[1].Enterprises != 3 {
		t.Errorf("years: %+v", ys)
	}

	// A table without the required columns says which.
	miss := filepath.Join(dir, "miss.csv")
	gbkCSV(t, miss, []string{"企业名称", "税收（万元）"}, [][]string{{"某企业", "1"}})
	p, err = svc.InspectEnterprises(ctx, miss, 2025, "")
	if err != nil || p.ErrorRows != 1 || !strings.Contains(p.Errors[0].Message, "统一社会信用代码") || !strings.Contains(p.Errors[0].Message, "用地面积") {
		t.Fatalf("missing columns: %+v %v", p, err)
	}
	// The editor maps what the guess missed, and a default county.
	p, err = svc.InspectEnterprises(ctx, good, 2026, "")
	if err != nil {
		t.Fatal(err)
	}
	m := p.Mapping
	m.Columns = map[string]string{"credit_code": "统一社会信用代码", "name": "企业名称", "land": "用地面积（亩）", "scale": "规上/规下"}
	m.DefaultCounty = "青田"
	if err := p.Remap(ctx, m); err != nil || p.ErrorRows != 0 || p.Counties["331121"] != 3 || p.WithPoint+p.WithParcel != 0 {
		t.Fatalf("remap: %+v %v", p, err)
	}
	if err := p.Remap(ctx, EnterpriseMapping{Columns: map[string]string{"land": "面积"}}); err == nil || !strings.Contains(err.Error(), "no column") {
		t.Errorf("remap to a missing column: %v", err)
	}
}
