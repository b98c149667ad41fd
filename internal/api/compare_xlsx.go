package api

// The comparison of consolidation plans as an XLSX workbook
// (GET /scenarios/compare.xlsx?ids=0,3,5): the figures of GET
// /scenarios/compare, for planners who forward them or work on in Excel.
//
// Sheet 平台对比 has one row per platform and plan, the plans of one platform
// on consecutive rows: each figure stays in one column whatever the number
// of plans, so it can be filtered, sorted, summed and pivoted, and the plans
// are compared reading down a column. (Grouped columns per plan would need
// merged headers, which break Excel's filter and sort, and would grow to
// 6 × 10 columns.) Sheet 乡镇功能区处置 counts the township zones by
// disposition, one row per plan.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"wanmu/internal/policy"
	"wanmu/internal/store"
)

// Sheet names of the comparison workbook.
const (
	SheetComparePlatforms    = "平台对比"
	SheetCompareDispositions = "乡镇功能区处置"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// beijing is China Standard Time, in which planners read dates.
var beijing = time.FixedZone("UTC+8", 8*3600)

func (s *Server) compareXLSX(w http.ResponseWriter, r *http.Request) error {
	ids, err := parseCompared(r)
	if err != nil {
		return err
	}
	c, err := s.compare(r.Context(), ids)
	if err != nil {
		return err
	}
	now := time.Now().In(beijing)
	var buf bytes.Buffer // small: a few dozen rows
	if err := writeCompareXLSX(&buf, c, now); err != nil {
		return err
	}
	name := "整合方案比较_" + now.Format("20060102_1504") + ".xlsx"
	return s.stream(w, r, name, xlsxType, func(w io.Writer) error {
		_, err := buf.WriteTo(w)
		return err
	})
}

// Columns of 平台对比, in order; areas in 亩 (the policy's unit).
var comparePlatformHeader = []string{
	"平台名称", "类型", "方案", "毛面积（亩）", "扣除面积（亩）", "可开发面积（亩）", "", // the change's header names the first plan
	"达标门槛（亩）", "是否达标", "缺口（亩）", "富余（亩）", "成员功能区（个）", "地块（块）", "备注",
}

// compareLabel is how a compared column is named in the workbook.
func compareLabel(sc compareScenario) string {
	if sc.ID == store.Official {
		return "正式数据"
	}
	return sc.Name
}

// compareMark says what a plan is: a draft, based on the official data of
// its base date (as the exports of a plan say it).
func compareMark(sc compareScenario) string {
	base := ""
	if t, ok := sc.BaseAt.(time.Time); ok {
		base = "基于 " + t.In(beijing).Format("2006-01-02 15:04") + " 的正式数据，"
	}
	return "方案：" + sc.Name + "（" + base + "非正式成果）"
}

type compareStyles struct {
	title, header, text, mu, delta, count, no, total, totalMu, totalDelta, totalCount int
}

func newCompareStyles(f *excelize.File) (compareStyles, error) {
	var s compareStyles
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	mu, delta, count := "#,##0.00", "+#,##0.00;-#,##0.00;0.00", "0"
	bold := &excelize.Font{Bold: true}
	defs := []struct {
		id *int
		st excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.header, excelize.Style{Font: bold, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.text, excelize.Style{Border: border}},
		{&s.mu, excelize.Style{Border: border, CustomNumFmt: &mu}},
		{&s.delta, excelize.Style{Border: border, CustomNumFmt: &delta}},
		{&s.count, excelize.Style{Border: border, CustomNumFmt: &count}},
		{&s.no, excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "C00000"}}},
		{&s.total, excelize.Style{Border: border, Font: bold}},
		{&s.totalMu, excelize.Style{Border: border, Font: bold, CustomNumFmt: &mu}},
		{&s.totalDelta, excelize.Style{Border: border, Font: bold, CustomNumFmt: &delta}},
		{&s.totalCount, excelize.Style{Border: border, Font: bold, CustomNumFmt: &count}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.st)
		if err != nil {
			return s, err
		}
		*d.id = id
	}
	return s, nil
}

