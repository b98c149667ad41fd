package exchange

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"wanmu/internal/geodesy"
)

// DefaultThresholdMu is the developable area a major platform must reach.
const DefaultThresholdMu = 10000.0

// PlatformRow is one platform's line of the area table, filled by the
// caller from the report. Areas are CGCS2000 ellipsoidal square metres,
// unrounded; the table rounds only for display.
type PlatformRow struct {
	Name          string
	Role          string // 一心, 两翼, 三片区, …
	Counties      string // "遂昌县、松阳县"
	Members       []MemberRow
	GrossM2       float64     // area of the dissolved platform
	OverlapM2     float64     // Σ member areas − gross
	Deductions    []Deduction // per constraint layer in force, in display order
	DeductedM2    float64     // all layers together: gross − developable
	DevelopableM2 float64
	ThresholdMu   float64 // 0 means DefaultThresholdMu
	Parts         int     // separate parts of the platform
	MaxGapM       float64 // largest gap between parts, metres
}

// Deduction is the area of a platform one constraint layer removes on its
// own. Layers may overlap each other, so these do not add up to DeductedM2.
type Deduction struct {
	Layer string  // e.g. "生态保护红线"
	Kind  string  // "exclude", or "include" (only land inside counts)
	M2    float64 // area removed, m²
}

// MemberRow is one member zone of a platform, for the detail sheets.
type MemberRow struct {
	Name        string
	Kind        string // 开发区/园区, 乡镇工业功能区
	County      string
	Disposition string // 保留/并/提/撤/转
	AreaM2      float64
}

// Threshold returns the platform's threshold in mu.
func (r PlatformRow) Threshold() float64 {
	if r.ThresholdMu > 0 {
		return r.ThresholdMu
	}
	return DefaultThresholdMu
}

// DevelopableMu returns the developable area in mu, unrounded.
func (r PlatformRow) DevelopableMu() float64 { return geodesy.Mu(r.DevelopableM2) }

// Meets reports whether the unrounded developable area reaches the threshold.
func (r PlatformRow) Meets() bool { return r.DevelopableMu() >= r.Threshold() }

// ShortfallMu returns how many mu are missing, 0 when the threshold is met.
func (r PlatformRow) ShortfallMu() float64 { return max(0, r.Threshold()-r.DevelopableMu()) }

// AreaTableOptions describe the table's context.
type AreaTableOptions struct {
	Title      string    // "" means "产业平台可开发空间面积表"
	Definition string    // the definition in force: layers switched on, their kinds
	CRS        string    // CRS of the geometry delivered with the table, if any
	Date       time.Time // zero means today
	// Illustrative marks a table computed from sample data: the summary's
	// subtitle and the notes say so (the sheet most often forwarded alone).
	Illustrative bool
}

// Sheet names of the area table.
const (
	SheetSummary = "平台面积汇总"
	SheetNotes   = "说明"
)

