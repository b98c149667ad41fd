package exchange

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
	"wanmu/internal/region"
)

// Export CRS codes. EPSG:4490 is the storage CRS; 4326 is accepted as equal
// to it (they agree to centimetres); 4549 and 4528 are zone-40 Gauss-Kruger
// without and with the zone prefix.
const (
	CRS4490 = "EPSG:4490"
	CRS4326 = "EPSG:4326"
	CRS4549 = "EPSG:4549"
	CRS4528 = "EPSG:4528"
)

// CRSInfo describes one coordinate reference system offered for export.
type CRSInfo struct {
	Code string // "EPSG:4528"
	Name string // "CGCS2000 / 3-degree Gauss-Kruger zone 40"
	Note string // Chinese description for the UI
}

// ListCRS returns the coordinate reference systems offered for export in
// the region (nil: 丽水): lon/lat, then the Gauss-Kruger zone(s) of its
// counties without and with the zone prefix. Export also accepts every
// other CGCS2000 3-degree zone (ExportableEPSG).
func ListCRS(rg *region.Region) []CRSInfo {
	out := []CRSInfo{
		{CRS4490, "CGCS2000", "CGCS2000 经纬度（入库坐标系）"},
		{CRS4326, "WGS 84", "WGS84 经纬度（与 CGCS2000 相差厘米级，KML/奥维/网页地图）"},
	}
	for _, z := range regionOrDefault(rg).Zones() {
		u, _ := lookupCRS(unprefixedEPSG(z))
		p, _ := lookupCRS(prefixedEPSG(z))
		out = append(out,
			CRSInfo{fmt.Sprintf("EPSG:%d", u.EPSG), u.Name, fmt.Sprintf("CGCS2000 3 度带高斯-克吕格，中央经线 %g°E，东坐标不带带号", u.CM)},
			CRSInfo{fmt.Sprintf("EPSG:%d", p.EPSG), p.Name, fmt.Sprintf("CGCS2000 3 度带高斯-克吕格 %d 带，东坐标带 %d 带号", z, z)})
	}
	return out
}

// ExportableEPSG reports whether exports accept the EPSG code: CGCS2000 or
// WGS 84 lon/lat, or a CGCS2000 3-degree Gauss-Kruger zone.
func ExportableEPSG(epsg int) bool {
	return epsg == geodesy.EPSGCGCS2000 || epsg == geodesy.EPSGWGS84 || projectedEPSG(epsg)
}

// crsKind says how coordinates of a CRS are to be read.
type crsKind int

const (
	kindGeographic crsKind = iota + 1 // lon/lat degrees
	kindGK                            // Gauss-Kruger northing/easting metres
)

// knownCRS is a CRS this package transforms itself (to EPSG:4490) without
// GDAL: CGCS2000/WGS84 lon/lat and every CGCS2000 Gauss-Kruger zone.
type knownCRS struct {
	EPSG   int
	Kind   crsKind
	CM     float64 // central meridian, degrees east (GK only)
	Prefix float64 // added to eastings: zone number × 10⁶ m, or 0
	Name   string
}

