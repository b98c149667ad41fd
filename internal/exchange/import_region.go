package exchange

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"

	"wanmu/internal/region"
)

// The region wanmu plans (ImportOptions.Region, 丽水 by default: about
// 118.7–120.6°E, 27.4–28.9°N). A feature a little outside its extent is a
// neighbour's survey or a generous boundary, worth a look; one hundreds of
// kilometres away was read in the wrong coordinate system (another zone's
// central meridian, a projected file declared as lon/lat), and stored it
// would only mislead every report and export, so it stops the import.
//
// regionFarKm is how far from the region a feature may reach before the
// import is refused. For 丽水 it covers all of 浙江 and its neighbours'
// border counties, none of the places a wrong CRS sends data (one zone,
// 3° of longitude, is about 300 km there).
const regionFarKm = 300.0

// unprefixedEPSG and prefixedEPSG are the CGCS2000 3-degree Gauss-Kruger
// codes of zone (central meridian 3·zone°E, zones 25–45) without and with
// the zone prefix on eastings: zone 40 is EPSG:4549 and EPSG:4528.
func unprefixedEPSG(zone int) int { return 4509 + zone }
func prefixedEPSG(zone int) int   { return 4488 + zone }

// regionOrDefault is rg, or 丽水 for nil.
func regionOrDefault(rg *region.Region) *region.Region {
	if rg == nil {
		return region.Default()
	}
	return rg
}

// DefaultProjectedEPSG is the CRS projected exports (DXF, the handover
// package) use unless asked otherwise: the region's main Gauss-Kruger zone,
// eastings with the zone prefix, as local surveys write them (丽水:
// EPSG:4528).
func DefaultProjectedEPSG(rg *region.Region) int {
	return prefixedEPSG(regionOrDefault(rg).MainZone())
}

// pickZone reads an unprefixed Gauss-Kruger file of a region spanning
// several zones in the zone that puts it nearest the region: an easting
// alone cannot tell its zone, but a wrong one moves the data about 300 km.
func pickZone(samples []coordSample, swapped bool, use knownCRS, rg *region.Region) knownCRS {
	zones := rg.Zones()
	if len(zones) < 2 || use.Kind != kindGK || use.Prefix != 0 || len(samples) == 0 {
		return use
	}
	var e, n float64
	for _, s := range samples {
		x, y := s.P[0], s.P[1]
		if swapped {
			x, y = y, x
		}
		e += x / float64(len(samples))
		n += y / float64(len(samples))
	}
	best, bestKm := use, math.Inf(1)
	for _, z := range zones {
		k, ok := lookupCRS(unprefixedEPSG(z))
		if !ok {
			continue
		}
		if km := kmFromRegion(rg.Extent, k.toLonLat(orb.Point{e, n})); km < bestKm {
			best, bestKm = k, km
		}
	}
	return best
}

// kmFromRegion is the distance in km from the region's box to p, on a
// sphere of the Earth's mean radius (good to a few km at this scale, far
// finer than the threshold).
func kmFromRegion(ext region.Extent, p orb.Point) float64 {
	lon := math.Max(ext.MinLon, math.Min(ext.MaxLon, p[0]))
	lat := math.Max(ext.MinLat, math.Min(ext.MaxLat, p[1]))
	if lon == p[0] && lat == p[1] {
		return 0
	}
	const r = 6371.0088
	rad := math.Pi / 180
	φ1, φ2 := lat*rad, p[1]*rad
	dφ, dλ := φ2-φ1, (p[0]-lon)*rad
	a := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// farthestFromRegion is the corner of b farthest from the region and its
// distance: the distance to a box is convex, so no point of b is farther.
func farthestFromRegion(ext region.Extent, b orb.Bound) (orb.Point, float64) {
	var far orb.Point
	km := -1.0
	for _, p := range []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		if d := kmFromRegion(ext, p); d > km {
			far, km = p, d
		}
	}
	return far, km
}

// checkRegion refuses the first feature that reaches more than
// regionFarKm beyond the region, naming it (with its name when it has
// one), and warns about features just outside. Coordinates are EPSG:4490
// and already known to be valid lon/lat.
func checkRegion(ds *Dataset, rg *region.Region) error {
	ext, city := rg.Extent, rg.ShortName()
	var near []int
	for i, f := range ds.Features {
		if f.Geometry == nil {
			continue
		}
		p, km := farthestFromRegion(ext, f.Geometry.Bound())
		switch {
		case km > regionFarKm:
			n := i + 1
			who, whoEn := fmt.Sprintf("第 %d 个要素", n), fmt.Sprintf("feature %d", n)
			if name := featureName(f); name != "" {
				who += "（" + name + "）"
				whoEn += " (" + name + ")"
			}
			crs := ds.SourceCRS
			if crs == "" {
				crs = "所用坐标系"
			}
			e := &Error{Code: CodeOutsideRegion, Feature: n,
				Message: fmt.Sprintf("%s按 %s 读取后位于经度 %.4f°、纬度 %.4f°，距%s约 %.0f km，不可能是本地数据：坐标系很可能不对（带号、中央经线、X/Y 顺序或经纬度顺序）；请指定正确的坐标系后重新上传（整个文件均未导入）",
					who, crs, p[0], p[1], city, km),
				English: fmt.Sprintf("%s, read as %s, lies at %.4f°E %.4f°N, about %.0f km from %s, so it cannot be local data: the CRS is most likely wrong (zone, central meridian, X/Y or lon/lat order); name the right CRS and upload again (nothing was imported)",
					whoEn, crs, p[0], p[1], km, city)}
			return e
		case km > 0:
			near = append(near, i+1)
		}
	}
	if len(near) > 0 {
		ds.warn("%d 个要素（第 %s 个）超出%s市域范围（经度 %.1f–%.1f°，纬度 %.1f–%.1f°），但在 %.0f km 以内；请确认是否为相邻地区的数据",
			len(near), listNumbers(near), city, ext.MinLon, ext.MaxLon, ext.MinLat, ext.MaxLat, regionFarKm)
	}
	return nil
}

// nameKeys are the attributes that usually name a feature, in order.
var nameKeys = []string{"name", "名称", "NAME", "Name", "mc", "MC", "区块名称", "平台名称", "分区名称"}

// featureName is the feature's name, if one of its attributes looks like
// one, for messages.
func featureName(f Feature) string {
	for _, k := range nameKeys {
		if s, ok := f.Properties[k].(string); ok && strings.TrimSpace(s) != "" {
			return clipText(strings.TrimSpace(s), 40)
		}
	}
	return ""
}

// clipText cuts s to n characters.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