// AreaTable writes the XLSX area table: a summary sheet with one row per
// platform (gross, overlap, per-layer deductions, developable in mu and ha,
// threshold, meets, shortfall), one detail sheet per platform listing its
// member zones, and a notes sheet with the method and the definition.
func AreaTable(w io.Writer, rows []PlatformRow, opts AreaTableOptions) error {
	if opts.Title == "" {
		opts.Title = "产业平台可开发空间面积表"
	}
	if opts.Date.IsZero() {
		opts.Date = time.Now()
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newTableStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	if err := writeSummary(f, st, rows, opts); err != nil {
		return fmt.Errorf("area table summary: %w", err)
	}
	names := map[string]bool{SheetSummary: true, SheetNotes: true}
	for i, r := range rows {
		name := uniqueSheetName(r.Name, fmt.Sprintf("平台%d", i+1), names)
		if err := writeMembers(f, st, name, r); err != nil {
			return fmt.Errorf("area table sheet %s: %w", name, err)
		}
	}
	if err := writeNotes(f, st, opts); err != nil {
		return fmt.Errorf("area table notes: %w", err)
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// tableStyles are the cell styles of the tables.
type tableStyles struct {
	title, header, text, number, integer, total, totalNumber, no int
	number4, totalNumber4                                        int // 亩 and 公顷: four decimals
}

// fourDecimals says whether a column (by its header) shows four decimals:
// areas in 亩 and 公顷 do, square metres and everything else two.
func fourDecimals(header string) bool {
	return strings.Contains(header, "亩") || strings.Contains(header, "公顷")
}

func newTableStyles(f *excelize.File) (tableStyles, error) {
	var s tableStyles
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	num, num4 := "#,##0.00", "#,##0.0000"
	intFmt := "0"
	defs := []struct {
		id *int
		st excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.text, excelize.Style{Border: border}},
		{&s.number, excelize.Style{Border: border, CustomNumFmt: &num}},
		{&s.integer, excelize.Style{Border: border, CustomNumFmt: &intFmt}},
		{&s.total, excelize.Style{Border: border, Font: &excelize.Font{Bold: true}}},
		{&s.totalNumber, excelize.Style{Border: border, Font: &excelize.Font{Bold: true}, CustomNumFmt: &num}},
		{&s.number4, excelize.Style{Border: border, CustomNumFmt: &num4}},
		{&s.totalNumber4, excelize.Style{Border: border, Font: &excelize.Font{Bold: true}, CustomNumFmt: &num4}},
		{&s.no, excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "C00000"}}},
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

// deductionColumns lists the constraint layers of all rows in first-seen
// order with their kinds.
func deductionColumns(rows []PlatformRow) []Deduction {
	var cols []Deduction
	seen := map[string]bool{}
	for _, r := range rows {
		for _, d := range r.Deductions {
			if !seen[d.Layer] {
				seen[d.Layer] = true
				cols = append(cols, Deduction{Layer: d.Layer, Kind: d.Kind})
			}
		}
	}
	return cols
}

func deductionHeader(d Deduction) string {
	if d.Kind == "include" {
		return d.Layer + "以外（亩）"
	}
	return "扣除：" + d.Layer + "（亩）"
}

// writeSummary writes the one-row-per-platform sheet.
func writeSummary(f *excelize.File, st tableStyles, rows []PlatformRow, opts AreaTableOptions) error {
	sh := SheetSummary
	cols := deductionColumns(rows)
	header := []string{"序号", "平台名称", "类型", "涉及县（市、区）", "成员数", "毛面积（平方米）", "毛面积（亩）", "毛面积（公顷）", "成员重叠（亩）"}
	for _, d := range cols {
		header = append(header, deductionHeader(d))
	}
	header = append(header, "合计扣除（亩）", "可开发面积（平方米）", "可开发面积（亩）", "可开发面积（公顷）", "达标门槛（亩）", "是否达标", "缺口（亩）", "地块数", "最大间距（米）")
	last, _ := excelize.ColumnNumberToName(len(header))
	var fourCols []int // 1-based columns in 亩 or 公顷
	for i, h := range header {
		if fourDecimals(h) && h != "达标门槛（亩）" {
			fourCols = append(fourCols, i+1)
		}
	}
	if err := f.SetCellValue(sh, "A1", opts.Title); err != nil {
		return err
	}
	_ = f.MergeCell(sh, "A1", last+"1")
	_ = f.SetCellStyle(sh, "A1", "A1", st.title)
	sub := "面积为 CGCS2000 椭球面积（国土调查办发〔2008〕32号公式）；1 亩 = 2000/3 平方米，15 亩 = 1 公顷；日期 " + opts.Date.Format("2006-01-02")
	if opts.Illustrative {
		sub = "【" + IllustrativeNotice + "】" + sub
	}
	_ = f.SetCellValue(sh, "A2", sub)
	_ = f.MergeCell(sh, "A2", last+"2")
	if err := setRow(f, sh, 3, toAny(header), st.header); err != nil {
		return err
	}
	_ = f.SetRowHeight(sh, 3, 32)
	var tot struct {
		gross, overlap, deducted, dev float64
		layer                         []float64
		members                       int
	}
	tot.layer = make([]float64, len(cols))
	for i, r := range rows {
		vals := []any{i + 1, r.Name, r.Role, r.Counties, len(r.Members), r.GrossM2, geodesy.Mu(r.GrossM2), geodesy.Hectares(r.GrossM2), geodesy.Mu(r.OverlapM2)}
		byLayer := map[string]float64{}
		has := map[string]bool{}
		for _, d := range r.Deductions {
			byLayer[d.Layer] += d.M2
			has[d.Layer] = true
		}
		for k, d := range cols {
			if has[d.Layer] {
				vals = append(vals, geodesy.Mu(byLayer[d.Layer]))
				tot.layer[k] += byLayer[d.Layer]
			} else {
				vals = append(vals, nil)
			}
		}
		meets := "否"
		if r.Meets() {
			meets = "是"
		}
		vals = append(vals, geodesy.Mu(r.DeductedM2), r.DevelopableM2, r.DevelopableMu(), geodesy.Hectares(r.DevelopableM2), r.Threshold(), meets, r.ShortfallMu(), r.Parts, r.MaxGapM)
		row := 4 + i
		if err := setRow(f, sh, row, vals, st.number); err != nil {
			return err
		}
		styleCells(f, sh, row, fourCols, st.number4)
		styleCells(f, sh, row, []int{1, 5, len(vals) - 1}, st.integer)
		styleCells(f, sh, row, []int{2, 3, 4}, st.text)
		if !r.Meets() {
			styleCells(f, sh, row, []int{len(vals) - 3}, st.no)
		} else {
			styleCells(f, sh, row, []int{len(vals) - 3}, st.text)
		}
		tot.gross += r.GrossM2
		tot.overlap += r.OverlapM2
		tot.deducted += r.DeductedM2
		tot.dev += r.DevelopableM2
		tot.members += len(r.Members)
	}
	row := 4 + len(rows)
	vals := []any{nil, "合计", nil, nil, tot.members, tot.gross, geodesy.Mu(tot.gross), geodesy.Hectares(tot.gross), geodesy.Mu(tot.overlap)}
	for k := range cols {
		vals = append(vals, geodesy.Mu(tot.layer[k]))
	}
	vals = append(vals, geodesy.Mu(tot.deducted), tot.dev, geodesy.Mu(tot.dev), geodesy.Hectares(tot.dev), nil, nil, nil, nil, nil)
	if err := setRow(f, sh, row, vals, st.totalNumber); err != nil {
		return err
	}
	styleCells(f, sh, row, fourCols, st.totalNumber4)
	styleCells(f, sh, row, []int{1, 2, 3, 4, 5}, st.total)
	notes := []string{
		"注：1. 各图层的扣除面积是该图层单独扣除的面积；图层之间可能重叠，逐项相加不等于合计扣除。",
		"2. 成员重叠 = 各成员分区面积之和 − 平台（合并后）面积，表示成员之间重复划定的用地，需核查。",
		"3. 是否达标按未取整的可开发面积与门槛比较；表中平方米显示两位小数，亩和公顷显示四位小数，单元格内为未取整数值。",
	}
	if opts.Definition != "" {
		notes = append(notes, "4. 计算口径："+opts.Definition)
	}
	for k, n := range notes {
		_ = f.SetCellValue(sh, fmt.Sprintf("A%d", row+2+k), n)
	}
	_ = f.SetColWidth(sh, "A", "A", 6)
	_ = f.SetColWidth(sh, "B", "B", 28)
	_ = f.SetColWidth(sh, "C", "C", 10)
	_ = f.SetColWidth(sh, "D", "D", 22)
	_ = f.SetColWidth(sh, "E", last, 14)
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: 3, TopLeftCell: "C4", ActivePane: "bottomRight"})
}

