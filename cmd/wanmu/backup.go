package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wanmu/internal/backup"
	"wanmu/internal/migrate"
	"wanmu/internal/pgcluster"
	"wanmu/migrations"
)

// runBackup writes a backup of the whole database to a file, while wanmu
// serve runs or not.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	var force bool
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	fs.BoolVar(&force, "force", false, "replace FILE if it exists")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wanmu backup [--force] [--data DIR | --database-url URL] FILE\n\n"+
			"Writes a consistent backup of the whole wanmu database to FILE, also while wanmu serve runs.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give one backup FILE to write")
	}
	file, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return err
	}
	if !force {
		if _, err := os.Lstat(file); err == nil {
			return fmt.Errorf("%s already exists: choose another name, or pass --force to replace it", file)
		}
	}
	log := newLogger(stderr, slog.LevelWarn)
	src, err := openSource(ctx, c, log)
	if err != nil {
		return err
	}
	defer src.close()
	t0 := time.Now()
	m, err := backup.Create(ctx, src.conn, file, backup.CreateOptions{Force: force})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s in %s: %s, schema %04d, PostgreSQL %s, PostGIS %s, %s\n",
		src.name, file, time.Since(t0).Round(time.Millisecond), sizeText(m.Dump.Size), m.Schema,
		m.PostgreSQL, m.PostGIS, countsText(m.Counts))
	return nil
}

// source is the database to back up.
type source struct {
	conn, name string
	cluster    *pgcluster.Cluster // started by us: stopped by close
}

func (s *source) close() {
	if s.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = s.cluster.Stop(ctx)
	}
}

// openSource finds the database to back up: DATABASE_URL's, else the
// embedded cluster of the data directory — the running one (wanmu serve's)
// through its socket, or, when none runs, started for the backup. It never
// migrates: a backup records the database as it is.
func openSource(ctx context.Context, c config, log *slog.Logger) (*source, error) {
	if c.DatabaseURL != "" {
		return &source{conn: c.DatabaseURL, name: "the database of DATABASE_URL"}, nil
	}
	if !pgcluster.Initialised(c.DataDir) {
		return nil, fmt.Errorf("no wanmu database in %s (no PostgreSQL cluster in %s): give the data directory of the installation to back up with --data or WANMU_DATA, or set DATABASE_URL",
			c.DataDir, filepath.Join(c.DataDir, "pg"))
	}
	if s, err := runningSource(ctx, c.DataDir); !errors.Is(err, pgcluster.ErrNotRunning) {
		return s, err
	}
	cl, err := pgcluster.Start(ctx, c.DataDir, log)
	if errors.Is(err, pgcluster.ErrInUse) {
		// wanmu serve started meanwhile: it is starting its server.
		return runningSource(ctx, c.DataDir)
	}
	if err != nil {
		return nil, err
	}
	return &source{conn: cl.ConnString(), name: c.DataDir, cluster: cl}, nil
}

// runningSource connects to a server already running on the data directory,
// waiting up to a minute for one that is still starting.
func runningSource(ctx context.Context, dir string) (*source, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cs, pid, err := pgcluster.Running(ctx, dir)
	if err != nil {
		return nil, err
	}
	return &source{conn: cs, name: fmt.Sprintf("%s (running, PostgreSQL PID %d)", dir, pid)}, nil
}

