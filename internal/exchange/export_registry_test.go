package exchange

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFormatRegistry(t *testing.T) {
	for id, want := range map[string]string{"shp": FormatShp, " Shapefile ": FormatShp, "ESRI Shapefile": FormatShp, "gdb": FormatFileGDB,
		"FGDB": FormatFileGDB, "openfilegdb": FormatFileGDB, "json": FormatGeoJSON, "xlsx": FormatXLSX, "kmz": FormatKMZ} {
		if f := formatByID(id); f == nil || f.ID != want {
			t.Errorf("formatByID(%q) = %v, want %s", id, f, want)
		}
	}
	if f := formatByID("pdf"); f != nil {
		t.Errorf("formatByID(pdf) = %s", f.ID)
	}
	for ext, want := range map[string]string{".GPKG": FormatGPKG, ".shp": FormatShp, ".json": FormatGeoJSON, ".txt": FormatCSV, ".kmz": FormatKMZ, ".gdb": FormatFileGDB} {
		if f := formatByExt(ext); f == nil || f.ID != want {
			t.Errorf("formatByExt(%q) = %v, want %s", ext, f, want)
		}
	}
	for _, ext := range []string{".zip", ".xlsx", ".pdf", ""} {
		if f := formatByExt(ext); f != nil {
			t.Errorf("formatByExt(%q) = %s, want nil", ext, f.ID)
		}
	}
	seen := map[string]bool{}
	for _, f := range formats {
		for _, name := range append([]string{f.ID}, f.Aliases...) {
			if seen[name] || name != strings.ToLower(name) {
				t.Errorf("format name %q repeated or not lower case", name)
			}
			seen[name] = true
		}
		if f.Export && (f.write == nil || f.Ext == "" || f.ContentType == "") {
			t.Errorf("%s exports without a writer, extension or media type", f.ID)
		}
		if f.Import && len(f.UploadExts) == 0 {
			t.Errorf("%s imports with no upload extension", f.ID)
		}
	}
	if got := len(ListFormats()); got != len(formats) {
		t.Errorf("ListFormats has %d formats, the registry %d", got, len(formats))
	}
}

func TestExportLayerNames(t *testing.T) {
	layers := []ExportLayer{
		{Name: "layer_1", Title: "生态保护红线"},
		{Name: "layer_2", Title: "永久基本农田"},
		{Name: "layer_3", Title: "永久基本农田"}, // the same title twice: both fall back to Name
		{Name: "layer_4"},
		{Name: "layer_5", Title: "../..\u202e城镇/开发:边界"},
		{Name: "layer_6", Title: strings.Repeat("长", 100)},
	}
	got := exportLayerNames(layers, formatByID(FormatGPKG))
	want := []string{"生态保护红线", "layer_2", "layer_3", "layer_4", "_.._城镇_开发_边界", strings.Repeat("长", maxNameRunes)}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("layer %d named %q, want %q", i+1, got[i], want[i])
		}
	}
	for i, n := range exportLayerNames(layers, formatByID(FormatShp)) {
		if n != layers[i].Name {
			t.Errorf("Shapefile layer %d named %q, want the ASCII %q", i+1, n, layers[i].Name)
		}
	}
	// A fallback that meets another layer's title is numbered, not repeated.
	got = exportLayerNames([]ExportLayer{{Name: "a", Title: "x"}, {Name: "b", Title: "x"}, {Name: "c", Title: "a"}}, formatByID(FormatGPKG))
	if strings.Join(got, ",") != "a,b,a_2" {
		t.Errorf("colliding names %q, want a,b,a_2", got)
	}
	for _, s := range []string{"", "..", " . ", "a\x00b", "\u200f", "-红线", "--x"} {
		if n := sanitizeFileName(s); n == "" || strings.ContainsAny(n, "/\\\x00") || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "-") || !utf8.ValidString(n) {
			t.Errorf("sanitizeFileName(%q) = %q", s, n)
		}
	}
}
