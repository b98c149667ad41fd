package backup

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/migrate"
	"wanmu/internal/pgcluster"
	"wanmu/migrations"
)

// CheckSchema refuses a backup whose schema is newer than the newest of
// migrations (this binary's): restoring it would give the binary tables it
// does not know.
func (a *Archive) CheckSchema(ms []migrate.Migration) error {
	known, name := 0, "none"
	if len(ms) > 0 {
		known, name = ms[len(ms)-1].Number, ms[len(ms)-1].Name
	}
	if a.Manifest.Schema <= known {
		return nil
	}
	made := a.Manifest.Wanmu
	if made == "" {
		made = "a newer wanmu"
	}
	return fmt.Errorf("%w: %s holds schema %04d (its last migration is %s), but this wanmu knows migrations only up to %04d (%s): restore it with a wanmu at least as new as the one that made it (%s, on %s)",
		ErrNewerSchema, a.Path, a.Manifest.Schema, lastOr(a.Manifest.Migrations, "not recorded"), known, name,
		made, a.Manifest.CreatedAt.Format("2006-01-02 15:04 MST"))
}

// RenamedMigrations lists the migrations the backup records under another
// file name than ms does: a backup made by a different line of wanmu.
func (a *Archive) RenamedMigrations(ms []migrate.Migration) []string {
	var out []string
	for i, name := range a.Manifest.Migrations {
		if i < len(ms) && ms[i].Name != name {
			out = append(out, fmt.Sprintf("%s (here %s)", name, ms[i].Name))
		}
	}
	return out
}

// ExtractDump verifies the dump and writes it to a new temporary directory
// under tempDir ("" for the system's); remove the directory when done.
func (a *Archive) ExtractDump(tempDir string) (dir, dump string, err error) {
	dir, err = os.MkdirTemp(tempDir, "wanmu-restore-")
	if err != nil {
		return "", "", fmt.Errorf("temporary directory for the dump: %w (set TMPDIR to a directory with room for it)", err)
	}
	dump = filepath.Join(dir, dumpName)
	if err := a.Extract(dump); err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return dir, dump, nil
}

// RestoreOptions tunes Restore.
type RestoreOptions struct {
	// Target names the database for messages ("the data directory …").
	Target string
	// IfNotEmpty says what to do when the target is not empty.
	IfNotEmpty string
	// Progress, if set, is told each step.
	Progress func(step string)
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	Applied   []string // migrations applied after the restore
	PgRestore string   // pg_restore used
	Notes     []string // things the administrator should know
}

