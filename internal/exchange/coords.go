package exchange

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// Impossible coordinates. Every imported coordinate must end up a finite
// CGCS2000 longitude within ±180° and latitude within ±90°; a Gauss-Kruger
// coordinate read by this package must also lie where the projection is
// defined, since the inverse formulas turn any number (1e308 included)
// into some longitude and latitude. One impossible coordinate stops the
// import, naming the feature and the coordinate (imports are all or
// nothing).
const (
	// gkMaxNorthing is the meridian distance from the equator to a pole on
	// the CGCS2000 ellipsoid, rounded up (10,001,965.7 m).
	gkMaxNorthing = 10_002_000.0
	// gkMaxOffset is how far from the central meridian (in metres of
	// easting) the Gauss-Kruger series used here are accurate (Karney 2011:
	// 5 nm within 3,900 km). Real data is within a few hundred km.
	gkMaxOffset = 3_900_000.0
)

// checkLonLat returns an *Error for the first coordinate of the features
// that is not a finite longitude within ±180° and latitude within ±90°.
// offset is the 0-based number of features[0] in the file.
func checkLonLat(features []Feature, offset int) error {
	for i, f := range features {
		if f.Geometry == nil {
			continue
		}
		var bad error
		walkPoints(f.Geometry, func(p orb.Point, at position) bool {
			lon, lat := p[0], p[1]
			switch {
			case !finite(lon) || !finite(lat):
				bad = coordError(offset+i+1, at, p, "不是有限数值", "is not a finite number")
			case math.Abs(lat) > 90:
				bad = coordError(offset+i+1, at, p, "纬度超出 ±90°", "has a latitude beyond ±90°")
			case math.Abs(lon) > 180:
				bad = coordError(offset+i+1, at, p, "经度超出 ±180°", "has a longitude beyond ±180°")
			}
			return bad == nil
		})
		if bad != nil {
			return bad
		}
	}
	return nil
}

// checkGaussKruger returns an *Error for the first coordinate, as written
// in the file (x easting, y northing, after any swap), that lies outside
// the domain of c. offset is the 0-based number of features[0] in the file.
func checkGaussKruger(features []Feature, offset int, c knownCRS, swapped bool) error {
	for i, f := range features {
		if f.Geometry == nil {
			continue
		}
		var bad error
		walkPoints(f.Geometry, func(p orb.Point, at position) bool {
			e, n := p[0], p[1]
			if swapped {
				e, n = n, e
			}
			switch {
			case !finite(e) || !finite(n):
				bad = coordError(offset+i+1, at, p, "不是有限数值", "is not a finite number")
			case math.Abs(n) > gkMaxNorthing || math.Abs(e-c.Prefix-500_000) > gkMaxOffset:
				bad = coordError(offset+i+1, at, p,
					fmt.Sprintf("不是 %s 的有效坐标（北坐标应在赤道两侧 %.0f km 内，东坐标距中央子午线不超过 %.0f km）", c.label(), gkMaxNorthing/1000, gkMaxOffset/1000),
					fmt.Sprintf("is not a valid %s coordinate (northings lie within %.0f km of the equator, eastings within %.0f km of the central meridian)", c.label(), gkMaxNorthing/1000, gkMaxOffset/1000))
			}
			return bad == nil
		})
		if bad != nil {
			return bad
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// coordError says which feature and which coordinate is impossible, and why.
func coordError(feature int, at position, p orb.Point, zh, en string) *Error {
	xy := "(" + formatCoord(p[0]) + ", " + formatCoord(p[1]) + ")"
	return &Error{Code: CodeBadCoordinate, Feature: feature,
		Message: fmt.Sprintf("第 %d 个要素%s的坐标 %s %s；请在原软件中修正后重新上传（整个文件均未导入）", feature, at.zh(), xy, zh),
		English: fmt.Sprintf("feature %d: the coordinate %s at %s %s; correct it where the file was made and upload it again (nothing was imported)", feature, xy, at.en(), en)}
}

func formatCoord(v float64) string { return strconv.FormatFloat(v, 'g', 12, 64) }

// position is where a coordinate sits in a geometry: its index at each
// level, outermost first, with the level's kind.
type position []level

type level struct {
	kind  int // levelPart, levelRing, levelLine, levelPoint
	index int // 0-based
}

const (
	levelPart = iota // a member of a multi-geometry or collection
	levelRing
	levelLine
	levelPoint
)

var levelNames = [...]struct{ zh, en string }{
	levelPart: {"个部分", "part"}, levelRing: {"个环", "ring"}, levelLine: {"条线", "line"}, levelPoint: {"个点", "point"},
}

// zh is "第 1 个部分第 1 个环第 2 个点" ("" for a lone point).
func (p position) zh() string {
	s := ""
	for _, l := range p {
		s += fmt.Sprintf("第 %d %s", l.index+1, levelNames[l.kind].zh)
	}
	return s
}

// en is "part 1, ring 1, point 2" ("the point" for a lone point).
func (p position) en() string {
	if len(p) == 0 {
		return "the point"
	}
	s := ""
	for i, l := range p {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", levelNames[l.kind].en, l.index+1)
	}
	return s
}

// walkPoints calls visit with every coordinate of g and where it is, until
// visit returns false. It reports whether it went through all of them.
func walkPoints(g orb.Geometry, visit func(orb.Point, position) bool) bool {
	return walk(g, nil, visit)
}

func walk(g orb.Geometry, at position, visit func(orb.Point, position) bool) bool {
	points := func(ps []orb.Point) bool {
		for k, p := range ps {
			if !visit(p, append(at, level{levelPoint, k})) {
				return false
			}
		}
		return true
	}
	switch g := g.(type) {
	case orb.Point:
		return visit(g, at)
	case orb.MultiPoint:
		return points(g)
	case orb.LineString:
		return points(g)
	case orb.Ring:
		return points(g)
	case orb.Bound:
		return walk(g.ToPolygon(), at, visit)
	case orb.MultiLineString:
		for k, l := range g {
			if !walk(l, append(at, level{levelLine, k}), visit) {
				return false
			}
		}
	case orb.Polygon:
		for k, r := range g {
			if !walk(r, append(at, level{levelRing, k}), visit) {
				return false
			}
		}
	case orb.MultiPolygon:
		for k, p := range g {
			if !walk(p, append(at, level{levelPart, k}), visit) {
				return false
			}
		}
	case orb.Collection:
		for k, c := range g {
			if !walk(c, append(at, level{levelPart, k}), visit) {
				return false
			}
		}
	}
	return true
}
