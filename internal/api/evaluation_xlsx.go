package api

// The 亩均效益评价 as XLSX workbooks (issue 18, item 4), in the style of the
// comparison workbook (compare_xlsx.go): numbers as numbers, units in the
// headers, one row per enterprise or platform so that Excel's filter, sort
// and pivot work.
//
// GET /evaluation.xlsx?year=Y[&county=…]     sheets 企业评价, 评价基准, 说明
// GET /evaluation/assessment.xlsx?year=Y     sheets 平台年度考核, 平台指标

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"wanmu/internal/evaluation"
)

// Sheet names of the evaluation workbooks.
const (
	SheetEvalEnterprises = "企业评价"
	SheetEvalBenchmarks  = "评价基准"
	SheetEvalNotes       = "说明"
	SheetAssessment      = "平台年度考核"
	SheetAssessValues    = "平台指标"
)

// benchSourceLabel is how a benchmark source reads in Chinese.
var benchSourceLabel = map[string]string{
	evaluation.SourceFixed:    "固定值",
	evaluation.SourceLastYear: "上年县均值 × 倍数",
	evaluation.SourceThisYear: "本年县均值 × 倍数（无上年数据）",
}

func indicatorHeader(c evaluation.IndicatorCode) string {
	in, _ := evaluation.IndicatorByCode(c)
	return in.Label + "（" + in.Unit + "）"
}

// evaluationXLSX answers GET /evaluation.xlsx with the same filters as GET /evaluation.
func (s *Server) evaluationXLSX(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r, "year", "county", "scale", "class", "zone", "platform", "q"); err != nil {
		return err
	}
	e, err := s.selectEvaluation(r)
	if err != nil {
		return err
	}
	now := time.Now().In(beijing)
	var buf bytes.Buffer
	if err := writeEvaluationXLSX(&buf, e, now); err != nil {
		return err
	}
	name := fmt.Sprintf("亩均效益评价_%d_%s.xlsx", e.Year, now.Format("20060102_1504"))
	return s.stream(w, r, name, xlsxType, func(w io.Writer) error {
		_, err := buf.WriteTo(w)
		return err
	})
}