// writeCompareXLSX writes the workbook of a comparison made at now.
func writeCompareXLSX(w io.Writer, c *comparison, now time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newCompareStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetComparePlatforms); err != nil {
		return err
	}
	if err := writeComparePlatforms(f, st, c, now); err != nil {
		return fmt.Errorf("comparison workbook: %w", err)
	}
	if _, err := f.NewSheet(SheetCompareDispositions); err != nil {
		return err
	}
	if err := writeCompareDispositions(f, st, c, now); err != nil {
		return fmt.Errorf("comparison workbook: %w", err)
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// writeHead writes a sheet's title and the lines under it (what is
// compared, when); it returns the next free row.
func writeHead(f *excelize.File, st compareStyles, sh, title, last string, c *comparison, now time.Time) int {
	_ = f.SetCellValue(sh, "A1", title)
	_ = f.MergeCell(sh, "A1", last+"1")
	_ = f.SetCellStyle(sh, "A1", "A1", st.title)
	labels := make([]string, len(c.Scenarios))
	for i, sc := range c.Scenarios {
		labels[i] = compareLabel(sc)
	}
	_ = f.SetCellValue(sh, "A2", "比较："+strings.Join(labels, "；"))
	row := 3
	for _, sc := range c.Scenarios {
		if sc.ID != store.Official {
			_ = f.SetCellValue(sh, fmt.Sprintf("A%d", row), compareMark(sc))
			row++
		}
	}
	_ = f.SetCellValue(sh, fmt.Sprintf("A%d", row), "生成时间："+now.Format("2006-01-02 15:04")+"（北京时间）；正式数据为生成时的正式成果。")
	return row + 2
}

// writeComparePlatforms writes 平台对比: per platform, one row per plan.
func writeComparePlatforms(f *excelize.File, st compareStyles, c *comparison, now time.Time) error {
	sh := SheetComparePlatforms
	header := append([]string{}, comparePlatformHeader...)
	first := compareLabel(c.Scenarios[0])
	header[6] = "可开发面积较" + first + "增减（亩）"
	last, _ := excelize.ColumnNumberToName(len(header))
	hr := writeHead(f, st, sh, "产业平台整合方案比较", last, c, now)
	if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", hr), &header); err != nil {
		return err
	}
	_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", hr), fmt.Sprintf("%s%d", last, hr), st.header)
	_ = f.SetRowHeight(sh, hr, 32)

	row := hr + 1
	put := func(vals []any, styles []int) error {
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
			return err
		}
		for i, id := range styles {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			_ = f.SetCellStyle(sh, cell, cell, id)
		}
		row++
		return nil
	}
	n := len(c.Scenarios)
	type total struct {
		gross, deducted, dev, shortfall float64
		zones, parts                    int
	}
	tot := make([]total, n)
	for _, p := range c.Platforms {
		base := p.Figures[0]
		for i, fg := range p.Figures {
			label := compareLabel(c.Scenarios[i])
			if fg == nil {
				t := st.text
				if err := put([]any{p.Name, p.Role, label, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, "该方案中没有此平台"},
					[]int{t, t, t, t, t, t, t, t, t, t, t, t, t, t}); err != nil {
					return err
				}
				continue
			}
			var delta any
			if i > 0 && base != nil {
				delta = fg.DevelopableMu - base.DevelopableMu
			}
			meets, meetsStyle := "是", st.text
			if !fg.Meets {
				meets, meetsStyle = "否", st.no
			}
			note := ""
			switch {
			case base == nil && i > 0:
				note = "方案新增的平台"
			case fg.Name != p.Name:
				note = "方案中名为“" + fg.Name + "”"
			}
			vals := []any{p.Name, p.Role, label, fg.GrossMu, fg.DeductedMu, fg.DevelopableMu, delta,
				fg.ThresholdMu, meets, fg.ShortfallMu, fg.MarginMu, fg.Zones, fg.Parts, note}
			if err := put(vals, []int{st.text, st.text, st.text, st.mu, st.mu, st.mu, st.delta,
				st.mu, meetsStyle, st.mu, st.mu, st.count, st.count, st.text}); err != nil {
				return err
			}
			t := &tot[i]
			t.gross += fg.GrossMu
			t.deducted += fg.DeductedMu
			t.dev += fg.DevelopableMu
			t.shortfall += fg.ShortfallMu
			t.zones += fg.Zones
			t.parts += fg.Parts
		}
	}
	lastPlatform := row - 1
	// The totals: one row per plan, under the platforms.
	for i, sc := range c.Scenarios {
		var delta any
		if i > 0 {
			delta = sc.Developable - c.Scenarios[0].Developable
		}
		b, m, d, k := st.total, st.totalMu, st.totalDelta, st.totalCount
		vals := []any{"合计", nil, compareLabel(sc), tot[i].gross, tot[i].deducted, sc.Developable, delta,
			nil, fmt.Sprintf("%d/%d 个达标", sc.Meeting, sc.Platforms), tot[i].shortfall, nil, tot[i].zones, tot[i].parts,
			fmt.Sprintf("共 %d 个平台", sc.Platforms)}
		if err := put(vals, []int{b, b, b, m, m, m, d, b, b, m, b, k, k, b}); err != nil {
			return err
		}
	}
	notes := []string{
		"注：1. 数字与平台报告一致（同一计算、同一缓存）；面积为 CGCS2000 椭球面积，1 亩 = 2000/3 平方米。单元格内为未取整数值，显示两位小数。",
		"2. 是否达标按未取整的可开发面积与达标门槛比较；缺口为未达标平台距门槛的差额，富余为超出门槛的部分。",
		"3. 平台按正式数据中的平台对齐（方案中改名的平台在备注中注明）；方案新增的平台排在最后。",
	}
	for k, s := range notes {
		_ = f.SetCellValue(sh, fmt.Sprintf("A%d", row+1+k), s)
	}
	if lastPlatform > hr {
		_ = f.AutoFilter(sh, fmt.Sprintf("A%d:%s%d", hr, last, lastPlatform), nil)
	}
	_ = f.SetColWidth(sh, "A", "A", 22)
	_ = f.SetColWidth(sh, "B", "B", 8)
	_ = f.SetColWidth(sh, "C", "C", 30)
	_ = f.SetColWidth(sh, "D", "M", 13)
	_ = f.SetColWidth(sh, "G", "G", 18)
	_ = f.SetColWidth(sh, "N", "N", 26)
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 3, YSplit: hr,
		TopLeftCell: fmt.Sprintf("D%d", hr+1), ActivePane: "bottomRight"})
}

