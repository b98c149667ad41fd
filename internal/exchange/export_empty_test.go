package exchange

import (
	"path/filepath"
	"strings"
	"testing"
)

// An empty layer (no platform has developable land yet) is still a polygon
// layer in the chosen CRS, with its fields and no features — not a table
// without a CRS — in every GIS format that states one.
func TestExportEmptyLayerCRS(t *testing.T) {
	requireGDAL(t)
	empty := ExportLayer{Name: "empty", Title: "可开发空间", Fields: []Field{{Name: "name", Type: FieldString}, {Name: "area_mu", Type: FieldReal, Precision: 4}}}
	for _, c := range []struct{ format, crs, layer string }{
		{FormatGPKG, CRS4528, "可开发空间"},
		{FormatFileGDB, CRS4549, "可开发空间"},
		{FormatShp, CRS4528, "empty"},
		{FormatGeoJSON, CRS4490, "可开发空间"},
	} {
		t.Run(c.format, func(t *testing.T) {
			dir := t.TempDir()
			src := exportFile(t, dir, []ExportLayer{empty}, ExportOptions{Format: c.format, CRS: c.crs})
			if filepath.Ext(src) == ".zip" {
				unzipTo(t, src, dir)
				switch c.format {
				case FormatShp:
					src = filepath.Join(dir, "empty.shp")
				case FormatFileGDB:
					m, _ := filepath.Glob(filepath.Join(dir, "*.gdb"))
					if len(m) != 1 {
						t.Fatalf("no .gdb in the zip")
					}
					src = m[0]
				}
			}
			_, layers := parseOgrinfo(runGDAL(t, "ogrinfo", "-ro", "-so", "-al", src))
			if len(layers) != 1 {
				t.Fatalf("layers %+v", layers)
			}
			l := layers[0]
			if l.Name != c.layer {
				t.Errorf("%s: layer named %q, want %q", c.format, l.Name, c.layer)
			}
			want, _ := parseCRS(c.crs)
			if l.Count != 0 || l.EPSG != want || l.Geometry == "None" {
				t.Errorf("%s: layer %+v; want no features, EPSG:%d and a geometry column", c.format, l, want)
			}
			if c.format == FormatGeoJSON {
				return // a GeoJSON's fields are its features' properties
			}
			info := runGDAL(t, "ogrinfo", "-ro", "-so", "-al", src)
			for _, f := range []string{"name: String", "area_mu: Real"} {
				if !strings.Contains(info, f) {
					t.Errorf("%s: no field %q in\n%s", c.format, f, info)
				}
			}
		})
	}
}
