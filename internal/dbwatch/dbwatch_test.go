package dbwatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/problem"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// proxy stands between the pool and the test database, on loopback, and
// can hang (stop passing bytes, as a stopped server does) or drop every
// connection (as a killed one does).
type proxy struct {
	ln      net.Listener
	target  func() (net.Conn, error)
	mu      sync.Mutex
	hung    chan struct{} // closed while passing bytes; nil-safe via resume
	conns   []net.Conn
	running sync.WaitGroup
}

func newProxy(t *testing.T, cfg *pgconn.Config) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	network, addr := "tcp", net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	if strings.HasPrefix(cfg.Host, "/") {
		network, addr = "unix", filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))
	}
	p := &proxy{ln: ln, target: func() (net.Conn, error) { return net.Dial(network, addr) }, hung: make(chan struct{})}
	close(p.hung)
	go p.accept()
	t.Cleanup(func() {
		p.resume()
		ln.Close()
		p.drop()
		p.running.Wait()
	})
	return p
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := p.target()
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.running.Add(2)
		go p.pump(s, c)
		go p.pump(c, s)
	}
}

// pump copies src to dst, holding each chunk while the proxy hangs.
func (p *proxy) pump(dst, src net.Conn) {
	defer p.running.Done()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			passing := p.hung
			p.mu.Unlock()
			<-passing
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxy) hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hung = make(chan struct{})
}

func (p *proxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.hung:
	default:
		close(p.hung)
	}
}

// drop closes every connection through the proxy.
func (p *proxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// watched returns a pool reaching the test database through a proxy, and
// its running watcher (fast, for the test).
func watched(t *testing.T) (*pgxpool.Pool, *Watcher, *proxy) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testdb.ConnString(t))
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, &cfg.ConnConfig.Config)
	addr := px.ln.Addr().(*net.TCPAddr)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = addr.IP.String(), uint16(addr.Port)
	cfg.ConnConfig.Fallbacks = nil
	w := New(cfg, Options{Interval: 50 * time.Millisecond, Timeout: 300 * time.Millisecond})
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.Start(pool)
	t.Cleanup(func() {
		w.Stop()
		px.resume()
		pool.Close()
	})
	return pool, w, px
}

// until polls cond every 10 ms and returns how long it took to hold.
func until(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	t0 := time.Now()
	for !cond() {
		if time.Since(t0) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(t0)
}

func query(pool *pgxpool.Pool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // far beyond the watcher's bound
	defer cancel()
	var one int
	return pool.QueryRow(ctx, `SELECT 1`).Scan(&one)
}

// TestHungServer: a query waiting on a server that stopped answering fails
// as soon as the watcher notices, with an error answered 503; later ones
// and Gate fail at once; all is well again when the server answers.
func TestHungServer(t *testing.T) {
	pool, w, px := watched(t)
	if err := query(pool); err != nil {
		t.Fatal(err)
	}
	px.hang()
	t0 := time.Now()
	err := query(pool)
	took := time.Since(t0)
	if !problem.DatabaseUnavailable(err) || took > 2*time.Second {
		t.Fatalf("query on a hung server: %v after %v, want a database-unavailable error within 2 s", err, took)
	}
	t.Logf("query on the hung server failed after %v: %v", took.Round(time.Millisecond), err)
	if s := w.Status(); !s.Down || s.Err == nil || s.Since.IsZero() {
		t.Fatalf("status while hung: %+v", s)
	}

	t0 = time.Now()
	if err := query(pool); !errors.Is(err, problem.ErrDatabaseDown) || time.Since(t0) > 100*time.Millisecond {
		t.Errorf("query while down: %v after %v, want ErrDatabaseDown at once", err, time.Since(t0))
	}
	rec := httptest.NewRecorder()
	w.Gate(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/zones", nil))
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "database-unavailable") {
		t.Errorf("Gate while down: %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}

	px.resume()
	back := until(t, 5*time.Second, "up after resume", func() bool { return !w.Status().Down })
	t.Logf("up %v after the server answered again", back.Round(time.Millisecond))
	if err := query(pool); err != nil {
		t.Fatalf("query after the outage: %v", err)
	}
	rec = httptest.NewRecorder()
	w.Gate(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/zones", nil))
	if rec.Code != 404 {
		t.Errorf("Gate after the outage: %d", rec.Code)
	}
}

// TestDroppedConnections: a server that closes every connection (killed,
// then back at once) costs the queries in flight a 503-class error and
// nothing more.
func TestDroppedConnections(t *testing.T) {
	pool, w, px := watched(t)
	errc := make(chan error, 1)
	go func() {
		_, err := pool.Exec(context.Background(), `SELECT pg_sleep(10)`)
		errc <- err
	}()
	until(t, 5*time.Second, "query in flight", func() bool { return pool.Stat().AcquiredConns() == 1 })
	px.drop()
	select {
	case err := <-errc:
		if !problem.DatabaseUnavailable(err) {
			t.Errorf("query on a dropped connection: %v, want a database-unavailable error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("query on a dropped connection still waiting")
	}
	until(t, 5*time.Second, "queries work again", func() bool { return query(pool) == nil })
	if s := w.Status(); s.Down {
		t.Errorf("status after the server came back: %+v", s)
	}
}

// TestBusyIsNotDown: a pool with every connection taken does not make the
// database look down: the watcher has its own connection.
func TestBusyIsNotDown(t *testing.T) {
	pool, w, _ := watched(t)
	var held []*pgxpool.Conn
	for range pool.Config().MaxConns {
		c, err := pool.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	probes := 0
	until(t, 5*time.Second, "a few probes", func() bool {
		if s := w.Status(); s.Down {
			t.Fatalf("down while the pool is merely full: %+v", s)
		}
		if w.Status().Latency > 0 {
			probes++
		}
		return probes >= 10
	})
}

func TestAnswered(t *testing.T) {
	for code, want := range map[string]bool{"53300": true, "28P01": true, "57P01": false, "57P03": false} {
		if got := answered(fmt.Errorf("connect: %w", &pgconn.PgError{Code: code})); got != want {
			t.Errorf("answered(%s) = %v, want %v", code, got, want)
		}
	}
	if answered(io.ErrUnexpectedEOF) {
		t.Error("answered(EOF)")
	}
}
