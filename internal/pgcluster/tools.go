package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNotRunning is returned by Running when no server runs on the cluster.
var ErrNotRunning = errors.New("pgcluster: not running")

// Initialised reports whether dir holds a cluster made by initdb.
func Initialised(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pg", "PG_VERSION"))
	return err == nil
}

// Running returns a connection string for the wanmu database of the cluster
// in dir when a server already runs on it (usually `wanmu serve`, which
// holds the cluster's lock), and the server's PID. The socket is found
// through postmaster.pid, which names the socket directory and port, so it
// works for a socket moved under /tmp as well. A server still starting (or
// recovering) is waited for until ctx ends. With no live server it returns
// ErrNotRunning.
func Running(ctx context.Context, dir string) (connString string, pid int, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", 0, fmt.Errorf("pgcluster: %w", err)
	}
	pgdata := filepath.Join(dir, "pg")
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		b, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
		if errors.Is(err, os.ErrNotExist) {
			return "", 0, ErrNotRunning
		}
		if err != nil {
			return "", 0, fmt.Errorf("pgcluster: %w", err)
		}
		// Lines: PID, data directory, start time, port, socket directory,
		// listen address, shared memory key, status.
		lines := strings.Split(string(b), "\n")
		pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
		if pid <= 0 || syscall.Kill(pid, 0) == syscall.ESRCH || !serverOn(pid, pgdata) {
			return "", 0, ErrNotRunning // stale: a crashed server's file
		}
		if len(lines) >= 8 && strings.TrimSpace(lines[7]) == "ready" && strings.TrimSpace(lines[4]) != "" {
			port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
			if err != nil {
				return "", 0, fmt.Errorf("pgcluster: %s/postmaster.pid: bad port %q", pgdata, lines[3])
			}
			cs := fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable",
				quoteValue(strings.TrimSpace(lines[4])), port, quoteValue(Database))
			return cs, pid, nil
		}
		select {
		case <-ctx.Done():
			return "", 0, fmt.Errorf("pgcluster: the PostgreSQL server on %s (PID %d) did not become ready: %w", pgdata, pid, ctx.Err())
		case <-tick.C:
		}
	}
}

// Tool locates the PostgreSQL client program name (pg_dump, pg_restore, …)
// of major version minMajor, or else the newest one above it: pg_dump must
// be at least as new as the server it dumps, pg_restore at least as new as
// the pg_dump that wrote the archive. It looks in $WANMU_PG_BIN (only there,
// when set), /usr/lib/postgresql/*/bin, `pg_config --bindir` and $PATH, and
// returns the program's path and major version.
func Tool(name string, minMajor int) (path string, major int, err error) {
	type found struct {
		path  string
		major int
	}
	var all []found
	best := -1
	look := func(dirs ...string) {
		for _, d := range dirs {
			p := filepath.Join(d, name)
			if slices.ContainsFunc(all, func(f found) bool { return f.path == p }) {
				continue
			}
			m := toolMajor(p)
			if m == 0 {
				continue
			}
			all = append(all, found{p, m})
			if m < minMajor {
				continue
			}
			// The server's own version first, else the newest.
			if b := best; b < 0 || m == minMajor && all[b].major != minMajor || all[b].major != minMajor && m > all[b].major {
				best = len(all) - 1
			}
		}
	}
	if env := os.Getenv("WANMU_PG_BIN"); env != "" {
		look(env)
	} else {
		look(debianBindirs()...)
		// pg_config and $PATH (Debian's pg_wrapper) are slower to ask.
		if best < 0 || all[best].major != minMajor {
			if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
				look(strings.TrimSpace(string(out)))
			}
			if p, err := exec.LookPath(name); err == nil {
				look(filepath.Dir(p))
			}
		}
	}
	if best >= 0 {
		return all[best].path, all[best].major, nil
	}
	var have []string
	for _, f := range all {
		have = append(have, fmt.Sprintf("%s (PostgreSQL %d)", f.path, f.major))
	}
	where := "none found in /usr/lib/postgresql/*/bin, pg_config --bindir or $PATH"
	if env := os.Getenv("WANMU_PG_BIN"); env != "" {
		where = "WANMU_PG_BIN=" + env
		if len(have) > 0 {
			where += " holds " + strings.Join(have, ", ")
		}
	} else if len(have) > 0 {
		where = "found only " + strings.Join(have, ", ")
	}
	return "", 0, fmt.Errorf("%w: %s of PostgreSQL %d or newer is needed (%s); install it with \"apt-get install postgresql-client-%d\" or set WANMU_PG_BIN to the directory that holds it",
		ErrNotInstalled, name, minMajor, where, minMajor)
}

var toolVersion = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// toolMajor returns the major version program p reports, or 0.
func toolMajor(p string) int {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return 0
	}
	out, err := exec.Command(p, "--version").Output()
	if err != nil {
		return 0
	}
	m := toolVersion.FindSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
