// Package testdb gives tests of other packages a fresh PostGIS database with
// every migration applied, on a real PostgreSQL server:
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		pool := testdb.New(t) // empty, migrated, dropped when t ends
//		…
//	}
//
// The server is, by default, one throwaway pgcluster per test binary, started
// on first use with fsync off in /dev/shm/wanmu-testdb-XXXXXX when /dev/shm
// is a tmpfs with 1 GiB free (much faster), else in $TMPDIR. With
// WANMU_TEST_DATABASE_URL set, it is that server instead (a role that may
// create databases; PostGIS installed there).
//
// The migrations are applied once, to a template database named after a
// hash of the migration files; New copies it with CREATE DATABASE … TEMPLATE,
// which takes milliseconds, so every test gets its own database and tests may
// run in parallel.
//
// When PostgreSQL or PostGIS is not installed, New skips the test with the
// reason, except when the environment says CI=true: then it fails, because
// database tests must never be skipped silently in CI.
//
// Main stops the cluster and removes its directory after the tests. Without
// Main the tests still work: the server is a child of the test binary with a
// parent-death signal, so it shuts down when the binary exits, even when it
// is killed. Only the directory is then left behind; the next testdb run
// removes such leftovers (directories no live test binary holds a lock on).
// On a shared WANMU_TEST_DATABASE_URL server, databases of a killed test
// binary (wanmu_test_*) are left behind and must be dropped by hand.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/migrate"
	"wanmu/internal/pgcluster"
	"wanmu/internal/testenv"
	"wanmu/migrations"
)

// EnvURL names the environment variable that points the tests at an
// existing server instead of a private cluster.
const EnvURL = "WANMU_TEST_DATABASE_URL"

const (
	dirPattern = "wanmu-testdb-"
	shmDir     = "/dev/shm"
	lockName   = "testdb.lock"
	// setupTimeout bounds starting the cluster and building the template.
	setupTimeout = 3 * time.Minute
	// advisoryKey serialises template creation between test binaries that
	// share one server.
	advisoryKey = 7_202_056
)

// server is the database server shared by the tests of one test binary.
type server struct {
	base     string // connection string of the maintenance database
	admin    *pgxpool.Pool
	template string
	canForce bool // server supports DROP DATABASE … WITH (FORCE)
	// fileCopy: copy the template's files rather than WAL-log its 16 MB
	// (~3× faster here). It costs two checkpoints, cheap only with fsync
	// off, so only on the private cluster.
	fileCopy  bool
	cluster   *pgcluster.Cluster
	dir       string
	keepDir   bool // the cluster failed: keep its log for a post-mortem
	lock      *os.File
	setupTime time.Duration
}

var (
	mu       sync.Mutex
	shared   *server
	setupErr error
	setUp    bool
)

// get returns the shared server, setting it up on first use.
func get() (*server, error) {
	mu.Lock()
	defer mu.Unlock()
	if !setUp {
		setUp = true
		shared, setupErr = setup()
	}
	return shared, setupErr
}

// New returns a pool on a fresh database holding all migrations, dropped
// when tb ends.
func New(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	ctx := context.Background()
	cs := ConnString(tb)
	pool, err := pgxpool.New(ctx, cs)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	// Registered after ConnString's cleanup, so it runs before the drop.
	tb.Cleanup(pool.Close)
	return pool
}

// ConnString returns the connection string of a fresh database holding all
// migrations, dropped when tb ends. For the database behind a pool from
// New, use pool.Config().ConnString().
func ConnString(tb testing.TB) string {
	tb.Helper()
	s, err := get()
	if err != nil {
		unavailable(tb, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "wanmu_test_" + randomHex(8)
	stmt := `CREATE DATABASE ` + pgx.Identifier{name}.Sanitize() + ` TEMPLATE ` + pgx.Identifier{s.template}.Sanitize()
	if s.fileCopy {
		stmt += ` STRATEGY FILE_COPY`
	}
	if _, err := s.admin.Exec(ctx, stmt); err != nil {
		tb.Fatalf("testdb: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.drop(ctx, name); err != nil {
			tb.Errorf("testdb: %v", err)
		}
	})
	cs, err := withDatabase(s.base, name)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return cs
}

// Main runs the tests of a package and then stops the shared cluster and
// removes its directory; call it from TestMain:
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// shutdown stops the shared cluster, if one was started.
func shutdown() error {
	mu.Lock()
	defer mu.Unlock()
	s := shared
	shared, setupErr, setUp = nil, errors.New("testdb: used after Main finished"), true
	if s == nil {
		return nil
	}
	s.admin.Close()
	if s.cluster == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.cluster.Stop(ctx)
	os.RemoveAll(s.dir)
	s.lock.Close()
	if err != nil {
		return fmt.Errorf("testdb: %w", err)
	}
	return nil
}

// unavailable skips tb when PostgreSQL/PostGIS is not installed (failing
// under CI), and fails it on any other set-up error.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, pgcluster.ErrNotInstalled) {
		testenv.Missing(tb, "testdb: database tests need PostgreSQL and PostGIS: %v", err)
	}
	tb.Fatalf("testdb: %v", err)
}

// setup starts the private cluster (or connects to $WANMU_TEST_DATABASE_URL)
// and makes sure the migrated template database exists.
func setup() (_ *server, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	t0 := time.Now()
	s := &server{base: os.Getenv(EnvURL)}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.base == "" {
		if err := s.startCluster(ctx); err != nil {
			return nil, err
		}
	}
	cfg, err := pgxpool.ParseConfig(s.base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvURL, err)
	}
	cfg.MaxConns = 4
	if s.admin, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	var version int
	if err := s.admin.QueryRow(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	s.canForce = version >= 130000
	s.fileCopy = s.cluster != nil && version >= 150000
	if err := s.ensureTemplate(ctx); err != nil {
		return nil, err
	}
	if s.fileCopy {
		// Write out the template build's dirty pages now, once, rather than
		// in the first FILE_COPY checkpoint.
		if _, err := s.admin.Exec(ctx, `CHECKPOINT`); err != nil {
			return nil, fmt.Errorf("checkpoint: %w", err)
		}
	}
	s.setupTime = time.Since(t0)
	return s, nil
}

