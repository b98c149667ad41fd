package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// InvalidGeometryError reports why PostGIS rejects a geometry and where.
type InvalidGeometryError struct {
	Reason   string    // PostGIS's reason, e.g. "Self-intersection"
	Location orb.Point // where PostGIS found the problem
	Repair   string    // what to do
}

func (e *InvalidGeometryError) Error() string {
	return fmt.Sprintf("invalid geometry: %s at [%.7f, %.7f]", e.Reason, e.Location[0], e.Location[1])
}

// Is makes errors.Is(err, ErrInvalid) true for invalid geometry.
func (e *InvalidGeometryError) Is(target error) bool { return target == ErrInvalid }

// encodeGeom turns a geometry into WKB for a query parameter.
func encodeGeom(g orb.Geometry) ([]byte, error) {
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encode geometry: %w", err)
	}
	return b, nil
}

// decodeMulti reads WKB from the database as a MultiPolygon.
func decodeMulti(b []byte) (orb.MultiPolygon, error) {
	if b == nil {
		return nil, nil
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode geometry: %w", err)
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	case orb.Collection:
		var mp orb.MultiPolygon
		for _, c := range g {
			switch c := c.(type) {
			case orb.Polygon:
				mp = append(mp, c)
			case orb.MultiPolygon:
				mp = append(mp, c...)
			}
		}
		return mp, nil
	default:
		return nil, fmt.Errorf("decode geometry: expected polygons, got %s", g.GeoJSONType())
	}
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// checkValid asks PostGIS whether g is a valid, non-empty geometry with area.
func checkValid(ctx context.Context, q querier, g []byte) error {
	var valid bool
	var reason string
	var x, y *float64
	var area float64
	err := q.QueryRow(ctx, `
		WITH g AS (SELECT ST_GeomFromWKB($1, 4490) AS g), d AS (SELECT (ST_IsValidDetail(g)).* FROM g)
		SELECT d.valid, coalesce(d.reason, ''), ST_X(d.location), ST_Y(d.location), ST_Area(g.g)
		FROM d, g`, g).Scan(&valid, &reason, &x, &y, &area)
	if err != nil {
		return fmt.Errorf("check geometry: %w", err)
	}
	if !valid {
		e := &InvalidGeometryError{Reason: reason, Repair: RepairHint(reason)}
		if x != nil && y != nil {
			e.Location = orb.Point{*x, *y}
		}
		return e
	}
	if area <= 0 {
		return &InvalidGeometryError{Reason: "the geometry encloses no area", Repair: "draw at least three distinct corners"}
	}
	return nil
}

// repairHints says, per PostGIS reason (GEOS's words, lower case), what to
// do at the reported location.
var repairHints = map[string]string{
	"self-intersection":        "move or remove the vertex near the location so the edges no longer cross",
	"ring self-intersection":   "the boundary touches itself at the location: move that vertex a little apart, or split the zone in two",
	"hole lies outside shell":  "keep the hole entirely inside the zone's outer boundary: shrink or redraw it",
	"nested shells":            "one part lies inside another: remove the inner part, or cut it as a hole",
	"interior is disconnected": "holes cut the zone into separate pieces: adjust the hole at the location, or split the zone",
	"too few points":           "the ring at the location needs at least three distinct vertices (and must be closed)",
	"invalid coordinate":       "check the longitude and latitude of the vertex at the location",
	"duplicate rings":          "the same ring appears twice: remove the duplicate",
	"nested holes":             "a hole lies inside another hole: remove the inner one",
	"repeated point":           "remove the repeated vertex at the location",
	"ring is not closed":       "close the ring: its last vertex must equal its first",
}

// RepairHint says what to do about an invalid geometry, for PostGIS's
// reason (with or without its "[x y]" location).
func RepairHint(reason string) string {
	r := strings.ToLower(strings.TrimSpace(reason))
	if i := strings.IndexByte(r, '['); i >= 0 {
		r = strings.TrimSpace(r[:i])
	}
	if h, ok := repairHints[r]; ok {
		return h
	}
	return "check the vertices near the location; the import preview can repair such a file automatically"
}

// IsInvalidGeometry returns the PostGIS reason if err is one.
func IsInvalidGeometry(err error) (*InvalidGeometryError, bool) {
	var e *InvalidGeometryError
	ok := errors.As(err, &e)
	return e, ok
}
