package testdb

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/migrate"
	"wanmu/migrations"
)

func TestMain(m *testing.M) { Main(m) }

// checkMigrated checks that the database behind pool has PostGIS and every
// migration.
func checkMigrated(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	var postgis string
	if err := pool.QueryRow(ctx, `SELECT postgis_version()`).Scan(&postgis); err != nil {
		t.Fatalf("postgis: %v", err)
	}
	var zone *string
	if err := pool.QueryRow(ctx, `SELECT to_regclass('zone')::text`).Scan(&zone); err != nil || zone == nil {
		t.Fatalf("table zone missing (err %v)", err)
	}
	ms, err := migrate.Load(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM schema_migration`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != len(ms) {
		t.Errorf("%d migrations applied, want %d", applied, len(ms))
	}
}

func TestNewIsolated(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	a := New(t)
	t.Logf("first New (with set-up %v): %v", shared.setupTime, time.Since(t0))
	t0 = time.Now()
	b := New(t)
	t.Logf("second New: %v", time.Since(t0))

	checkMigrated(t, a)
	checkMigrated(t, b)
	var nameA, nameB string
	a.QueryRow(ctx, `SELECT current_database()`).Scan(&nameA)
	b.QueryRow(ctx, `SELECT current_database()`).Scan(&nameB)
	if nameA == nameB {
		t.Fatalf("both pools on database %s", nameA)
	}

	if _, err := a.Exec(ctx, `INSERT INTO zone (kind, name, county_adcode, geom)
		VALUES ('park', '丽景民族工业园', '331102',
		        ST_Multi(ST_MakeEnvelope(119.90, 28.44, 119.92, 28.46, 4490)))`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pool *pgxpool.Pool
		want int
	}{{a, 1}, {b, 0}} {
		var n int
		if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM zone`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("zones = %d, want %d", n, c.want)
		}
	}
}

func TestConnString(t *testing.T) {
	ctx := context.Background()
	cs := ConnString(t)
	conn, err := pgx.Connect(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var zone *string
	if err := conn.QueryRow(ctx, `SELECT to_regclass('zone')::text`).Scan(&zone); err != nil || zone == nil {
		t.Fatalf("table zone missing (err %v)", err)
	}
}

func TestParallel(t *testing.T) {
	var mu sync.Mutex
	var total time.Duration
	const n = 8
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run("", func(t *testing.T) {
				t.Parallel()
				t0 := time.Now()
				pool := New(t)
				d := time.Since(t0)
				mu.Lock()
				total += d
				mu.Unlock()
				if _, err := pool.Exec(context.Background(), `CREATE TABLE mine (i int)`); err != nil {
					t.Errorf("database %d: %v", i, err)
				}
			})
		}
	})
	t.Logf("%d parallel New: %v each on average", n, total/n)
}

func TestWithDatabase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"host=/tmp/s port=5432 user=postgres dbname=postgres", "host=/tmp/s port=5432 user=postgres dbname=postgres dbname=x"},
		{"postgres://u:p@db:5432/postgres?sslmode=disable", "postgres://u:p@db:5432/x?sslmode=disable"},
		{"postgresql://db/postgres?dbname=postgres", "postgresql://db/x"},
	} {
		got, err := withDatabase(c.in, "x")
		if err != nil || got != c.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil || cfg.Database != "x" {
			t.Errorf("%q parses to database %q (%v)", got, cfg.Database, err)
		}
	}
}

func TestSweep(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	old := time.Now().Add(-time.Hour)
	mk := func(name string) string {
		d := filepath.Join(os.TempDir(), name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		return d
	}
	stale, held, fresh := mk(dirPattern+"stale"), mk(dirPattern+"held"), mk(dirPattern+"fresh")
	lock, err := lockDir(held) // as a live test binary would
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	for _, d := range []string{stale, held} {
		if err := os.Chtimes(d, old, old); err != nil {
			t.Fatal(err)
		}
	}
	sweep()
	for d, want := range map[string]bool{stale: false, held: true, fresh: true} {
		_, err := os.Stat(d)
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(d), got, want)
		}
	}
}
