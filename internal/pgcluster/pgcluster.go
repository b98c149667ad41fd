// Package pgcluster runs a private PostgreSQL + PostGIS cluster owned by the
// wanmu process: the embedded default when no DATABASE_URL is configured.
//
// Everything lives under one data directory dir:
//
//	dir/pg/              the PostgreSQL data directory (PGDATA), made by initdb
//	dir/pg.log           the server log (appended to on every start)
//	dir/pg-socket/       the Unix socket directory, mode 0700
//	dir/pgcluster.lock   flock-ed while a Cluster runs on dir
//
// The server has no TCP listener at all (empty listen_addresses; pg_hba.conf
// also rejects host connections) and its socket sits in a directory only the
// server's user can enter. That is the only reason trust authentication is
// acceptable here: whoever can reach the socket is already that user or root.
//
// A Unix socket path is limited to 107 bytes. When
// dir/pg-socket/.s.PGSQL.5432 would be longer, the socket goes instead to a
// fresh directory $TMPDIR/wanmu-pg-XXXXXX (or /tmp/wanmu-pg-XXXXXX), created
// 0700 for the server's user and removed by Stop.
//
// initdb and postgres refuse to run as root. When wanmu runs as root they run
// as the "postgres" system user: the data and socket directories are chowned
// to it, and dir itself gets the search bit (0711) so that user can pass
// through it. Every ancestor of dir must already be searchable by that user;
// Start says which one is not.
//
// The server runs as a direct child of wanmu (not daemonised by pg_ctl), with
// a parent-death signal: if wanmu dies, even by SIGKILL, the kernel sends the
// server SIGINT, a fast shutdown, so no orphaned server keeps holding the data
// directory. A later Start on the same dir reuses the cluster and its data; a
// stale postmaster.pid left by a machine crash is handled by postgres itself
// (and one whose PID now belongs to an unrelated process is removed here).
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotInstalled is wrapped by the error Start returns when the PostgreSQL
// server binaries or PostGIS are not installed.
var ErrNotInstalled = errors.New("pgcluster: PostgreSQL/PostGIS not installed")

// ErrInUse is wrapped by the error Start returns when the cluster in dir is
// already running for another process.
var ErrInUse = errors.New("pgcluster: cluster already in use")

// Database is the database Start creates for wanmu and ConnString names.
const Database = "wanmu"

const (
	port       = 5432
	socketName = ".s.PGSQL.5432"
	// maxSocketPath is sizeof(sockaddr_un.sun_path) minus the NUL byte.
	maxSocketPath = 107
	// defaultStartTimeout bounds Start when ctx has no deadline; crash
	// recovery of a small cluster takes seconds, not minutes.
	defaultStartTimeout = 2 * time.Minute
)

// Options tunes StartWith; the zero value gives the production settings.
type Options struct {
	// Logger receives start/stop events; nil discards them.
	Logger *slog.Logger
	// NoFsync turns fsync, synchronous_commit and full_page_writes off and
	// makes initdb skip syncing: an OS crash may corrupt the cluster. Only for
	// throwaway test clusters.
	NoFsync bool
	// SharedBuffers is the shared_buffers setting; "" means 128MB.
	SharedBuffers string
	// MaxConnections is the max_connections setting; 0 means 100.
	MaxConnections int
	// Settings are further server settings (name → value), applied after
	// the others; they cannot override the socket and TCP settings.
	Settings map[string]string
}

// Cluster is a running private PostgreSQL server started by Start.
type Cluster struct {
	dir, pgdata, logFile string
	socketDir            string
	tempSocketDir        bool // socketDir was made under /tmp and is removed by Stop
	logger               *slog.Logger
	lock                 *os.File

	proc    *os.Process
	done    chan struct{} // closed when the server process has exited
	waitErr error         // valid after done is closed

	stopOnce sync.Once
	stopErr  error
	mu       sync.Mutex
	stopping bool
}

// Start runs (initialising on first use) the cluster in dir with production
// settings and ensures the wanmu database exists.
func Start(ctx context.Context, dir string, logger *slog.Logger) (*Cluster, error) {
	return StartWith(ctx, dir, Options{Logger: logger})
}

