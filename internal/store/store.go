// Package store owns every SQL statement of wanmu: zones, platforms,
// membership, constraint layers, revisions and the developable-area report,
// all computed by PostGIS inside transactions.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the PostGIS-backed source of truth.
type Store struct {
	pool *pgxpool.Pool
	db   dbtx // the pool, or the transaction of InTx
}

// dbtx is what both a pool and a transaction offer.
type dbtx interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// New returns a Store on pool. The schema must already be migrated.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool, db: pool} }

// InTx runs fn with a Store whose every method works inside one
// transaction, committed when fn returns nil: several writes land together
// or not at all.
func (s *Store) InTx(ctx context.Context, fn func(*Store) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		return fn(&Store{pool: s.pool, db: tx})
	})
}

// Pool returns the underlying connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// inTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Sentinel errors returned (wrapped) by Store methods.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("version conflict")
	ErrInvalid  = errors.New("invalid")
)

// Setting reads an installation setting; ok is false when it is unset.
func (s *Store) Setting(ctx context.Context, key string) (value []byte, ok bool, err error) {
	err = s.db.QueryRow(ctx, `SELECT value FROM app_setting WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting writes an installation setting (JSON value).
func (s *Store) SetSetting(ctx context.Context, key string, value any) error {
	_, err := s.db.Exec(ctx, `INSERT INTO app_setting (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// Lock takes a transaction-scoped advisory lock (inside InTx), serialising
// one-time set-up steps between instances that start together.
func (s *Store) Lock(ctx context.Context, key int64) error {
	if _, err := s.db.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, key); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	return nil
}

// readSnapshot runs fn in one read-only repeatable-read snapshot, so that
// several queries agree (a page and its count; a report's figures), inside
// InTx in the caller's transaction. PostGIS functions carry cost estimates
// that make PostgreSQL JIT-compile such queries, which costs more than
// running them; and a generic plan cannot tell a bbox of ten parcels from one
// of 200,000, so each query is planned for its own parameters.
func (s *Store) readSnapshot(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.snapshot(ctx, `SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_custom_plan`, fn)
}

// reportSnapshot is readSnapshot for reports, whose queries are planned once
// per connection: the report statement's plan does not depend on its
// parameters (it probes each layer's pieces per probe, whatever the layer's
// size), and planning it costs about 1.5 ms, 5–7 % of the heaviest report.
func (s *Store) reportSnapshot(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.snapshot(ctx, `SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_generic_plan`, fn)
}

func (s *Store) snapshot(ctx context.Context, settings string, fn func(tx pgx.Tx) error) error {
	var tx pgx.Tx
	var err error
	if s.db == dbtx(s.pool) {
		// One round trip: the settings travel with the BEGIN.
		tx, err = s.pool.BeginTx(ctx, pgx.TxOptions{
			BeginQuery: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ` + settings})
	} else if tx, err = s.db.Begin(ctx); err == nil {
		_, err = tx.Exec(ctx, settings)
	}
	if err != nil {
		if tx != nil {
			tx.Rollback(context.Background())
		}
		return err
	}
	defer tx.Rollback(context.Background())
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
