package exchange

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// selectLayers lists every layer and picks the ones to read.
func (im *importer) selectLayers(ctx context.Context, sources []*source) ([]selected, error) {
	ds, o := im.ds, im.o
	var all []selected
	for _, s := range sources {
		_, infos, err := ogrinfo(ctx, s.Path, s.Open, s.Config)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &Error{Code: CodeCorrupt,
				Message: fmt.Sprintf("无法读取 %s（%s）：%s", s.Name, formatName(s.Format), gdalDetail(err)),
				English: fmt.Sprintf("cannot read %s (%s): %s", s.Name, formatName(s.Format), gdalDetail(err)), Err: err}
		}
		for _, in := range infos {
			name := in.Name
			if len(sources) > 1 && s.Format != FormatShp {
				name = s.Name + ":" + in.Name
			}
			all = append(all, selected{src: s, info: in, name: name})
		}
	}
	// Shapefiles of the same name in different folders.
	count := map[string]int{}
	for _, l := range all {
		count[l.name]++
	}
	for i, l := range all {
		if count[l.name] > 1 {
			all[i].name = strings.TrimSuffix(l.src.Name, filepath.Ext(l.src.Name))
		}
	}
	for _, l := range all {
		ds.Layers = append(ds.Layers, LayerInfo{Name: l.name, Geometry: l.info.Geometry, Count: l.info.Count, CRS: layerCRS(l)})
	}
	var spatial []selected
	for _, l := range all {
		if l.info.Geometry != "None" {
			spatial = append(spatial, l)
		}
	}
	var chosen []selected
	switch {
	case o.SourceLayer != "":
		l, ok := findLayer(all, o.SourceLayer)
		if !ok {
			e := errorf(CodeLayerNotFound, "文件中没有图层 %q；现有图层：%s", "no layer %q in the file; layers: %s", o.SourceLayer, layerNames(all))
			e.Layers = ds.Layers
			return nil, e
		}
		chosen = []selected{l}
	case len(spatial) == 0:
		return nil, errorf(CodeEmpty, "文件中没有带几何的图层（图层：%s）", "the file has no layer with geometry (layers: %s)", layerNames(all))
	case formatByID(ds.Format) != nil && formatByID(ds.Format).Folders:
		chosen = spatial // folders of one document
	default:
		l, err := im.pickLayer(spatial)
		if err != nil {
			return nil, err
		}
		chosen = []selected{l}
	}
	for _, l := range chosen {
		// ogr2ogr takes the layer name as an argument, where "-x" reads as
		// one of its options.
		if strings.HasPrefix(l.info.Name, "-") {
			return nil, errorf(CodeCorrupt, "图层名 %q 以“-”开头，无法按名读取；请在原软件中给图层改名后重试",
				"the layer name %q starts with \"-\", so it cannot be read by name; rename the layer where the file was made and try again", l.info.Name)
		}
	}
	if len(chosen) == 1 {
		ds.Layer = chosen[0].name
	}
	var total int64
	for _, l := range chosen {
		if l.info.Count > 0 {
			total += l.info.Count
		}
	}
	if o.MaxFeatures > 0 && total > o.MaxFeatures {
		return nil, errorf(CodeTooLarge, "文件有 %d 个要素，超过 %d 个的上限", "the file has %d features, over the limit of %d", total, o.MaxFeatures)
	}
	return chosen, nil
}

// findLayer finds the layer a planner named: by its display name, its
// name inside its source, or either in any letter case.
func findLayer(all []selected, name string) (selected, bool) {
	for _, l := range all {
		if l.name == name || l.info.Name == name {
			return l, true
		}
	}
	for _, l := range all {
		if strings.EqualFold(l.name, name) || strings.EqualFold(l.info.Name, name) {
			return l, true
		}
	}
	return selected{}, false
}

// pickLayer chooses among the layers with geometry when none was named: the
// only polygon layer, or for zones the one wanmu names zones; otherwise the
// planner must choose, and the error lists the layers to choose from.
func (im *importer) pickLayer(spatial []selected) (selected, error) {
	ds := im.ds
	var polys []selected
	for _, l := range spatial {
		if mayHoldPolygons(l.info.Geometry) {
			polys = append(polys, l)
		}
	}
	switch {
	case len(spatial) == 1:
		return spatial[0], nil
	case len(polys) == 0:
		// Points or lines only: the preview says they are not polygons.
		polys = spatial
	case len(polys) == 1:
		ds.warn("文件含 %d 个图层，已读取其中唯一的面图层 %s；其余图层（%s）不是面，未读取", len(spatial), polys[0].name, layerNames(without(spatial, polys[0])))
		return polys[0], nil
	}
	if im.o.Zones {
		if l, ok := zonesLayer(polys); ok {
			ds.warn("文件含 %d 个面图层（%s），按导入目标“分区”读取了图层 %s；如需其他图层请选择图层后重试", len(polys), layerNames(polys), l.name)
			return l, nil
		}
	}
	e := errorf(CodeChooseLayer, "文件含 %d 个面图层（%s），请选择图层后重试", "the file holds %d polygon layers (%s); choose one and try again", len(polys), layerNames(polys))
	e.Layers = ds.Layers
	return selected{}, e
}

// mayHoldPolygons reports whether a layer of GDAL's geometry type can hold
// polygons: polygon types, and the generic ones (GeoJSON, DXF, GPKG
// "Geometry") that may.
func mayHoldPolygons(geometry string) bool {
	g := strings.ToLower(geometry)
	switch {
	case strings.Contains(g, "polygon"), strings.Contains(g, "surface"):
		return true
	case strings.Contains(g, "point"), strings.Contains(g, "line"), strings.Contains(g, "curve"), g == "none":
		return false
	}
	return true // "Unknown (any)", "Geometry Collection", …
}

// zonesNames are the names wanmu gives its zones layer in exports and the
// handover (the layer name and its Chinese title); compared without case.
var zonesNames = []string{"zones", "分区", "园区与乡镇工业功能区", "平台成员分区"}

// zonesLayer picks the layer wanmu's own exports call zones, so that its
// handover and GeoPackage import back as zones without choosing; where the
// same layer comes in several formats (the handover's Shapefile and
// GeoPackage), the GeoPackage or FileGDB one, which keeps field names and
// types whole. Platforms are never picked.
func zonesLayer(ls []selected) (selected, bool) {
	var found []selected
	for _, l := range ls {
		for _, n := range zonesNames {
			if strings.EqualFold(l.info.Name, n) {
				found = append(found, l)
				break
			}
		}
	}
	if len(found) == 0 {
		return selected{}, false
	}
	for _, l := range found {
		if f := formatByID(l.src.Format); f != nil && f.Whole {
			return l, true
		}
	}
	return found[0], true
}

// without is ls less one layer.
func without(ls []selected, x selected) []selected {
	var out []selected
	for _, l := range ls {
		if l.name != x.name {
			out = append(out, l)
		}
	}
	return out
}

// layerCRS is the CRS a layer declares, as "EPSG:4528 CGCS2000 / …", or "".
func layerCRS(l selected) string {
	in := l.info
	if k, ok := lookupCRS(in.EPSG); ok {
		return k.label()
	}
	switch {
	case in.EPSG != 0:
		return fmt.Sprintf("EPSG:%d %s", in.EPSG, in.SRSName)
	case in.WKT != "":
		return in.SRSName
	}
	return ""
}

func layerNames(ls []selected) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.name
	}
	return strings.Join(names, "、")
}
