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
//
// The server is supervised: if it exits without Stop (a crash, kill -9, the
// OOM killer), the reason is logged and it is started again, at once after a
// run that lasted 10 s, then after pauses that double up to 30 s, so a server
// that cannot start is retried without spinning. Its leftover processes are
// killed first, since a new postmaster refuses to start while they hold the
// old shared memory. Crash recovery from the WAL makes the restart safe.
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
	// defaultStartTimeout bounds Start when ctx has no deadline, and each
	// restart; crash recovery of a small cluster takes seconds, not minutes.
	defaultStartTimeout = 2 * time.Minute
	// A run that lasted stableRun counts as healthy: the next crash is
	// restarted at once. Crashes closer together wait firstRestartDelay,
	// doubling up to maxRestartDelay.
	stableRun         = 10 * time.Second
	firstRestartDelay = 250 * time.Millisecond
	maxRestartDelay   = 30 * time.Second
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
	// What a restart needs again.
	bin  *install
	acct *account
	opts Options

	mu       sync.Mutex
	run      *serverRun // the server process; nil between a crash and its restart
	last     *serverRun // the last one that ran, for Stop's report
	stopping bool
	restarts int
	crash    string        // why the server last exited unexpectedly
	stopCh   chan struct{} // closed by Stop: no more restarts
	done     chan struct{} // closed when the supervisor has ended, after Stop

	stopOnce sync.Once
	stopErr  error
}

// serverRun is one run of the postgres server process.
type serverRun struct {
	proc    *os.Process
	exited  chan struct{} // closed when the process has exited
	err     error         // how it exited; valid once exited is closed
	started time.Time
	logFrom int64 // length of the log when it started: its own lines follow
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
		opts:    opts,
		stopCh:  make(chan struct{}),
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
	c.bin, c.acct = bin, acct
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
	run, err := c.startServer(ctx)
	if err != nil {
		return nil, err
	}
	go c.supervise(run)
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

// Done returns a channel closed once Stop has stopped the server for good.
// A server that exits unexpectedly is restarted, so Done stays open then.
func (c *Cluster) Done() <-chan struct{} { return c.done }

// PID returns the process id of the running server (the postmaster), or 0
// while it is being restarted or after Stop.
func (c *Cluster) PID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == nil {
		return 0
	}
	return c.run.proc.Pid
}

// Restarts returns how often the server has been started again after
// exiting unexpectedly.
func (c *Cluster) Restarts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.restarts
}

// Stop shuts the server down with a fast shutdown (open transactions are
// rolled back, a checkpoint is written) and waits for it; if ctx ends first
// it escalates to an immediate shutdown. It ends supervision: a server
// between a crash and its restart stays down. Later calls return the first
// result.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() {
		t0 := time.Now()
		c.mu.Lock()
		c.stopping = true
		close(c.stopCh)
		run := c.run
		c.mu.Unlock()
		if run != nil {
			_ = run.proc.Signal(syscall.SIGINT) // fast shutdown
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			c.mu.Lock()
			run = c.run
			c.mu.Unlock()
			if run != nil {
				_ = run.proc.Signal(syscall.SIGQUIT) // immediate shutdown; crash recovery next start
			}
			<-c.done
			c.stopErr = fmt.Errorf("pgcluster: stop: fast shutdown did not finish (%w); used immediate shutdown", ctx.Err())
		}
		c.mu.Lock()
		last, crash := c.last, c.crash
		c.mu.Unlock()
		switch {
		case c.stopErr != nil:
		case last == nil && crash != "":
			c.stopErr = fmt.Errorf("pgcluster: PostgreSQL was not running: it had exited (%s) and was not yet restarted (log: %s)", crash, c.logFile)
		case last != nil && last.err != nil:
			c.stopErr = fmt.Errorf("pgcluster: stop: %v%s", last.err, logHint(c.logFile))
		}
		c.release()
		c.logger.Info("pgcluster: PostgreSQL stopped", "data", c.pgdata, "took", time.Since(t0).Round(time.Millisecond))
	})
	return c.stopErr
}

// supervise waits for each run of the server to end and, unless Stop ended
// it, logs why and starts the server again (see the package doc). It
// closes c.done when it returns, which it does only once Stop was called.
func (c *Cluster) supervise(run *serverRun) {
	defer close(c.done)
	quick := 0 // crashes and failed starts since the last stable run
	for {
		<-run.exited
		if c.ended(run) {
			return
		}
		if time.Since(run.started) >= stableRun {
			quick = 0
		} else {
			quick++
		}
		reason := c.crashed(run, restartDelay(quick))
		for {
			select {
			case <-c.stopCh:
				return
			case <-time.After(restartDelay(quick)):
			}
			next, err := c.restart()
			if err == nil {
				c.mu.Lock()
				c.restarts++
				c.mu.Unlock()
				c.logger.Info("pgcluster: PostgreSQL restarted", "after", reason, "took", time.Since(next.started).Round(time.Millisecond))
				run = next
				break
			}
			if c.isStopping() {
				return
			}
			quick++
			c.logger.Error("pgcluster: PostgreSQL failed to restart; trying again", "err", err, "in", restartDelay(quick))
		}
	}
}

// ended records a run that exited and reports whether Stop ended it.
func (c *Cluster) ended(run *serverRun) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == run {
		c.run = nil
	}
	c.last = run
	if c.stopping {
		return true
	}
	c.last = nil
	return false
}

func (c *Cluster) isStopping() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopping
}

