package exchange

import (
	"fmt"
	"strings"
	"unicode"

	"wanmu/internal/geodesy"
)

// validLayerName accepts ASCII identifiers of up to 64 characters.
func validLayerName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// sanitizeFileName keeps a download or file name free of path, shell and
// display trouble: no separators, wildcards, control or bidi characters, no
// leading dots or dashes (a dash would be read as an option by ogr2ogr), at
// most maxNameRunes characters.
func sanitizeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimLeft(s, ".-")
	if r := []rune(s); len(r) > maxNameRunes {
		s = strings.TrimSpace(string(r[:maxNameRunes]))
	}
	if s == "" {
		return "wanmu"
	}
	return s
}

// maxNameRunes bounds names made from titles: 60 Chinese characters are
// 180 bytes of UTF-8, leaving room for suffixes within a 255-byte file name.
const maxNameRunes = 60

// exportLayerNames returns the name each layer gets as its layer and file
// name in a format: its own (Chinese) Title where the format allows it,
// made safe as a file name, and its ASCII Name where the format needs ASCII
// (Shapefile) or when two titles would collide.
func exportLayerNames(layers []ExportLayer, spec *formatSpec) []string {
	out := make([]string, len(layers))
	count := map[string]int{}
	for i, l := range layers {
		out[i] = l.Name
		if !spec.ASCIINames && strings.TrimSpace(l.Title) != "" {
			out[i] = sanitizeFileName(l.Title)
		}
		count[strings.ToLower(out[i])]++
	}
	for i, l := range layers {
		if count[strings.ToLower(out[i])] > 1 {
			out[i] = l.Name
		}
	}
	// A fallback can meet another layer's title (layers a:"x", b:"x",
	// c:"a"): number what still repeats.
	seen := map[string]bool{}
	for i := range out {
		name := out[i]
		for n := 2; seen[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s_%d", out[i], n)
		}
		seen[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

// displayName is a layer's name in messages and download names.
func displayName(l ExportLayer) string {
	if strings.TrimSpace(l.Title) != "" {
		return l.Title
	}
	return l.Name
}

// target is the download name and media type: base, the CRS, the format's
// extension, and .zip for folders and several per-layer files.
func (j *exportJob) target() (string, string) {
	tag := fmt.Sprintf("_EPSG%d", j.epsg)
	switch {
	case j.spec.FixedEPSG == geodesy.EPSGWGS84:
		tag = "_WGS84"
	case j.spec.AttrsOnly:
		tag = ""
	}
	name := j.base + tag + j.spec.Ext
	if j.spec.Zipped || (j.spec.PerLayer && len(j.layers) > 1) {
		return name + ".zip", contentTypeZip
	}
	if j.enc == EncodingGBK && strings.HasPrefix(j.spec.ContentType, "text/") {
		return name, strings.Replace(j.spec.ContentType, "charset=utf-8", "charset=GBK", 1)
	}
	return name, j.spec.ContentType
}
