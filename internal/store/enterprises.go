package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/evaluation"
)

// EnterpriseRecord is one enterprise's figures for one year as stored
// (table enterprise_year), with where its land lies.
type EnterpriseRecord struct {
	ID int64
	evaluation.Enterprise
	Location  *orb.Point       // CGCS2000 lon/lat, or nil
	Parcel    orb.MultiPolygon // CGCS2000, or nil
	SourceRow int              // its row in the imported file
	ImportID  string
	CreatedAt time.Time
	CreatedBy string
	// Placements: the live official zones holding its land (filled by the
	// list reads, not by ReplaceEnterprises).
	Placements []Placement
}

// Placement is an enterprise-year's share of land in one zone (view
// enterprise_placement): by the parcel's ellipsoidal area inside the zone,
// or 1 for the zone holding its point.
type Placement struct {
	EnterpriseID int64   `json:"-"`
	CreditCode   string  `json:"-"`
	ZoneID       int64   `json:"zone_id"`
	PlatformID   *int64  `json:"platform_id"`
	Share        float64 `json:"share"`
}

// EnterpriseFilter selects enterprise-years in ListEnterprises. Year is
// required; Zone and Platform select those with land in them.
type EnterpriseFilter struct {
	Year       int
	County     string
	ZoneID     int64
	PlatformID int64
	Unplaced   bool  // only those outside every zone
	After      int64 // id: keyset paging
	Limit      int   // 0: all
}

// EnterpriseYear summarises one year of enterprise figures.
type EnterpriseYear struct {
	Year        int       `json:"year"`
	Enterprises int       `json:"enterprises"`
	Counties    []string  `json:"counties"`
	LandMu      float64   `json:"land_mu"`
	Unplaced    int       `json:"unplaced"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ReplaceResult is what ReplaceEnterprises did.
type ReplaceResult struct {
	Written  int `json:"written"`
	Replaced int `json:"replaced"` // rows of the same year and credit codes that were there before
}

// enterpriseBatch is the number of rows per INSERT statement.
const enterpriseBatch = 2000

// ReplaceEnterprises writes rows for year in one transaction, replacing that
// year's rows of the same credit codes (other enterprises of the year, and
// other years, stay). Every row must be of year; credit codes must be
// distinct.
func (s *Store) ReplaceEnterprises(ctx context.Context, year int, rows []EnterpriseRecord, importID, by string) (ReplaceResult, error) {
	var res ReplaceResult
	codes := make([]string, len(rows))
	seen := make(map[string]int, len(rows))
	for i, r := range rows {
		if r.Year != year {
			return res, &FieldError{Field: "year", Message: fmt.Sprintf("row %d is of %d, not %d", r.SourceRow, r.Year, year)}
		}
		if j, dup := seen[r.CreditCode]; dup {
			return res, &FieldError{Field: "credit_code", Message: fmt.Sprintf("%s is in rows %d and %d", r.CreditCode, rows[j].SourceRow, r.SourceRow)}
		}
		seen[r.CreditCode] = i
		codes[i] = r.CreditCode
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM enterprise_year WHERE year = $1 AND credit_code = ANY($2)`, year, codes)
		if err != nil {
			return err
		}
		res.Replaced = int(tag.RowsAffected())
		for start := 0; start < len(rows); start += enterpriseBatch {
			if err := insertEnterprises(ctx, tx, rows[start:min(start+enterpriseBatch, len(rows))], importID, by); err != nil {
				return err
			}
		}
		res.Written = len(rows)
		return nil
	})
	if err != nil {
		return ReplaceResult{}, err
	}
	return res, nil
}

