package store

import (
	"context"
	"errors"
	"fmt"

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
		e := &InvalidGeometryError{Reason: reason,
			Repair: "fix the boundary so it does not cross itself (for example move or remove the vertex at the location), or repair it with ST_MakeValid in the import preview"}
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

// IsInvalidGeometry returns the PostGIS reason if err is one.
func IsInvalidGeometry(err error) (*InvalidGeometryError, bool) {
	var e *InvalidGeometryError
	ok := errors.As(err, &e)
	return e, ok
}