func writeEvaluationXLSX(w io.Writer, e evalSelection, now time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newCompareStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetEvalEnterprises); err != nil {
		return err
	}
	// The indicators of the scheme, in the order of evaluation.Indicators.
	used := map[evaluation.IndicatorCode]bool{}
	for _, r := range e.Results {
		for _, in := range r.Indicators {
			used[in.Code] = true
		}
	}
	var codes []evaluation.IndicatorCode
	for _, in := range evaluation.Indicators {
		if used[in.Code] {
			codes = append(codes, in.Code)
		}
	}
	header := []string{"县（市、区）", "统一社会信用代码", "企业名称", "规模", "用地面积（亩）"}
	for _, c := range codes {
		header = append(header, indicatorHeader(c))
	}
	for _, c := range codes {
		in, _ := evaluation.IndicatorByCode(c)
		header = append(header, in.Label+"得分（分）")
	}
	header = append(header, "综合得分（分）", "县内排名", "参评企业数", "类别", "说明")

	sw, err := f.NewStreamWriter(SheetEvalEnterprises) // up to tens of thousands of rows
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%d 年度工业企业亩均效益综合评价（%s，方案第 %d 版）", e.Year, e.Run.Eval.Scheme, e.Run.Scheme.Version)
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title}}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{"生成时间：" + now.Format("2006-01-02 15:04") + "（北京时间）；缺项指标不得分，T 类为不参评。"}); err != nil {
		return err
	}
	hs := make([]any, len(header))
	for i, h := range header {
		hs[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A4", hs, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	cell := func(style int, v any) excelize.Cell { return excelize.Cell{StyleID: style, Value: v} }
	for i, r := range e.Results {
		vals := make([]any, 0, len(header))
		vals = append(vals, cell(st.text, r.County), cell(st.text, r.CreditCode), cell(st.text, r.Name),
			cell(st.text, string(r.Scale)), cell(st.mu, r.LandMu))
		byCode := map[evaluation.IndicatorCode]evaluation.IndicatorResult{}
		for _, in := range r.Indicators {
			byCode[in.Code] = in
		}
		for _, c := range codes {
			var v any
			if in, ok := byCode[c]; ok && in.Value != nil {
				v = *in.Value
			}
			vals = append(vals, cell(st.mu, v))
		}
		for _, c := range codes {
			var v any
			if in, ok := byCode[c]; ok {
				v = in.Score
			}
			vals = append(vals, cell(st.mu, v))
		}
		var score, rank, of any
		if r.Class != evaluation.ClassT {
			score, rank, of = r.Score, r.Rank, r.Of
		}
		note := r.Reason
		if len(r.Missing) > 0 {
			var ms []string
			for _, m := range r.Missing {
				in, _ := evaluation.IndicatorByCode(m)
				ms = append(ms, in.Label)
			}
			note = strings.TrimPrefix(note+"；缺项："+strings.Join(ms, "、"), "；")
		}
		classStyle := st.text
		if r.Class == evaluation.ClassD {
			classStyle = st.no
		}
		vals = append(vals, cell(st.mu, score), cell(st.count, rank), cell(st.count, of), cell(classStyle, string(r.Class)), cell(st.text, note))
		if err := sw.SetRow(fmt.Sprintf("A%d", i+5), vals); err != nil {
			return err
		}
	}
	_ = sw.SetColWidth(1, 1, 12)
	_ = sw.SetColWidth(2, 3, 24)
	_ = sw.SetColWidth(4, len(header), 13)
	if err := sw.Flush(); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if len(e.Results) > 0 {
		_ = f.AutoFilter(SheetEvalEnterprises, fmt.Sprintf("A4:%s%d", last, len(e.Results)+4), nil)
	}

	// 评价基准: the benchmark of every indicator, county and group.
	if _, err := f.NewSheet(SheetEvalBenchmarks); err != nil {
		return err
	}
	bh := []string{"县（市、区）", "规模", "指标", "单位", "县均值", "计入企业数", "基准值", "来源"}
	sh := SheetEvalBenchmarks
	_ = f.SetSheetRow(sh, "A1", &bh)
	_ = f.SetCellStyle(sh, "A1", "H1", st.header)
	for i, b := range e.Bench {
		in, _ := evaluation.IndicatorByCode(b.Code)
		row := []any{b.County, string(b.Scale), in.Label, in.Unit, b.Average, b.Count, b.Benchmark, benchSourceLabel[b.Source]}
		if b.Source == evaluation.SourceFixed {
			row[4], row[5] = nil, nil
		}
		_ = f.SetSheetRow(sh, fmt.Sprintf("A%d", i+2), &row)
		_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", i+2), fmt.Sprintf("D%d", i+2), st.text)
		_ = f.SetCellStyle(sh, fmt.Sprintf("E%d", i+2), fmt.Sprintf("E%d", i+2), st.mu)
		_ = f.SetCellStyle(sh, fmt.Sprintf("F%d", i+2), fmt.Sprintf("F%d", i+2), st.count)
		_ = f.SetCellStyle(sh, fmt.Sprintf("G%d", i+2), fmt.Sprintf("G%d", i+2), st.mu)
		_ = f.SetCellStyle(sh, fmt.Sprintf("H%d", i+2), fmt.Sprintf("H%d", i+2), st.text)
	}
	_ = f.SetColWidth(sh, "A", "H", 16)

	// 说明: the scheme, the class counts and the engine's notes.
	if _, err := f.NewSheet(SheetEvalNotes); err != nil {
		return err
	}
	notes := [][]any{{"评价方案", e.Run.Eval.Scheme}, {"方案版本", e.Run.Scheme.Version}, {"评价年度", e.Year}, {}, {"县（市、区）", "A", "B", "C", "D", "T"}}
	for county, c := range e.Counts {
		notes = append(notes, []any{county, c["A"], c["B"], c["C"], c["D"], c["T"]})
	}
	notes = append(notes, []any{})
	for _, n := range e.Run.Eval.Notes {
		notes = append(notes, []any{n})
	}
	for i, row := range notes {
		_ = f.SetSheetRow(SheetEvalNotes, fmt.Sprintf("A%d", i+1), &row)
	}
	_ = f.SetColWidth(SheetEvalNotes, "A", "A", 16)
	f.SetActiveSheet(0)
	return f.Write(w)
}

// assessmentXLSX answers GET /evaluation/assessment.xlsx?year=Y.
func (s *Server) assessmentXLSX(w http.ResponseWriter, r *http.Request) error {
	a, err := s.assess(r)
	if err != nil {
		return err
	}
	now := time.Now().In(beijing)
	var buf bytes.Buffer
	if err := writeAssessmentXLSX(&buf, a, now); err != nil {
		return err
	}
	name := fmt.Sprintf("平台年度考核_%d_%s.xlsx", a.Year, now.Format("20060102_1504"))
	return s.stream(w, r, name, xlsxType, func(w io.Writer) error {
		_, err := buf.WriteTo(w)
		return err
	})
}

func platformDef(code string) (label, unit string) {
	for _, d := range evaluation.PlatformDefs {
		if d.Code == code {
			return d.Label, d.Unit
		}
	}
	return code, ""
}

func writeAssessmentXLSX(w io.Writer, a assessment, now time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newCompareStyles(f)
	if err != nil {
		return err
	}
	sh := SheetAssessment
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	header := []string{"排名", "平台名称", "综合得分（分）"}
	for _, c := range a.Criteria {
		label, _ := platformDef(c.Code)
		header = append(header, fmt.Sprintf("%s得分（满分 %g）", label, c.Weight))
	}
	header = append(header, "档次", "上年档次", "进退档", "约谈")
	last, _ := excelize.ColumnNumberToName(len(header))
	_ = f.SetCellValue(sh, "A1", fmt.Sprintf("%d 年度产业平台亩均效益考核（%s，方案第 %d 版）", a.Year, a.Name, a.Scheme.Version))
	_ = f.MergeCell(sh, "A1", last+"1")
	_ = f.SetCellStyle(sh, "A1", "A1", st.title)
	_ = f.SetCellValue(sh, "A2", "生成时间："+now.Format("2006-01-02 15:04")+"（北京时间）；末位平台约谈。")
	_ = f.SetSheetRow(sh, "A4", &header)
	_ = f.SetCellStyle(sh, "A4", last+"4", st.header)
	_ = f.SetRowHeight(sh, 4, 32)
	for i, p := range a.Platforms {
		row := []any{p.Rank, p.Name, p.Score}
		for _, c := range a.Criteria {
			row = append(row, p.Scores[c.Code])
		}
		var lastTier any
		move := "新参评"
		if p.LastTier > 0 {
			lastTier = a.Tiers[p.LastTier-1]
			move = map[int]string{1: "升档", 0: "持平", -1: "降档"}[p.Move]
		}
		interview := ""
		if p.Interview {
			interview = "约谈"
		}
		row = append(row, p.TierName, lastTier, move, interview)
		n := i + 5
		_ = f.SetSheetRow(sh, fmt.Sprintf("A%d", n), &row)
		_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", n), fmt.Sprintf("A%d", n), st.count)
		_ = f.SetCellStyle(sh, fmt.Sprintf("B%d", n), fmt.Sprintf("B%d", n), st.text)
		end, _ := excelize.ColumnNumberToName(3 + len(a.Criteria))
		_ = f.SetCellStyle(sh, fmt.Sprintf("C%d", n), fmt.Sprintf("%s%d", end, n), st.mu)
		first, _ := excelize.ColumnNumberToName(4 + len(a.Criteria))
		_ = f.SetCellStyle(sh, fmt.Sprintf("%s%d", first, n), fmt.Sprintf("%s%d", last, n), st.text)
		if p.Interview {
			_ = f.SetCellStyle(sh, fmt.Sprintf("%s%d", last, n), fmt.Sprintf("%s%d", last, n), st.no)
		}
	}
	_ = f.SetColWidth(sh, "B", "B", 24)
	_ = f.SetColWidth(sh, "C", last, 14)

	// 平台指标: every platform's values, the 2025 targets beside the two that have one.
	vs := SheetAssessValues
	if _, err := f.NewSheet(vs); err != nil {
		return err
	}
	vh := []any{"平台名称", "平台用地（亩）", "企业用地（亩）", "企业数（家）"}
	for _, d := range evaluation.PlatformDefs {
		vh = append(vh, d.Label+"（"+d.Unit+"）")
		if d.Code == evaluation.PValueAddedPerMu || d.Code == evaluation.PTaxPerMu {
			vh = append(vh, d.Label+" 2025 目标（"+d.Unit+"）")
		}
	}
	_ = f.SetSheetRow(vs, "A1", &vh)
	lastV, _ := excelize.ColumnNumberToName(len(vh))
	_ = f.SetCellStyle(vs, "A1", lastV+"1", st.header)
	_ = f.SetRowHeight(vs, 1, 32)
	for i, p := range a.Values {
		row := []any{p.Name, p.LandMu, p.EnterpriseLandMu, p.Enterprises}
		for _, d := range evaluation.PlatformDefs {
			var v, target any
			for _, pv := range p.Values {
				if pv.Code == d.Code {
					if pv.Value != nil {
						v = *pv.Value
					}
					if pv.Target != nil {
						target = *pv.Target
					}
				}
			}
			row = append(row, v)
			if d.Code == evaluation.PValueAddedPerMu || d.Code == evaluation.PTaxPerMu {
				row = append(row, target)
			}
		}
		n := i + 2
		_ = f.SetSheetRow(vs, fmt.Sprintf("A%d", n), &row)
		_ = f.SetCellStyle(vs, fmt.Sprintf("A%d", n), fmt.Sprintf("A%d", n), st.text)
		_ = f.SetCellStyle(vs, fmt.Sprintf("B%d", n), fmt.Sprintf("%s%d", lastV, n), st.mu)
		_ = f.SetCellStyle(vs, fmt.Sprintf("D%d", n), fmt.Sprintf("D%d", n), st.count)
	}
	_ = f.SetColWidth(vs, "A", "A", 24)
	_ = f.SetColWidth(vs, "B", lastV, 14)
	f.SetActiveSheet(0)
	return f.Write(w)
}
