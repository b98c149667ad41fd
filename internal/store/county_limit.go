package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// County-scoped editors (issue 17): an editor may be limited to some
// counties. The database enforces the limit on every row a transaction
// writes (migration 0013's triggers), so no write path can bypass it; the
// store only tells it, per transaction, whose limit applies.

type countyLimitKey struct{}

// WithCountyLimit returns ctx under which every write of the store may
// touch only zones of counties, platforms all of whose counties are among
// them (or, when an administrator allowed it, that span one of them), and
// the official data or drafts owned by those counties. None: no limit.
func WithCountyLimit(ctx context.Context, counties []string) context.Context {
	if len(counties) == 0 {
		return ctx
	}
	return context.WithValue(ctx, countyLimitKey{}, slices.Clone(counties))
}

// CountyLimit is the limit of ctx (nil: none).
func CountyLimit(ctx context.Context) []string {
	c, _ := ctx.Value(countyLimitKey{}).([]string)
	return c
}

// withoutCountyLimit is ctx for a write that copies rows of every county
// on behalf of a limited editor whose right to it was checked: starting a
// draft, or bringing one up to date.
func withoutCountyLimit(ctx context.Context) context.Context {
	if CountyLimit(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, countyLimitKey{}, []string(nil))
}

// setCountyLimit tells the transaction's triggers the limit of ctx.
func setCountyLimit(ctx context.Context, tx pgx.Tx) error {
	lim := CountyLimit(ctx)
	if lim == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT set_config('wanmu.counties', $1, true)`, strings.Join(lim, ","))
	return err
}

// CountyError is a write refused because it reaches beyond the editor's
// counties: which zone, platform or plan, and why.
type CountyError struct {
	Entity  string // zone | platform | scenario
	ID      int64
	Message string
}

func (e *CountyError) Error() string { return e.Message }

// IsCountyRefusal reports whether err is a write the county limit refused.
func IsCountyRefusal(err error) (*CountyError, bool) {
	var ce *CountyError
	if errors.As(err, &ce) {
		return ce, true
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "WM403" {
		return nil, false
	}
	e := &CountyError{Message: pg.Message}
	entity, id, _ := strings.Cut(pg.Detail, ":")
	e.Entity = entity
	e.ID, _ = strconv.ParseInt(id, 10, 64)
	return e, true
}

// ownsScenario reports whether the limit of ctx may write in scenario id:
// the official data, or a draft owned by one of its counties.
func ownsScenario(ctx context.Context, q querier, id int64) (bool, error) {
	lim := CountyLimit(ctx)
	if lim == nil || id == Official {
		return true, nil
	}
	var owned bool
	err := q.QueryRow(ctx, `SELECT counties && $2 FROM scenario WHERE id = $1`, id, lim).Scan(&owned)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, ErrNotFound
	}
	return owned, err
}