// StartWith is Start with explicit options.
func StartWith(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c := &Cluster{
		dir:     dir,
		pgdata:  filepath.Join(dir, "pg"),
		logFile: filepath.Join(dir, "pg.log"),
		logger:  logger,
		done:    make(chan struct{}),
	}

	bin, err := findInstall(c.pgdata)
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, acct); err != nil {
		return nil, err
	}
	if err := c.acquireLock(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			c.release()
		}
	}()

	if err := c.initIfNeeded(ctx, bin, acct, opts); err != nil {
		return nil, err
	}
	if err := c.checkNotRunning(ctx, bin, acct); err != nil {
		return nil, err
	}
	if err := c.prepareSocketDir(acct); err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := c.startServer(ctx, bin, acct, opts); err != nil {
		return nil, err
	}
	if err := c.ensureDatabase(ctx); err != nil {
		c.Stop(context.Background())
		return nil, err
	}
	logger.Info("pgcluster: PostgreSQL started", "version", bin.major, "data", c.pgdata,
		"socket", c.socketDir, "took", time.Since(t0).Round(time.Millisecond))
	ok = true
	return c, nil
}

// ConnString returns a keyword/value connection string for the wanmu
// database over the cluster's Unix socket, as user postgres.
func (c *Cluster) ConnString() string {
	return c.connString(Database)
}

func (c *Cluster) connString(db string) string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable",
		quoteValue(c.socketDir), port, quoteValue(db))
}

// DataDir returns the PostgreSQL data directory (PGDATA) of the cluster.
func (c *Cluster) DataDir() string { return c.pgdata }

// LogFile returns the path of the server log.
func (c *Cluster) LogFile() string { return c.logFile }

// Done returns a channel closed when the server process exits, whether by
// Stop or unexpectedly.
func (c *Cluster) Done() <-chan struct{} { return c.done }

// Stop shuts the server down with a fast shutdown (open transactions are
// rolled back, a checkpoint is written) and waits for it; if ctx ends first
// it escalates to an immediate shutdown. Later calls return the first result.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() {
		c.mu.Lock()
		c.stopping = true
		c.mu.Unlock()
		t0 := time.Now()
		select {
		case <-c.done:
			// Died before Stop: report why.
			if c.waitErr != nil {
				c.stopErr = fmt.Errorf("pgcluster: PostgreSQL had already exited: %v%s", c.waitErr, logHint(c.logFile))
			}
		default:
			_ = c.proc.Signal(syscall.SIGINT) // fast shutdown
			select {
			case <-c.done:
				if c.waitErr != nil {
					c.stopErr = fmt.Errorf("pgcluster: stop: %v%s", c.waitErr, logHint(c.logFile))
				}
			case <-ctx.Done():
				_ = c.proc.Signal(syscall.SIGQUIT) // immediate shutdown; crash recovery next start
				<-c.done
				c.stopErr = fmt.Errorf("pgcluster: stop: fast shutdown did not finish (%w); used immediate shutdown", ctx.Err())
			}
		}
		c.release()
		c.logger.Info("pgcluster: PostgreSQL stopped", "data", c.pgdata, "took", time.Since(t0).Round(time.Millisecond))
	})
	return c.stopErr
}

// release removes the temporary socket directory and drops the lock.
func (c *Cluster) release() {
	if c.tempSocketDir {
		os.RemoveAll(c.socketDir)
	}
	if c.lock != nil {
		c.lock.Close() // closing the descriptor drops the flock
		c.lock = nil
	}
}

