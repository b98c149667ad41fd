package exchange

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// fieldTableName is the field-name table written beside exported
// Shapefiles: DBF field names are at most 10 ASCII bytes, so the full names
// (and their descriptions) are listed there.
const fieldTableName = "fields.csv"

// fieldTableHeader is its header row.
var fieldTableHeader = []string{"图层 layer", "字段名 field", "原名 name", "说明 title", "类型 type"}

// shortFieldNames maps property names to unique DBF field names: ASCII
// letters, digits and underscores, at most 10 bytes, starting with a letter,
// unique ignoring case. Names that are already fine keep their spelling.
func shortFieldNames(names []string) []string {
	out := make([]string, len(names))
	used := map[string]bool{}
	for i, n := range names {
		var b strings.Builder
		for _, r := range n {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
				b.WriteRune(r)
			case r == '-' || r == ' ' || r == '.':
				b.WriteByte('_')
			}
		}
		s := b.String()
		if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
			if s == "" || len(s) < 2 {
				s = fmt.Sprintf("F%d", i+1)
			} else {
				s = "F" + s
			}
		}
		if len(s) > 10 {
			s = s[:10]
		}
		cand := s
		for k := 2; used[strings.ToLower(cand)]; k++ {
			suffix := fmt.Sprintf("_%d", k)
			cand = s[:min(len(s), 10-len(suffix))] + suffix
		}
		used[strings.ToLower(cand)] = true
		out[i] = cand
	}
	return out
}

// fieldTableRow is one line of fields.csv.
type fieldTableRow struct {
	Layer, Short, Name, Title, Type string
}

// writeFieldTable writes fields.csv: UTF-8 with a BOM and CRLF, so that
// Excel opens it correctly, every cell neutralised (names and titles come
// from imported files: see neutralizeCell).
func writeFieldTable(w io.Writer, rows []fieldTableRow) error {
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(fieldTableHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Layer, r.Short, r.Name, r.Title, r.Type}
		for i := range rec {
			rec[i] = neutralizeCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// readFieldTable reads a fields.csv written by writeFieldTable.
func readFieldTable(path string) ([]fieldTableRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || !isFieldTableHeader(recs[0]) {
		return nil, fmt.Errorf("not a field table")
	}
	var rows []fieldTableRow
	for _, r := range recs[1:] {
		if len(r) < 3 {
			continue
		}
		for i := range r {
			r[i] = restoreCell(r[i])
		}
		row := fieldTableRow{Layer: r[0], Short: r[1], Name: r[2]}
		if len(r) > 3 {
			row.Title = r[3]
		}
		if len(r) > 4 {
			row.Type = r[4]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func isFieldTableHeader(h []string) bool {
	return len(h) >= 3 && strings.HasPrefix(h[0], "图层") && strings.HasPrefix(h[1], "字段名") && strings.HasPrefix(h[2], "原名")
}

// isFieldTable reports whether a CSV file is a field-name table.
func isFieldTable(path string) bool {
	if !strings.EqualFold(filepath.Base(path), fieldTableName) {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(head[:n], []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	return err == nil && isFieldTableHeader(rec)
}

// restoreFieldNames renames short Shapefile field names back to the full
// names a fields.csv beside them lists, turns the 0/1 of fields it lists as
// Boolean back into flags (a DBF has no flag type GDAL writes), and the text
// of Integer64 fields back into integers (those too long for a DBF number).
func (im *importer) restoreFieldNames() {
	ds := im.ds
	if f := formatByID(ds.Format); len(im.fieldTables) == 0 || f == nil || !f.FieldTable {
		return
	}
	rename := map[string]string{}
	flags := map[string]bool{} // by full name
	ints := map[string]bool{}  // integers too long for a DBF number, kept as text
	for _, p := range im.fieldTables {
		rows, err := readFieldTable(p)
		if err != nil {
			continue
		}
		for _, r := range rows {
			if r.Layer != ds.Layer {
				continue
			}
			if r.Short != r.Name && r.Name != "" {
				rename[r.Short] = r.Name
			}
			switch r.Type {
			case string(FieldBoolean):
				flags[r.Name] = true
			case string(FieldInteger):
				ints[r.Name] = true
			}
		}
	}
	// Skip a rename whose target name is already a field of its own.
	have := map[string]bool{}
	for _, f := range ds.Fields {
		have[f] = true
	}
	for s, n := range rename {
		if have[n] || !have[s] {
			delete(rename, s)
		}
	}
	for i, f := range ds.Fields {
		if n, ok := rename[f]; ok {
			ds.Fields[i] = n
		}
	}
	for _, f := range ds.Features {
		for s, n := range rename {
			if v, ok := f.Properties[s]; ok {
				delete(f.Properties, s)
				f.Properties[n] = v
			}
		}
		for n := range flags {
			if v, ok := f.Properties[n].(int64); ok && (v == 0 || v == 1) {
				f.Properties[n] = v == 1
			}
		}
		for n := range ints {
			if v, ok := f.Properties[n].(string); ok {
				if x, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
					f.Properties[n] = x
				}
			}
		}
	}
	if len(rename) > 0 {
		ds.warn("已按 %s 把 %d 个缩短的字段名还原为完整名称", fieldTableName, len(rename))
	}
}
