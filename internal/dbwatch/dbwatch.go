// Package dbwatch watches the database on a connection of its own, apart
// from the pool, so that a pool busy with slow requests never looks like a
// dead database. Every Interval it asks the server for an empty answer;
// when that fails or takes longer than Timeout, the database is down:
//
//   - every connection the pool has opened is cut at once, so whatever waits
//     on a dead or hung server (a request, a tile build, a listener) fails
//     now; a stopped server honours no statement_timeout, and a TCP peer
//     that vanished is noticed only by keepalives minutes later;
//   - new connections are refused without dialling, and Gate answers
//     requests 503 with Retry-After before they reach the database;
//   - Status says so (/healthz answers 503).
//
// Cut queries fail with errors that problem.From answers as 503
// database-unavailable. The first answer of the server ends the outage.
// A server that answers with an error (too many connections, say) is alive,
// not down; one that is starting up or shutting down is down.
package dbwatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/problem"
)

// Defaults of Options.
const (
	// DefaultInterval: a few probes a second cost nothing and bound how long
	// requests wait on a dead server.
	DefaultInterval = 250 * time.Millisecond
	// DefaultTimeout: an empty query answers in well under a millisecond;
	// a server that needs 1.5 s for it is not serving anyone.
	DefaultTimeout = 1500 * time.Millisecond
)

// Options tune a Watcher; zero values take the defaults.
type Options struct {
	Interval time.Duration
	Timeout  time.Duration
	Logger   *slog.Logger
}

// Status is what the watcher last found.
type Status struct {
	Down    bool
	Since   time.Time     // when it went down, or came back (zero: never down)
	Latency time.Duration // of the last answered probe
	Err     error         // why it is down; for logs, never for clients
}

// Watcher watches one database and holds the breaker of its pool's
// connections. Create it with New before the pool; run it with Start.
type Watcher struct {
	probeConfig *pgx.ConnConfig // the watcher's own connection, never cut
	dial        pgconn.DialFunc // the pool's dialer before New wrapped it
	interval    time.Duration
	timeout     time.Duration
	log         *slog.Logger

	mu     sync.Mutex
	status Status
	erring bool               // the server answers probes with an error (logged once)
	conns  map[*conn]struct{} // the pool's open connections

	cancel  context.CancelFunc
	stopped chan struct{}
}

// New returns a Watcher for the database of cfg and makes cfg's connections
// go through its breaker; create the pool from cfg afterwards. Until Start
// the breaker stays closed: connections behave as without it.
func New(cfg *pgxpool.Config, opts Options) *Watcher {
	w := &Watcher{
		probeConfig: cfg.ConnConfig.Copy(),
		dial:        cfg.ConnConfig.DialFunc,
		interval:    opts.Interval,
		timeout:     opts.Timeout,
		log:         opts.Logger,
		conns:       map[*conn]struct{}{},
	}
	if w.interval <= 0 {
		w.interval = DefaultInterval
	}
	if w.timeout <= 0 {
		w.timeout = DefaultTimeout
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	// The probe must not wait for a pool-sized connect timeout.
	w.probeConfig.ConnectTimeout = w.timeout
	cfg.ConnConfig.DialFunc = w.dialContext
	return w
}

// Start watches until Stop; on an outage it also empties pool.
func (w *Watcher) Start(pool *pgxpool.Pool) {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.stopped = cancel, make(chan struct{})
	go func() {
		defer close(w.stopped)
		w.run(ctx, pool)
	}()
}

// Stop ends watching and waits for it; the breaker closes.
func (w *Watcher) Stop() {
	if w.cancel == nil {
		return
	}
	w.cancel()
	<-w.stopped
	w.mu.Lock()
	w.status.Down = false
	w.mu.Unlock()
}

// Status returns what the last probe found.
func (w *Watcher) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status
}

// Gate answers 503 database-unavailable (Retry-After) at once while the
// database is down, so that requests needing it neither wait nor queue.
func (w *Watcher) Gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := w.refusal(); err != nil {
			problem.Write(rw, r, problem.From(r.Context(), nil, err)) // logged once, by the watcher
			return
		}
		next.ServeHTTP(rw, r)
	})
}

func (w *Watcher) run(ctx context.Context, pool *pgxpool.Pool) {
	var c *pgx.Conn
	defer func() {
		if c != nil {
			closeConn(c)
		}
	}()
	tick := time.NewTicker(w.interval)
	defer tick.Stop()
	for {
		var err error
		var took time.Duration
		c, took, err = w.probe(ctx, c)
		if ctx.Err() != nil {
			return
		}
		w.record(took, err, pool)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// probe asks the server for an empty answer on c, connecting first when c
// is nil. It returns the connection for the next probe (nil after a
// failure) and how long the answer took.
func (w *Watcher) probe(ctx context.Context, c *pgx.Conn) (*pgx.Conn, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	t0 := time.Now()
	if c == nil {
		var err error
		if c, err = pgx.ConnectConfig(ctx, w.probeConfig); err != nil {
			return nil, 0, err
		}
	}
	if err := c.Ping(ctx); err != nil {
		closeConn(c)
		return nil, 0, err
	}
	return c, time.Since(t0), nil
}

// closeConn closes c without waiting on a server that may be hung.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = c.Close(ctx)
}

// record takes a probe's outcome and acts on a change: down cuts the
// pool's connections, up lets them be made again.
func (w *Watcher) record(took time.Duration, err error, pool *pgxpool.Pool) {
	down := err != nil && !answered(err)
	w.mu.Lock()
	was, wasErring := w.status, w.erring
	w.erring = err != nil && !down
	w.status.Down = down
	if down {
		w.status.Err = err
	} else {
		w.status.Err, w.status.Latency = nil, took
	}
	if down != was.Down {
		w.status.Since = time.Now()
	}
	var cut []*conn
	if down && !was.Down {
		for c := range w.conns {
			cut = append(cut, c)
		}
		clear(w.conns)
	}
	w.mu.Unlock()

	switch {
	case down && !was.Down:
		w.log.Error("database not answering: its connections are cut and requests get 503 until it answers",
			"err", err, "connections_cut", len(cut))
		for _, c := range cut {
			_ = c.Conn.Close()
		}
		pool.Reset() // the idle ones go too; none is handed out again
	case !down && was.Down:
		w.log.Info("database answering again", "down_for", time.Since(was.Since).Round(time.Millisecond))
	case err != nil && !down && !wasErring:
		w.log.Warn("database answers probes with an error; treated as up", "err", err)
	}
}

// answered reports whether err is an answer of a server that is up: any
// error response except those of a server starting, stopping or
// recovering.
func answered(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "57P01", "57P02", "57P03":
		return false
	}
	return true
}

// refusal returns why connections are refused now, or nil.
func (w *Watcher) refusal() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.status.Down {
		return nil
	}
	return fmt.Errorf("%w (not answering since %s)", problem.ErrDatabaseDown, w.status.Since.Format(time.TimeOnly))
}

// dialContext is the pool's dialer: refused while the database is down,
// otherwise the original one, with the connection kept to be cut.
func (w *Watcher) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if err := w.refusal(); err != nil {
		return nil, err
	}
	nc, err := w.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: nc, w: w}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status.Down { // went down while dialling
		nc.Close()
		return nil, problem.ErrDatabaseDown
	}
	w.conns[c] = struct{}{}
	return c, nil
}

// conn is a pool connection the watcher can cut.
type conn struct {
	net.Conn
	w *Watcher
}

func (c *conn) Close() error {
	c.w.mu.Lock()
	delete(c.w.conns, c)
	c.w.mu.Unlock()
	return c.Conn.Close()
}
