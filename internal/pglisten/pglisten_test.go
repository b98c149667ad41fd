package pglisten_test

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/pglisten"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// channel has upper case on purpose: LISTEN must quote it as NOTIFY names it.
const channel = "pglisten_Test"

// patience bounds every wait: generous, the machine is shared.
const patience = 30 * time.Second

// event is one call of a handler, in the order Run made them.
type event struct {
	kind    string // "listening", "notification" or "lost"
	pid     uint32
	payload string
}

// record returns handlers that send every call to the returned channel.
func record() (pglisten.Handlers, <-chan event) {
	events := make(chan event, 1000)
	return pglisten.Handlers{
		Listening: func(_ context.Context, pid uint32) { events <- event{kind: "listening", pid: pid} },
		Notification: func(_ context.Context, payload string) {
			events <- event{kind: "notification", payload: payload}
		},
		Lost: func() { events <- event{kind: "lost"} },
	}, events
}

// next returns the next event, which must be of kind.
func next(t *testing.T, events <-chan event, kind string) event {
	t.Helper()
	select {
	case e := <-events:
		if e.kind != kind {
			t.Fatalf("got %+v, want a %s event", e, kind)
		}
		return e
	case <-time.After(patience):
		t.Fatalf("no %s event after %v", kind, patience)
		return event{}
	}
}

func notify(t *testing.T, pool *pgxpool.Pool, payload string) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		t.Fatal(err)
	}
}

// start runs Run until the returned cancel is called; done closes when Run
// has returned.
func start(pool *pgxpool.Pool, logger *slog.Logger, h pglisten.Handlers) (cancel context.CancelFunc, done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		pglisten.Run(ctx, pool, channel, logger, h)
	}()
	return cancel, finished
}

func waitDone(t *testing.T, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatalf("Run did not return %v after ctx ended", patience)
	}
}

// TestRun follows one listener through its life: catch-up, notifications in
// order, a killed backend, catch-up again on the new connection, the end.
func TestRun(t *testing.T) {
	pool := testdb.New(t)
	h, events := record()
	cancel, done := start(pool, nil, h)
	defer func() { cancel(); <-done }()

	first := next(t, events, "listening")
	if first.pid == 0 {
		t.Fatal("Listening got pid 0")
	}
	const n = 50
	for i := range n {
		notify(t, pool, strconv.Itoa(i))
	}
	for i := range n {
		if e := next(t, events, "notification"); e.payload != strconv.Itoa(i) {
			t.Fatalf("notification %d: payload %q, want %q", i, e.payload, strconv.Itoa(i))
		}
	}

	if _, err := pool.Exec(context.Background(), `SELECT pg_terminate_backend($1)`, int32(first.pid)); err != nil {
		t.Fatal(err)
	}
	next(t, events, "lost")
	second := next(t, events, "listening")
	if second.pid == 0 || second.pid == first.pid {
		t.Fatalf("pid after reconnecting = %d, want a new one (was %d)", second.pid, first.pid)
	}
	notify(t, pool, "again")
	if e := next(t, events, "notification"); e.payload != "again" {
		t.Fatalf("after reconnecting: payload %q, want %q", e.payload, "again")
	}

	cancel()
	waitDone(t, done)
	next(t, events, "lost")
	select {
	case e := <-events:
		t.Fatalf("event after Run returned: %+v", e)
	default:
	}
}

// warnings counts the warnings logged through it.
type warnings struct{ n atomic.Int64 }

func (w *warnings) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *warnings) WithGroup(string) slog.Handler            { return w }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		w.n.Add(1)
	}
	return nil
}

// TestRunBacksOff: when no connection can be had, Run waits longer and
// longer between attempts instead of spinning, and still returns when ctx
// ends. No server is needed: the pool is closed before Run starts.
func TestRunBacksOff(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/nothing")
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	h, events := record()
	var w warnings
	cancel, done := start(pool, slog.New(&w), h)
	defer cancel()

	// Waits of 50–100, 100–200, 200–400 and 400–800 ms: about five attempts
	// in 1.5 s. A loop without backoff would make thousands.
	time.Sleep(1500 * time.Millisecond)
	cancel()
	waitDone(t, done)
	if got := w.n.Load(); got < 2 || got > 15 {
		t.Errorf("%d attempts in 1.5 s, want a handful", got)
	}
	select {
	case e := <-events:
		t.Errorf("a handler ran without a connection: %+v", e)
	default:
	}
}