// Restore loads the dump at dumpPath (from ExtractDump, described by m)
// into the empty database at connString, in one transaction, and then
// applies the migrations newer than the backup's schema.
func Restore(ctx context.Context, connString, dumpPath string, m Manifest, opts RestoreOptions) (RestoreResult, error) {
	var res RestoreResult
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	target := opts.Target
	if target == "" {
		target = "the database"
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return res, fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return res, fmt.Errorf("connect to %s: %w", target, err)
	}
	defer pool.Close()
	if err := checkEmpty(ctx, pool, target, opts.IfNotEmpty); err != nil {
		return res, err
	}

	toc, err := ReadTOC(ctx, dumpPath, m)
	if err != nil {
		return res, err
	}
	res.PgRestore = toc.PgRestore
	conn, env, err := libpqConn(connString)
	if err != nil {
		return res, err
	}

	// Extensions are created here rather than by the dump: they may exist
	// already (made by the database's administrator), and the dump's
	// COMMENT ON EXTENSION fails for anyone but their owner.
	progress("extensions")
	list, exts, refSys := filterTOC(toc.List, true)
	for _, e := range exts {
		if err := ensureExtension(ctx, pool, e); err != nil {
			return res, err
		}
	}
	if refSys {
		var canInsert bool
		err := pool.QueryRow(ctx, `SELECT has_table_privilege('public.spatial_ref_sys', 'INSERT')`).Scan(&canInsert)
		if err != nil {
			return res, fmt.Errorf("check spatial_ref_sys: %w", err)
		}
		if !canInsert {
			list, _, _ = filterTOC(toc.List, false)
			res.Notes = append(res.Notes, "custom rows of spatial_ref_sys, if the backup had any, were not restored: this user may not write to that PostGIS table (wanmu uses only its standard systems)")
		}
	}
	listFile := dumpPath + ".list"
	if err := os.WriteFile(listFile, []byte(strings.Join(list, "\n")+"\n"), 0o600); err != nil {
		return res, fmt.Errorf("write %s: %w", listFile, err)
	}
	defer os.Remove(listFile)

	progress("pg_restore")
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, toc.PgRestore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl",
		"--no-password", "--use-list="+listFile, "--dbname="+conn, dumpPath)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("restore interrupted (%w): it ran in one transaction, so %s is still empty", ctx.Err(), target)
		}
		return res, fmt.Errorf("pg_restore failed: %v: %s; it ran in one transaction, so %s is still empty", err, lastLines(stderr.String(), 3), target)
	}

	var schema int
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM schema_migration`).Scan(&schema); err != nil {
		return res, fmt.Errorf("read the restored schema: %w", err)
	}
	if schema != m.Schema {
		return res, fmt.Errorf("the restored database is at schema %04d but the backup's manifest says %04d: the backup is inconsistent; use another backup", schema, m.Schema)
	}
	ms, err := migrate.Load(migrations.FS)
	if err != nil {
		return res, err
	}
	if n := len(ms); n > 0 && ms[n-1].Number > schema {
		progress("migrations")
		if err := migrate.Apply(ctx, pool); err != nil {
			return res, fmt.Errorf("the backup was restored, but applying the newer migrations failed: %w", err)
		}
		for _, mg := range ms {
			if mg.Number > schema {
				res.Applied = append(res.Applied, mg.Name)
			}
		}
	}
	// pg_restore brings no planner statistics; gather them now rather than
	// leave the first reports to guess.
	progress("analyze")
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return res, fmt.Errorf("analyze the restored database: %w", err)
	}
	return res, nil
}

// TOC is pg_restore's table of contents of a dump.
type TOC struct {
	PgRestore string // the pg_restore that read it
	List      string // its --list output
}

// ReadTOC has pg_restore list the dump at dumpPath, written by the pg_dump
// m names: a check that the dump is one pg_restore can restore.
func ReadTOC(ctx context.Context, dumpPath string, m Manifest) (TOC, error) {
	pgRestore, _, err := pgcluster.Tool("pg_restore", max(m.PgDumpMajor(), 1))
	if err != nil {
		return TOC{}, fmt.Errorf("the backup was written by %s: %w", m.PgDump, err)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, pgRestore, "--list", dumpPath)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return TOC{}, fmt.Errorf("%s cannot read the dump (%v: %s): the backup is damaged or was written by a newer pg_dump than %s", pgRestore, err, lastLines(stderr.String(), 3), pgRestore)
	}
	return TOC{PgRestore: pgRestore, List: string(out)}, nil
}

// filterTOC takes the extensions and their comments out of pg_restore's
// list of the dump, and the data of PostGIS's spatial_ref_sys unless
// keepRefSys; it returns what is left (in the dump's order), the
// extensions' names and whether the dump has spatial_ref_sys data.
func filterTOC(toc string, keepRefSys bool) (list, exts []string, refSys bool) {
	for _, line := range strings.Split(toc, "\n") {
		// "ID; CATALOG-OID OID DESCRIPTION SCHEMA NAME OWNER"; ";" comments
		_, rest, ok := strings.Cut(line, "; ")
		f := strings.Fields(rest)
		if strings.HasPrefix(line, ";") || !ok || len(f) < 5 {
			list = append(list, line)
			continue
		}
		desc := strings.Join(f[2:], " ")
		switch {
		case f[2] == "EXTENSION" && f[3] == "-":
			exts = append(exts, f[4])
		case strings.HasPrefix(desc, "COMMENT - EXTENSION "):
		case strings.HasPrefix(desc, "TABLE DATA public spatial_ref_sys "):
			refSys = true
			if keepRefSys {
				list = append(list, line)
			}
		default:
			list = append(list, line)
		}
	}
	return list, exts, refSys
}

// ensureExtension creates extension name in schema public unless the
// database has it, or says who must.
func ensureExtension(ctx context.Context, pool *pgxpool.Pool, name string) error {
	var have bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1)`, name).Scan(&have); err != nil {
		return fmt.Errorf("check extension %s: %w", name, err)
	}
	if have {
		return nil
	}
	_, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH SCHEMA public`)
	if err != nil {
		return fmt.Errorf("the backup needs the extension %s, which the database lacks and this user cannot create (%v): ask the database's administrator to run CREATE EXTENSION %s in it, then restore again", name, err, name)
	}
	return nil
}

// checkEmpty refuses a database holding tables, views, sequences or
// functions of its own (objects of extensions such as PostGIS do not count).
func checkEmpty(ctx context.Context, pool *pgxpool.Pool, target, advice string) error {
	rows, err := pool.Query(ctx, `
		SELECT kind || ' ' || name FROM (
			SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END AS kind,
			       c.relname::text AS name, n.nspname AS nsp
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
			  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
			UNION ALL
			SELECT 'function', p.proname::text, n.nspname
			FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
		) o
		WHERE nsp NOT IN ('pg_catalog', 'information_schema') AND nsp NOT LIKE 'pg\_%'
		ORDER BY kind = 'table' DESC, name`)
	if err != nil {
		return fmt.Errorf("check that %s is empty: %w", target, err)
	}
	var objects []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return fmt.Errorf("check that %s is empty: %w", target, err)
		}
		objects = append(objects, o)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check that %s is empty: %w", target, err)
	}
	if len(objects) == 0 {
		return nil
	}
	var schema int
	wanmu := ""
	if pool.QueryRow(ctx, `SELECT max(number) FROM schema_migration`).Scan(&schema) == nil && schema > 0 {
		wanmu = fmt.Sprintf(" — a wanmu database at schema %04d", schema)
	}
	shown := objects
	if len(shown) > 5 {
		shown = append(shown[:5:5], "…")
	}
	if advice != "" {
		advice = ": " + advice
	}
	return fmt.Errorf("%w: %s is not empty: it holds %d tables, sequences or functions (%s)%s; restore never writes over data%s",
		ErrNotEmpty, target, len(objects), strings.Join(shown, ", "), wanmu, advice)
}

func lastOr(s []string, def string) string {
	if len(s) == 0 {
		return def
	}
	return s[len(s)-1]
}
