package exchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// A CSV has no place for a coordinate system but its columns, so wanmu's
// CSV export writes one: a column named crs with the EPSG code on every
// row ("EPSG:4528"). On import that column declares the file's CRS, as a
// .prj does for a Shapefile, and is not an attribute.

// csvCRSColumn is the column name that declares a CSV's CRS (any case).
const csvCRSColumn = "crs"

// isCSVCRSColumn reports whether a CSV column name is the crs column.
func isCSVCRSColumn(name string) bool {
	return strings.EqualFold(strings.TrimSpace(name), csvCRSColumn)
}

// csvCRS reads the crs column of a UTF-8 CSV: the EPSG code its rows name
// (0 when there is no such column or every cell is empty). A column with
// something that is no EPSG code is not wanmu's: notCodes says so, and it
// stays an ordinary attribute. Rows naming different codes are an error
// naming the row's feature (CodeBadCRSColumn).
func csvCRS(r io.Reader) (epsg int, notCodes string, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	head, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.Comma = csvSeparator(head)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return 0, "", nil // GDAL says what is wrong with the file
	}
	col := -1
	for i, h := range header {
		if isCSVCRSColumn(h) {
			col = i
			break
		}
	}
	if col < 0 {
		return 0, "", nil
	}
	firstRow := 0
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return epsg, "", nil
		}
		if err != nil {
			return epsg, "", nil // left to GDAL, which reads the rows
		}
		if col >= len(rec) || strings.TrimSpace(rec[col]) == "" {
			continue
		}
		v := strings.TrimSpace(rec[col])
		code, err := parseCRS(v)
		if err != nil {
			return 0, fmt.Sprintf("CSV 的 crs 列不是 EPSG 代码（第 %d 个要素为 %q），按普通属性导入；坐标系按坐标量级识别或在导入时指定",
				row, clipText(v, 40)), nil
		}
		switch {
		case epsg == 0:
			epsg, firstRow = code, row
		case code != epsg:
			e := errorf(CodeBadCRSColumn, "CSV 的 crs 列前后不一：第 %d 个要素为 EPSG:%d，第 %d 个要素为 EPSG:%d；一个文件只能有一个坐标系，请按坐标系拆分后分别导入，或在导入时指定坐标系",
				"the CSV's crs column disagrees: feature %d says EPSG:%d, feature %d EPSG:%d; a file has one CRS: split it by CRS and import each part, or name the CRS when importing",
				firstRow, epsg, row, code)
			e.Feature = row
			return 0, "", e
		}
	}
}

// csvSeparator guesses the separator from the header line as GDAL does:
// the most frequent of comma, semicolon and tab.
func csvSeparator(head []byte) rune {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// readCSVCRS sets s.CRSColumn from the crs column of a CSV source. A CRS
// named for the import wins over the column: then a column that disagrees
// with itself is only a warning.
func (im *importer) readCSVCRS(s *source) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return fmt.Errorf("read %s: %w", s.Name, err)
	}
	defer f.Close()
	epsg, notCodes, err := csvCRS(f)
	var xe *Error
	if errors.As(err, &xe) && im.o.epsg != 0 {
		im.ds.warn("%s；已按指定的坐标系 EPSG:%d 读取", xe.Message, im.o.epsg)
		return nil
	}
	if notCodes != "" {
		im.ds.warn("%s", notCodes)
	}
	s.CRSColumn = epsg
	return err
}

// dropCSVCRSColumn removes the crs column from a CSV feature's attributes
// (only when it declared the CRS: see readCSVCRS).
func dropCSVCRSColumn(props map[string]any, keys []string) []string {
	out := keys[:0]
	for _, k := range keys {
		if isCSVCRSColumn(k) {
			delete(props, k)
			continue
		}
		out = append(out, k)
	}
	return out
}
