package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/dbwatch"
	"wanmu/internal/migrate"
	"wanmu/internal/pgcluster"
)

// database is an open, migrated database and whatever must be stopped with it.
type database struct {
	pool    *pgxpool.Pool
	cluster *pgcluster.Cluster
	// watch holds the breaker of the pool's connections; serve starts it.
	watch *dbwatch.Watcher
}

// sessionTimeouts apply to every connection of the pool unless
// DATABASE_URL sets them (?statement_timeout=60s, say). Reports and edits
// take milliseconds (the heaviest report 26–53 ms at 200k–1M parcels), so
// these only end what went wrong, and free its connection and locks: a
// runaway statement; a write queued behind a lock a stuck or long
// transaction holds (it gets 503, retry, instead of piling up); a
// transaction its client left open. Loading a constraint layer and the
// one-time set-up steps lift them in their own transactions; migrations
// run without them; backups use connections of their own.
var sessionTimeouts = map[string]string{
	"statement_timeout":                   "30s",
	"lock_timeout":                        "5s",
	"idle_in_transaction_session_timeout": "60s",
}

// connectTimeout bounds opening one connection, handshake included, when
// DATABASE_URL sets no connect_timeout: a local server answers in
// milliseconds, a remote one in well under a second.
const connectTimeout = 5 * time.Second

// poolConfig is the pool's configuration for url, with wanmu's defaults.
func poolConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.MaxConns = 16
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	for k, v := range sessionTimeouts {
		if _, set := cfg.ConnConfig.RuntimeParams[k]; !set {
			cfg.ConnConfig.RuntimeParams[k] = v
		}
	}
	return cfg, nil
}

// openDatabase starts the embedded cluster (or connects to DatabaseURL),
// makes sure PostGIS is there and applies the migrations.
func openDatabase(ctx context.Context, c config, log *slog.Logger) (*database, error) {
	db := &database{}
	url := c.DatabaseURL
	if url == "" {
		if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", c.DataDir, err)
		}
		start := time.Now()
		cl, err := pgcluster.Start(ctx, c.DataDir, log)
		if err != nil {
			return nil, err
		}
		db.cluster = cl
		url = cl.ConnString()
		log.Info("embedded PostgreSQL started", "data", c.DataDir, "took", time.Since(start).Round(time.Millisecond))
	}
	cfg, err := poolConfig(url)
	if err != nil {
		db.close()
		return nil, err
	}
	db.watch = dbwatch.New(cfg, dbwatch.Options{Logger: log})
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		db.close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	db.pool = pool
	if err := setUp(ctx, cfg); err != nil {
		db.close()
		return nil, err
	}
	return db, nil
}

// setUp creates the extensions and applies the migrations on connections
// without the session timeouts: a migration may rewrite a large table, and
// an instance starting beside another waits for its migrations.
func setUp(ctx context.Context, cfg *pgxpool.Config) error {
	cfg = cfg.Copy()
	cfg.MaxConns = 2
	for k := range sessionTimeouts {
		cfg.ConnConfig.RuntimeParams[k] = "0"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to database: %w", err)
	}
	defer pool.Close()
	if err := ensureExtensions(ctx, pool); err != nil {
		return err
	}
	return migrate.Apply(ctx, pool)
}

// extensions are the PostgreSQL extensions the migrations need, with where
// they come from on Debian. btree_gist (for the (layer, geometry) index of
// migrations/0006) ships with PostgreSQL itself and is trusted, so a
// database owner may create it.
var extensions = []struct{ name, from string }{
	{"postgis", "Debian package postgresql-15-postgis-3"},
	{"btree_gist", "part of PostgreSQL (Debian package postgresql-15)"},
}

// ensureExtensions creates the extensions the database lacks, or says which
// one it cannot create and what the administrator should do.
func ensureExtensions(ctx context.Context, pool *pgxpool.Pool) error {
	for _, e := range extensions {
		var have bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1)`, e.name).Scan(&have); err != nil {
			return fmt.Errorf("connect to database: %w", err)
		}
		if have {
			continue
		}
		if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS `+pgx.Identifier{e.name}.Sanitize()); err != nil {
			return fmt.Errorf("the database has no %s and wanmu cannot create it (%v): ask its administrator to run CREATE EXTENSION %s (%s)", e.name, err, e.name, e.from)
		}
	}
	return nil
}

func (db *database) close() {
	if db.watch != nil {
		db.watch.Stop()
	}
	if db.pool != nil {
		db.pool.Close()
	}
	if db.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = db.cluster.Stop(ctx)
	}
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDatabase(ctx, c, newLogger(stderr, slog.LevelInfo))
	if err != nil {
		return err
	}
	defer db.close()
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT max(number) FROM schema_migration`).Scan(&n); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database at migration %04d\n", n)
	return nil
}
