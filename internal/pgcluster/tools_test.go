package pgcluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wanmu/internal/testenv"
)

func TestTool(t *testing.T) {
	dirs := debianBindirs()
	if len(dirs) == 0 {
		testenv.Missing(t, "no PostgreSQL in /usr/lib/postgresql")
	}
	newest := clusterMajorOf(dirs[0])
	path, major, err := Tool("pg_dump", newest)
	if err != nil || major != newest || filepath.Base(path) != "pg_dump" {
		t.Errorf("Tool(pg_dump, %d) = %s, %d, %v", newest, path, major, err)
	}
	// An older server takes a newer pg_dump when its own is missing.
	if _, major, err := Tool("pg_dump", 9); err != nil || major < 9 {
		t.Errorf("Tool(pg_dump, 9) = %d, %v", major, err)
	}
	_, _, err = Tool("pg_dump", 99)
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "PostgreSQL 99 or newer") || !strings.Contains(err.Error(), "postgresql-client-99") {
		t.Errorf("Tool(pg_dump, 99): %v", err)
	}
}

func clusterMajorOf(bindir string) int {
	return toolMajor(filepath.Join(bindir, "pg_dump"))
}

func TestRunningWithoutServer(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Running(context.Background(), dir); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Running on an empty directory: %v", err)
	}
	// A postmaster.pid left by a crash names a process that is gone.
	os.MkdirAll(filepath.Join(dir, "pg"), 0o700)
	os.WriteFile(filepath.Join(dir, "pg", "postmaster.pid"), []byte("999999999\n"+dir+"\n0\n5432\n/tmp\n\n0\nready\n"), 0o600)
	if _, _, err := Running(context.Background(), dir); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Running with a stale postmaster.pid: %v", err)
	}
}
