// Package store owns every SQL statement of wanmu: zones, platforms,
// membership, constraint layers, revisions and the developable-area report,
// all computed by PostGIS inside transactions.
package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the PostGIS-backed source of truth.
type Store struct {
	pool     *pgxpool.Pool
	db       dbtx // the pool, or the transaction of InTx
	stats    *TxStats
	scenario int64 // the scenario reads and creates are scoped to; 0 is the official data
}

// TxStats counts what the write transactions met: PostgreSQL ends one of two
// transactions that wait on each other (deadlock) or that cannot be
// serialised, and the store runs the loser again.
type TxStats struct {
	Retries  atomic.Int64 // transactions run again after a deadlock or serialisation failure
	GaveUp   atomic.Int64 // transactions that failed that way maxAttempts times
	Restarts atomic.Int64 // of which: a read under lock found the locked set incomplete
}

// maxAttempts bounds how often one transaction is tried. Deadlocks are rare
// once every write path locks zones before platforms, each by id, so a
// transaction that loses five times in a row is reported, not hidden.
const maxAttempts = 5

// dbtx is what both a pool and a transaction offer.
type dbtx interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// New returns a Store on pool. The schema must already be migrated.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool, db: pool, stats: &TxStats{}} }

// Stats returns the counters of retried transactions.
func (s *Store) Stats() *TxStats { return s.stats }

// InTx runs fn with a Store whose every method works inside one
// transaction, committed when fn returns nil: several writes land together
// or not at all. fn may run more than once (see inTx), so it must not keep
// state from one run to the next.
func (s *Store) InTx(ctx context.Context, fn func(*Store) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		return fn(&Store{pool: s.pool, db: tx, stats: s.stats, scenario: s.scenario})
	})
}

// In returns the store scoped to a scenario (0: the official data): its
// lists, searches, figures and new zones and platforms are that scenario's.
// Reads and writes by id reach any scenario's rows; callers check that an id
// is of the scenario they work in (ScenarioOf).
func (s *Store) In(scenario int64) *Store {
	c := *s
	c.scenario = scenario
	return &c
}

// Scenario is the scenario the store is scoped to (0: the official data).
func (s *Store) Scenario() int64 { return s.scenario }

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

// inTx runs fn in a transaction, committing when fn returns nil. An
// outermost transaction that PostgreSQL ends as a deadlock victim or a
// serialisation failure (or that finds, under its locks, that it locked too
// little: errRestart) is run again from the start, up to maxAttempts times
// with a short random pause, so such a race never reaches the client; fn
// must therefore not keep state between runs. Inside another transaction
// (a savepoint) the error goes up to the outermost one, which retries.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.db != dbtx(s.pool) {
		return runTx(ctx, s.db, fn)
	}
	for attempt := 1; ; attempt++ {
		err := runTx(ctx, s.db, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt == maxAttempts {
			s.stats.GaveUp.Add(1)
			return fmt.Errorf("%w (tried %d times): %w", ErrBusy, attempt, err)
		}
		s.stats.Retries.Add(1)
		if errors.Is(err, errRestart) {
			s.stats.Restarts.Add(1)
		}
		pause := time.Duration(rand.Int64N(int64(attempt) * int64(5*time.Millisecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

func runTx(ctx context.Context, db dbtx, fn func(tx pgx.Tx) error) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	if err := setCountyLimit(ctx, tx); err != nil { // county_limit.go
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// errRestart asks inTx to run a transaction again: what it read under its
// locks showed that it needed a lock it could not take in the global order
// (a zone joined a platform between the read and the lock).
var errRestart = errors.New("restart: the locked set changed")

// retryable reports whether err ends a transaction that may succeed when
// run again: a deadlock (40P01), a serialisation failure (40001) or errRestart.
func retryable(err error) bool {
	if errors.Is(err, errRestart) {
		return true
	}
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// Sentinel errors returned (wrapped) by Store methods.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("version conflict")
	ErrInvalid  = errors.New("invalid")
	// ErrBusy: a write lost to concurrent writes every time it was tried.
	ErrBusy = errors.New("too many concurrent changes to the same zones or platforms; try again")
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
// one-time set-up steps between instances that start together. The rest of
// the transaction runs without lock and statement timeouts: the lock is
// held for as long as the other instance's set-up takes (loading the
// sample, say), and that set-up is not a request to bound.
func (s *Store) Lock(ctx context.Context, key int64) error {
	if _, err := s.db.Exec(ctx, `SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0`); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
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