// acquireLock takes dir/pgcluster.lock so that two processes never run the
// same cluster; the kernel drops the lock when this process dies.
func (c *Cluster) acquireLock() error {
	path := filepath.Join(c.dir, "pgcluster.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("pgcluster: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("%w: the PostgreSQL cluster in %s is being run by another process (PID %s); stop it or use another data directory",
				ErrInUse, c.dir, strings.TrimSpace(string(holder)))
		}
		return fmt.Errorf("pgcluster: lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	c.lock = f
	return nil
}

// initIfNeeded runs initdb unless dir/pg already holds a cluster. initdb
// works in dir/pg.init and the result is renamed into place, so a crash
// half-way never leaves a half-made dir/pg behind.
func (c *Cluster) initIfNeeded(ctx context.Context, bin *install, acct *account, opts Options) error {
	if _, err := os.Stat(filepath.Join(c.pgdata, "PG_VERSION")); err == nil {
		return chownTree(c.pgdata, acct)
	}
	if entries, err := os.ReadDir(c.pgdata); err == nil && len(entries) > 0 {
		return fmt.Errorf("pgcluster: %s exists but is not a PostgreSQL data directory (no PG_VERSION); move it away", c.pgdata)
	}
	t0 := time.Now()
	tmp := c.pgdata + ".init"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := acct.chown(tmp); err != nil {
		return err
	}
	args := []string{"-D", tmp, "-U", "postgres", "-E", "UTF8",
		// C collation: byte order (= code point order in UTF-8), stable across
		// glibc upgrades; C.UTF-8 ctype so upper(), ILIKE and regex classes
		// understand non-ASCII letters.
		"--locale=C", "--lc-ctype=C.UTF-8",
		"--auth-local=trust", "--auth-host=reject",
		"--data-checksums", "--no-instructions"}
	if opts.NoFsync {
		args = append(args, "--no-sync")
	}
	out, err := acct.command(ctx, tmp, bin.path("initdb"), args...).CombinedOutput()
	if err != nil && strings.Contains(string(out), "C.UTF-8") {
		// No C.UTF-8 locale on this system: fall back to plain C.
		c.logger.Warn("pgcluster: locale C.UTF-8 unavailable, using C", "initdb", lastLines(string(out), 2))
		os.RemoveAll(tmp)
		if err := os.Mkdir(tmp, 0o700); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if err := acct.chown(tmp); err != nil {
			return err
		}
		args[7] = "--lc-ctype=C"
		out, err = acct.command(ctx, tmp, bin.path("initdb"), args...).CombinedOutput()
	}
	if err != nil {
		return fmt.Errorf("pgcluster: initdb %s: %v: %s", c.pgdata, err, lastLines(string(out), 3))
	}
	os.Remove(c.pgdata) // an empty leftover directory, if any
	if err := os.Rename(tmp, c.pgdata); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	c.logger.Info("pgcluster: initialised PostgreSQL cluster", "data", c.pgdata, "took", time.Since(t0).Round(time.Millisecond))
	return nil
}

// checkNotRunning asks pg_ctl whether a server already runs on the data
// directory (started by hand, say). A postmaster.pid whose PID now belongs
// to some other process (PID reuse after a crash, common in containers) is
// stale and removed, since postgres would refuse to start.
func (c *Cluster) checkNotRunning(ctx context.Context, bin *install, acct *account) error {
	out, err := acct.command(ctx, c.pgdata, bin.path("pg_ctl"), "status", "-D", c.pgdata).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil: // exit 0: running
	case errors.As(err, &exit) && exit.ExitCode() == 3: // not running
		return nil
	default:
		return fmt.Errorf("pgcluster: pg_ctl status %s: %v: %s", c.pgdata, err, lastLines(string(out), 2))
	}
	pidFile := filepath.Join(c.pgdata, "postmaster.pid")
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if pid > 0 && !serverOn(pid, c.pgdata) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		c.logger.Warn("pgcluster: removing stale postmaster.pid", "pid", pid, "process", strings.TrimSpace(string(comm)))
		if err := os.Remove(pidFile); err != nil {
			return fmt.Errorf("pgcluster: remove stale %s: %w", pidFile, err)
		}
		return nil
	}
	return fmt.Errorf("%w: PostgreSQL is already running on %s (PID %d), started by another process; stop it (pg_ctl stop -D %s) or use another data directory",
		ErrInUse, c.pgdata, pid, c.pgdata)
}

// serverOn reports whether process pid is a server on pgdata: a postmaster
// works in its data directory. Without /proc it assumes so.
func serverOn(pid int, pgdata string) bool {
	if _, err := os.Stat("/proc/self/cwd"); err != nil {
		return true
	}
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		return false // gone, or another user's: a server on pgdata runs as its owner
	}
	want, err := filepath.EvalSymlinks(pgdata)
	if err != nil {
		want = pgdata
	}
	return cwd == want
}

// prepareSocketDir picks dir/pg-socket, or a fresh short directory under
// /tmp when the socket path would exceed the kernel's limit.
func (c *Cluster) prepareSocketDir(acct *account) error {
	sock := filepath.Join(c.dir, "pg-socket")
	if len(filepath.Join(sock, socketName)) <= maxSocketPath {
		if err := os.Mkdir(sock, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("pgcluster: %w", err)
		}
		fi, err := os.Lstat(sock)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("pgcluster: %s is not a directory", sock)
		}
		if err := os.Chmod(sock, 0o700); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		c.socketDir = sock
		return acct.chown(sock)
	}
	base := os.TempDir()
	if len(filepath.Join(base, "wanmu-pg-1234567890", socketName)) > maxSocketPath {
		base = "/tmp"
	}
	sock, err := os.MkdirTemp(base, "wanmu-pg-") // 0700, unique
	if err != nil {
		return fmt.Errorf("pgcluster: socket directory: %w", err)
	}
	c.socketDir, c.tempSocketDir = sock, true
	c.logger.Info("pgcluster: data directory path too long for a Unix socket; socket placed in "+sock, "data", c.dir)
	return acct.chown(sock)
}