// lookupCRS returns the knownCRS for an EPSG code.
func lookupCRS(epsg int) (knownCRS, bool) {
	switch {
	case epsg == geodesy.EPSGCGCS2000:
		return knownCRS{EPSG: epsg, Kind: kindGeographic, Name: "CGCS2000"}, true
	case epsg == geodesy.EPSGWGS84:
		return knownCRS{EPSG: epsg, Kind: kindGeographic, Name: "WGS 84"}, true
	case epsg >= 4491 && epsg <= 4501: // 6-degree zones 13–23 with prefix
		zone := epsg - 4478
		return knownCRS{EPSG: epsg, Kind: kindGK, CM: float64(6*zone - 3), Prefix: float64(zone) * 1e6,
			Name: fmt.Sprintf("CGCS2000 / Gauss-Kruger zone %d", zone)}, true
	case epsg >= 4502 && epsg <= 4512: // 6-degree, CM 75–135, no prefix
		cm := 75 + 6*(epsg-4502)
		return knownCRS{EPSG: epsg, Kind: kindGK, CM: float64(cm),
			Name: fmt.Sprintf("CGCS2000 / Gauss-Kruger CM %dE", cm)}, true
	case epsg >= 4513 && epsg <= 4533: // 3-degree zones 25–45 with prefix
		zone := epsg - 4488
		return knownCRS{EPSG: epsg, Kind: kindGK, CM: float64(3 * zone), Prefix: float64(zone) * 1e6,
			Name: fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger zone %d", zone)}, true
	case epsg >= 4534 && epsg <= 4554: // 3-degree, CM 75–135, no prefix
		cm := 75 + 3*(epsg-4534)
		return knownCRS{EPSG: epsg, Kind: kindGK, CM: float64(cm),
			Name: fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger CM %dE", cm)}, true
	}
	return knownCRS{}, false
}

// toLonLat converts one coordinate of this CRS, as (x, y) = (easting,
// northing) or (lon, lat), to CGCS2000 lon/lat.
func (c knownCRS) toLonLat(p orb.Point) orb.Point {
	if c.Kind == kindGeographic {
		return p
	}
	lon, lat := geodesy.FromGaussKruger(p[1], p[0]-c.Prefix, c.CM)
	return orb.Point{lon, lat}
}

// label is "EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40".
func (c knownCRS) label() string { return fmt.Sprintf("EPSG:%d %s", c.EPSG, c.Name) }

// parseCRS reads a CRS option: "EPSG:4528", "epsg:4528", "4528",
// "urn:ogc:def:crs:EPSG::4528", "http://www.opengis.net/def/crs/EPSG/0/4528"
// or "CRS84". It returns the EPSG code, or 0 for "".
func parseCRS(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	u := strings.ToUpper(s)
	switch u {
	case "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "WGS84":
		return geodesy.EPSGWGS84, nil
	case "CGCS2000":
		return geodesy.EPSGCGCS2000, nil
	}
	for _, p := range []string{"URN:OGC:DEF:CRS:EPSG::", "URN:OGC:DEF:CRS:EPSG:", "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/", "HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/", "EPSG::", "EPSG:"} {
		if strings.HasPrefix(u, p) {
			u = u[len(p):]
			break
		}
	}
	if u == "" || len(u) > 6 {
		return 0, badCRS(s)
	}
	for _, r := range u {
		if r < '0' || r > '9' {
			return 0, badCRS(s)
		}
	}
	n, err := strconv.Atoi(u)
	if err != nil || n < 1024 {
		return 0, badCRS(s)
	}
	return n, nil
}

func badCRS(s string) error {
	return errorf(CodeInvalidOption,
		"无法识别坐标系 %q，请写成 EPSG:4528、EPSG:4549 或 EPSG:4490 这样的 EPSG 代码",
		"unrecognised CRS %q; give an EPSG code such as EPSG:4528, EPSG:4549 or EPSG:4490", s)
}

// pointClass is what one coordinate pair looks like.
type pointClass struct {
	EPSG    int  // 4490 for lon/lat, else a CGCS2000 GK code
	Swapped bool // GK written northing first (X = northing)
}

// Lon/lat bounds of China with a margin: a file without a CRS whose
// numbers fall in here is taken as lon/lat. Small numbers elsewhere are
// more likely local CAD coordinates than a place abroad.
const (
	chinaMinLon = 73.0
	chinaMaxLon = 136.0
	chinaMinLat = 3.0
	chinaMaxLat = 54.0
)

// China's northings (≈13°N–56°N) and a Gauss-Kruger easting's distance from
// the false easting (a 6-degree zone spans ±3°, well within ±400 km).
const (
	minNorthing = 1.5e6
	maxNorthing = 6.2e6
	minEasting  = 1.0e5
	maxEasting  = 9.0e5
)

// classifyPoint says which CRS the pair (x, y), as written in the file,
// looks like: lon/lat inside China, or Gauss-Kruger. Lon/lat, northings and eastings (with or without a zone prefix)
// occupy disjoint ranges, so the answer is unambiguous; only an unprefixed
// easting cannot tell its zone, and is taken as EPSG unprefixed (the
// region's main zone, see unprefixedEPSG; pickZone may move it).
func classifyPoint(x, y float64, unprefixed int) (pointClass, bool) {
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return pointClass{}, false
	}
	if x >= chinaMinLon && x <= chinaMaxLon && y >= chinaMinLat && y <= chinaMaxLat {
		return pointClass{EPSG: geodesy.EPSGCGCS2000}, true
	}
	if isNorthing(y) {
		if epsg, ok := eastingEPSG(x, unprefixed); ok {
			return pointClass{EPSG: epsg}, true
		}
	}
	if isNorthing(x) {
		if epsg, ok := eastingEPSG(y, unprefixed); ok {
			return pointClass{EPSG: epsg, Swapped: true}, true
		}
	}
	return pointClass{}, false
}

func isNorthing(v float64) bool { return v >= minNorthing && v <= maxNorthing }

// eastingEPSG returns the CGCS2000 GK code an easting belongs to: the zone
// from its prefix (3-degree zones 25–45, 6-degree zones 13–23), or
// unprefixed when it has none.
func eastingEPSG(v float64, unprefixed int) (int, bool) {
	if v >= minEasting && v <= maxEasting {
		return unprefixed, true
	}
	if v < 13e6 || v >= 46e6 {
		return 0, false
	}
	zone := int(v / 1e6)
	rem := v - float64(zone)*1e6
	if rem < minEasting || rem > maxEasting {
		return 0, false
	}
	switch {
	case zone >= 25 && zone <= 45:
		return 4488 + zone, true
	case zone >= 13 && zone <= 23:
		return 4478 + zone, true
	}
	return 0, false
}

// crsGuess is the outcome of guessing a file's CRS from its coordinates.
type crsGuess struct {
	pointClass
	Votes    int   // coordinates that fit the guess
	Total    int   // coordinates looked at
	Outliers []int // 0-based feature indexes with coordinates that do not fit (at most 5)
}

// coordSample is one coordinate of the file and the feature it came from.
type coordSample struct {
	P       orb.Point
	Feature int
}

// guessCRS picks the CRS most coordinates fit. It fails when no coordinate
// fits any, or when fewer than half fit the most common one.
func guessCRS(samples []coordSample, unprefixed int) (crsGuess, bool) {
	votes := map[pointClass]int{}
	classes := make([]pointClass, len(samples))
	fits := make([]bool, len(samples))
	for i, s := range samples {
		c, ok := classifyPoint(s.P[0], s.P[1], unprefixed)
		classes[i], fits[i] = c, ok
		if ok {
			votes[c]++
		}
	}
	if len(votes) == 0 {
		return crsGuess{Total: len(samples)}, false
	}
	keys := make([]pointClass, 0, len(votes))
	for k := range votes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if votes[keys[i]] != votes[keys[j]] {
			return votes[keys[i]] > votes[keys[j]]
		}
		if keys[i].EPSG != keys[j].EPSG {
			return keys[i].EPSG < keys[j].EPSG
		}
		return !keys[i].Swapped
	})
	g := crsGuess{pointClass: keys[0], Votes: votes[keys[0]], Total: len(samples)}
	seen := map[int]bool{}
	for i, s := range samples {
		if (!fits[i] || classes[i] != g.pointClass) && !seen[s.Feature] && len(g.Outliers) < 5 {
			seen[s.Feature] = true
			g.Outliers = append(g.Outliers, s.Feature)
		}
	}
	return g, 2*g.Votes > g.Total
}