func insertEnterprises(ctx context.Context, tx pgx.Tx, rows []EnterpriseRecord, importID, by string) error {
	n := len(rows)
	var (
		years, srcRows                                  = make([]int32, n), make([]int32, n)
		codes, names, counties, scales, exempt          = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		land, tax, va, rev, energy, emis, elec, rd, emp = make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n)
		inv                                             = make([]*float64, n)
		hightech                                        = make([]*bool, n)
		locs, parcels                                   = make([][]byte, n), make([][]byte, n)
	)
	for i, r := range rows {
		e := r.Enterprise
		years[i], srcRows[i] = int32(e.Year), int32(r.SourceRow)
		codes[i], names[i], counties[i], scales[i], exempt[i] = e.CreditCode, e.Name, e.County, string(e.Scale), e.ExemptReason
		land[i], tax[i], va[i], rev[i], energy[i] = e.LandMu, e.Tax, e.ValueAdded, e.Revenue, e.Energy
		emis[i], elec[i], rd[i], emp[i], inv[i], hightech[i] = e.Emissions, e.Electricity, e.RD, e.Employees, e.Investment, e.HighTech
		if r.Location != nil {
			b, err := wkb.Marshal(*r.Location)
			if err != nil {
				return err
			}
			locs[i] = b
		}
		if len(r.Parcel) > 0 {
			b, err := wkb.Marshal(r.Parcel)
			if err != nil {
				return err
			}
			parcels[i] = b
		}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO enterprise_year (year, credit_code, name, county_adcode, scale, land_mu, tax, value_added, revenue,
			energy_tce, emissions, electricity, rd, employees, investment, high_tech, exempt_reason,
			location, parcel, import_id, source_row, created_by)
		SELECT y, c, nm, co, sc, la, tx, va, rv, en, em, el, rd, ep, iv, ht, ex,
			ST_SetSRID(ST_GeomFromWKB(lo), 4490), ST_Multi(ST_SetSRID(ST_GeomFromWKB(pa), 4490)), $20, sr, $21
		FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[],
			$9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::float8[],
			$16::bool[], $17::text[], $18::bytea[], $19::bytea[], $22::int[])
			AS u(y, c, nm, co, sc, la, tx, va, rv, en, em, el, rd, ep, iv, ht, ex, lo, pa, sr)`,
		years, codes, names, counties, scales, land, tax, va, rev, energy, emis, elec, rd, emp, inv, hightech, exempt,
		locs, parcels, importID, nullText(by), srcRows)
	if err != nil {
		return fmt.Errorf("write enterprises: %w", classify(err))
	}
	return nil
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const enterpriseColumns = `e.id, e.year, e.credit_code, e.name, e.county_adcode, e.scale, e.land_mu, e.tax, e.value_added, e.revenue,
	e.energy_tce, e.emissions, e.electricity, e.rd, e.employees, e.investment, e.high_tech, e.exempt_reason,
	ST_AsBinary(e.location), ST_AsBinary(e.parcel), coalesce(e.source_row, 0), e.import_id, e.created_at, coalesce(e.created_by, '')`

// ListEnterprises returns the enterprise-years f selects, by id, with their
// placements.
func (s *Store) ListEnterprises(ctx context.Context, f EnterpriseFilter) ([]EnterpriseRecord, error) {
	args := []any{f.Year}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := []string{"e.year = $1"}
	if f.County != "" {
		where = append(where, "e.county_adcode = "+arg(f.County))
	}
	if f.ZoneID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM enterprise_placement p WHERE p.enterprise_id = e.id AND p.zone_id = "+arg(f.ZoneID)+")")
	}
	if f.PlatformID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM enterprise_placement p WHERE p.enterprise_id = e.id AND p.platform_id = "+arg(f.PlatformID)+")")
	}
	if f.Unplaced {
		where = append(where, "NOT EXISTS (SELECT 1 FROM enterprise_placement p WHERE p.enterprise_id = e.id)")
	}
	if f.After > 0 {
		where = append(where, "e.id > "+arg(f.After))
	}
	q := "SELECT " + enterpriseColumns + " FROM enterprise_year e WHERE " + strings.Join(where, " AND ") + " ORDER BY e.id"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	var out []EnterpriseRecord
	err := s.readSnapshot(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanEnterprise)
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]int64, len(out))
		at := make(map[int64]int, len(out))
		for i, e := range out {
			ids[i], at[e.ID] = e.ID, i
		}
		rows, err = tx.Query(ctx, `SELECT enterprise_id, credit_code, zone_id, platform_id, share FROM enterprise_placement
			WHERE enterprise_id = ANY($1) ORDER BY enterprise_id, share DESC, zone_id`, ids)
		if err != nil {
			return err
		}
		ps, err := pgx.CollectRows(rows, scanPlacement)
		for _, p := range ps {
			i := at[p.EnterpriseID]
			out[i].Placements = append(out[i].Placements, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list enterprises: %w", err)
	}
	return out, nil
}

func scanEnterprise(row pgx.CollectableRow) (EnterpriseRecord, error) {
	var r EnterpriseRecord
	var scale string
	var loc, parcel []byte
	e := &r.Enterprise
	err := row.Scan(&r.ID, &e.Year, &e.CreditCode, &e.Name, &e.County, &scale, &e.LandMu, &e.Tax, &e.ValueAdded, &e.Revenue,
		&e.Energy, &e.Emissions, &e.Electricity, &e.RD, &e.Employees, &e.Investment, &e.HighTech, &e.ExemptReason,
		&loc, &parcel, &r.SourceRow, &r.ImportID, &r.CreatedAt, &r.CreatedBy)
	if err != nil {
		return r, err
	}
	e.Scale = evaluation.Scale(scale)
	if loc != nil {
		g, err := wkb.Unmarshal(loc)
		if err != nil {
			return r, err
		}
		if p, ok := g.(orb.Point); ok {
			r.Location = &p
		}
	}
	if parcel != nil {
		g, err := wkb.Unmarshal(parcel)
		if err != nil {
			return r, err
		}
		r.Parcel, _ = g.(orb.MultiPolygon)
	}
	return r, nil
}

func scanPlacement(row pgx.CollectableRow) (Placement, error) {
	var p Placement
	err := row.Scan(&p.EnterpriseID, &p.CreditCode, &p.ZoneID, &p.PlatformID, &p.Share)
	return p, err
}

// EnterprisePlacements returns every placement of a year's enterprises:
// what the evaluation splits platform figures by.
func (s *Store) EnterprisePlacements(ctx context.Context, year int) ([]Placement, error) {
	rows, err := s.db.Query(ctx, `SELECT enterprise_id, credit_code, zone_id, platform_id, share FROM enterprise_placement
		WHERE year = $1 ORDER BY enterprise_id, zone_id`, year)
	if err != nil {
		return nil, fmt.Errorf("enterprise placements: %w", err)
	}
	ps, err := pgx.CollectRows(rows, scanPlacement)
	if err != nil {
		return nil, fmt.Errorf("enterprise placements: %w", err)
	}
	return ps, nil
}

// EnterpriseYears lists the years with enterprise figures, newest first.
func (s *Store) EnterpriseYears(ctx context.Context) ([]EnterpriseYear, error) {
	rows, err := s.db.Query(ctx, `
		SELECT e.year, count(*), array_agg(DISTINCT e.county_adcode ORDER BY e.county_adcode), coalesce(sum(e.land_mu), 0),
			count(*) FILTER (WHERE p.enterprise_id IS NULL), max(e.created_at)
		FROM enterprise_year e LEFT JOIN (SELECT DISTINCT enterprise_id FROM enterprise_placement) p ON p.enterprise_id = e.id
		GROUP BY e.year ORDER BY e.year DESC`)
	if err != nil {
		return nil, fmt.Errorf("enterprise years: %w", err)
	}
	ys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (EnterpriseYear, error) {
		var y EnterpriseYear
		err := row.Scan(&y.Year, &y.Enterprises, &y.Counties, &y.LandMu, &y.Unplaced, &y.UpdatedAt)
		return y, err
	})
	if err != nil {
		return nil, fmt.Errorf("enterprise years: %w", err)
	}
	if ys == nil {
		ys = []EnterpriseYear{}
	}
	return ys, nil
}

// ParcelIssue is a parcel PostGIS finds invalid.
type ParcelIssue struct {
	Index  int    // into the checked list
	Reason string // ST_IsValidReason
}

// CheckParcels returns the parcels (WKB, EPSG:4490) that are not valid
// polygons, so that an import reports them by row before writing.
func (s *Store) CheckParcels(ctx context.Context, parcels [][]byte) ([]ParcelIssue, error) {
	rows, err := s.db.Query(ctx, `
		SELECT i::int - 1, ST_IsValidReason(g)
		FROM unnest($1::bytea[]) WITH ORDINALITY AS u(b, i), LATERAL (SELECT ST_SetSRID(ST_GeomFromWKB(b), 4490) AS g) x
		WHERE NOT ST_IsValid(g) OR ST_IsEmpty(g)`, parcels)
	if err != nil {
		return nil, fmt.Errorf("check parcels: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ParcelIssue, error) {
		var p ParcelIssue
		err := row.Scan(&p.Index, &p.Reason)
		return p, err
	})
}

// EnterpriseOverlap says how many enterprise rows year has (existing) and
// how many of them have one of codes (an import of those codes replaces them).
func (s *Store) EnterpriseOverlap(ctx context.Context, year int, codes []string) (existing, replaced int, err error) {
	err = s.db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE credit_code = ANY($2)) FROM enterprise_year WHERE year = $1`,
		year, codes).Scan(&existing, &replaced)
	if err != nil {
		return 0, 0, fmt.Errorf("enterprise overlap: %w", err)
	}
	return existing, replaced, nil
}
