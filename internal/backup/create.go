package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"wanmu/internal/pgcluster"
)

// CreateOptions tunes Create.
type CreateOptions struct {
	// Force replaces an existing file at the target path.
	Force bool
	// LockTimeout bounds pg_dump's wait for its table locks (a migration or
	// another DDL statement holding one); 0 means one minute.
	LockTimeout time.Duration
}

// counted are the tables whose row counts go into the manifest.
var counted = []string{"zone", "platform", "platform_member", "revision", "constraint_layer",
	"constraint_feature", "app_user"}

// Create writes a backup of the wanmu database at connString to path.
// It works while wanmu serves: see the package documentation.
func Create(ctx context.Context, connString, path string, opts CreateOptions) (Manifest, error) {
	var m Manifest
	path, err := filepath.Abs(path)
	if err != nil {
		return m, err
	}
	if !opts.Force {
		if _, err := os.Lstat(path); err == nil {
			return m, fmt.Errorf("%w: %s already exists: choose another name, or pass --force to replace it", ErrExists, path)
		}
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return m, fmt.Errorf("%s is a directory: give the path of the backup file to write", path)
	}

	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return m, fmt.Errorf("connect to the database: %w", err)
	}
	defer conn.Close(context.Background())
	// The transaction's snapshot is the backup's instant: the manifest's
	// facts are read in it and pg_dump imports it, so both see the same
	// committed transactions. It stays open until pg_dump has finished.
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return m, fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback(context.Background())
	lockTimeout := opts.LockTimeout
	if lockTimeout <= 0 {
		lockTimeout = time.Minute
	}
	// The counts below wait for table locks as pg_dump does, no longer.
	if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, lockTimeout.Milliseconds())); err != nil {
		return m, fmt.Errorf("begin snapshot: %w", err)
	}
	var snapshot string
	var serverMajor int
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot(), pg_current_snapshot()::text, now(), current_database(),
		current_setting('server_version'), current_setting('server_version_num')::int / 10000`).
		Scan(&snapshot, &m.Snapshot, &m.CreatedAt, &m.Database, &m.PostgreSQL, &serverMajor); err != nil {
		return m, fmt.Errorf("export snapshot: %w", err)
	}
	if err := readFacts(ctx, tx, &m); err != nil {
		return m, err
	}
	pgDump, major, err := pgcluster.Tool("pg_dump", serverMajor)
	if err != nil {
		return m, fmt.Errorf("the database runs PostgreSQL %s: %w", m.PostgreSQL, err)
	}
	out, err := exec.CommandContext(ctx, pgDump, "--version").Output()
	if err != nil {
		return m, fmt.Errorf("%s --version: %w", pgDump, err)
	}
	m.PgDump = strings.TrimSpace(string(out))
	m.Format, m.FormatVersion, m.Wanmu = Format, FormatVersion, buildVersion()
	m.CreatedAt = m.CreatedAt.UTC()

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return m, fmt.Errorf("backup file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	aw, err := newArchiveWriter(tmp)
	if err != nil {
		return m, fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	target, env, err := libpqConn(connString)
	if err != nil {
		return m, err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-password",
		"--snapshot="+snapshot, fmt.Sprintf("--lock-wait-timeout=%d", lockTimeout.Milliseconds()),
		"--dbname="+target)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = aw, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return m, fmt.Errorf("backup interrupted (%w); no backup file was written", ctx.Err())
		}
		if aw.err != nil {
			return m, fmt.Errorf("write the backup to %s: %w; no backup file was written", filepath.Dir(path), aw.err)
		}
		hint := ""
		if msg := stderr.String(); strings.Contains(msg, "lock timeout") || strings.Contains(msg, "timeout") && strings.Contains(msg, "LOCK TABLE") {
			hint = fmt.Sprintf(" (a table stayed locked longer than %s, by a migration or another schema change: try again when it is done)", lockTimeout)
		}
		return m, fmt.Errorf("pg_dump (PostgreSQL %d) failed: %v: %s%s; no backup file was written", major, err, lastLines(stderr.String(), 3), hint)
	}
	if err := tx.Commit(ctx); err != nil {
		return m, fmt.Errorf("end snapshot: %w", err)
	}
	if err := aw.finish(&m); err != nil {
		return m, fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return m, fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return m, fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if opts.Force {
		err = os.Rename(tmp.Name(), path)
	} else {
		// A hard link fails if path appeared meanwhile: never overwrite.
		if err = os.Link(tmp.Name(), path); err == nil {
			os.Remove(tmp.Name())
		} else if errors.Is(err, os.ErrExist) {
			err = fmt.Errorf("%w: %s appeared while the backup was written: choose another name, or pass --force to replace it", ErrExists, path)
		}
	}
	if err != nil {
		return m, err
	}
	ok = true
	syncDir(filepath.Dir(path))
	return m, nil
}

// readFacts fills the manifest's schema, versions and counts from the
// snapshot transaction.
func readFacts(ctx context.Context, tx pgx.Tx, m *Manifest) error {
	rows, err := tx.Query(ctx, `SELECT number, name FROM schema_migration ORDER BY number`)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			return fmt.Errorf("database %s holds no wanmu schema (no schema_migration table): is this the right database? (wanmu migrate creates the schema)", m.Database)
		}
		return fmt.Errorf("read schema_migration: %w", err)
	}
	for rows.Next() {
		var n int
		var name string
		if err := rows.Scan(&n, &name); err != nil {
			return fmt.Errorf("read schema_migration: %w", err)
		}
		m.Schema = n
		m.Migrations = append(m.Migrations, name)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migration: %w", err)
	}
	if m.Schema == 0 {
		return fmt.Errorf("database %s holds no wanmu schema (schema_migration is empty)", m.Database)
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'postgis'), '')`).Scan(&m.PostGIS); err != nil {
		return fmt.Errorf("read PostGIS version: %w", err)
	}
	m.Counts = map[string]int64{}
	for _, t := range counted {
		var n int64
		// Identifiers from the fixed list above; a table a future schema
		// dropped is simply not counted.
		err := tx.QueryRow(ctx, `SELECT CASE WHEN to_regclass($1) IS NULL THEN -1 ELSE 0 END`, t).Scan(&n)
		if err == nil && n == 0 {
			err = tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&n)
		}
		if err != nil {
			return fmt.Errorf("count %s: %w", t, err)
		}
		if n >= 0 {
			m.Counts[t] = n
		}
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revision`).Scan(&m.LastRevision); err != nil {
		return fmt.Errorf("read the last revision: %w", err)
	}
	return nil
}

// buildVersion names the wanmu build: its module version, or its VCS
// revision when built from a checkout.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := bi.Main.Version
	switch {
	case rev == "" && v == "(devel)":
		return ""
	case rev == "":
		return v
	case v == "(devel)" || v == "":
		return rev + modified
	}
	return v + " " + rev + modified
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// lastLines returns the last n non-empty lines of s joined by " | ".
func lastLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	if len(out) == 0 {
		return "no message"
	}
	return strings.Join(out, " | ")
}