// writeMembers writes one platform's detail sheet.
func writeMembers(f *excelize.File, st tableStyles, sh string, r PlatformRow) error {
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	_ = f.SetCellValue(sh, "A1", r.Name+" 成员分区")
	_ = f.MergeCell(sh, "A1", "H1")
	_ = f.SetCellStyle(sh, "A1", "A1", st.title)
	if err := setRow(f, sh, 2, []any{"序号", "分区名称", "类型", "县（市、区）", "处置方式", "面积（平方米）", "面积（亩）", "面积（公顷）"}, st.header); err != nil {
		return err
	}
	areas := func(m2 float64) []any { return []any{m2, geodesy.Mu(m2), geodesy.Hectares(m2)} }
	var sum float64
	for i, m := range r.Members {
		row := 3 + i
		if err := setRow(f, sh, row, append([]any{i + 1, m.Name, m.Kind, m.County, m.Disposition}, areas(m.AreaM2)...), st.text); err != nil {
			return err
		}
		styleCells(f, sh, row, []int{6}, st.number)
		styleCells(f, sh, row, []int{7, 8}, st.number4)
		styleCells(f, sh, row, []int{1}, st.integer)
		sum += m.AreaM2
	}
	row := 3 + len(r.Members)
	for k, line := range []struct {
		label string
		m2    float64
	}{{"成员合计", sum}, {"平台（合并后）", r.GrossM2}, {"成员重叠", r.OverlapM2}} {
		if err := setRow(f, sh, row+k, append([]any{nil, line.label, nil, nil, nil}, areas(line.m2)...), st.total); err != nil {
			return err
		}
		styleCells(f, sh, row+k, []int{6}, st.totalNumber)
		styleCells(f, sh, row+k, []int{7, 8}, st.totalNumber4)
	}
	_ = f.SetColWidth(sh, "A", "A", 6)
	_ = f.SetColWidth(sh, "B", "B", 30)
	_ = f.SetColWidth(sh, "C", "E", 14)
	_ = f.SetColWidth(sh, "F", "H", 18)
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
}