// crashed logs why run exited unexpectedly and kills what it left behind;
// it returns the reason.
func (c *Cluster) crashed(run *serverRun, delay time.Duration) string {
	reason := "exit status 0"
	if run.err != nil {
		reason = run.err.Error()
	}
	if line := crashLine(c.logFile, run.logFrom, run.proc.Pid); line != "" {
		reason += ": " + line
	}
	c.mu.Lock()
	c.crash = reason
	c.mu.Unlock()
	c.logger.Error("pgcluster: PostgreSQL exited unexpectedly; restarting it", "reason", reason,
		"ran", time.Since(run.started).Round(time.Millisecond), "in", delay, "log", c.logFile)
	if n := killLeftovers(c.bin.path("postgres"), c.pgdata); n > 0 {
		c.logger.Warn("pgcluster: killed processes the server left behind", "count", n)
	}
	return reason
}

// restartDelay is the pause before a restart after quick crashes or
// failed starts in a row.
func restartDelay(quick int) time.Duration {
	if quick <= 0 {
		return 0
	}
	d := firstRestartDelay
	for i := 1; i < quick && d < maxRestartDelay; i++ {
		d *= 2
	}
	return min(d, maxRestartDelay)
}

// restart starts the server again; Stop cancels it.
func (c *Cluster) restart() (*serverRun, error) {
	ctx, cancel := context.WithTimeout(context.Background(), defaultStartTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.stopCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := c.checkNotRunning(ctx, c.bin, c.acct); err != nil {
		return nil, err
	}
	return c.startServer(ctx)
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
func (c *Cluster) startServer(ctx context.Context) (*serverRun, error) {
	bin, acct, opts := c.bin, c.acct, c.opts
	logf, err := os.OpenFile(c.logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: log: %w", err)
	}
	defer logf.Close()
	if err := acct.chown(c.logFile); err != nil {
		return nil, err
	}
	var logFrom int64
	if fi, err := logf.Stat(); err == nil {
		logFrom = fi.Size()
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
			return nil, fmt.Errorf("pgcluster: setting %s is fixed by pgcluster", name)
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
	run := &serverRun{exited: make(chan struct{}), started: time.Now(), logFrom: logFrom}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return // the locked thread is discarded with the goroutine
		}
		run.proc = cmd.Process
		c.adopt(run)
		started <- nil
		run.err = cmd.Wait()
		close(run.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgcluster: start postgres: %w", err)
	}

	pidFile := filepath.Join(c.pgdata, "postmaster.pid")
	want := strconv.Itoa(run.proc.Pid)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		// postgres writes "ready" as line 8 of postmaster.pid once it accepts
		// connections (after any crash recovery); pg_ctl -w waits the same way.
		if b, err := os.ReadFile(pidFile); err == nil {
			lines := strings.Split(string(b), "\n")
			if len(lines) >= 8 && lines[0] == want && strings.TrimSpace(lines[7]) == "ready" {
				return run, nil
			}
		}
		select {
		case <-run.exited:
			c.forget(run)
			return nil, fmt.Errorf("pgcluster: PostgreSQL failed to start (%v): %s (log: %s)", run.err, fatalLine(c.logFile), c.logFile)
		case <-ctx.Done():
			run.proc.Signal(syscall.SIGQUIT)
			<-run.exited
			c.forget(run)
			return nil, fmt.Errorf("pgcluster: PostgreSQL did not become ready: %w (log: %s)", ctx.Err(), c.logFile)
		case <-tick.C:
		}
	}
}

// adopt makes run the cluster's server, so that Stop reaches it even while
// it is starting; a Stop that came first shuts it down at once.
func (c *Cluster) adopt(run *serverRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.run = run
	if c.stopping {
		_ = run.proc.Signal(syscall.SIGINT)
	}
}

// forget drops run, which failed to start.
func (c *Cluster) forget(run *serverRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == run {
		c.run = nil
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

// crashLine returns what the log says about a server run that died: the
// last PANIC line written since offset from, else the last FATAL line of
// the postmaster itself (PID pid; the default log_line_prefix names the
// PID), else "". FATAL lines of other processes are mostly refused client
// connections, not the cause.
func crashLine(logFile string, from int64, pid int) string {
	b, err := readTail(logFile, 64<<10)
	if err != nil {
		return ""
	}
	if fi, err := os.Stat(logFile); err == nil && fi.Size()-int64(len(b)) < from {
		b = b[min(from-(fi.Size()-int64(len(b))), int64(len(b))):]
	}
	own := "[" + strconv.Itoa(pid) + "] "
	var fatal string
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.Contains(l, "PANIC:") {
			return l
		}
		if fatal == "" && strings.Contains(l, own) && strings.Contains(l, "FATAL:") {
			fatal = l
		}
	}
	return fatal
}

// killLeftovers SIGKILLs what a dead server left running: postgres
// processes (binary exe) still working in pgdata. They would die on their
// own once they noticed, but a busy one notices late, and a new postmaster
// refuses to start while one holds the old shared memory. Nothing else can
// be a server on pgdata: the cluster lock is ours. It waits up to a second
// for them to be gone and returns how many it killed; without /proc, none.
func killLeftovers(exe, pgdata string) int {
	killed := leftovers(exe, pgdata)
	for _, pid := range killed {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for deadline := time.Now().Add(time.Second); len(killed) > 0 && time.Now().Before(deadline); {
		if len(leftovers(exe, pgdata)) == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return len(killed)
}

// leftovers lists the live processes running exe in pgdata. (Server
// children call setsid, so the postmaster's process group does not hold
// them.)
func leftovers(exe, pgdata string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if img, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && img == exe && serverOn(pid, pgdata) {
			pids = append(pids, pid)
		}
	}
	return pids
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
