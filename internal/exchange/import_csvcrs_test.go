package exchange

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// withCRSColumn adds a crs column holding value (or values[i] on row i)
// to a CSV written by ogr2ogr.
func withCRSColumn(t *testing.T, path string, values ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\r\n"), "\n")
	for i := range lines {
		v := "crs"
		if i > 0 {
			v = values[min(i-1, len(values)-1)]
		}
		lines[i] = strings.TrimRight(lines[i], "\r") + "," + v
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\r\n")+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ogrCSV writes n squares around 丽水 as a CSV with a WKT column in the
// given CRS, as ogr2ogr writes it (no CRS of its own).
func ogrCSV(t *testing.T, dir string, n int, epsg string) string {
	t.Helper()
	src := filepath.Join(dir, "src.geojson")
	if err := os.WriteFile(src, []byte(squaresGeoJSON(n, 119.90, 28.40)), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "zones.csv")
	runGDAL(t, "ogr2ogr", "-f", "CSV", "-lco", "GEOMETRY=AS_WKT", "-s_srs", "EPSG:4490", "-t_srs", epsg, out, src)
	return out
}

// TestInspectCSVCRSColumn: the crs column wanmu's CSV export writes
// declares the file's CRS and is not an attribute.
func TestInspectCSVCRSColumn(t *testing.T) {
	requireGDAL(t)
	for _, epsg := range []string{"EPSG:4528", "EPSG:3857"} {
		t.Run(epsg, func(t *testing.T) {
			p := ogrCSV(t, t.TempDir(), 3, epsg)
			withCRSColumn(t, p, epsg)
			ds, err := Inspect(context.Background(), p, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ds.SourceCRS, epsg) || ds.CRSAssumed || !strings.Contains(ds.CRSNote, "CSV 的 crs 列") {
				t.Errorf("SourceCRS %q assumed %v note %q", ds.SourceCRS, ds.CRSAssumed, ds.CRSNote)
			}
			if contains(ds.Fields, "crs") || ds.Features[0].Properties["crs"] != nil {
				t.Errorf("the crs column is kept as an attribute: %v", ds.Fields)
			}
			first := ds.Features[0].Geometry.(orb.Polygon)[0][0]
			if metres(math.Hypot(first[0]-119.90, first[1]-28.40)) > 0.01 {
				t.Errorf("first vertex %v, want 119.9, 28.4", first)
			}
		})
	}
	// Web Mercator numbers without the column look like Gauss-Kruger zone
	// 13: the column is what makes them right.
	p := ogrCSV(t, t.TempDir(), 3, "EPSG:3857")
	if ds, err := Inspect(context.Background(), p, ImportOptions{}); err == nil && strings.HasPrefix(ds.SourceCRS, "EPSG:3857") {
		t.Errorf("without a crs column the CSV was read as EPSG:3857")
	}

	// Rows that disagree: refused naming the row, unless the import names
	// the CRS (then a warning).
	p = ogrCSV(t, t.TempDir(), 3, "EPSG:4528")
	withCRSColumn(t, p, "EPSG:4528", "EPSG:4528", "EPSG:4549")
	_, err := Inspect(context.Background(), p, ImportOptions{})
	var xe *Error
	if !errors.As(err, &xe) || xe.Code != CodeBadCRSColumn || xe.Feature != 3 || !strings.Contains(xe.Message, "第 1 个要素为 EPSG:4528，第 3 个要素为 EPSG:4549") {
		t.Errorf("Inspect: %v; want bad_crs_column about feature 3", err)
	}
	ds, err := Inspect(context.Background(), p, ImportOptions{CRS: "EPSG:4528"})
	if err != nil || !strings.Contains(strings.Join(ds.Warnings, "\n"), "crs 列前后不一") {
		t.Errorf("with a CRS named: %v, warnings %v", err, ds)
	}

	// Not codes: another office's column, an ordinary attribute kept as
	// text, with a warning; the CRS comes from the coordinates.
	p = ogrCSV(t, t.TempDir(), 3, "EPSG:4528")
	withCRSColumn(t, p, "高斯投影", "高斯投影", "高斯投影")
	ds, err = Inspect(context.Background(), p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Features[0].Properties["crs"] != "高斯投影" || !strings.Contains(strings.Join(ds.Warnings, "\n"), "不是 EPSG 代码") {
		t.Errorf("crs column %v, warnings %v", ds.Features[0].Properties["crs"], ds.Warnings)
	}
}

func TestCSVCRS(t *testing.T) {
	for _, tc := range []struct {
		csv  string
		want int
	}{
		{"\xEF\xBB\xBFname,WKT,CRS\r\na,\"POINT (1 2)\",EPSG:4528\r\n", 4528},
		{"name;wkt;crs\na;POINT (1 2);4549\nb;POINT (1 2);\n", 4549},
		{"name\tcrs\na\t\n", 0},
		{"name,wkt\na,POINT (1 2)\n", 0},
		{"", 0},
	} {
		got, notCodes, err := csvCRS(strings.NewReader(tc.csv))
		if err != nil || got != tc.want || notCodes != "" {
			t.Errorf("csvCRS(%q) = %d, %v; want %d", tc.csv, got, err, tc.want)
		}
	}
}

// TestInspectTwoGBKCSVs: two GBK CSVs in one zip are two layers named
// after their files, each read with its own content.
func TestInspectTwoGBKCSVs(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	var entries []zipEntry
	for _, name := range []string{"甲", "乙"} {
		b, err := gbkBytes("名称,WKT\r\n" + name + "区,\"POLYGON ((119.9 28.44,119.91 28.44,119.91 28.45,119.9 28.45,119.9 28.44))\"\r\n")
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, zipEntry{name: name + ".csv", body: string(b)})
	}
	p := filepath.Join(dir, "two.zip")
	writeZip(t, p, entries)
	_, err := Inspect(context.Background(), p, ImportOptions{Encoding: "GBK"})
	var xe *Error
	if !errors.As(err, &xe) || xe.Code != CodeChooseLayer || len(xe.Layers) != 2 || !strings.Contains(xe.Message, "甲.csv:甲") || !strings.Contains(xe.Message, "乙.csv:乙") {
		t.Fatalf("two CSVs: %v %+v", err, xe)
	}
	for _, l := range xe.Layers {
		ds, err := Inspect(context.Background(), p, ImportOptions{Encoding: "GBK", SourceLayer: l.Name})
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(l.Name[strings.Index(l.Name, ":")+1:], ".csv") + "区"; ds.Features[0].Properties["名称"] != want {
			t.Errorf("layer %s: 名称 %v, want %s", l.Name, ds.Features[0].Properties["名称"], want)
		}
	}
}

// TestInspectWanmuCSVTypes: wanmu's CSV (with its crs column) comes back
// with integers as int64 and reals as float64, text as text; another CSV's
// cells stay text, leading zeros and all.
func TestInspectWanmuCSVTypes(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	zones := testZones()
	ds, err := Inspect(context.Background(), exportFile(t, dir, []ExportLayer{zones}, ExportOptions{Format: FormatCSV, CRS: CRS4528}), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range ds.Features {
		want := zones.Features[i].Properties
		if m, ok := f.Properties["members"].(int64); !ok || m != want["members"] {
			t.Errorf("feature %d: members %#v, want %#v", i+1, f.Properties["members"], want["members"])
		}
		if a, ok := f.Properties["area_mu"].(float64); !ok || math.Abs(a-want["area_mu"].(float64)) > 1e-6 {
			t.Errorf("feature %d: area_mu %#v, want %v", i+1, f.Properties["area_mu"], want["area_mu"])
		}
		if f.Properties["county"] != want["county"] {
			t.Errorf("feature %d: county %#v, want %q", i+1, f.Properties["county"], want["county"])
		}
	}
	p := filepath.Join(dir, "other.csv")
	os.WriteFile(p, []byte("编码,WKT\r\n0031,\"POLYGON ((119.9 28.44,119.91 28.44,119.91 28.45,119.9 28.44))\"\r\n"), 0o600)
	ds, err = Inspect(context.Background(), p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Features[0].Properties["编码"] != "0031" {
		t.Errorf("a CSV without a crs column: 编码 %#v, want \"0031\"", ds.Features[0].Properties["编码"])
	}
}