// writeNotes writes the method sheet.
func writeNotes(f *excelize.File, st tableStyles, opts AreaTableOptions) error {
	sh := SheetNotes
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	lines := [][2]string{
		{"表名", opts.Title},
		{"日期", opts.Date.Format("2006-01-02")},
	}
	if opts.Illustrative {
		lines = append(lines, [2]string{"数据性质", IllustrativeNotice + "：面积与是否达标仅供演示，不得用于规划审批、用地报批或统计上报"})
	}
	lines = append(lines, [][2]string{
		{"面积计算方法", "CGCS2000 椭球面积（a = 6378137 m，1/f = 298.257222101），按《第二次全国土地调查技术规程》椭球面积公式（国土调查办发〔2008〕32号）计算，与三调一致；不是高斯投影平面面积"},
		{"面积单位", "1 亩 = 2000/3 平方米（0.0015 亩/平方米）；15 亩 = 1 公顷；10000 亩 = 666.67 公顷"},
		{"达标标准", "可开发空间不少于门槛（默认 10000 亩），按未取整数值比较"},
	}...)
	if opts.CRS != "" {
		lines = append(lines, [2]string{"图形坐标系", opts.CRS})
	}
	if opts.Definition != "" {
		lines = append(lines, [2]string{"计算口径", opts.Definition})
	}
	lines = append(lines, [2]string{"说明", "在 ArcGIS/QGIS 中用投影坐标计算的平面面积会比椭球面积略大（离中央经线越远越大），以本表为准"})
	for i, l := range lines {
		if err := setRow(f, sh, i+1, []any{l[0], l[1]}, st.text); err != nil {
			return err
		}
		styleCells(f, sh, i+1, []int{1}, st.header)
	}
	_ = f.SetColWidth(sh, "A", "A", 16)
	return f.SetColWidth(sh, "B", "B", 100)
}

// setRow writes values from column A of row and styles them.
func setRow(f *excelize.File, sh string, row int, vals []any, style int) error {
	cell := fmt.Sprintf("A%d", row)
	if err := f.SetSheetRow(sh, cell, &vals); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(max(len(vals), 1))
	return f.SetCellStyle(sh, cell, fmt.Sprintf("%s%d", last, row), style)
}

