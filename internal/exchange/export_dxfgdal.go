package exchange

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
)

// writeDXFFeature writes a feature for the DXF writer: each polygon ring as
// a closed polyline on the layer's CAD layer, and the label as text at a
// point inside the polygon.
func (j *exportJob) writeDXFFeature(feat Feature, layer, label string, write func(orb.Geometry, []byte) error) error {
	props := func(extra string) []byte {
		b, _ := json.Marshal(layer)
		s := `{"Layer":` + string(b)
		if extra != "" {
			s += `,"OGR_STYLE":` + extra
		}
		return []byte(s + "}")
	}
	var polys orb.MultiPolygon
	switch g := feat.Geometry.(type) {
	case nil:
		return nil
	case orb.Polygon:
		polys = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return write(g, props(""))
	}
	var rings orb.MultiLineString
	for _, p := range polys {
		for _, r := range p {
			rings = append(rings, orb.LineString(r))
		}
	}
	if err := write(rings, props("")); err != nil {
		return err
	}
	if label == "" {
		return nil
	}
	pt, size := labelPoint(polys)
	style, _ := json.Marshal(fmt.Sprintf(`LABEL(f:"SimSun",t:"%s",s:%.1fg,p:5)`, strings.ReplaceAll(label, `"`, `\"`), size))
	return write(pt, props(string(style)))
}

// labelPoint picks a point inside the largest polygon and a text height in
// metres that suits its size.
func labelPoint(mp orb.MultiPolygon) (orb.Point, float64) {
	best, bestArea := 0, -1.0
	for i, p := range mp {
		if a := geodesy.EllipsoidalArea(p); a > bestArea {
			best, bestArea = i, a
		}
	}
	p := mp[best]
	c, _ := planarCentroid(p)
	if !polygonContains(p, c) {
		c = interiorPoint(p)
	}
	size := math.Sqrt(max(bestArea, 1)) / 15
	return c, max(2, min(size, 50))
}

// finishDXF closes the polylines GDAL's DXF writer leaves open.
func (j *exportJob) finishDXF(out string) error {
	if err := closeDXFPolylines(out); err != nil {
		return fmt.Errorf("export dxf: %w", err)
	}
	return nil
}
