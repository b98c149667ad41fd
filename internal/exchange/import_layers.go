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
		ds.Layers = append(ds.Layers, LayerInfo{Name: l.name, Geometry: l.info.Geometry, Count: l.info.Count})
	}
	var spatial []selected
	for _, l := range all {
		if l.info.Geometry != "None" {
			spatial = append(spatial, l)
		}
	}
	var chosen []selected
	switch {
	case o.Layer != "":
		for _, l := range all {
			if l.name == o.Layer || l.info.Name == o.Layer {
				chosen = []selected{l}
				break
			}
		}
		if chosen == nil {
			for _, l := range all {
				if strings.EqualFold(l.name, o.Layer) {
					chosen = []selected{l}
					break
				}
			}
		}
		if chosen == nil {
			return nil, errorf(CodeLayerNotFound, "文件中没有图层 %q；现有图层：%s", "no layer %q in the file; layers: %s", o.Layer, layerNames(all))
		}
	case len(spatial) == 0:
		return nil, errorf(CodeEmpty, "文件中没有带几何的图层（图层：%s）", "the file has no layer with geometry (layers: %s)", layerNames(all))
	case ds.Format == FormatKML || ds.Format == FormatKMZ:
		chosen = spatial // folders of one document
	default:
		chosen = spatial[:1]
		if len(spatial) > 1 {
			ds.warn("文件含 %d 个图层（%s），已读取第一个图层 %s；如需其他图层请选择图层后重试", len(spatial), layerNames(spatial), spatial[0].name)
		}
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

func layerNames(ls []selected) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.name
	}
	return strings.Join(names, "、")
}
