package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanmu/internal/api"
	"wanmu/internal/policy"
	"wanmu/internal/sample"
	"wanmu/internal/testenv"
)

// compareJSON is the answer of GET /scenarios/compare, as the page reads it.
type compareJSON struct {
	Scenarios []struct {
		ID           int64          `json:"id"`
		Name         string         `json:"name"`
		Platforms    int            `json:"platforms"`
		Meeting      int            `json:"meeting"`
		Developable  float64        `json:"developable_mu"`
		Dispositions map[string]int `json:"dispositions"`
		Zones        int            `json:"zones"`
	} `json:"scenarios"`
	Platforms []struct {
		Name    string `json:"name"`
		Role    string `json:"role"`
		Figures []*struct {
			GrossMu       float64 `json:"gross_mu"`
			DeductedMu    float64 `json:"deducted_mu"`
			DevelopableMu float64 `json:"developable_mu"`
			ThresholdMu   float64 `json:"threshold_mu"`
			Meets         bool    `json:"meets"`
			ShortfallMu   float64 `json:"shortfall_mu"`
			MarginMu      float64 `json:"margin_mu"`
			Zones         int     `json:"zones"`
			Parts         int     `json:"parts"`
		} `json:"figures"`
	} `json:"platforms"`
}

// GET /scenarios/compare.xlsx holds the figures of GET /scenarios/compare,
// cell by cell and as numbers: the official sample data and its two plans,
// platform by platform, the totals and the dispositions. GDAL opens it.
func TestCompareXLSX(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	if _, err := sample.LoadOnce(ctx, e.st, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	scs, err := e.st.ListScenarios(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"0"}
	for _, sc := range scs {
		if sc.ID != 0 && sc.RetiredAt == nil {
			ids = append(ids, itoa(sc.ID))
		}
	}
	if len(ids) != 3 {
		t.Fatalf("the sample has %d plans, want 2", len(ids)-1)
	}
	q := "ids=" + strings.Join(ids, ",")
	r := e.do(req{method: "GET", path: "/api/v1/scenarios/compare?" + q, role: "viewer"})
	if r.status != 200 {
		t.Fatalf("compare: %d %s", r.status, r.body)
	}
	var want compareJSON
	if err := json.Unmarshal(r.body, &want); err != nil {
		t.Fatal(err)
	}

	// The page adds scenario=0 to every request (the comparison is not a plan's).
	x := e.do(req{method: "GET", path: "/api/v1/scenarios/compare.xlsx?" + q + "&scenario=0", role: "viewer"})
	if x.status != 200 {
		t.Fatalf("compare.xlsx: %d %s", x.status, x.body)
	}
	if ct := x.header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := x.header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("整合方案比较_")) || !strings.Contains(cd, ".xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.body), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != api.SheetComparePlatforms || got[1] != api.SheetCompareDispositions {
		t.Fatalf("sheets %v", got)
	}

	sh := api.SheetComparePlatforms
	hr := headerRow(t, f, sh, "平台名称")
	if v := cell(t, f, sh, "A", 1); v != "产业平台整合方案比较" {
		t.Errorf("title %q", v)
	}
	head := cellsIn(t, f, sh, 2, hr-1)
	for _, sc := range want.Scenarios[1:] {
		if !strings.Contains(head, sc.Name) || !strings.Contains(head, "非正式成果") || !strings.Contains(head, "基于 ") {
			t.Errorf("the title lines do not name plan %s as a draft with its base date:\n%s", sc.Name, head)
		}
	}
	if !strings.Contains(head, "生成时间") {
		t.Errorf("the title lines do not say when the workbook was made:\n%s", head)
	}
	n := len(want.Scenarios)
	label := func(i int) string {
		if want.Scenarios[i].ID == 0 {
			return "正式数据"
		}
		return want.Scenarios[i].Name
	}
	row := hr + 1
	var absent, checked int
	for _, p := range want.Platforms {
		for i, fg := range p.Figures {
			if got := cell(t, f, sh, "A", row); got != p.Name {
				t.Fatalf("row %d: platform %q, want %q", row, got, p.Name)
			}
			if got := cell(t, f, sh, "C", row); got != label(i) {
				t.Errorf("row %d: plan %q, want %q", row, got, label(i))
			}
			if fg == nil {
				absent++
				if got := cell(t, f, sh, "F", row); got != "" || !strings.Contains(cell(t, f, sh, "N", row), "没有此平台") {
					t.Errorf("row %d: %s has no platform %s, yet F=%q N=%q", row, label(i), p.Name, got, cell(t, f, sh, "N", row))
				}
				row++
				continue
			}
			for col, v := range map[string]float64{"D": fg.GrossMu, "E": fg.DeductedMu, "F": fg.DevelopableMu, "H": fg.ThresholdMu,
				"J": fg.ShortfallMu, "K": fg.MarginMu, "L": float64(fg.Zones), "M": float64(fg.Parts)} {
				number(t, f, sh, col, row, v)
			}
			if base := p.Figures[0]; i > 0 && base != nil {
				number(t, f, sh, "G", row, fg.DevelopableMu-base.DevelopableMu)
			}
			if got, meets := cell(t, f, sh, "I", row), map[bool]string{true: "是", false: "否"}[fg.Meets]; got != meets {
				t.Errorf("row %d: meets %q, want %q", row, got, meets)
			}
			checked++
			row++
		}
	}
	if checked < 2*len(want.Platforms) || absent == 0 {
		t.Errorf("%d figures checked, %d absent: the merge plan should lack 景宁's platform", checked, absent)
	}
	for i, sc := range want.Scenarios {
		if got := cell(t, f, sh, "A", row+i); got != "合计" || cell(t, f, sh, "C", row+i) != label(i) {
			t.Errorf("row %d: %q %q, want the totals of %s", row+i, got, cell(t, f, sh, "C", row+i), label(i))
		}
		number(t, f, sh, "F", row+i, sc.Developable)
		if got := cell(t, f, sh, "I", row+i); !strings.HasPrefix(got, strconv.Itoa(sc.Meeting)+"/"+strconv.Itoa(sc.Platforms)) {
			t.Errorf("totals of %s: %q, want %d/%d meeting", label(i), got, sc.Meeting, sc.Platforms)
		}
	}

	sh = api.SheetCompareDispositions
	hr = headerRow(t, f, sh, "方案")
	cols := map[string]string{}
	for c := 2; ; c++ {
		name, _ := excelize.ColumnNumberToName(c)
		v := cell(t, f, sh, name, hr)
		if v == "" {
			break
		}
		cols[v] = name
	}
	for i := range n {
		r := hr + 1 + i
		if got := cell(t, f, sh, "A", r); got != label(i) {
			t.Errorf("dispositions row %d: %q, want %q", r, got, label(i))
		}
		township := 0
		for _, d := range policy.Dispositions {
			col := cols[d.Label+"（个）"]
			if col == "" {
				t.Fatalf("no column for %s in %v", d.Label, cols)
			}
			number(t, f, sh, col, r, float64(want.Scenarios[i].Dispositions[d.Code]))
			township += want.Scenarios[i].Dispositions[d.Code]
		}
		number(t, f, sh, cols["乡镇工业功能区合计（个）"], r, float64(township))
		number(t, f, sh, cols["全部功能区（个）"], r, float64(want.Scenarios[i].Zones))
	}

	if r := e.do(req{method: "GET", path: "/api/v1/scenarios/compare.xlsx?ids=0", role: "viewer"}); r.status != 400 || !strings.Contains(r.header.Get("Content-Type"), "problem") {
		t.Errorf("compare.xlsx?ids=0: %d %s, want a 400 problem", r.status, r.header.Get("Content-Type"))
	}

	// GDAL's XLSX driver (QGIS, ogr2ogr) reads both sheets.
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		testenv.Missing(t, "ogrinfo (GDAL) is not installed")
		return
	}
	path := filepath.Join(t.TempDir(), "compare.xlsx")
	if err := os.WriteFile(path, x.body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ogrinfo", "-ro", "-q", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), api.SheetComparePlatforms) || !strings.Contains(string(out), api.SheetCompareDispositions) {
		t.Errorf("ogrinfo: %v\n%s", err, out)
	}
}

