package qgis

// MapLibreStyle is a MapLibre (Mapbox GL) style of the layers' vector
// tiles: one source per tile layer (the server's TileJSON, so that MapLibre
// learns the zoom range and bounds there), a fill and a line layer each,
// with the rules as match expressions. Requests need the user's token
// (transformRequest in MapLibre); the style names none.
func MapLibreStyle(title string, layers []Layer) map[string]any {
	sources := map[string]any{}
	var out []any
	for _, l := range layers {
		src := l.Collection
		sources[src] = map[string]any{"type": "vector", "url": l.Base + "/tiles/" + src + ".json" + l.tileQuery()}
		fill, stroke, opacity := matchColors(l)
		if l.Style.Fill != "" || len(l.Rules) > 0 {
			out = append(out, map[string]any{
				"id": src + "-fill", "type": "fill", "source": src, "source-layer": src,
				"paint":    map[string]any{"fill-color": fill, "fill-opacity": opacity},
				"metadata": map[string]any{"wanmu:name": l.Name},
			})
		}
		line := map[string]any{"line-color": stroke, "line-width": l.Style.StrokeWidth}
		if l.Style.Dashed() { // MapLibre's dashes are in line widths
			dash := make([]float64, len(l.Style.Dash))
			for i, d := range l.Style.Dash {
				dash[i] = d / l.Style.StrokeWidth
			}
			line["line-dasharray"] = dash
		}
		out = append(out, map[string]any{
			"id": src + "-line", "type": "line", "source": src, "source-layer": src, "paint": line,
			"metadata": map[string]any{"wanmu:name": l.Name},
		})
	}
	return map[string]any{"version": 8, "name": title, "sources": sources, "layers": out}
}

// matchColors turns a layer's rules into MapLibre case expressions, the
// first matching rule winning as in QGIS.
func matchColors(l Layer) (fill, stroke, opacity any) {
	if len(l.Rules) == 0 {
		return l.Style.Fill, l.Style.Stroke, l.Style.FillOpacity
	}
	fills, strokes, opac := []any{"case"}, []any{"case"}, []any{"case"}
	for _, r := range l.Rules {
		cond := []any{"==", []any{"get", r.Field}, r.Value}
		fills = append(fills, cond, r.Style.Fill)
		strokes = append(strokes, cond, r.Style.Stroke)
		opac = append(opac, cond, r.Style.FillOpacity)
	}
	return append(fills, l.Style.Fill), append(strokes, l.Style.Stroke), append(opac, l.Style.FillOpacity)
}
