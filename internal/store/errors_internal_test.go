package store

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestClassifyInternalErrors: PostGIS's complaints about a geometry (code
// XX000) reach the planner as a geometry field error; other internal errors
// stay internal, so that their text is not shown to the client.
func TestClassifyInternalErrors(t *testing.T) {
	for _, tc := range []struct {
		msg   string
		field bool
	}{
		{"GEOSIntersects: TopologyException: side location conflict at 119.9 28.4", true},
		{"lwgeom_intersection_prec: GEOS Error: TopologyException: Input geom 0 is invalid", true},
		{"Operation on mixed SRID geometries (Polygon, 4490) != (Polygon, 4326)", true},
		{"cache lookup failed for type 12345", false},
		{"unexpected error during string conversion", false},
		{"Shell is not a line ring", true},
		{"could not read block 7 in file \"base/16384/16999\": read only 0 of 8192 bytes", false},
	} {
		err := classify(&pgconn.PgError{Code: "XX000", Message: tc.msg})
		var fe *FieldError
		if got := errors.As(err, &fe); got != tc.field {
			t.Errorf("%q: field error %v, want %v (%v)", tc.msg, got, tc.field, err)
		}
		if tc.field && (fe.Field != "geometry" || fe.Message != tc.msg) {
			t.Errorf("%q: %+v", tc.msg, fe)
		}
	}
}
