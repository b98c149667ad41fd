// Package geomcheck decodes and checks polygon geometry that comes from
// outside (GeoJSON in requests), so that a planner learns exactly which ring
// and which position is wrong, and why, before anything reaches the database.
// Self-intersections are left to PostGIS, whose reasons are authoritative.
package geomcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
)

// Limits on a single geometry, documented in the README.
const (
	MaxVertices = 200_000 // per geometry
	MaxParts    = 10_000  // polygons in a MultiPolygon
	MaxRings    = 10_000  // rings in one polygon
)

// China's rough extent in degrees; coordinates outside it are almost surely a
// mistake (swapped axes, projected metres, another continent).
var chinaBound = orb.Bound{Min: orb.Point{73, 3}, Max: orb.Point{136, 54}}

// Error says what is wrong with a geometry and where.
type Error struct {
	Path    string // e.g. "coordinates[0][2]" or "coordinates[1][0][5]"
	Message string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

func errAt(path string, format string, args ...any) *Error {
	return &Error{Path: path, Message: fmt.Sprintf(format, args...)}
}

// Decode parses a GeoJSON geometry object of type Polygon or MultiPolygon and
// checks its structure: closed rings of at least four finite positions in
// longitude/latitude within China. The result is always a MultiPolygon.
// Gauss-Kruger metres posted as degrees are recognised in 丽水's zone 40.
func Decode(raw json.RawMessage) (orb.MultiPolygon, error) { return DecodeIn(raw, nil) }

// DecodeIn is Decode for a region in the Gauss-Kruger zones (main zone
// first; none: 丽水's 40), which the hint on Gauss-Kruger metres names.
func DecodeIn(raw json.RawMessage, zones []int) (orb.MultiPolygon, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errAt("", "geometry is missing: give a GeoJSON Polygon or MultiPolygon")
	}
	if raw[0] != '{' {
		return nil, errAt("", "geometry is not a GeoJSON object: give {\"type\": \"Polygon\", \"coordinates\": […]}, not %s", excerpt(raw))
	}
	var obj struct {
		Type        json.RawMessage `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, errAt("", "geometry is not a GeoJSON object: %v", err) // a syntax error: no Go types in it
	}
	g := struct {
		Type        string
		Coordinates json.RawMessage
	}{Coordinates: obj.Coordinates}
	if len(obj.Type) > 0 && json.Unmarshal(obj.Type, &g.Type) != nil {
		return nil, errAt("type", "the geometry type must be text such as \"Polygon\", not %s", excerpt(obj.Type))
	}
	// Refuse what is too big before decoding it: every position, ring and
	// polygon opens an array, so a geometry within the limits has at most
	// this many; an 8 MB body can hold millions, and decoding them costs
	// tens of times the body in memory.
	if n := bytes.Count(g.Coordinates, []byte("[")); n > maxArrays {
		return nil, errAt("coordinates", "the geometry has more than %d positions (it opens %d arrays): simplify it or split it into several zones", MaxVertices, n)
	}
	if len(bytes.TrimSpace(g.Coordinates)) == 0 || bytes.Equal(bytes.TrimSpace(g.Coordinates), []byte("null")) {
		if g.Type == "" {
			return nil, errAt("type", "geometry has no type: give a GeoJSON Polygon or MultiPolygon")
		}
		if g.Type != "Polygon" && g.Type != "MultiPolygon" {
			return nil, errAt("type", "geometry type %q is not accepted: zones are areas, give a Polygon or MultiPolygon", g.Type)
		}
		return nil, errAt("coordinates", "geometry has no coordinates")
	}
	switch g.Type {
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
			return nil, coordinatesError(g.Coordinates, 3)
		}
		p, err := checkPolygon("coordinates", rings, new(int), zones)
		if err != nil {
			return nil, err
		}
		return orb.MultiPolygon{p}, nil
	case "MultiPolygon":
		var polys [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, coordinatesError(g.Coordinates, 4)
		}
		if len(polys) == 0 {
			return nil, errAt("coordinates", "the MultiPolygon is empty: it has no polygons")
		}
		if len(polys) > MaxParts {
			return nil, errAt("coordinates", "the MultiPolygon has %d polygons; at most %d are accepted", len(polys), MaxParts)
		}
		mp := make(orb.MultiPolygon, 0, len(polys))
		count := 0
		for i, rings := range polys {
			p, err := checkPolygon(fmt.Sprintf("coordinates[%d]", i), rings, &count, zones)
			if err != nil {
				return nil, err
			}
			mp = append(mp, p)
		}
		return mp, nil
	case "":
		return nil, errAt("type", "geometry has no type: give a GeoJSON Polygon or MultiPolygon")
	case "Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection":
		return nil, errAt("type", "geometry type %q is not accepted: zones are areas, give a Polygon or MultiPolygon", g.Type)
	default:
		return nil, errAt("type", "unknown geometry type %q: give a GeoJSON Polygon or MultiPolygon", g.Type)
	}
}

// maxArrays bounds the arrays in the coordinates of an acceptable geometry:
// MaxVertices positions in rings of at least 4 positions, at most MaxParts
// polygons, and the outer array.
const maxArrays = MaxVertices + MaxVertices/4 + MaxParts + 1

// levels names what an array holds, by how many array levels lie below it.
var levels = map[int]string{2: "positions [longitude, latitude]", 3: "rings (arrays of positions)", 4: "polygons (arrays of rings)"}

// coordinatesError explains why the decoder refused coordinates.
func coordinatesError(raw json.RawMessage, depth int) *Error {
	if e := explain("coordinates", raw, depth); e != nil {
		return e
	}
	return errAt("coordinates", "must be nested arrays of [longitude, latitude] numbers")
}

// explain finds where coordinates that the decoder refused go wrong, and
// says so in a planner's words with the path. depth is the number of array
// levels: 3 for a Polygon's coordinates, 4 for a MultiPolygon's.
func explain(path string, raw json.RawMessage, depth int) *Error {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		if depth == 1 {
			return errAt(path, "a position must be an array of numbers [longitude, latitude], not %s", excerpt(raw))
		}
		return errAt(path, "must be an array of %s, not %s", levels[depth], excerpt(raw))
	}
	for i, item := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		if depth > 1 {
			if e := explain(p, item, depth-1); e != nil {
				return e
			}
			continue
		}
		var f float64
		if json.Unmarshal(item, &f) != nil {
			item = bytes.TrimSpace(item)
			switch {
			case len(item) > 0 && item[0] == '"':
				return errAt(path, "%s is text, not a number: write coordinates as numbers, without quotes", excerpt(item))
			case len(item) > 0 && (item[0] == '-' || item[0] >= '0' && item[0] <= '9'):
				return errAt(path, "%s is not a finite number", excerpt(item))
			default:
				return errAt(path, "%s is not a number", excerpt(item))
			}
		}
	}
	return nil
}

// excerpt quotes the start of some JSON for a message.
func excerpt(raw []byte) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		n := 40
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// num writes a coordinate as it would be typed: 3148425.44, not 3.14842544e+06.
func num(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func checkPolygon(path string, rings [][][]float64, count *int, zones []int) (orb.Polygon, error) {
	if len(rings) == 0 {
		return nil, errAt(path, "the polygon is empty: it has no rings")
	}
	if len(rings) > MaxRings {
		return nil, errAt(path, "the polygon has %d rings; at most %d are accepted", len(rings), MaxRings)
	}
	p := make(orb.Polygon, 0, len(rings))
	for i, ring := range rings {
		rp := fmt.Sprintf("%s[%d]", path, i)
		which := "outer ring"
		if i > 0 {
			which = fmt.Sprintf("hole %d", i)
		}
		*count += len(ring)
		if *count > MaxVertices {
			return nil, errAt(rp, "the geometry has more than %d positions: simplify it or split it into several zones", MaxVertices)
		}
		if len(ring) < 4 {
			return nil, errAt(rp, "the %s has %d positions; a ring needs at least 4 (three corners and the first repeated at the end)", which, len(ring))
		}
		r := make(orb.Ring, len(ring))
		for j, pos := range ring {
			pp := fmt.Sprintf("%s[%d]", rp, j)
			pt, err := checkPosition(pp, pos, zones)
			if err != nil {
				return nil, err
			}
			r[j] = pt
		}
		if r[0] != r[len(r)-1] {
			return nil, errAt(rp, "the %s is not closed: its last position %v must repeat its first %v", which, r[len(r)-1], r[0])
		}
		if distinct(r) < 3 {
			return nil, errAt(rp, "the %s has fewer than 3 distinct corners, so it encloses no area", which)
		}
		p = append(p, r)
	}
	return p, nil
}

func checkPosition(path string, pos []float64, zones []int) (orb.Point, error) {
	if len(pos) < 2 || len(pos) > 3 {
		return orb.Point{}, errAt(path, "a position must be [longitude, latitude] (optionally with a height), not %d numbers", len(pos))
	}
	x, y := pos[0], pos[1]
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return orb.Point{}, errAt(path, "the position is not a finite number")
	}
	if epsg, swapped, ok := geodesy.LooksLikeGaussKruger(x, y, zones...); ok {
		main := geodesy.Zone40
		if len(zones) > 0 {
			main = zones[0]
		}
		order := "easting, northing"
		if swapped {
			order = "northing (X), easting (Y)"
		}
		return orb.Point{}, errAt(path, "[%s, %s] looks like Gauss-Kruger metres (%s, EPSG:%d), not longitude/latitude: reproject to EPSG:4490 first, or import the file with its CRS set to EPSG:%d (easting with the %d zone prefix) or EPSG:%d", num(x), num(y), order, epsg,
			geodesy.EPSGGK3Prefixed(main), main, geodesy.EPSGGK3NoPrefix(main))
	}
	if x < -180 || x > 180 || y < -90 || y > 90 {
		return orb.Point{}, errAt(path, "[%s, %s] is out of range: longitude must be within -180…180 and latitude within -90…90 (GeoJSON order is longitude first)", num(x), num(y))
	}
	if !chinaBound.Contains(orb.Point{x, y}) {
		if chinaBound.Contains(orb.Point{y, x}) {
			return orb.Point{}, errAt(path, "[%s, %s] lies outside China but would be inside it with longitude and latitude swapped: GeoJSON order is [longitude, latitude]", num(x), num(y))
		}
		return orb.Point{}, errAt(path, "[%s, %s] lies far outside China (longitude 73…136°E, latitude 3…54°N): check the coordinate system", num(x), num(y))
	}
	return orb.Point{x, y}, nil
}

func distinct(r orb.Ring) int {
	seen := make(map[orb.Point]struct{}, len(r))
	for _, p := range r {
		seen[p] = struct{}{}
		if len(seen) >= 3 {
			return len(seen)
		}
	}
	return len(seen)
}