// startCluster starts a throwaway cluster in a new temporary directory,
// first removing directories left by killed test binaries.
func (s *server) startCluster(ctx context.Context) error {
	sweep()
	var dir string
	err := errors.New("no tmpfs")
	if shmUsable() {
		dir, err = os.MkdirTemp(shmDir, dirPattern)
	}
	if err != nil {
		if dir, err = os.MkdirTemp("", dirPattern); err != nil {
			return err
		}
	}
	s.dir = dir
	// When root, the server runs as user postgres, which must pass through.
	if err := os.Chmod(dir, 0o711); err != nil {
		return err
	}
	if s.lock, err = lockDir(dir); err != nil {
		return err
	}
	s.cluster, err = pgcluster.StartWith(ctx, filepath.Join(dir, "data"), pgcluster.Options{
		NoFsync:        true,
		SharedBuffers:  "64MB",
		MaxConnections: 300, // many parallel tests, each with its own pool
		Settings:       map[string]string{"max_wal_size": "256MB"},
	})
	if err != nil {
		s.keepDir = !errors.Is(err, pgcluster.ErrNotInstalled)
		return err
	}
	s.base, err = withDatabase(s.cluster.ConnString(), "postgres")
	return err
}

// ensureTemplate creates the template database with all migrations applied,
// unless a previous run (on a shared server) already did. It is built under
// a temporary name and renamed when complete, so a half-built template is
// never used.
func (s *server) ensureTemplate(ctx context.Context) error {
	ms, err := migrate.Load(migrations.FS)
	if err != nil {
		return err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s\x00%s\x00", m.Name, m.SQL)
	}
	s.template = "wanmu_tpl_" + hex.EncodeToString(h.Sum(nil))[:16]

	conn, err := s.admin.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, advisoryKey); err != nil {
		return fmt.Errorf("template: lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, advisoryKey)

	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, s.template).Scan(&exists); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if exists {
		return nil
	}
	tmp := s.template + "_building"
	if err := s.drop(ctx, tmp); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{tmp}.Sanitize()); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	cs, err := withDatabase(s.base, tmp)
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, cs)
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	err = migrate.Apply(ctx, pool)
	pool.Close()
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	// No connections to the template from now on: CREATE DATABASE … TEMPLATE
	// fails while anyone is connected to it.
	stmt := `ALTER DATABASE ` + pgx.Identifier{tmp}.Sanitize() + ` RENAME TO ` + pgx.Identifier{s.template}.Sanitize()
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	stmt = `ALTER DATABASE ` + pgx.Identifier{s.template}.Sanitize() + ` WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}

// drop drops database name if it exists, disconnecting any session left on it.
func (s *server) drop(ctx context.Context, name string) error {
	stmt := `DROP DATABASE IF EXISTS ` + pgx.Identifier{name}.Sanitize()
	if s.canForce {
		stmt += ` WITH (FORCE)`
	}
	if _, err := s.admin.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// close releases whatever a failed setup acquired.
func (s *server) close() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cluster != nil {
		s.cluster.Stop(context.Background())
	}
	if s.dir != "" && !s.keepDir {
		os.RemoveAll(s.dir) // else a later sweep removes it
	}
	if s.lock != nil {
		s.lock.Close()
	}
}

// lockDir takes dir/testdb.lock for the life of this process, marking dir
// as in use for sweep.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return f, nil
}

// sweep removes cluster directories of earlier test binaries that died
// without Main: ours (same owner), older than a minute (so a directory still
// being set up is left alone) and whose lock no live process holds.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPattern+"*"))
	more, _ := filepath.Glob(filepath.Join(shmDir, dirPattern+"*"))
	for _, dir := range append(dirs, more...) {
		fi, err := os.Lstat(dir)
		if err != nil || !fi.IsDir() || time.Since(fi.ModTime()) < time.Minute {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
			continue
		}
		lock, err := lockDir(dir)
		if err != nil {
			continue // in use, or not ours to judge
		}
		os.RemoveAll(dir)
		lock.Close()
	}
}

// shmUsable reports whether shmDir is a tmpfs with room for a test
// cluster. Creating databases there is ~20× faster than on a disk even with
// fsync off, as FILE_COPY creates hundreds of files per database. Docker's
// default 64 MB /dev/shm is too small and is passed over.
func shmUsable() bool {
	const tmpfsMagic = 0x01021994
	var st syscall.Statfs_t
	if err := syscall.Statfs(shmDir, &st); err != nil {
		return false
	}
	return st.Type == tmpfsMagic && st.Bavail*uint64(st.Bsize) >= 1<<30
}

// withDatabase returns connection string cs naming database db instead.
func withDatabase(cs, db string) (string, error) {
	if strings.HasPrefix(cs, "postgres://") || strings.HasPrefix(cs, "postgresql://") {
		u, err := url.Parse(cs)
		if err != nil {
			return "", fmt.Errorf("%s: %w", EnvURL, err)
		}
		u.Path = "/" + db
		u.RawPath = ""
		if q := u.Query(); q.Has("dbname") {
			q.Del("dbname")
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	// In keyword/value form the last setting of a keyword wins.
	return cs + " dbname=" + db, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