// writeCompareDispositions writes 乡镇功能区处置: per plan, its township zones
// by disposition (the policy's words), then all its zones.
func writeCompareDispositions(f *excelize.File, st compareStyles, c *comparison, now time.Time) error {
	sh := SheetCompareDispositions
	header := []string{"方案"}
	known := map[string]bool{}
	for _, d := range policy.Dispositions {
		header = append(header, d.Label+"（个）")
		known[d.Code] = true
	}
	other := false // a disposition outside the vocabulary (an old import) still counts
	for _, sc := range c.Scenarios {
		for d, n := range sc.Dispositions {
			other = other || (!known[d] && n > 0)
		}
	}
	if other {
		header = append(header, "其他或未填（个）")
	}
	header = append(header, "乡镇工业功能区合计（个）", "全部功能区（个）")
	last, _ := excelize.ColumnNumberToName(len(header))
	hr := writeHead(f, st, sh, "乡镇工业功能区处置方式比较", last, c, now)
	if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", hr), &header); err != nil {
		return err
	}
	_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", hr), fmt.Sprintf("%s%d", last, hr), st.header)
	_ = f.SetRowHeight(sh, hr, 32)
	for i, sc := range c.Scenarios {
		row := hr + 1 + i
		vals := []any{compareLabel(sc)}
		township, rest := 0, 0
		for d, n := range sc.Dispositions {
			township += n
			if !known[d] {
				rest += n
			}
		}
		for _, d := range policy.Dispositions {
			vals = append(vals, sc.Dispositions[d.Code])
		}
		if other {
			vals = append(vals, rest)
		}
		vals = append(vals, township, sc.Zones)
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
			return err
		}
		_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), st.text)
		_ = f.SetCellStyle(sh, fmt.Sprintf("B%d", row), fmt.Sprintf("%s%d", last, row), st.count)
	}
	row := hr + len(c.Scenarios) + 2
	_ = f.SetCellValue(sh, fmt.Sprintf("A%d", row), "处置方式：")
	for k, d := range policy.Dispositions {
		_ = f.SetCellValue(sh, fmt.Sprintf("A%d", row+1+k), d.Label+"："+d.Meaning)
	}
	_ = f.SetColWidth(sh, "A", "A", 34)
	_ = f.SetColWidth(sh, "B", last, 12)
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: hr,
		TopLeftCell: fmt.Sprintf("B%d", hr+1), ActivePane: "bottomRight"})
}