func cell(t *testing.T, f *excelize.File, sh, col string, row int) string {
	t.Helper()
	v, err := f.GetCellValue(sh, col+strconv.Itoa(row))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// headerRow is the row whose column A says first.
func headerRow(t *testing.T, f *excelize.File, sh, first string) int {
	t.Helper()
	for r := 1; r < 20; r++ {
		if cell(t, f, sh, "A", r) == first {
			return r
		}
	}
	t.Fatalf("%s: no header row starting %q", sh, first)
	return 0
}

func cellsIn(t *testing.T, f *excelize.File, sh string, from, to int) string {
	var b strings.Builder
	for r := from; r <= to; r++ {
		b.WriteString(cell(t, f, sh, "A", r) + "\n")
	}
	return b.String()
}

// number checks that a cell is a number (not text) equal to want, to the
// 15 significant digits a spreadsheet keeps.
func number(t *testing.T, f *excelize.File, sh, col string, row int, want float64) {
	t.Helper()
	ref := col + strconv.Itoa(row)
	typ, err := f.GetCellType(sh, ref)
	if err != nil {
		t.Fatal(err)
	}
	v := cell(t, f, sh, col, row)
	got, perr := strconv.ParseFloat(v, 64)
	if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || perr != nil {
		t.Errorf("%s!%s = %q (type %v): want the number %v", sh, ref, v, typ, want)
		return
	}
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s!%s = %v, want %v", sh, ref, got, want)
	}
}
