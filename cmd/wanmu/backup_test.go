package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/backup"
	"wanmu/internal/migrate"
	"wanmu/internal/pgcluster"
	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
	"wanmu/internal/testenv"
	"wanmu/migrations"
)

// TestBackupRestoreDatabaseURL backs up a database given by DATABASE_URL
// while writers create and edit zones, memberships and layers, restores it
// into an empty database owned by an unprivileged role (PostGIS created
// there by the "administrator", as on a managed server), and finds exactly
// the state of the backup's instant.
func TestBackupRestoreDatabaseURL(t *testing.T) {
	srcURL := testdb.ConnString(t)
	src := mustPool(t, srcURL)
	seed(t, src)
	file := filepath.Join(t.TempDir(), "wanmu.backup")
	t.Setenv("DATABASE_URL", srcURL)
	backupUnderWrites(t, src, func() string { return cli(t, 0, "backup", file) })
	m := manifestOf(t, file)

	dstURL := emptyDatabase(t, src, srcURL, true)
	t.Setenv("DATABASE_URL", dstURL)
	t0 := time.Now()
	out := cli(t, 0, "restore", file)
	t.Logf("restore took %s", time.Since(t0).Round(time.Millisecond))
	if !strings.Contains(out, "restored "+file) {
		t.Errorf("restore said:\n%s", out)
	}
	compareRestored(t, src, mustPool(t, dstURL), m)

	t.Setenv("DATABASE_URL", dstURL)
	if out := cli(t, 1, "restore", file); !strings.Contains(out, "restore refused: the database of DATABASE_URL is not empty") ||
		!strings.Contains(out, "a wanmu database at schema") || !strings.Contains(out, "create an empty database") {
		t.Errorf("restore into the restored database:\n%s", out)
	}
}

