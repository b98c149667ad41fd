package store

import (
	"context"
	"fmt"
)

// LengthMethod describes how lengths are measured: the same edges as areas
// (straight in longitude/latitude, densified), measured on the ellipsoid.
const LengthMethod = "CGCS2000 ellipsoidal length (PostGIS ST_Length on geography, EPSG:4490; edges straight in longitude/latitude, densified to 0.0005° first)"

// SegmentLengths returns the ellipsoidal length in metres of each segment of
// the line through the given positions ([lon, lat] in EPSG:4490).
func (s *Store) SegmentLengths(ctx context.Context, pts [][2]float64) ([]float64, error) {
	xs := make([]float64, len(pts))
	ys := make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	var out []float64
	err := s.db.QueryRow(ctx, `
		WITH p AS (SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4490) AS g
			FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(x, y, i)),
		s AS (SELECT i, g, lead(g) OVER (ORDER BY i) AS n FROM p)
		SELECT coalesce(array_agg(ST_Length(ST_Segmentize(ST_MakeLine(g, n), 0.0005)::geography) ORDER BY i), '{}')
		FROM s WHERE n IS NOT NULL`, xs, ys).Scan(&out)
	if err != nil {
		return nil, fmt.Errorf("segment lengths: %w", classify(err))
	}
	return out, nil
}
