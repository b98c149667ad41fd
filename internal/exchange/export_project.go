package exchange

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Coordinates a Gauss-Krüger projection cannot take. PROJ's transverse
// Mercator fails on a latitude beyond ±90° ("tmerc: Invalid latitude") and
// on points 90° or more from the central meridian ("Point outside of
// projection domain"); ogr2ogr then stops the whole export. Such points can
// only be errors in the data (the importer refuses them now; older data may
// hold them), so the export is refused up front, naming the feature.

// checkProjectable returns an *Error for the first vertex of layer l that
// cannot be projected to epsg.
func checkProjectable(l ExportLayer, epsg int, nameField string) error {
	for n, f := range l.Features {
		if f.Geometry == nil {
			continue
		}
		k, _ := lookupCRS(epsg)
		p, zh, en, bad := firstUnprojectable(f.Geometry, k.CM)
		if !bad {
			continue
		}
		label := ""
		if v := f.Properties[nameField]; nameField != "" && v != nil {
			label = "（" + stringValue(v) + "）"
		}
		return &Error{Code: CodeInvalidInput,
			Message: fmt.Sprintf("图层「%s」第 %d 个要素%s有坐标 (%g, %g) 无法投影到 EPSG:%d：%s。请在数据中修正或删除该要素后再导出，或改用 EPSG:4490 经纬度导出。",
				displayName(l), n+1, label, p[0], p[1], epsg, zh),
			English: fmt.Sprintf("layer %s feature %d%s has the coordinate (%g, %g), which cannot be projected to EPSG:%d: %s. Fix or delete the feature, or export in EPSG:4490.",
				displayName(l), n+1, label, p[0], p[1], epsg, en)}
	}
	return nil
}

// firstUnprojectable returns the first point of g a transverse Mercator on
// cm (degrees east) cannot project, and why (in Chinese and English).
func firstUnprojectable(g orb.Geometry, cm float64) (bad orb.Point, zh, en string, found bool) {
	check := func(p orb.Point) bool {
		dlon := math.Mod(p[0]-cm+540, 360) - 180
		switch {
		case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
			zh, en = "坐标不是有限数值", "not a finite number"
		case math.Abs(p[1]) > 90:
			zh, en = "纬度超出 ±90°", "latitude beyond ±90°"
		case math.Abs(p[0]) > 180:
			zh, en = "经度超出 ±180°", "longitude beyond ±180°"
		case math.Abs(dlon) >= 90:
			zh = fmt.Sprintf("距中央经线 %g° 达 90° 以上", cm)
			en = fmt.Sprintf("90° or more from the central meridian %g°", cm)
		default:
			return false
		}
		bad = p
		return true
	}
	var walk func(orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			found = found || check(g)
		case orb.MultiPoint:
			for _, p := range g {
				if !found {
					walk(p)
				}
			}
		case orb.LineString:
			walk(orb.MultiPoint(g))
		case orb.Ring:
			walk(orb.MultiPoint(g))
		case orb.MultiLineString:
			for _, x := range g {
				walk(orb.MultiPoint(x))
			}
		case orb.Polygon:
			for _, x := range g {
				walk(orb.MultiPoint(x))
			}
		case orb.MultiPolygon:
			for _, x := range g {
				walk(x)
			}
		case orb.Collection:
			for _, x := range g {
				walk(x)
			}
		}
	}
	walk(g)
	return bad, zh, en, found
}
