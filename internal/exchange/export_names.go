package exchange

import (
	"fmt"
	"strings"

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

// sanitizeFileName keeps a download name free of path and shell trouble.
func sanitizeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" || s == "." || s == ".." {
		return "wanmu"
	}
	return s
}

// exportLayerNames returns the name each layer gets as a layer and file name in
// a format.
func exportLayerNames(layers []ExportLayer, spec *formatSpec) []string {
	out := make([]string, len(layers))
	for i, l := range layers {
		out[i] = l.Name
	}
	return out
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