// TestBackupOnlineEmbedded backs up the embedded cluster of a data
// directory while it runs for another holder (as under wanmu serve), with
// writes going on, restores it into a new data directory, and compares.
func TestBackupOnlineEmbedded(t *testing.T) {
	ctx := context.Background()
	t.Setenv("DATABASE_URL", "")
	dirA := enterableTempDir(t)
	clA, err := pgcluster.StartWith(ctx, dirA, pgcluster.Options{NoFsync: true})
	if err != nil {
		if errors.Is(err, pgcluster.ErrNotInstalled) {
			testenv.Missing(t, "%v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { clA.Stop(context.Background()) })
	src := mustPool(t, clA.ConnString())
	if err := migrate.Apply(ctx, src); err != nil {
		t.Fatal(err)
	}
	seed(t, src)
	file := filepath.Join(t.TempDir(), "online.wanmu")
	backupUnderWrites(t, src, func() string {
		out := cli(t, 0, "backup", file, "--data", dirA)
		if !strings.Contains(out, "(running, PostgreSQL PID") {
			t.Errorf("backup did not use the running cluster:\n%s", out)
		}
		return out
	})
	m := manifestOf(t, file)

	dirB := enterableTempDir(t)
	t0 := time.Now()
	out := cli(t, 0, "restore", "--data", dirB, file)
	t.Logf("restore into a new data directory took %s", time.Since(t0).Round(time.Millisecond))
	if !strings.Contains(out, "start it with: wanmu serve --data "+dirB) {
		t.Errorf("restore said:\n%s", out)
	}
	if out := cli(t, 1, "restore", "--data", dirB, file); !strings.Contains(out, "restore refused: the data directory "+dirB+" is not empty") ||
		!strings.Contains(out, "a wanmu database at schema") || !strings.Contains(out, "--data NEWDIR") {
		t.Errorf("second restore into the same data directory:\n%s", out)
	}
	if out := cli(t, 1, "restore", "--data", dirA, file); !strings.Contains(out, "is running on the data directory "+dirA) {
		t.Errorf("restore into the running data directory:\n%s", out)
	}

	clB, err := pgcluster.StartWith(ctx, dirB, pgcluster.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clB.Stop(context.Background()) })
	compareRestored(t, src, mustPool(t, clB.ConnString()), m)
}

// TestBackupAndRestoreRefuse covers what backup and restore refuse, and the
// restore of an older schema, which is migrated.
func TestBackupAndRestoreRefuse(t *testing.T) {
	ctx := context.Background()
	srcURL := testdb.ConnString(t)
	src := mustPool(t, srcURL)
	name, kind, county := "备份园区", "park", "331102"
	if _, err := store.New(src).CreateZone(ctx, store.ZoneFields{Name: &name, Kind: &kind, CountyAdcode: &county,
		Geom: writerGeom(9, 9, 1)}, store.Change{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "b.wanmu")
	t.Setenv("DATABASE_URL", srcURL)
	cli(t, 0, "backup", file)

	t.Run("existing file", func(t *testing.T) {
		before, _ := os.ReadFile(file)
		if out := cli(t, 1, "backup", file); !strings.Contains(out, file+" already exists") || !strings.Contains(out, "--force") {
			t.Errorf("backup onto an existing file:\n%s", out)
		}
		if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
			t.Error("the refused backup changed the existing file")
		}
		cli(t, 0, "backup", "--force", file)
		cli(t, 0, "restore", "--check", file)
	})

	t.Run("failed backup leaves nothing", func(t *testing.T) {
		tx, err := src.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `LOCK TABLE job IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, "locked.wanmu")
		_, err = backup.Create(ctx, srcURL, target, backup.CreateOptions{LockTimeout: 300 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), "lock") || !strings.Contains(err.Error(), "no backup file was written") {
			t.Errorf("backup of a locked table: %v", err)
		}
		tx.Rollback(ctx)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "b.wanmu" {
				t.Errorf("the failed backup left %s behind", e.Name())
			}
		}
	})

	// A refused restore into the embedded cluster creates nothing.
	fresh := filepath.Join(t.TempDir(), "never")
	restoreRefused := func(t *testing.T, file string, want ...string) {
		t.Helper()
		t.Setenv("DATABASE_URL", "")
		out := cli(t, 1, "restore", "--data", fresh, file)
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("restore of %s: no %q in\n%s", filepath.Base(file), w, out)
			}
		}
		if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the refused restore created %s", fresh)
		}
	}
	t.Run("corrupted", func(t *testing.T) {
		b, _ := os.ReadFile(file)
		b[512+len(b)/3] ^= 0x20 // a bit in the middle of the dump
		bad := filepath.Join(t.TempDir(), "bad.wanmu")
		os.WriteFile(bad, b, 0o600)
		restoreRefused(t, bad, "backup damaged: "+bad, "checksum mismatch", "nothing was restored")
		if out := cli(t, 1, "restore", "--check", bad); !strings.Contains(out, "checksum mismatch") {
			t.Errorf("restore --check of a damaged file:\n%s", out)
		}
		trunc := filepath.Join(t.TempDir(), "trunc.wanmu")
		os.WriteFile(trunc, b[:len(b)/2], 0o600)
		restoreRefused(t, trunc, "backup damaged: "+trunc, "truncated")
	})
	t.Run("newer schema", func(t *testing.T) {
		ms, _ := migrate.Load(migrations.FS)
		newer := rewriteManifest(t, file, func(m *backup.Manifest) {
			m.Schema = 99
			m.Migrations = append(m.Migrations, "0099_future.sql")
		})
		last := ms[len(ms)-1]
		restoreRefused(t, newer, "holds schema 0099 (its last migration is 0099_future.sql)",
			fmt.Sprintf("knows migrations only up to %04d (%s)", last.Number, last.Name), "restore it with a wanmu at least as new")
	})
	t.Run("not a backup", func(t *testing.T) {
		bare := filepath.Join(t.TempDir(), "bare.dump")
		os.WriteFile(bare, append([]byte("PGDMP"), make([]byte, 2000)...), 0o600)
		restoreRefused(t, bare, "bare pg_dump archive")
	})
	t.Run("non-empty database", func(t *testing.T) {
		t.Setenv("DATABASE_URL", srcURL)
		if out := cli(t, 1, "restore", file); !strings.Contains(out, "is not empty") || !strings.Contains(out, "restore never writes over data") {
			t.Errorf("restore into the source database:\n%s", out)
		}
	})

	t.Run("older schema is migrated", func(t *testing.T) {
		ms, err := migrate.Load(migrations.FS)
		if err != nil {
			t.Fatal(err)
		}
		oldURL := emptyDatabase(t, src, srcURL, false)
		old := mustPool(t, oldURL)
		if _, err := old.Exec(ctx, `CREATE TABLE schema_migration (number int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			t.Fatal(err)
		}
		for _, mg := range ms[:len(ms)-1] {
			if _, err := old.Exec(ctx, mg.SQL); err != nil {
				t.Fatalf("%s: %v", mg.Name, err)
			}
			if _, err := old.Exec(ctx, `INSERT INTO schema_migration (number, name) VALUES ($1, $2)`, mg.Number, mg.Name); err != nil {
				t.Fatal(err)
			}
		}
		oldFile := filepath.Join(t.TempDir(), "old.wanmu")
		t.Setenv("DATABASE_URL", oldURL)
		cli(t, 0, "backup", oldFile)
		if m := manifestOf(t, oldFile); m.Schema != ms[len(ms)-2].Number {
			t.Fatalf("manifest schema %d, want %d", m.Schema, ms[len(ms)-2].Number)
		}
		dstURL := emptyDatabase(t, src, srcURL, false)
		t.Setenv("DATABASE_URL", dstURL)
		out := cli(t, 0, "restore", oldFile)
		if !strings.Contains(out, "applied the newer migrations "+ms[len(ms)-1].Name) {
			t.Errorf("restore of an older backup:\n%s", out)
		}
		var n int
		if err := mustPool(t, dstURL).QueryRow(ctx, `SELECT max(number) FROM schema_migration`).Scan(&n); err != nil || n != ms[len(ms)-1].Number {
			t.Errorf("restored database at schema %d (%v), want %d", n, err, ms[len(ms)-1].Number)
		}
	})
}

// cli runs wanmu in-process and wants exit code want; it returns stdout
// followed by stderr.
func cli(t *testing.T, want int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	if code != want {
		t.Fatalf("wanmu %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// mustPool connects with the session time zone fixed, so that rows print
// the same on every server.
func mustPool(t *testing.T, cs string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(cs)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func manifestOf(t *testing.T, file string) backup.Manifest {
	t.Helper()
	a, err := backup.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	return a.Manifest
}

// seed loads the sample (zones, platforms, constraint layers) and adds users,
// a token and a session.
func seed(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	st := store.New(pool)
	if _, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, role string }{{"admin", "admin"}, {"planner", "editor"}} {
		if _, err := st.CreateUser(ctx, u.name, u.role, nil, []byte("hash of "+u.name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateToken(ctx, "planner", []byte("token hash"), "脚本"); err != nil {
		t.Fatal(err)
	}
}

// writerGeom is the outline writer w gives its zone k at version v: each
// version differs in the last bits of every coordinate. Outlines of
// different w or k do not overlap, and none overlaps the sample's data.
func writerGeom(w, k, v int) orb.MultiPolygon {
	x := 118.0 + 0.01*float64(w) + 0.0003*float64(k) + float64(v)*1e-7/3
	y := 26.5 + float64(v)*math.Pi*1e-8
	d := 0.0002 + float64(v)*1e-9
	return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
}

const writers = 3

// backupUnderWrites runs doBackup while writers create and edit zones, move
// them into platforms and import constraint layers, and checks that writes
// committed both before and while the backup ran.
func backupUnderWrites(t *testing.T, pool *pgxpool.Pool, doBackup func() string) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	st := store.New(pool)
	var wrote, layers atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	for w := range writers {
		wg.Go(func() {
			if err := writeZones(ctx, st, w, &wrote); err != nil && ctx.Err() == nil {
				errs <- fmt.Errorf("writer %d: %w", w, err)
			}
		})
	}
	wg.Go(func() {
		if err := writeLayers(ctx, st, &layers); err != nil && ctx.Err() == nil {
			errs <- fmt.Errorf("layer writer: %w", err)
		}
	})
	for (wrote.Load() < 10 || layers.Load() < 1) && len(errs) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	before := wrote.Load() + layers.Load()
	t0 := time.Now()
	doBackup()
	took := time.Since(t0)
	during := wrote.Load() + layers.Load() - before
	for end := wrote.Load() + 5; wrote.Load() < end && len(errs) == 0; {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if during == 0 {
		t.Error("no write committed while the backup ran")
	}
	t.Logf("%d writes before the backup, %d during its %s, %d in all", before, during, took.Round(time.Millisecond), wrote.Load()+layers.Load())
}

// writeZones creates zones and edits them (writerGeom, attributes k, v) and
// keeps its platform's members, until ctx ends.
func writeZones(ctx context.Context, st *store.Store, w int, wrote *atomic.Int64) error {
	c := store.Change{Actor: fmt.Sprintf("writer%d", w), Reason: "备份测试"}
	pname := fmt.Sprintf("写入平台%d", w)
	p, err := st.CreatePlatform(ctx, store.PlatformFields{Name: &pname}, nil, c)
	if err != nil {
		return err
	}
	var zones []store.Zone
	kind, county := "township", "331123"
	for i := 0; ctx.Err() == nil; i++ {
		if len(zones) < 3 || i%3 == 0 {
			k := len(zones)
			name := fmt.Sprintf("写入%d-%d", w, k)
			z, err := st.CreateZone(ctx, store.ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &county,
				Geom: writerGeom(w, k, 1), Attributes: map[string]any{"writer": w, "k": k, "v": 1}}, c)
			if err != nil {
				return err
			}
			zones = append(zones, z)
		} else {
			k := (i * 7) % len(zones)
			z := zones[k]
			v := z.Version + 1
			z, err := st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Geom: writerGeom(w, k, v),
				Attributes: map[string]any{"writer": w, "k": k, "v": v}}, c)
			if err != nil {
				return err
			}
			zones[k] = z
		}
		wrote.Add(1)
		time.Sleep(3 * time.Millisecond) // leave the backup some of the CPUs
		if i%4 == 3 {
			ids := []int64{zones[len(zones)-1].ID}
			if other := zones[(i/4)%len(zones)].ID; other != ids[0] {
				ids = append(ids, other)
			}
			if p, err = st.SetMembers(ctx, p.ID, p.Version, ids, c); err != nil {
				return err
			}
			wrote.Add(1)
		}
	}
	return nil
}

// writeLayers imports constraint layers of 20 parcels each until ctx ends.
// They overlap nothing: an import that overlaps an earlier layer of its kind
// would update that layer's pieces (their overlapping flag).
func writeLayers(ctx context.Context, st *store.Store, wrote *atomic.Int64) error {
	for k := 0; ctx.Err() == nil; k++ {
		var fs []store.LayerFeature
		for i := range 20 {
			b, err := wkb.Marshal(writerGeom(20+k, i, 1)[0])
			if err != nil {
				return err
			}
			fs = append(fs, store.LayerFeature{Geom: b, Attributes: map[string]any{"地块": i}})
		}
		if _, _, err := st.CreateLayer(ctx, store.Change{}, fmt.Sprintf("写入图层%d", k), "exclude", "备份测试", fs, nil); err != nil {
			return err
		}
		wrote.Add(1)
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// compareRestored checks the restored database dst against the source src
// (which writers changed after the backup's snapshot) and the backup's
// manifest m: the restore holds exactly the source's state at one instant.
//   - the restored revisions and layers are exactly those the source had
//     committed at the snapshot the manifest records, and every restored
//     revision is the source's, byte for byte; each operation (one
//     transaction) is there whole or not at all, and each entity's history
//     is a prefix of the source's;
//   - every zone and platform is at the version of its latest restored
//     revision: a restored zone written by a writer has, bit for bit, the
//     outline of that version (writerGeom), every other zone equals the
//     source's row; a platform's members are those of its revision;
//   - constraint layers, their features and pieces, users, tokens,
//     sessions, settings, jobs and the schema table equal the source's;
//   - the manifest's counts are the restored database's;
//   - the restored database takes new zones (its sequences moved on).
func compareRestored(t *testing.T, src, dst *pgxpool.Pool, m backup.Manifest) {
	t.Helper()
	ctx := context.Background()

	for table, n := range m.Counts {
		var got int64
		if err := dst.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&got); err != nil || got != n {
			t.Errorf("restored %s: %d rows (%v), the manifest counted %d at the snapshot", table, got, err, n)
		}
	}
	var last int64
	dst.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revision`).Scan(&last)
	if last != m.LastRevision {
		t.Errorf("restored revisions end at %d, the manifest says %d", last, m.LastRevision)
	}

	// Revisions.
	srcRev := hashes(t, src, `SELECT id::text, md5(r::text) FROM revision r`)
	dstRev := hashes(t, dst, `SELECT id::text, md5(r::text) FROM revision r`)
	if len(dstRev) == 0 || len(dstRev) >= len(srcRev) {
		t.Errorf("%d revisions restored of %d: want some, and fewer than the source has after more writes", len(dstRev), len(srcRev))
	}
	subset(t, "revision", srcRev, dstRev)
	// Exactly the revisions whose transactions the snapshot shows. (Rows'
	// xmin lacks the epoch: take the snapshot's, right unless the counter
	// wrapped in between.)
	visible := `SELECT id::text, '' FROM %s WHERE pg_visible_in_snapshot(
		(((pg_snapshot_xmax($1::pg_snapshot)::text::bigint >> 32) << 32) + xmin::text::bigint)::text::xid8, $1::pg_snapshot)`
	for _, table := range []string{"revision", "constraint_layer"} {
		want := hashes(t, src, fmt.Sprintf(visible, table), m.Snapshot)
		got := hashes(t, dst, fmt.Sprintf(`SELECT id::text, '' FROM %s`, table))
		if !maps.Equal(want, got) {
			t.Errorf("restored %d %s rows, the source had %d committed at the snapshot %s (missing %v, extra %v)",
				len(got), table, len(want), m.Snapshot, keysNotIn(want, got), keysNotIn(got, want))
		}
	}
	q := `SELECT op::text, string_agg(id::text, ',' ORDER BY id) FROM revision WHERE op IS NOT NULL GROUP BY op`
	subset(t, "operation", hashes(t, src, q), hashes(t, dst, q))
	q = `SELECT entity || ' ' || entity_id, string_agg(version::text, ',' ORDER BY id) FROM revision GROUP BY 1`
	srcHist := hashes(t, src, q)
	for e, h := range hashes(t, dst, q) {
		if !strings.HasPrefix(srcHist[e]+",", h+",") {
			t.Errorf("history of %s: restored versions %s, source %s", e, h, srcHist[e])
		}
	}
	latest := hashes(t, dst, `SELECT entity || ' ' || entity_id, max(version)::text FROM revision GROUP BY 1`)

	// Zones.
	srcZones := hashes(t, src, `SELECT id::text, version || ' ' || md5(z::text) FROM zone z`)
	rows, err := dst.Query(ctx, `SELECT id, version, md5(z::text), attributes->>'writer', attributes->>'k', attributes->>'v', ST_AsBinary(geom, 'NDR'),
		base_version IS NOT DISTINCT FROM version
		FROM zone z ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var zones, written int
	restored := map[string]bool{}
	for rows.Next() {
		var id int64
		var version int
		var hash string
		var w, k, v *string
		var geom []byte
		var asCopied bool // a scenario's copy as taken from the official data: no revision of its own yet
		if err := rows.Scan(&id, &version, &hash, &w, &k, &v, &geom, &asCopied); err != nil {
			t.Fatal(err)
		}
		zones++
		restored[fmt.Sprintf("zone %d", id)] = true
		if got := latest[fmt.Sprintf("zone %d", id)]; got != strconv.Itoa(version) && !(got == "" && asCopied) {
			t.Errorf("zone %d restored at version %d, its latest restored revision is version %q", id, version, got)
		}
		if w != nil {
			written++
			wi, _ := strconv.Atoi(*w)
			ki, _ := strconv.Atoi(*k)
			if *v != strconv.Itoa(version) {
				t.Errorf("zone %d: version %d with the attributes of version %s", id, version, *v)
			}
			want, _ := wkb.MarshalToHex(writerGeom(wi, ki, version), binary.LittleEndian)
			if got := fmt.Sprintf("%x", geom); got != want {
				t.Errorf("zone %d version %d: restored outline differs from the one written:\n got %s\nwant %s", id, version, got, want)
			}
			continue
		}
		if srcZones[strconv.FormatInt(id, 10)] != fmt.Sprintf("%d %s", version, hash) {
			t.Errorf("zone %d (untouched by the writers) differs from the source", id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if written == 0 || written == zones {
		t.Errorf("%d zones restored, %d of them the writers': want both kinds", zones, written)
	}
	for e := range latest {
		if strings.HasPrefix(e, "zone ") && !restored[e] {
			t.Errorf("%s has restored revisions but no row", e)
		}
	}

	// Platforms and their members.
	q = `SELECT p.id::text, p.version || ' ' || md5(p::text) || ' ' ||
		coalesce((SELECT string_agg(zone_id::text, ',' ORDER BY zone_id) FROM platform_member m WHERE m.platform_id = p.id), '')
		FROM platform p`
	copied := hashes(t, dst, `SELECT id::text, 'copy' FROM platform WHERE base_version IS NOT DISTINCT FROM version`)
	srcPlat, dstPlat := hashes(t, src, q), hashes(t, dst, q)
	revMembers := hashes(t, dst, `SELECT DISTINCT ON (entity_id) entity_id::text,
		coalesce((SELECT string_agg(x, ',' ORDER BY x::bigint) FROM jsonb_array_elements_text(after->'zone_ids') x), '')
		FROM revision WHERE entity = 'platform' ORDER BY entity_id, id DESC`)
	for id, h := range dstPlat {
		f := strings.SplitN(h, " ", 3)
		if got := latest["platform "+id]; got != f[0] && !(got == "" && copied[id] != "") {
			t.Errorf("platform %s restored at version %s, its latest restored revision is version %q", id, f[0], got)
		}
		if members, ok := revMembers[id]; ok && members != f[2] {
			t.Errorf("platform %s: restored members %q, its latest restored revision says %q", id, f[2], members)
		}
		if s := strings.SplitN(srcPlat[id], " ", 2); s[0] == f[0] && srcPlat[id] != h {
			t.Errorf("platform %s at version %s differs from the source's", id, f[0])
		}
	}

	// Constraint layers, whole.
	for _, q := range []string{
		`SELECT id::text, md5(l::text) FROM constraint_layer l`,
		`SELECT layer_id::text, md5(string_agg(f::text, '|' ORDER BY id)) FROM constraint_feature f GROUP BY layer_id`,
		`SELECT layer_id::text, md5(string_agg(p::text, '|' ORDER BY p::text)) FROM constraint_piece p GROUP BY layer_id`,
	} {
		subset(t, "layer", hashes(t, src, q), hashes(t, dst, q))
	}
	var layers int
	dst.QueryRow(ctx, `SELECT count(*) FROM constraint_layer WHERE name LIKE '写入图层%'`).Scan(&layers)
	if layers == 0 {
		t.Error("no layer imported during the writes was restored")
	}

	// Everything the writers did not touch, whole.
	for _, table := range []string{"app_user", "api_token", "user_session", "app_setting", "job", "schema_migration"} {
		q := `SELECT 'all', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ` + pgx.Identifier{table}.Sanitize() + ` t`
		if s, d := hashes(t, src, q), hashes(t, dst, q); s["all"] != d["all"] {
			t.Errorf("table %s differs between the source and the restore", table)
		}
	}

	name, kind, county := "恢复后新建", "park", "331102"
	if _, err := store.New(dst).CreateZone(ctx, store.ZoneFields{Name: &name, Kind: &kind, CountyAdcode: &county,
		Geom: writerGeom(8, 0, 1)}, store.Change{Actor: "test"}); err != nil {
		t.Errorf("create a zone in the restored database: %v", err)
	}
}

// keysNotIn returns up to 10 keys of a that b lacks.
func keysNotIn(a, b map[string]string) []string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out[:min(len(out), 10)]
}

// hashes runs q, which returns (key, value) text pairs, into a map.
func hashes(t *testing.T, pool *pgxpool.Pool, q string, args ...any) map[string]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// subset wants every entry of got in want, equal.
func subset(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	var bad []string
	for k, v := range got {
		if want[k] != v {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad)
	if len(bad) > 0 {
		t.Errorf("%d restored %s rows differ from the source's or are not in it: %s", len(bad), what, strings.Join(bad[:min(len(bad), 10)], ", "))
	}
}

// emptyDatabase creates an empty database on the server of cs (as the
// user of admin) and returns its connection string. With asOwner and a
// superuser admin, the database belongs to a new unprivileged role that
// the string connects as, and PostGIS is created in it beforehand, as a
// managed server's administrator would.
func emptyDatabase(t *testing.T, admin *pgxpool.Pool, cs string, asOwner bool) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("wanmu_restore_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	var super bool
	if err := admin.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		t.Fatal(err)
	}
	owner := ""
	stmt := `CREATE DATABASE ` + pgx.Identifier{name}.Sanitize() + ` TEMPLATE template0`
	if asOwner && super {
		owner = name + "_owner"
		if _, err := admin.Exec(ctx, `CREATE ROLE `+pgx.Identifier{owner}.Sanitize()+` LOGIN`); err != nil {
			t.Fatal(err)
		}
		stmt += ` OWNER ` + pgx.Identifier{owner}.Sanitize()
	}
	if _, err := admin.Exec(ctx, stmt); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
		if owner != "" {
			admin.Exec(context.Background(), `DROP ROLE IF EXISTS `+pgx.Identifier{owner}.Sanitize())
		}
	})
	if owner != "" {
		dba, err := pgx.Connect(ctx, withDatabase(t, cs, name, ""))
		if err != nil {
			t.Fatal(err)
		}
		_, err = dba.Exec(ctx, `CREATE EXTENSION postgis`)
		dba.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
	return withDatabase(t, cs, name, owner)
}

// withDatabase returns connection string cs naming database db and, if
// given, user.
func withDatabase(t *testing.T, cs, db, user string) string {
	if strings.HasPrefix(cs, "postgres://") || strings.HasPrefix(cs, "postgresql://") {
		u, err := url.Parse(cs)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + db
		if user != "" {
			u.User = url.User(user)
		}
		return u.String()
	}
	cs += " dbname=" + db // the last setting of a keyword wins
	if user != "" {
		cs += " user=" + user
	}
	return cs
}

// rewriteManifest copies the backup file with its manifest changed by edit.
func rewriteManifest(t *testing.T, file string, edit func(*backup.Manifest)) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := filepath.Join(t.TempDir(), "edited.wanmu")
	var buf bytes.Buffer
	tr, tw := tar.NewReader(f), tar.NewWriter(&buf)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if hdr.Name == "manifest.json" {
			var m backup.Manifest
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			edit(&m)
			body, _ = json.Marshal(m)
			hdr.Size = int64(len(body))
		}
		tw.WriteHeader(hdr)
		tw.Write(body)
	}
	tw.Close()
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
