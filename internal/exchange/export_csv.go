package exchange

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// CSV cells by type. GDAL 3.6 quotes integers as it quotes text that looks
// like a number ("1234567890", "331102"), so a reader cannot tell an
// integer column from a code written as text, and writes a real that
// happens to be whole as "27". finishCSV rewrites each file so that the
// quotes carry the type: text is always quoted (the WKT too), numbers and
// dates never, reals have their decimals ("27.0000" for 4 decimals, "27.0"
// otherwise); GDAL reads such a file back with its types when opened with
// AUTODETECT_TYPE=YES and QUOTED_FIELDS_AS_STRING=YES. The same pass
// encodes GBK files (without BOM; UTF-8 files keep theirs for Excel).

// finishCSV rewrites each layer's CSV as described above.
func (j *exportJob) finishCSV(ctx context.Context, out string) error {
	for i, name := range j.names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := j.rewriteCSV(filepath.Join(out, name+j.spec.Ext), j.fields[i]); err != nil {
			return err
		}
	}
	return nil
}

// csvCell is how a column's cells are written.
type csvCell int

const (
	cellText   csvCell = iota // always quoted
	cellNumber                // as GDAL wrote it
	cellReal                  // with its decimals
	cellFlag                  // true or false, which GDAL reads back as a flag
)

// rewriteCSV rewrites the CSV GDAL wrote at path, whose columns are WKT,
// the fields, and the crs column.
func (j *exportJob) rewriteCSV(path string, fields []Field) error {
	kinds := []csvCell{cellText}
	for _, f := range fields {
		switch f.Type {
		case FieldString:
			kinds = append(kinds, cellText)
		case FieldReal:
			kinds = append(kinds, cellReal)
		case FieldBoolean:
			kinds = append(kinds, cellFlag)
		default:
			kinds = append(kinds, cellNumber)
		}
	}
	if j.spec.CRSColumn {
		kinds = append(kinds, cellNumber) // "EPSG:4528": plain ASCII
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	br := bufio.NewReaderSize(in, 1<<20)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	defer f.Close()
	var w io.Writer = f
	var enc io.WriteCloser
	if j.enc == EncodingGBK {
		enc = transform.NewWriter(f, simplifiedchinese.GBK.NewEncoder())
		w = enc
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if j.enc != EncodingGBK {
		bw.WriteString("\ufeff")
	}
	for row := 0; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		if len(rec) != len(kinds) {
			return fmt.Errorf("export csv: %d columns, want %d", len(rec), len(kinds))
		}
		for c, cell := range rec {
			if c > 0 {
				bw.WriteByte(',')
			}
			switch {
			case row == 0: // the header: names, quoted where needed
				writeCSVText(bw, cell, strings.ContainsAny(cell, ",\"\r\n") || cell != strings.TrimSpace(cell))
			case kinds[c] == cellText:
				writeCSVText(bw, cell, cell != "") // an empty cell is a null
			case kinds[c] == cellReal:
				bw.WriteString(realCell(cell, fields[c-1].Precision))
			case kinds[c] == cellFlag && (cell == "1" || cell == "0"):
				bw.WriteString(map[string]string{"1": "true", "0": "false"}[cell])
			default:
				bw.WriteString(cell)
			}
		}
		bw.WriteString("\r\n")
	}
	err = bw.Flush()
	if err == nil && enc != nil {
		err = enc.Close()
	}
	if err != nil {
		if !isPathError(err) { // the encoder's: a character GBK lacks
			return &Error{Code: CodeInvalidInput, Message: "CSV 中有 GBK 无法表示的字符，请改用 UTF-8",
				English: "the CSV holds characters GBK cannot encode; use UTF-8", Err: err}
		}
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func isPathError(err error) bool {
	var pe *os.PathError
	return errors.As(err, &pe)
}

// writeCSVText writes a cell, in quotes (doubled inside) if quote.
func writeCSVText(w *bufio.Writer, s string, quote bool) {
	if !quote {
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(s, `"`, `""`))
	w.WriteByte('"')
}

// realCell writes a real with p decimals, or at least one.
func realCell(s string, p int) string {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s // empty (null) or GDAL's own spelling: leave it
	}
	if p > 0 {
		return strconv.FormatFloat(x, 'f', p, 64)
	}
	if !strings.ContainsAny(s, ".eE") {
		return s + ".0"
	}
	return s
}
