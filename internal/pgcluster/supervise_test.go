package pgcluster

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// syncBuffer is a log destination the supervisor and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond every 20 ms until it holds or d has passed.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	t0 := time.Now()
	for !cond() {
		if time.Since(t0) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(t0)
}

// TestRestartAfterKill kills the server with SIGKILL while a backend is
// busy (it outlives its postmaster and holds the old shared memory) and
// checks that the supervisor logs why, clears the leftover, restarts the
// server at once, and that committed data survived.
func TestRestartAfterKill(t *testing.T) {
	requireInstall(t)
	t.Parallel()
	ctx := context.Background()
	var log syncBuffer
	c := start(t, tempDir(t), Options{Logger: slog.New(slog.NewTextHandler(&log, nil))}) // fsync on: crash recovery is real
	t.Cleanup(func() {
		if t.Failed() {
			pglog, _ := readTail(c.LogFile(), 4096)
			t.Logf("supervisor:\n%s\nserver log:\n%s", log.String(), pglog)
		}
	})
	conn := connect(t, c)
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (id int PRIMARY KEY); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	busy := connect(t, c)
	go busy.Exec(ctx, `SELECT count(*) FROM generate_series(1, 10000000000)`) // CPU-bound: never notices its postmaster die
	waitFor(t, 10*time.Second, "busy backend running", func() bool {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%generate_series%' AND pid <> pg_backend_pid()`).Scan(&n)
		return err == nil && n == 1
	})

	old := c.PID()
	t0 := time.Now()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, 30*time.Second, "restart", func() bool { return c.Restarts() == 1 && c.PID() != 0 })
	t.Logf("restarted %v after kill -9", took)
	if c.PID() == old {
		t.Fatal("same PID after restart")
	}
	again, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		t.Fatalf("connect after restart (%v after the kill): %v", time.Since(t0), err)
	}
	defer again.Close(ctx)
	var id int
	if err := again.QueryRow(ctx, `SELECT id FROM kept`).Scan(&id); err != nil || id != 1 {
		t.Fatalf("committed row after the crash: %d %v", id, err)
	}
	out := log.String()
	for _, want := range []string{"exited unexpectedly", "signal: killed", "killed processes the server left behind", "PostgreSQL restarted"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "failed to restart") {
		t.Errorf("the first restart failed (leftovers not cleared?):\n%s", out)
	}
	stop(t, c)
	select {
	case <-c.Done():
	default:
		t.Error("Done not closed after Stop")
	}
}

// TestStopRightAfterCrash stops the cluster while the supervisor is
// restarting it: Stop must end everything, not race the restart.
func TestStopRightAfterCrash(t *testing.T) {
	requireInstall(t)
	t.Parallel()
	c := start(t, tempDir(t), Options{NoFsync: true})
	if err := syscall.Kill(c.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := c.Stop(ctx) // may report that the server was not running
	t.Logf("Stop: %v", err)
	if ctx.Err() != nil {
		t.Fatal("Stop needed the immediate shutdown")
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if c.PID() != 0 {
		t.Errorf("a server (PID %d) is still running after Stop", c.PID())
	}
	if b, err := os.ReadFile(filepath.Join(c.DataDir(), "postmaster.pid")); err == nil {
		pid := strings.SplitN(string(b), "\n", 2)[0]
		if _, err := os.Stat("/proc/" + pid); err == nil {
			t.Errorf("postmaster %s still alive after Stop", pid)
		}
	}
}

func TestRestartDelay(t *testing.T) {
	for quick, want := range map[int]time.Duration{0: 0, 1: 250 * time.Millisecond, 2: 500 * time.Millisecond, 5: 4 * time.Second, 8: 30 * time.Second, 100: 30 * time.Second} {
		if got := restartDelay(quick); got != want {
			t.Errorf("restartDelay(%d) = %v, want %v", quick, got, want)
		}
	}
}
