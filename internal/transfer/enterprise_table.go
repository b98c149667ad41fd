package transfer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"wanmu/internal/exchange"
)

// table is a spreadsheet as read: text cells by row, the sheet's own row
// numbers kept so that errors name the row a clerk sees in Excel.
type table struct {
	Format   string   // xlsx | csv
	Encoding string   // UTF-8 | GBK (csv; an xlsx says in its XML)
	Sheet    string   // the sheet read (xlsx)
	Sheets   []string // all sheets (xlsx)
	Rows     [][]string
	RowNos   []int // RowNos[i] is the sheet's row number of Rows[i] (1-based)
}

// Limits of an enterprise table: a county has some thousands of enterprises.
const (
	maxTableRows  = 200_000
	maxTableCols  = 200
	maxCellRunes  = 2000
	maxXLSXUnzip  = 512 << 20
	maxHeaderScan = 10 // rows looked at for the header (a title row may come first)
)

// readTable reads an .xlsx or a .csv (.txt) file; encoding "" detects GBK
// against UTF-8 for a CSV (an XLSX's XML declares its own, GBK included).
func readTable(path, encoding string) (*table, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return readXLSX(path)
	case ".csv", ".txt":
		return readCSV(path, encoding)
	case ".xls", ".et":
		return nil, &exchange.Error{Code: exchange.CodeUnsupportedFormat,
			Message: "不能读取旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入",
			English: "old Excel (.xls) files cannot be read: save the table as .xlsx or CSV in Excel or WPS and import that"}
	}
	return nil, &exchange.Error{Code: exchange.CodeUnsupportedFormat,
		Message: "企业数据只能从 .xlsx 或 .csv 表格导入", English: "enterprise figures are imported from an .xlsx or .csv table only"}
}

func readXLSX(path string) (*table, error) {
	// The default charset reader (golang.org/x/net/html/charset) decodes
	// parts whose XML declaration says GBK or GB2312, as some Chinese
	// office software writes them.
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: maxXLSXUnzip})
	if err != nil {
		return nil, &exchange.Error{Code: exchange.CodeCorrupt,
			Message: "无法读取该 .xlsx 文件（" + clip(err.Error(), 120) + "）：请在 Excel 或 WPS 中打开并重新保存",
			English: "the .xlsx file cannot be read (" + clip(err.Error(), 120) + "): open it in Excel or WPS and save it again", Err: err}
	}
	defer f.Close()
	t := &table{Format: "xlsx", Encoding: "UTF-8", Sheets: f.GetSheetList()}
	// The first sheet with a recognisable header, else the first with data.
	var fallback *table
	for _, sh := range t.Sheets {
		// Raw values: a figure shown with two decimals keeps its digits.
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &exchange.Error{Code: exchange.CodeCorrupt, Message: "读取工作表“" + sh + "”失败：" + clip(err.Error(), 120),
				English: "reading sheet " + sh + " failed: " + clip(err.Error(), 120), Err: err}
		}
		c := &table{Format: t.Format, Encoding: t.Encoding, Sheet: sh, Sheets: t.Sheets}
		for i, r := range rows {
			if len(c.Rows) >= maxTableRows {
				return nil, tooManyRows()
			}
			c.Rows = append(c.Rows, r)
			c.RowNos = append(c.RowNos, i+1)
		}
		if _, ok := findHeader(c.Rows); ok {
			return c, c.check()
		}
		if fallback == nil && len(c.Rows) > 0 {
			fallback = c
		}
	}
	if fallback == nil {
		return nil, &exchange.Error{Code: exchange.CodeEmpty, Message: "表格中没有数据", English: "the table is empty"}
	}
	return fallback, fallback.check()
}

func readCSV(path, encoding string) (*table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	t := &table{Format: "csv", Encoding: "UTF-8"}
	if encoding == "UTF-8" && !utf8.Valid(b) {
		return nil, &exchange.Error{Code: exchange.CodeCorrupt, Message: "文件不是 UTF-8 编码：请选择 GBK 或自动识别",
			English: "the file is not UTF-8 text: choose GBK, or let the encoding be detected"}
	}
	if encoding == "GBK" || (encoding == "" && !utf8.Valid(b)) {
		// GB18030 decodes GBK and GB2312 too.
		u, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
		if err != nil {
			return nil, &exchange.Error{Code: exchange.CodeCorrupt, Message: "文件既不是 UTF-8 也不是 GBK 编码的文本",
				English: "the file is neither UTF-8 nor GBK text", Err: err}
		}
		b, t.Encoding = u, "GBK"
	}
	head, _, _ := bytes.Cut(b, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = ','
	if bytes.Count(head, []byte("\t")) > bytes.Count(head, []byte(",")) {
		r.Comma = '\t'
	} else if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &exchange.Error{Code: exchange.CodeCorrupt, Message: "CSV 格式错误：" + clip(err.Error(), 120),
				English: "the CSV is malformed: " + clip(err.Error(), 120), Err: err}
		}
		if len(t.Rows) >= maxTableRows {
			return nil, tooManyRows()
		}
		line, _ := r.FieldPos(0)
		t.Rows = append(t.Rows, rec)
		t.RowNos = append(t.RowNos, line)
	}
	if len(t.Rows) == 0 {
		return nil, &exchange.Error{Code: exchange.CodeEmpty, Message: "表格中没有数据", English: "the table is empty"}
	}
	return t, t.check()
}

func tooManyRows() error {
	return &exchange.Error{Code: exchange.CodeTooLarge, Message: fmt.Sprintf("表格超过 %d 行", maxTableRows),
		English: fmt.Sprintf("the table has more than %d rows", maxTableRows)}
}

// check bounds the columns and cells, so that no table makes a preview large.
func (t *table) check() error {
	for i, r := range t.Rows {
		if len(r) > maxTableCols {
			return &exchange.Error{Code: exchange.CodeTooLarge, Message: fmt.Sprintf("第 %d 行有 %d 列，超过 %d 列的上限", t.RowNos[i], len(r), maxTableCols),
				English: fmt.Sprintf("row %d has %d columns, over the limit of %d", t.RowNos[i], len(r), maxTableCols)}
		}
		for j, c := range r {
			if utf8.RuneCountInString(c) > maxCellRunes {
				c = string([]rune(c)[:maxCellRunes])
			}
			// Control characters (a NUL cannot even be stored) become spaces.
			r[j] = strings.Map(func(x rune) rune {
				if unicode.IsControl(x) {
					return ' '
				}
				return x
			}, c)
		}
	}
	return nil
}

// findHeader is the index of the header row: the first of the first rows in
// which at least two cells name known fields (a title row such as
// “2024年度亩均效益评价企业名单” may stand above it).
func findHeader(rows [][]string) (int, bool) {
	for i := 0; i < len(rows) && i < maxHeaderScan; i++ {
		n := 0
		for _, c := range rows[i] {
			if f, _ := matchHeader(c); f != "" {
				n++
			}
		}
		if n >= 2 {
			return i, true
		}
	}
	return 0, false
}