// runRestore restores a backup into an empty data directory or database.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	var check bool
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	fs.BoolVar(&check, "check", false, "only verify FILE (checksum, manifest, schema, pg_restore can read it); restore nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wanmu restore [--check] [--data DIR | --database-url URL] FILE\n\n"+
			"Restores a backup made by wanmu backup into an empty data directory (a new embedded cluster)\n"+
			"or an empty database (DATABASE_URL), then applies this wanmu's newer migrations.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give one backup FILE to restore")
	}
	file, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return err
	}
	ms, err := migrate.Load(migrations.FS)
	if err != nil {
		return err
	}
	a, err := backup.Open(file)
	if err != nil {
		return err
	}
	m := a.Manifest
	fmt.Fprintf(stdout, "%s: backup of %s made %s, schema %04d, PostgreSQL %s, PostGIS %s, %s\n",
		file, m.Database, m.CreatedAt.Local().Format("2006-01-02 15:04:05 MST"), m.Schema, m.PostgreSQL, m.PostGIS, countsText(m.Counts))
	if err := a.CheckSchema(ms); err != nil {
		return err
	}
	if r := a.RenamedMigrations(ms); len(r) > 0 {
		fmt.Fprintf(stderr, "warning: the backup names some migrations differently from this wanmu: %s\n", strings.Join(r, ", "))
	}
	// Verify before anything is touched: a damaged file creates nothing.
	tmp, dump, err := a.ExtractDump("")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if check {
		if _, err := backup.ReadTOC(ctx, dump, m); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is intact: checksum verified (%s), pg_restore reads it\n", file, sizeText(m.Dump.Size))
		return nil
	}

	t0 := time.Now()
	opts := backup.RestoreOptions{Progress: func(step string) { fmt.Fprintf(stderr, "restore: %s\n", step) }}
	var conn string
	if c.DatabaseURL != "" {
		conn = c.DatabaseURL
		opts.Target = "the database of DATABASE_URL"
		opts.IfNotEmpty = "create an empty database (CREATE DATABASE …) and point DATABASE_URL at it"
	} else {
		cl, err := restoreCluster(ctx, c.DataDir, stderr)
		if err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_ = cl.Stop(sctx)
		}()
		conn = cl.ConnString()
		opts.Target = "the data directory " + c.DataDir
		opts.IfNotEmpty = "restore into a new data directory (--data NEWDIR), or move this one away first"
	}
	res, err := backup.Restore(ctx, conn, dump, m, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s in %s", file, opts.Target, time.Since(t0).Round(time.Millisecond))
	if len(res.Applied) > 0 {
		fmt.Fprintf(stdout, "; then applied the newer migrations %s", strings.Join(res.Applied, ", "))
	}
	fmt.Fprintln(stdout)
	for _, n := range res.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	if c.DatabaseURL == "" {
		fmt.Fprintf(stdout, "start it with: wanmu serve --data %s\n", c.DataDir)
	}
	return nil
}

// restoreCluster starts the embedded cluster of a data directory for a
// restore, initialising it when new. A data directory whose cluster runs
// (wanmu serve's) is refused outright: it is in use, so not empty.
func restoreCluster(ctx context.Context, dir string, stderr io.Writer) (*pgcluster.Cluster, error) {
	if pgcluster.Initialised(dir) {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, pid, err := pgcluster.Running(rctx, dir)
		cancel()
		if err == nil {
			return nil, fmt.Errorf("%w: a PostgreSQL server (PID %d, probably wanmu serve's) is running on the data directory %s: restore into a new data directory (--data NEWDIR) and point wanmu serve at it",
				backup.ErrNotEmpty, pid, dir)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	cl, err := pgcluster.Start(ctx, dir, newLogger(stderr, slog.LevelWarn))
	if errors.Is(err, pgcluster.ErrInUse) {
		return nil, fmt.Errorf("%w (restore needs the data directory to itself: restore into a new data directory with --data NEWDIR)", err)
	}
	return cl, err
}

// reorderFlags moves the flags in args before the positional arguments, so
// that flags may follow FILE; unlike reorder it knows which flags are
// booleans and take no value.
func reorderFlags(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // fs.Parse names it
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !(ok && b.IsBoolFlag()) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

// sizeText prints a byte count for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// countsText prints the manifest's row counts of the main tables.
func countsText(counts map[string]int64) string {
	var parts []string
	for _, t := range []struct{ table, what string }{
		{"zone", "zones"}, {"platform", "platforms"}, {"revision", "revisions"},
		{"constraint_layer", "constraint layers"}, {"constraint_feature", "constraint features"}, {"app_user", "users"},
	} {
		if n, ok := counts[t.table]; ok {
			parts = append(parts, fmt.Sprintf("%d %s", n, t.what))
		}
	}
	return strings.Join(parts, ", ")
}
