package pgcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"wanmu/internal/testenv"
)

// requireInstall skips (or, under CI, fails) when PostgreSQL/PostGIS is not
// installed on this machine.
func requireInstall(t *testing.T) {
	t.Helper()
	if _, err := findInstall(""); err != nil {
		testenv.Missing(t, "%v", err)
	}
}

// tempDir returns a fresh directory the postgres user can reach when the
// tests run as root (the testing package makes its temp dirs 0700).
func tempDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if os.Geteuid() == 0 {
		if err := os.Chmod(filepath.Dir(d), 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func start(t *testing.T, dir string, opts Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	c, err := StartWith(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("StartWith took %v", time.Since(t0))
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

func connect(t *testing.T, c *Cluster) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), c.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func stop(t *testing.T, c *Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t0 := time.Now()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop took %v", time.Since(t0))
}

func TestStartStopRestart(t *testing.T) {
	requireInstall(t)
	t.Parallel()
	ctx := context.Background()
	dir := tempDir(t)

	c := start(t, dir, Options{Logger: testLogger(t)}) // production settings
	conn := connect(t, c)
	if _, err := conn.Exec(ctx, `CREATE EXTENSION postgis`); err != nil {
		t.Fatal(err)
	}
	var version string
	if err := conn.QueryRow(ctx, `SELECT postgis_full_version()`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("postgis_full_version: %s", version)
	for setting, want := range map[string]string{
		"listen_addresses": "", "fsync": "on", "shared_buffers": "128MB",
		"unix_socket_permissions": "0700", "server_encoding": "UTF8", "lc_collate": "C",
	} {
		var got string
		if err := conn.QueryRow(ctx, `SELECT current_setting($1)`, setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (id int PRIMARY KEY, g geometry(Point, 4490));
		INSERT INTO kept VALUES (1, ST_SetSRID(ST_MakePoint(119.922, 28.451), 4490))`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(c.socketDir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("socket directory mode %v, want 0700", fi.Mode().Perm())
	}
	if os.Geteuid() == 0 {
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid == 0 {
			t.Errorf("socket directory owned by root, want the postgres user")
		}
	}
	conn.Close(ctx)
	stop(t, c)
	select {
	case <-c.Done():
	default:
		t.Error("Done not closed after Stop")
	}

	c = start(t, dir, Options{Logger: testLogger(t)})
	conn = connect(t, c)
	var area float64
	if err := conn.QueryRow(ctx, `SELECT ST_X(g) FROM kept WHERE id = 1`).Scan(&area); err != nil {
		t.Fatalf("table created before the restart: %v", err)
	}
	if area != 119.922 {
		t.Errorf("x = %v, want 119.922", area)
	}
	conn.Close(ctx)
	stop(t, c)
}

func TestInUse(t *testing.T) {
	requireInstall(t)
	t.Parallel()
	dir := tempDir(t)
	c := start(t, dir, Options{NoFsync: true})

	_, err := StartWith(context.Background(), dir, Options{NoFsync: true})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("second start while locked: got %v, want ErrInUse naming another process", err)
	}

	// A server started some other way (pg_ctl by hand): the lock is free but
	// pg_ctl status reports it running.
	c.lock.Close()
	c.lock = nil
	_, err = StartWith(context.Background(), dir, Options{NoFsync: true})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second start with server running: got %v, want ErrInUse saying already running", err)
	}
	t.Logf("message: %v", err)
	stop(t, c)
}

func TestStalePostmasterPid(t *testing.T) {
	requireInstall(t)
	t.Parallel()
	dir := tempDir(t)
	c := start(t, dir, Options{NoFsync: true})
	stop(t, c)

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	alive := exec.Command("sleep", "60") // a live process that is not postgres: PID reuse
	if err := alive.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alive.Process.Kill(); alive.Wait() })

	for name, pid := range map[string]int{"dead pid": dead.Process.Pid, "reused pid": alive.Process.Pid} {
		pidFile := filepath.Join(c.DataDir(), "postmaster.pid")
		content := fmt.Sprintf("%d\n%s\n1700000000\n5432\n/nonexistent\n\n  5432001    32769\nready   \n", pid, c.DataDir())
		if err := os.WriteFile(pidFile, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(c.DataDir())
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if err := os.Chown(pidFile, int(st.Uid), int(st.Gid)); err != nil {
			t.Fatal(err)
		}
		t.Log(name)
		c := start(t, dir, Options{NoFsync: true})
		conn := connect(t, c)
		if err := conn.Ping(context.Background()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		conn.Close(context.Background())
		stop(t, c)
	}
}

func TestLongPathSocket(t *testing.T) {
	requireInstall(t)
	t.Parallel()
	dir := filepath.Join(tempDir(t), strings.Repeat("长路径", 10)) // 90 bytes
	c := start(t, dir, Options{NoFsync: true})
	if !c.tempSocketDir || len(filepath.Join(c.socketDir, socketName)) > maxSocketPath {
		t.Errorf("socket dir %s: want a short temporary directory", c.socketDir)
	}
	conn := connect(t, c)
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
	stop(t, c)
	if _, err := os.Stat(c.socketDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary socket dir %s not removed by Stop: %v", c.socketDir, err)
	}
}

// TestParentDeath kills a process that runs a cluster with SIGKILL and
// checks that the server shuts down on its own and the cluster can be
// started again.
func TestParentDeath(t *testing.T) {
	if dir := os.Getenv("PGCLUSTER_CHILD_DIR"); dir != "" {
		c, err := StartWith(context.Background(), dir, Options{NoFsync: true})
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		fmt.Println("READY", c.PID())
		time.Sleep(time.Minute)
		os.Exit(2)
	}
	requireInstall(t)
	t.Parallel()
	dir := tempDir(t)
	child := exec.Command(os.Args[0], "-test.run=^TestParentDeath$")
	child.Env = append(os.Environ(), "PGCLUSTER_CHILD_DIR="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	var pid int
	if _, err := fmt.Sscanf(line, "READY %d", &pid); err != nil {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("child: %q", line)
	}
	child.Process.Kill()
	child.Wait()

	pidFile := filepath.Join(dir, "pg", "postmaster.pid")
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := os.Stat(pidFile)
		if errors.Is(err, os.ErrNotExist) {
			break // a clean shutdown removes postmaster.pid last
		}
		if time.Now().After(deadline) {
			t.Fatalf("server (PID %d) still running 30s after its parent was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c := start(t, dir, Options{NoFsync: true})
	stop(t, c)
}

func TestMissingBinaries(t *testing.T) {
	t.Setenv("WANMU_PG_BIN", t.TempDir())
	_, err := StartWith(context.Background(), t.TempDir(), Options{})
	checkInstallError(t, err, "apt-get install postgresql-15 postgresql-15-postgis-3")
}

func TestMissingPostGIS(t *testing.T) {
	requireInstall(t)
	real, err := findInstall("")
	if err != nil {
		t.Fatal(err)
	}
	// A bin directory with the real server but a pg_config whose share
	// directory has no PostGIS.
	bin := t.TempDir()
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if err := os.Symlink(real.path(name), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\necho " + t.TempDir() + "\n"
	if err := os.WriteFile(filepath.Join(bin, "pg_config"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WANMU_PG_BIN", bin)
	_, err = StartWith(context.Background(), t.TempDir(), Options{})
	checkInstallError(t, err, fmt.Sprintf("apt-get install postgresql-%d-postgis-3", real.major))
}

func checkInstallError(t *testing.T, err error, wantHint string) {
	t.Helper()
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("got %v, want ErrNotInstalled", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, wantHint) {
		t.Errorf("message %q: want one line naming %q", msg, wantHint)
	}
	t.Logf("message: %s", msg)
}

func TestConnStringQuoting(t *testing.T) {
	for _, dir := range []string{"/srv/wanmu/pg-socket", `/srv/wan mu/it's\here`, "/tmp/数据"} {
		c := &Cluster{socketDir: dir}
		cfg, err := pgconn.ParseConfig(c.ConnString())
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if cfg.Host != dir || cfg.Port != 5432 || cfg.User != "postgres" || cfg.Database != "wanmu" {
			t.Errorf("%s: parsed host=%q port=%d user=%q dbname=%q", dir, cfg.Host, cfg.Port, cfg.User, cfg.Database)
		}
	}
}

func TestQuoteListItem(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b":     "/a/b",
		"/a b/c":   `"/a b/c"`,
		"/a,b":     `"/a,b"`,
		`/a"b c/d`: `"/a""b c/d"`,
	} {
		if got := quoteListItem(in); got != want {
			t.Errorf("quoteListItem(%q) = %q, want %q", in, got, want)
		}
	}
}
