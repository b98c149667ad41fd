package exchange

import (
	"strings"

	"wanmu/internal/policy"
)

// The CAD layer scheme wanmu writes and reads back. A zone's boundaries go
// on the layer "<类型>_<处置方式>" (开发区园区_保留, 乡镇工业功能区_并), its
// fill on "<layer>_填充" and its texts on "<layer>_标注", so that a CAD user
// can switch fills and labels off, and an importer learns kind and
// disposition from the layer alone. Features with neither kind nor
// disposition (platforms, constraint layers) use the export layer's title.
const (
	dxfFillSuffix  = "_填充"
	dxfLabelSuffix = "_标注"
	// dxfAppID registers wanmu's extended data (XDATA) on every entity.
	dxfAppID = "WANMU"
	// dxfKeyName is the first XDATA pair: which exported feature an entity
	// belongs to, "<layer name>/<feature number>".
	dxfKeyName = "_feature"
	// dxfRoleName marks a text's role: dxfRoleName, "name" or "figures".
	dxfRoleName = "_label"
	// dxfFiguresPrefix starts the text of the key figures; the importer does
	// not take such a text for a name.
	dxfFiguresPrefix = "面积 "
)

// dxfKindParts are the layer-name parts of the zone kinds: their labels
// without "/", which a CAD layer name may not hold.
var dxfKindParts = map[string]string{policy.KindPark: "开发区园区", policy.KindTownship: "乡镇工业功能区"}

// dxfKindOfPart is the kind a layer-name part stands for, as its label
// (开发区/园区: what a planner reads in the import's preview, and what the
// importer recognises), or "".
func dxfKindOfPart(part string) string {
	for kind, p := range dxfKindParts {
		if p == part {
			t, _ := policy.Code(policy.Kinds, kind)
			return t.Label
		}
	}
	return ""
}

// dxfLayerName is the CAD layer of a feature: from its kind and
// disposition, else the export layer's title.
func dxfLayerName(kind, disposition, title string) string {
	kind, disposition = strings.TrimSpace(kind), strings.TrimSpace(disposition)
	if kind == "" && disposition == "" {
		return dxfSymbol(title)
	}
	part := dxfKindParts[policy.Normalise(policy.Kinds, kind)]
	if part == "" {
		part = kind
	}
	if part == "" {
		part = title
	}
	if disposition == "" {
		return dxfSymbol(part)
	}
	return dxfSymbol(part + "_" + disposition)
}

// dxfSymbol makes a valid DXF symbol-table name: none of <>/\":;?*|=` and
// no control characters, at most 255 bytes, never empty.
func dxfSymbol(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune("<>/\\\":;?*|=`,", r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > 200 {
		s = truncateBytes(s, 200, EncodingUTF8)
	}
	if s == "" {
		return "0"
	}
	return s
}

// dxfBaseLayer strips the fill and label suffixes: the layer of the
// boundaries an entity belongs to.
func dxfBaseLayer(layer string) string {
	for _, suf := range []string{dxfFillSuffix, dxfLabelSuffix} {
		if b, ok := strings.CutSuffix(layer, suf); ok && b != "" {
			return b
		}
	}
	return layer
}

// dxfParseLayer reads kind and disposition from a layer name of the
// scheme; either is "" when the name does not say it.
func dxfParseLayer(layer string) (kind, disposition string) {
	layer = dxfBaseLayer(layer)
	if v := dxfKindOfPart(layer); v != "" {
		return v, ""
	}
	i := strings.LastIndex(layer, "_")
	if i < 0 || !policy.Valid(policy.Dispositions, layer[i+1:]) {
		return "", ""
	}
	return dxfKindOfPart(layer[:i]), layer[i+1:]
}

// dxfLayerColor picks a layer's colour: the web map's disposition colours
// for zones (teal for parks, as on the map), red for the ecological red
// line, ochre for farmland, blue for water, grey otherwise. It returns the
// nearest AutoCAD colour index and the true colour (0xRRGGBB).
func dxfLayerColor(layer string) (aci int, rgb int) {
	kind, disp := dxfParseLayer(layer)
	switch {
	case kind == "开发区/园区":
		return 4, 0x2e8fa6
	case disp != "":
		c := map[string][2]int{"保留": {5, 0x4a78b5}, "并": {30, 0xd9892b}, "提": {3, 0x3c9a63},
			"撤": {1, 0xc2453c}, "转": {6, 0x8a6bb5}, "待定": {8, 0x8c939c}}[disp]
		return c[0], c[1]
	case kind != "":
		return 8, 0x8c939c
	case strings.Contains(layer, "红线"):
		return 1, 0xb8322a
	case strings.Contains(layer, "农田"):
		return 2, 0xa5861c
	case strings.Contains(layer, "水"):
		return 5, 0x3b7fb6
	case strings.Contains(layer, "平台"):
		return 150, 0x1d4f91
	}
	return 7, 0x000000
}