// styleCells styles the given 1-based columns of a row.
func styleCells(f *excelize.File, sh string, row int, cols []int, style int) {
	for _, c := range cols {
		name, err := excelize.ColumnNumberToName(c)
		if err != nil {
			continue
		}
		cell := fmt.Sprintf("%s%d", name, row)
		_ = f.SetCellStyle(sh, cell, cell, style)
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// uniqueSheetName makes a valid, unused sheet name: at most 31 characters,
// none of []:*?/\ and not blank.
func uniqueSheetName(name, fallback string, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < 0x20 {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	clean = strings.Trim(clean, "'")
	if clean == "" {
		clean = fallback
	}
	clean = truncateRunes(clean, 31)
	cand := clean
	for k := 2; used[strings.ToLower(cand)]; k++ {
		suffix := fmt.Sprintf("(%d)", k)
		cand = truncateRunes(clean, 31-utf8.RuneCountInString(suffix)) + suffix
	}
	used[strings.ToLower(cand)] = true
	return cand
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// writeXLSX writes the layers' attributes, one sheet per layer, streaming
// rows so that large layers fit in memory.
func (j *exportJob) writeXLSX(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newTableStyles(f)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, l := range j.layers {
		title := l.Title
		if title == "" {
			title = l.Name
		}
		name := uniqueSheetName(title, l.Name, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		fields := j.fields[i]
		_ = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		_ = sw.SetColWidth(1, max(len(fields), 1), 16)
		head := make([]any, len(fields))
		for k, fd := range fields {
			h := fd.Name
			if fd.Title != "" {
				h = fd.Title
			}
			head[k] = excelize.Cell{Value: h, StyleID: st.header}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		sums := make([]float64, len(fields))
		for n, feat := range l.Features {
			row := make([]any, len(fields))
			for k, fd := range fields {
				v := feat.Properties[fd.Name]
				x, isNum := toFloat(v)
				if isNum && isAreaField(fd) {
					sums[k] += x
				}
				switch fd.Type {
				case FieldReal:
					if isNum {
						row[k] = excelize.Cell{Value: x, StyleID: numberStyle(fd, st.number, st.number4)}
						continue
					}
				case FieldInteger:
					if isNum {
						row[k] = x
						continue
					}
				}
				if v != nil {
					row[k] = stringValue(v)
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, n+2)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if total := totalRow(fields, sums, st); total != nil && len(l.Features) > 0 {
			cell, _ := excelize.CoordinatesToCellName(1, len(l.Features)+2)
			if err := sw.SetRow(cell, total); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.SaveAs(path)
}

// toFloat converts numeric values.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// numberStyle shows 亩 and 公顷 columns (…_mu, …_ha, or four decimals
// asked) with four decimals, other numbers with two.
func numberStyle(fd Field, two, four int) int {
	name := strings.ToLower(fd.Name)
	if fd.Precision >= 4 || strings.HasSuffix(name, "_mu") || strings.HasSuffix(name, "_ha") {
		return four
	}
	return two
}

// isAreaField says whether a column holds an area that adds up over the
// rows: a number named …_m2, …_mu or …_ha (area_m2, dev_mu, approved_ha).
func isAreaField(fd Field) bool {
	if fd.Type != FieldReal && fd.Type != FieldInteger {
		return false
	}
	for _, suffix := range []string{"_m2", "_mu", "_ha"} {
		if strings.HasSuffix(strings.ToLower(fd.Name), suffix) {
			return true
		}
	}
	return false
}

// totalRow is the 合计 row of an attribute sheet: the sum of each area
// column, the label in the first column that is not one; nil when the layer
// has no area column.
func totalRow(fields []Field, sums []float64, st tableStyles) []any {
	row := make([]any, len(fields))
	label, has := -1, false
	for k, fd := range fields {
		if isAreaField(fd) {
			row[k] = excelize.Cell{Value: sums[k], StyleID: numberStyle(fd, st.totalNumber, st.totalNumber4)}
			has = true
		} else if label < 0 {
			label = k
		}
	}
	if !has {
		return nil
	}
	if label >= 0 {
		row[label] = excelize.Cell{Value: "合计", StyleID: st.total}
	}
	return row
}
