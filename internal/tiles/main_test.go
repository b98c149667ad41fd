package tiles_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/change"
	"wanmu/internal/testdb"
	"wanmu/internal/tiles"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// newHandler returns a tiles handler on src whose change bus listens on
// pool, connected before it returns.
func newHandler(tb testing.TB, pool *pgxpool.Pool, src tiles.Source) (*tiles.Handler, *change.Bus) {
	tb.Helper()
	bus := listen(tb, pool)
	h := tiles.NewHandler(src, tiles.Options{Bus: bus, CacheMB: 64, TrustProxy: true})
	tb.Cleanup(h.Close)
	return h, bus
}

// listen runs a change bus on pool until the test ends and waits until
// it is connected.
func listen(tb testing.TB, pool *pgxpool.Pool) *change.Bus {
	tb.Helper()
	bus := &change.Bus{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		bus.Listen(ctx, pool, nil)
	}()
	tb.Cleanup(func() { cancel(); <-done })
	waitFor(tb, "bus connected", bus.Connected)
	return bus
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func path(t tiles.Tile) string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }
