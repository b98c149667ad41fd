package ogc

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
	"wanmu/internal/problem"
	"wanmu/internal/query"
)

// OGC API – Features Part 2 (Coordinate Reference Systems by Reference).
// The data are stored in CGCS2000 longitude/latitude (EPSG:4490); a request
// may ask for them (crs) and give its bbox (bbox-crs) in any CRS of
// the region's list (crsList). Coordinates come in the axis order of the CRS's EPSG
// definition, as Part 2 says: EPSG:4490 and 4326 latitude first, Gauss-Kruger
// (丽水's zone 40: EPSG:4528 and 4549) northing first (X north, Y east, as Chinese survey tables);
// CRS84 longitude first. EPSG:4326 is taken as equal to CGCS2000: the two
// agree to a few centimetres here, below what the zones are drawn to.

// crsURI is the URI of an EPSG CRS.
func crsURI(epsg int) string { return "http://www.opengis.net/def/crs/EPSG/0/" + strconv.Itoa(epsg) }

// outCRS is a coordinate reference system served.
type outCRS struct {
	URI       string
	EPSG      int     // 0 for CRS84
	LatFirst  bool    // geographic, latitude first (EPSG:4490, 4326)
	Projected bool    // Gauss-Kruger, northing first
	CM        float64 // the Gauss-Kruger zone's central meridian, degrees east
	Prefix    float64
}

var (
	crs84   = outCRS{URI: CRS84}
	storage = outCRS{URI: crsURI(geodesy.EPSGCGCS2000), EPSG: geodesy.EPSGCGCS2000, LatFirst: true}
	// defaultCRS is the list served for 丽水 (zone 40: EPSG:4528 and 4549).
	defaultCRS = newCRSList([]int{geodesy.Zone40})
)

// crsList is, in the collections' order, every CRS served: CRS84, CGCS2000,
// WGS 84, then each of the region's 3-degree Gauss-Kruger zones with the
// zone prefix (EPSG 4488 + zone) and without it (EPSG 4509 + zone).
type crsList []outCRS

// newCRSList is the list for the region's zones (none: 丽水's zone 40).
func newCRSList(zones []int) crsList {
	if len(zones) == 0 {
		zones = []int{geodesy.Zone40}
	}
	l := crsList{crs84, storage, {URI: crsURI(geodesy.EPSGWGS84), EPSG: geodesy.EPSGWGS84, LatFirst: true}}
	for _, z := range zones {
		cm := float64(3 * z)
		l = append(l,
			outCRS{URI: crsURI(4488 + z), EPSG: 4488 + z, Projected: true, CM: cm, Prefix: float64(z) * 1e6},
			outCRS{URI: crsURI(4509 + z), EPSG: 4509 + z, Projected: true, CM: cm})
	}
	return l
}

// uris are the URIs of the list: a collection's crs list.
func (l crsList) uris() []string {
	out := make([]string, len(l))
	for i, c := range l {
		out[i] = c.URI
	}
	return out
}

// gkCodes names the Gauss-Kruger CRSs of the list: "EPSG:4528, EPSG:4549".
func (l crsList) gkCodes() string {
	var out []string
	for _, c := range l {
		if c.Projected {
			out = append(out, "EPSG:"+strconv.Itoa(c.EPSG))
		}
	}
	return strings.Join(out, ", ")
}

// parse reads the crs or bbox-crs parameter: a URI of the list, or its
// short form (EPSG:4528, OGC:CRS84, [EPSG:4528]) for people typing URLs.
func (l crsList) parse(param, v string) (outCRS, error) {
	s := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "["), "]")
	for _, c := range l {
		short := "OGC:CRS84"
		if c.EPSG != 0 {
			short = "EPSG:" + strconv.Itoa(c.EPSG)
		}
		if s == c.URI || strings.EqualFold(s, short) || strings.TrimPrefix(s, "https://") == strings.TrimPrefix(c.URI, "http://") {
			return c, nil
		}
	}
	return outCRS{}, badParam("bad-"+param, "%s %q is not served: use one of %s", param, problem.Clip(v, 80), strings.Join(l.uris(), ", "))
}

// point converts a CGCS2000 lon/lat to the CRS in its axis order.
func (c outCRS) point(p orb.Point) orb.Point {
	switch {
	case c.Projected:
		n, e := geodesy.ToGaussKruger(p[0], p[1], c.CM)
		return orb.Point{n, e + c.Prefix}
	case c.LatFirst:
		return orb.Point{p[1], p[0]}
	}
	return p
}

// lonLat converts a point of the CRS, in its axis order, to CGCS2000 lon/lat.
func (c outCRS) lonLat(p orb.Point) orb.Point {
	switch {
	case c.Projected:
		lon, lat := geodesy.FromGaussKruger(p[0], p[1]-c.Prefix, c.CM)
		return orb.Point{lon, lat}
	case c.LatFirst:
		return orb.Point{p[1], p[0]}
	}
	return p
}

// multiPolygon returns g in the CRS, a new geometry (g may be shared).
func (c outCRS) multiPolygon(g orb.MultiPolygon) orb.MultiPolygon {
	if g == nil || c.URI == CRS84 {
		return g
	}
	n := 0
	for _, poly := range g {
		for _, ring := range poly {
			n += len(ring)
		}
	}
	pts := make([]orb.Point, 0, n) // one allocation for every point
	out := make(orb.MultiPolygon, len(g))
	for i, poly := range g {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			start := len(pts)
			for _, p := range ring {
				pts = append(pts, c.point(p))
			}
			out[i][j] = orb.Ring(pts[start:len(pts):len(pts)])
		}
	}
	return out
}

// parseBBoxIn reads bbox in the CRS (its axis order) and returns the
// CGCS2000 lon/lat box that encloses it. A Gauss-Kruger box's edges are
// curves in lon/lat: the box returned holds its edges sampled every
// hundredth, widened by 1e-7° (about 1 cm) for the bulge between samples.
// raw holds the four numbers as given, for the links.
func parseBBoxIn(c outCRS, s string) (b *orb.Bound, raw [4]float64, err error) {
	if c.URI == CRS84 {
		b, err = query.ParseBBox(s)
		if b != nil {
			raw = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		}
		return b, raw, err
	}
	parts := strings.Split(s, ",")
	if len(parts) == 6 { // heights are ignored, once they are numbers
		for _, h := range []string{parts[2], parts[5]} {
			if f, err := strconv.ParseFloat(strings.TrimSpace(h), 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, raw, badParam("bad-bbox", "bbox height %q is not a number", problem.Clip(h, 40))
			}
		}
		parts = []string{parts[0], parts[1], parts[3], parts[4]}
	}
	order := "latitude,longitude: south,west,north,east in degrees"
	if c.Projected {
		order = "northing,easting in metres: south,west,north,east"
	}
	if len(parts) != 4 {
		return nil, raw, badParam("bad-bbox", "bbox in %s must be four numbers in its axis order (%s), got %q", c.URI, order, problem.Clip(s, 60))
	}
	for i, p := range parts {
		f, perr := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if perr != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e9 {
			return nil, raw, badParam("bad-bbox", "bbox value %q is not a number", problem.Clip(p, 40))
		}
		raw[i] = f
	}
	if raw[0] > raw[2] || raw[1] > raw[3] {
		return nil, raw, badParam("bad-bbox", "bbox in %s must be in its axis order (%s), lower corner first", c.URI, order)
	}
	if c.LatFirst {
		if raw[0] < -90 || raw[2] > 90 || raw[1] < -180 || raw[3] > 180 {
			return nil, raw, badParam("bad-bbox", "bbox %q is outside latitude -90…90 / longitude -180…180 (%s is latitude first)", problem.Clip(s, 80), c.URI)
		}
		return &orb.Bound{Min: orb.Point{raw[1], raw[0]}, Max: orb.Point{raw[3], raw[2]}}, raw, nil
	}
	// Gauss-Kruger: the series hold within a few degrees of the central
	// meridian; a box far outside the zone is refused rather than folded.
	if e0, e1 := raw[1]-c.Prefix, raw[3]-c.Prefix; raw[0] < -10_000_000 || raw[2] > 10_000_000 || e0 < 0 || e1 > 1_000_000 {
		return nil, raw, badParam("bad-bbox", "bbox %q is outside zone 40 of %s (northing -10000 km…10000 km, easting %.0f…%.0f m)",
			problem.Clip(s, 80), c.URI, c.Prefix, c.Prefix+1_000_000)
	}
	const steps = 100
	out := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i := 0; i <= steps; i++ {
		t := float64(i) / steps
		n, e := raw[0]+t*(raw[2]-raw[0]), raw[1]+t*(raw[3]-raw[1])
		for _, p := range []orb.Point{{n, raw[1]}, {n, raw[3]}, {raw[0], e}, {raw[2], e}} {
			out = out.Extend(c.lonLat(p))
		}
	}
	const pad = 1e-7
	out.Min = orb.Point{math.Max(-180, out.Min[0]-pad), math.Max(-90, out.Min[1]-pad)}
	out.Max = orb.Point{math.Min(180, out.Max[0]+pad), math.Min(90, out.Max[1]+pad)}
	return &out, raw, nil
}

// setContentCRS sets the Content-Crs header of a features response.
func setContentCRS(w http.ResponseWriter, c outCRS) {
	w.Header().Set("Content-Crs", "<"+c.URI+">")
}
