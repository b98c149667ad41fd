package store

// The 亩均 evaluation's schemes (table evaluation_scheme, migration 0015)
// and the light reads the evaluation runs on (issue 18). The schemes are kept
// as JSON: the engine (internal/evaluation) parses and validates them.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/evaluation"
)

// Scheme kinds.
const (
	SchemeEnterprise = "enterprise" // evaluation.Scheme
	SchemeAssessment = "assessment" // evaluation.AssessmentScheme
)

// SchemeVersion is one stored version of a scheme.
type SchemeVersion struct {
	Kind      string          `json:"-"`
	Version   int             `json:"version"`
	FromYear  *int            `json:"from_year"` // in force from this year on; nil: every year
	Scheme    json.RawMessage `json:"scheme"`
	Reason    string          `json:"reason"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// SchemeVersions returns the stored versions of a kind, newest first (none:
// the shipped default is in force, as version 1).
func (s *Store) SchemeVersions(ctx context.Context, kind string) ([]SchemeVersion, error) {
	rows, err := s.db.Query(ctx, `SELECT kind, version, from_year, scheme, reason, created_by, created_at
		FROM evaluation_scheme WHERE kind = $1 ORDER BY version DESC`, kind)
	if err != nil {
		return nil, fmt.Errorf("scheme versions: %w", err)
	}
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SchemeVersion, error) {
		var v SchemeVersion
		err := row.Scan(&v.Kind, &v.Version, &v.FromYear, &v.Scheme, &v.Reason, &v.CreatedBy, &v.CreatedAt)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("scheme versions: %w", err)
	}
	return vs, nil
}

// SaveScheme stores a new version of a kind's scheme, if expected is the
// current version (1 when none is stored: the shipped default); otherwise a
// ConflictError. The scheme must have been validated by the caller.
func (s *Store) SaveScheme(ctx context.Context, kind string, expected int, fromYear *int, scheme []byte, c Change) (SchemeVersion, error) {
	var v SchemeVersion
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// One writer of a kind at a time, so two saves of the same version
		// cannot both pass the check.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('evaluation_scheme:' || $1))`, kind); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 1) FROM evaluation_scheme WHERE kind = $1`, kind).Scan(&current); err != nil {
			return err
		}
		if current != expected {
			return &ConflictError{Entity: kind + " scheme", Expected: expected, Current: current}
		}
		v = SchemeVersion{Kind: kind, Version: current + 1, FromYear: fromYear, Scheme: scheme, Reason: c.Reason, CreatedBy: c.Actor}
		return tx.QueryRow(ctx, `INSERT INTO evaluation_scheme (kind, version, from_year, scheme, reason, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
			kind, v.Version, fromYear, string(scheme), c.Reason, c.Actor).Scan(&v.CreatedAt)
	})
	if err != nil {
		return v, fmt.Errorf("save %s scheme: %w", kind, classify(err))
	}
	return v, nil
}

// EvaluationEnterprises returns a year's enterprises as the engine takes
// them, by id, without their geometry (the evaluation does not need it).
func (s *Store) EvaluationEnterprises(ctx context.Context, year int) ([]evaluation.Enterprise, error) {
	rows, err := s.db.Query(ctx, `SELECT year, credit_code, name, county_adcode, scale, land_mu, tax, value_added, revenue,
		energy_tce, emissions, electricity, rd, employees, investment, high_tech, exempt_reason
		FROM enterprise_year WHERE year = $1 ORDER BY id`, year)
	if err != nil {
		return nil, fmt.Errorf("evaluation enterprises: %w", err)
	}
	es, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (evaluation.Enterprise, error) {
		var e evaluation.Enterprise
		var scale string
		err := row.Scan(&e.Year, &e.CreditCode, &e.Name, &e.County, &scale, &e.LandMu, &e.Tax, &e.ValueAdded, &e.Revenue,
			&e.Energy, &e.Emissions, &e.Electricity, &e.RD, &e.Employees, &e.Investment, &e.HighTech, &e.ExemptReason)
		e.Scale = evaluation.Scale(scale)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("evaluation enterprises: %w", err)
	}
	return es, nil
}

// EnterpriseDataVersion is a token that changes whenever a year's
// enterprise rows change (an import replaces rows with new ids): the count,
// the highest id and the latest write of each year asked for.
func (s *Store) EnterpriseDataVersion(ctx context.Context, years ...int) (string, error) {
	var tok string
	err := s.db.QueryRow(ctx, `SELECT coalesce(string_agg(t, ';' ORDER BY t), '') FROM (
		SELECT year || ':' || count(*) || ':' || max(id) || ':' || extract(epoch FROM max(created_at)) AS t
		FROM enterprise_year WHERE year = ANY($1) GROUP BY year) x`, years).Scan(&tok)
	if err != nil {
		return "", fmt.Errorf("enterprise data version: %w", err)
	}
	return tok, nil
}

// ZonesVersion is a token that changes whenever the official zones or
// platforms change (every write bumps a version or adds a row): what the
// enterprises' placements depend on besides the enterprises.
func (s *Store) ZonesVersion(ctx context.Context) (string, error) {
	var tok string
	err := s.db.QueryRow(ctx, `
		SELECT z.n || '.' || z.v || '.' || z.top || '/' || p.n || '.' || p.v || '.' || p.top
		FROM (SELECT count(*) AS n, coalesce(sum(version), 0) AS v, coalesce(max(id), 0) AS top FROM zone WHERE scenario_id = 0) z,
		     (SELECT count(*) AS n, coalesce(sum(version), 0) AS v, coalesce(max(id), 0) AS top FROM platform WHERE scenario_id = 0) p`).Scan(&tok)
	if err != nil {
		return "", fmt.Errorf("zones version: %w", err)
	}
	return tok, nil
}

// EvaluationYears lists the years with enterprise figures, newest first
// (EnterpriseYears without its sums, which place every enterprise).
func (s *Store) EvaluationYears(ctx context.Context) ([]int, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT year FROM enterprise_year ORDER BY year DESC`)
	if err != nil {
		return nil, fmt.Errorf("evaluation years: %w", err)
	}
	ys, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("evaluation years: %w", err)
	}
	return ys, nil
}

// EnterpriseShape is where an enterprise-year is on the map: its parcel, or
// else its point.
type EnterpriseShape struct {
	CreditCode string
	Geom       orb.Geometry
}

// EnterpriseShapes returns the parcels (else points) of a year's
// enterprises, of one county or all (""), for the evaluation's map layer.
func (s *Store) EnterpriseShapes(ctx context.Context, year int, county string) ([]EnterpriseShape, error) {
	rows, err := s.db.Query(ctx, `SELECT credit_code, ST_AsBinary(coalesce(parcel, location)) FROM enterprise_year
		WHERE year = $1 AND ($2 = '' OR county_adcode = $2) AND coalesce(parcel, location) IS NOT NULL ORDER BY id`, year, county)
	if err != nil {
		return nil, fmt.Errorf("enterprise shapes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (EnterpriseShape, error) {
		var e EnterpriseShape
		var b []byte
		if err := row.Scan(&e.CreditCode, &b); err != nil {
			return e, err
		}
		g, err := wkb.Unmarshal(b)
		e.Geom = g
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("enterprise shapes: %w", err)
	}
	return out, nil
}
