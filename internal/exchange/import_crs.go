package exchange

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"wanmu/internal/geodesy"
	"wanmu/internal/region"
)

// crsPlan says how a layer's coordinates become EPSG:4490.
type crsPlan struct {
	gdal    bool   // GDAL reprojects (-t_srs EPSG:4490); else raw coordinates come back
	gdalSRS string // -s_srs for GDAL
	// For raw coordinates: the CRS to transform from, or none to guess.
	known    knownCRS
	hasKnown bool
	origin   string // "file", "user", "spec" (KML/GeoJSON), "" (guess)
	label    string // source CRS label for ds.SourceCRS
	note     string // the CRS part of ds.CRSNote
}

// planCRS decides, before conversion, where a layer's CRS comes from. CRSs
// this package knows (CGCS2000/WGS84 lon/lat, CGCS2000 Gauss-Kruger) are
// transformed here, after checking the coordinates agree with them; others
// are left to GDAL.
func planCRS(l selected, o importOpts, ds *Dataset) (crsPlan, error) {
	if o.epsg != 0 {
		if c := l.src.CRSColumn; c != 0 && c != o.epsg {
			ds.warn("CSV 的 crs 列为 EPSG:%d，已按指定的坐标系 EPSG:%d 读取；请核对", c, o.epsg)
		}
		if k, ok := lookupCRS(o.epsg); ok {
			return crsPlan{known: k, hasKnown: true, origin: "user", label: k.label(),
				note: "按指定的坐标系 " + k.label() + " 读取"}, nil
		}
		return crsPlan{gdal: true, gdalSRS: fmt.Sprintf("EPSG:%d", o.epsg), origin: "user",
			label: fmt.Sprintf("EPSG:%d", o.epsg), note: fmt.Sprintf("按指定的坐标系 EPSG:%d 读取，由 GDAL 转换为 EPSG:4490", o.epsg)}, nil
	}
	in := l.info
	if c := l.src.CRSColumn; c != 0 {
		if k, ok := lookupCRS(c); ok {
			return crsPlan{known: k, hasKnown: true, origin: "file", label: k.label(), note: "CSV 的 crs 列：" + k.label()}, nil
		}
		return crsPlan{gdal: true, gdalSRS: fmt.Sprintf("EPSG:%d", c), origin: "file", label: fmt.Sprintf("EPSG:%d", c),
			note: fmt.Sprintf("CSV 的 crs 列：EPSG:%d，由 GDAL 转换为 EPSG:4490", c)}, nil
	}
	if in.WKT == "" {
		return crsPlan{}, nil // guess from the coordinates
	}
	from := "文件自带的坐标系"
	spec := formatByID(l.src.Format)
	if spec != nil && spec.CRSFrom != "" {
		from = spec.CRSFrom
	}
	if spec != nil && spec.SpecWGS84 != "" && (!spec.SpecWGS84Only || in.EPSG == geodesy.EPSGWGS84) {
		k, _ := lookupCRS(geodesy.EPSGWGS84)
		return crsPlan{known: k, hasKnown: true, origin: "spec", label: "EPSG:4326 WGS 84",
			note: spec.SpecWGS84 + "（与 CGCS2000 相差厘米级，直接作为 EPSG:4490）"}, nil
	}
	if k, ok := lookupCRS(in.EPSG); ok {
		return crsPlan{known: k, hasKnown: true, origin: "file", label: k.label(), note: from + "：" + k.label()}, nil
	}
	label := in.SRSName
	if in.EPSG != 0 {
		label = fmt.Sprintf("EPSG:%d %s", in.EPSG, in.SRSName)
	}
	if datumNeedsParameters(in.WKT) {
		ds.warn("坐标系为 %s（北京54/西安80 等旧坐标系），GDAL 没有转换到 CGCS2000 的参数，位置可能偏差数十至上百米；请先用当地七参数转换为 CGCS2000 再导入", label)
	}
	return crsPlan{gdal: true, origin: "file", label: label, note: from + "：" + label + "，由 GDAL 转换为 EPSG:4490"}, nil
}

