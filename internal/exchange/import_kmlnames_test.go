package exchange

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// KML and KMZ attributes with Chinese names come back under their names,
// not as the underscores GDAL's LIBKML driver makes of them.
func TestKMLChineseNames(t *testing.T) {
	requireGDAL(t)
	l := ExportLayer{Name: "zones", Title: "分区", Fields: []Field{{Name: "name", Type: FieldString}, {Name: "批次", Type: FieldInteger}, {Name: "容积率", Type: FieldReal}},
		Features: []Feature{{Geometry: orb.Polygon{rect(119.90, 28.40, 119.91, 28.41)}, Properties: map[string]any{"name": "甲", "批次": int64(3), "容积率": 1.5}}}}
	for _, format := range []string{FormatKML, FormatKMZ} {
		p := exportFile(t, t.TempDir(), []ExportLayer{l}, ExportOptions{Format: format})
		// What GDAL alone makes of the names: the case this file handles.
		if out := runGDAL(t, "ogrinfo", "-ro", "-al", "-so", p); !strings.Contains(out, "______:") {
			t.Logf("%s: GDAL no longer mangles the names; tidyKML may go", format)
		}
		ds, err := Inspect(context.Background(), p, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ds.Fields, "批次") || !slices.Contains(ds.Fields, "容积率") {
			t.Errorf("%s: fields %q, want 批次 and 容积率", format, ds.Fields)
		}
		if got := ds.Features[0].Properties; got["批次"] != "3" || got["容积率"] != "1.5" {
			t.Errorf("%s: values %v", format, got)
		}
	}
	if mangleKMLName("批次") != "______" || mangleKMLName("name") != "name" {
		t.Error("mangleKMLName")
	}
	names := dataNames(strings.NewReader(`<kml><Data name="批次"/><x><Data name="a"/></x><Data name="批次"/><Data name="&lt;b"/></kml>`))
	if strings.Join(names, ",") != "批次,a,<b" {
		t.Errorf("dataNames = %q", names)
	}
}

// FuzzKMLDataNames: reading names from any bytes never panics.
func FuzzKMLDataNames(f *testing.F) {
	f.Add([]byte(`<kml><Data name="批次"><value>3</value></Data></kml>`))
	f.Add([]byte(`<Data name="`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, n := range dataNames(strings.NewReader(string(b))) {
			if n == "" && len(b) == 0 {
				t.Fatal("a name from nothing")
			}
		}
	})
}
