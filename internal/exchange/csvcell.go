package exchange

import "regexp"

// CSV cells and spreadsheet formulas. Excel, LibreOffice and WPS run a CSV
// cell that starts with =, +, - or @ as a formula (=HYPERLINK(…),
// +cmd|' /C calc'!A0, @SUM(…)), and a leading tab or line break can hide
// such a cell from a quick look. Every CSV wanmu writes passes its text
// cells through neutralizeCell, which puts a single quote in front: the
// spreadsheet then shows the text instead of running it.
//
// The rule, exactly:
//   - Only text cells are touched. Numeric and date columns are written by
//     their type and hold numbers (-12.5 stays the number -12.5).
//   - A text cell is neutralised when its first character is =, +, -, @,
//     a tab (U+0009), a carriage return (U+000D) or a line feed (U+000A;
//     GDAL reads a CR inside a cell back as LF), unless the whole cell is
//     a plain decimal number (optional sign, digits, optional fraction and
//     exponent: "-12.5", "+3", "-1e5"), which a spreadsheet reads as that
//     number and never as a formula.
//   - A text cell that starts with a quote followed by what would be
//     neutralised gets one more quote, so that the quote can be taken off
//     again without ambiguity: restoreCell undoes neutralizeCell exactly,
//     and a wanmu CSV (or fields.csv) read back gives the original text.

// plainNumber matches the text cells a spreadsheet reads as a number.
var plainNumber = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// formulaLike reports whether a spreadsheet could run s as a formula.
func formulaLike(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return !plainNumber.MatchString(s)
	}
	return false
}

// escapedCell reports whether s is a neutralised cell: quotes in front of
// something formula-like.
func escapedCell(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i > 0 && formulaLike(s[i:])
}

// neutralizeCell returns the text of a CSV text cell as written: s itself,
// or s behind a single quote when a spreadsheet could run it (see above).
func neutralizeCell(s string) string {
	if formulaLike(s) || escapedCell(s) {
		return "'" + s
	}
	return s
}

// restoreCell undoes neutralizeCell.
func restoreCell(s string) string {
	if escapedCell(s) {
		return s[1:]
	}
	return s
}

// restoreCSVCells takes the quotes neutralizeCell put in front off the
// names and text values of a feature read from a CSV, so that a CSV wanmu
// exported imports as the text it was made from.
func restoreCSVCells(props map[string]any, keys []string) []string {
	for i, k := range keys {
		v := props[k]
		if t, ok := v.(string); ok {
			v = restoreCell(t)
		}
		if r := restoreCell(k); r != k {
			if _, taken := props[r]; !taken { // else both spellings are columns: keep them apart
				delete(props, k)
				keys[i], k = r, r
			}
		}
		props[k] = v
	}
	return keys
}