// datumNeedsParameters reports CRSs on the old Chinese datums.
func datumNeedsParameters(wkt string) bool {
	w := strings.ToLower(wkt)
	for _, s := range []string{"beijing", "xian", "xi'an", "krassowsky", "krasovsky", "iag 1975", "iag_1975"} {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// applyPlan transforms raw coordinates of one layer's features to EPSG:4490
// and records the CRS in ds. offset is the 0-based number of features[0] in
// the file; first says whether this is the first layer (the one that sets
// SourceCRS).
func applyPlan(plan crsPlan, ds *Dataset, features []Feature, offset int, o importOpts, first bool) error {
	setCRS := func(label, note string, assumed bool) {
		if first {
			ds.SourceCRS, ds.CRSNote, ds.CRSAssumed = label, note, assumed
		}
	}
	geographic := true
	if plan.gdal {
		setCRS(plan.label, plan.note, false)
		for i, f := range features {
			if f.Geometry == nil {
				continue
			}
			if b := f.Geometry.Bound(); math.Abs(b.Min[0]) > 180 || math.Abs(b.Max[0]) > 180 || math.Abs(b.Min[1]) > 90 || math.Abs(b.Max[1]) > 90 {
				e := errorf(CodeNoCRS, "按 %s 转换后第 %d 个要素不在经纬度范围内，坐标系可能不对；请指定正确的坐标系",
					"after converting from %s, feature %d is outside the lon/lat range; the CRS is probably wrong, name the right one", plan.label, offset+i+1)
				e.Feature = offset + i + 1
				return e
			}
		}
	} else {
		samples := samplePoints(features, 20000)
		g, ok := guessCRS(samples, unprefixedEPSG(o.rg.MainZone()))
		var use knownCRS
		swapped := false
		switch {
		case plan.hasKnown:
			use = plan.known
			note := plan.note
			if ok {
				gk, _ := lookupCRS(g.EPSG)
				if !compatibleCRS(plan.known, gk) {
					who := map[string]string{"user": "指定的", "file": "文件声明的", "spec": "格式规定的"}[plan.origin]
					ds.warn("%s坐标系 %s 与坐标量级不符，已按坐标推断为 %s；请核对", who, plan.known.label(), gk.label())
					use = gk
					note += "；但坐标量级不符，改按 " + describeGuess(g, gk)
				} else if g.Swapped && use.Kind == kindGK {
					note += "；X/Y 互换（X 为北坐标），已按此读取"
				}
				swapped = g.Swapped && use.Kind == kindGK && compatibleCRS(use, gk)
			}
			setCRS(use.label(), note, false)
		default:
			if !ok {
				return noCRSError(features, ds.Format, o.rg)
			}
			use, _ = lookupCRS(g.EPSG)
			swapped = g.Swapped
			use = pickZone(samples, swapped, use, o.rg)
			prefix := "文件无坐标系"
			if f := formatByID(ds.Format); f != nil && f.NoCRSNote != "" {
				prefix = f.NoCRSNote
			}
			setCRS(use.label(), prefix+"，"+describeGuess(g, use), true)
		}
		if ok && len(g.Outliers) > 0 && g.Votes < g.Total {
			nums := make([]string, len(g.Outliers))
			for i, k := range g.Outliers {
				nums[i] = fmt.Sprint(k + 1)
			}
			ds.warn("第 %s 个要素的坐标与 %s 不符（共 %d/%d 个坐标点不符），请检查这些要素", strings.Join(nums, "、"), use.label(), g.Total-g.Votes, g.Total)
		}
		geographic = use.Kind == kindGeographic
		if !geographic {
			if err := checkGaussKruger(features, offset, use, swapped); err != nil {
				return err
			}
		}
		if !geographic || swapped {
			for i := range features {
				if features[i].Geometry == nil {
					continue
				}
				features[i].Geometry = mapPoints(features[i].Geometry, func(p orb.Point) orb.Point {
					if swapped {
						p[0], p[1] = p[1], p[0]
					}
					return use.toLonLat(p)
				})
			}
		}
	}
	if o.GCJ02 {
		if !geographic && !plan.gdal {
			ds.warn("GCJ-02 纠偏只适用于经纬度坐标，本文件为投影坐标，已忽略")
		} else {
			for i := range features {
				if features[i].Geometry != nil {
					features[i].Geometry = mapPoints(features[i].Geometry, func(p orb.Point) orb.Point {
						lon, lat := geodesy.GCJ02ToWGS84(p[0], p[1])
						return orb.Point{lon, lat}
					})
				}
			}
			if first {
				ds.CRSNote += "；坐标按 GCJ-02（奥维/高德等火星坐标）纠偏为 WGS84"
			}
		}
	}
	return nil
}

// compatibleCRS reports whether coordinates classified as g can be in the
// CRS named k: same kind, and for Gauss-Kruger the same zone prefix (an
// unprefixed easting cannot tell its central meridian, so any will do).
func compatibleCRS(k, g knownCRS) bool {
	if k.Kind != g.Kind {
		return false
	}
	if k.Kind == kindGK {
		return k.Prefix == g.Prefix
	}
	return true
}

// noCRSError describes coordinates that fit no known CRS.
func noCRSError(features []Feature, format string, rg *region.Region) error {
	var b orb.Bound
	first := true
	for _, f := range features {
		if f.Geometry == nil {
			continue
		}
		if first {
			b, first = f.Geometry.Bound(), false
		} else {
			b = b.Union(f.Geometry.Bound())
		}
	}
	rng := fmt.Sprintf("X %.3f–%.3f，Y %.3f–%.3f", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	z := rg.MainZone()
	gk := fmt.Sprintf("EPSG:%d/%d", prefixedEPSG(z), unprefixedEPSG(z))
	eg := fmt.Sprintf("EPSG:%d", prefixedEPSG(z))
	zh := "文件没有坐标系，坐标范围（" + rng + "）既不像经纬度也不像 CGCS2000 高斯-克吕格坐标（" + gk + "），可能是 CAD 的局部坐标；请指定坐标系（如 " + eg + "）"
	en := "the file has no CRS and its coordinates (" + rng + ") look neither like lon/lat nor like CGCS2000 Gauss-Kruger (" + gk + "), perhaps local CAD coordinates; name the CRS (e.g. " + eg + ")"
	if f := formatByID(format); f != nil && f.rebuild != nil { // a drawing, not a GIS file
		zh = strings.ToUpper(format) + " " + zh[len("文件"):]
	}
	return &Error{Code: CodeNoCRS, Message: zh, English: en}
}
