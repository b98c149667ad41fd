package store

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrGone is returned for writes to a retired zone or platform.
var ErrGone = errors.New("retired")

// ConflictError says that a write was based on a version that is no longer current.
type ConflictError struct {
	Entity   string
	ID       int64
	Expected int
	Current  int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s %d was changed by someone else: you edited version %d, the current version is %d",
		e.Entity, e.ID, e.Expected, e.Current)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// FieldError says which field the database refused and why.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// classify turns constraint violations into errors a planner can act on.
func classify(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch pg.Code {
	case "23505": // unique_violation
		switch pg.ConstraintName {
		case "platform_name_live":
			return &FieldError{Field: "name", Message: "a platform with this name already exists"}
		case "constraint_layer_name_key":
			return &FieldError{Field: "name", Message: "a constraint layer with this name already exists"}
		case "platform_member_pkey":
			return &FieldError{Field: "zone_ids", Message: "a zone can belong to only one platform"}
		}
		return &FieldError{Field: pg.ColumnName, Message: "already exists"}
	case "23514": // check_violation
		return &FieldError{Field: checkField(pg.ConstraintName), Message: "value not allowed (" + pg.ConstraintName + ")"}
	case "23503": // foreign_key_violation
		return fmt.Errorf("%s: %w", pg.Detail, ErrNotFound)
	case "22P02", "22023": // invalid text, invalid parameter
		return &FieldError{Field: "geometry", Message: pg.Message}
	case "XX000": // internal error: also how PostGIS reports a geometry GEOS cannot handle
		if geometryMessage.MatchString(pg.Message) {
			return &FieldError{Field: "geometry", Message: pg.Message}
		}
	}
	return err
}

// geometryMessage tells PostGIS's and GEOS's complaints about a geometry
// ("GEOSIntersects: TopologyException: side location conflict at …") from
// other internal errors, which stay internal (a 500 with a request id).
var geometryMessage = regexp.MustCompile(`GEOS|[Gg]eometr|lwgeom|Topology|\b[Rr]ings?\b|[Pp]olygon|SRID|[Cc]oordinate`)

func checkField(constraint string) string {
	for _, f := range []string{"county_adcode", "disposition", "approved_area_ha", "document_no", "attributes",
		"threshold_mu", "targets", "indicators", "kind", "name", "role", "note", "geom"} {
		if strings.Contains(constraint, f) {
			if f == "geom" {
				return "geometry"
			}
			return f
		}
	}
	return constraint
}