// startServer runs postgres as a child and waits until it accepts
// connections.
func (c *Cluster) startServer(ctx context.Context, bin *install, acct *account, opts Options) error {
	logf, err := os.OpenFile(c.logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("pgcluster: log: %w", err)
	}
	defer logf.Close()
	if err := acct.chown(c.logFile); err != nil {
		return err
	}
	sharedBuffers := opts.SharedBuffers
	if sharedBuffers == "" {
		sharedBuffers = "128MB"
	}
	maxConns := opts.MaxConnections
	if maxConns == 0 {
		maxConns = 100
	}
	durable := "on"
	if opts.NoFsync {
		durable = "off"
	}
	// Settings given on the command line override postgresql.conf and
	// ALTER SYSTEM, so the no-TCP rule cannot be undone from SQL.
	settings := []string{
		"listen_addresses=",
		"port=" + strconv.Itoa(port),
		"unix_socket_directories=" + quoteListItem(c.socketDir),
		"unix_socket_permissions=0700",
		"ssl=off",
		"shared_buffers=" + sharedBuffers,
		"max_connections=" + strconv.Itoa(maxConns),
		"fsync=" + durable,
		"synchronous_commit=" + durable,
		"full_page_writes=" + durable,
		"logging_collector=off",
		"log_destination=stderr",
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Settings)) {
		switch strings.ToLower(name) {
		case "listen_addresses", "port", "unix_socket_directories", "unix_socket_permissions", "unix_socket_group":
			return fmt.Errorf("pgcluster: setting %s is fixed by pgcluster", name)
		}
		settings = append(settings, name+"="+opts.Settings[name])
	}
	args := []string{"-D", c.pgdata}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	cmd := acct.setup(exec.Command(bin.path("postgres"), args...), c.pgdata)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Own process group: a Ctrl-C on the terminal reaches wanmu, which then
	// stops the server in order, not the server directly.
	cmd.SysProcAttr.Setpgid = true
	// If wanmu dies, the kernel asks the server for a fast shutdown.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT

	// The parent-death signal fires when the forking *thread* exits, so fork
	// from a goroutine locked to its thread and keep it there until the
	// server exits.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return // the locked thread is discarded with the goroutine
		}
		c.proc = cmd.Process
		started <- nil
		c.waitErr = cmd.Wait()
		close(c.done)
		c.mu.Lock()
		stopping := c.stopping
		c.mu.Unlock()
		if !stopping {
			c.logger.Error("pgcluster: PostgreSQL exited unexpectedly", "err", c.waitErr, "log", c.logFile)
		}
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgcluster: start postgres: %w", err)
	}

	pidFile := filepath.Join(c.pgdata, "postmaster.pid")
	want := strconv.Itoa(c.proc.Pid)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		// postgres writes "ready" as line 8 of postmaster.pid once it accepts
		// connections (after any crash recovery); pg_ctl -w waits the same way.
		if b, err := os.ReadFile(pidFile); err == nil {
			lines := strings.Split(string(b), "\n")
			if len(lines) >= 8 && lines[0] == want && strings.TrimSpace(lines[7]) == "ready" {
				return nil
			}
		}
		select {
		case <-c.done:
			return fmt.Errorf("pgcluster: PostgreSQL failed to start (%v): %s (log: %s)", c.waitErr, fatalLine(c.logFile), c.logFile)
		case <-ctx.Done():
			c.mu.Lock()
			c.stopping = true
			c.mu.Unlock()
			c.proc.Signal(syscall.SIGQUIT)
			<-c.done
			return fmt.Errorf("pgcluster: PostgreSQL did not become ready: %w (log: %s)", ctx.Err(), c.logFile)
		case <-tick.C:
		}
	}
}

// ensureDatabase creates the wanmu database if it does not exist.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.connString("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: connect: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, Database).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: check database: %w", err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{Database}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
		err = nil
	}
	if err != nil {
		return fmt.Errorf("pgcluster: create database %s: %w", Database, err)
	}
	return nil
}

// quoteValue quotes a libpq keyword/value connection string value if needed.
func quoteValue(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\\\t\n") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// quoteListItem quotes one element of a GUC list setting such as
// unix_socket_directories, whose elements are split at commas.
func quoteListItem(s string) string {
	if !strings.ContainsAny(s, ", \"") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
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
	return strings.Join(out, " | ")
}

// fatalLine returns the last FATAL/PANIC/ERROR line of the server log, or
// its last line.
func fatalLine(logFile string) string {
	b, err := readTail(logFile, 8192)
	if err != nil {
		return "no log"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "FATAL:") || strings.Contains(lines[i], "PANIC:") || strings.Contains(lines[i], "ERROR:") {
			return strings.TrimSpace(lines[i])
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

func logHint(logFile string) string {
	return fmt.Sprintf(": %s (log: %s)", fatalLine(logFile), logFile)
}

func readTail(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := max(fi.Size()-n, 0)
	b := make([]byte, fi.Size()-off)
	_, err = f.ReadAt(b, off)
	return b, err
}