// describeGuess is the human note for a guessed CRS.
func describeGuess(g crsGuess, c knownCRS) string {
	var b strings.Builder
	if c.Kind == kindGeographic {
		b.WriteString("坐标为经纬度，按 EPSG:4490（CGCS2000 经纬度）处理")
		return b.String()
	}
	fmt.Fprintf(&b, "按坐标量级推断为 %s", c.label())
	switch {
	case c.Prefix != 0:
		fmt.Fprintf(&b, "（东坐标带 %d 带号的高斯-克吕格坐标）", int(c.Prefix/1e6))
	default:
		fmt.Fprintf(&b, "（东坐标不带带号，无法判断带号，按本地区所在的中央经线 %.0f°E 处理）", c.CM)
	}
	if g.Swapped {
		b.WriteString("；X/Y 互换（X 为北坐标、Y 为东坐标，测量和 CAD 习惯），已按此读取")
	}
	return b.String()
}

// mapPoints applies f to every coordinate of g, in place where g is a slice
// type, and returns the result.
func mapPoints(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return f(g)
	case orb.MultiPoint:
		for i := range g {
			g[i] = f(g[i])
		}
		return g
	case orb.LineString:
		for i := range g {
			g[i] = f(g[i])
		}
		return g
	case orb.Ring:
		for i := range g {
			g[i] = f(g[i])
		}
		return g
	case orb.Polygon:
		for _, r := range g {
			mapPoints(r, f)
		}
		return g
	case orb.MultiLineString:
		for _, l := range g {
			mapPoints(l, f)
		}
		return g
	case orb.MultiPolygon:
		for _, p := range g {
			mapPoints(p, f)
		}
		return g
	case orb.Collection:
		for i := range g {
			g[i] = mapPoints(g[i], f)
		}
		return g
	}
	return g
}

// samplePoints collects up to max coordinates spread over the features.
func samplePoints(features []Feature, max int) []coordSample {
	var n int
	for _, f := range features {
		if f.Geometry != nil {
			n += countPoints(f.Geometry)
		}
	}
	step := 1
	if n > max {
		step = n/max + 1
	}
	out := make([]coordSample, 0, min(n, max)+len(features))
	var k int
	for i, f := range features {
		first := true
		if f.Geometry == nil {
			continue
		}
		mapPoints(f.Geometry, func(p orb.Point) orb.Point {
			// Every feature's first vertex counts, so that a stray feature
			// shows up as an outlier even in a large file.
			if first || k%step == 0 {
				out = append(out, coordSample{p, i})
			}
			first = false
			k++
			return p
		})
	}
	return out
}

func countPoints(g orb.Geometry) int {
	var n int
	mapPoints(g, func(p orb.Point) orb.Point { n++; return p })
	return n
}
