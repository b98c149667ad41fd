// Package pglisten keeps a PostgreSQL LISTEN going on one channel: it holds
// a connection of its own, hands every notification to a callback, and
// reconnects with backoff until its context ends.
//
// Notifications sent while no connection is listening are lost, so after
// every successful LISTEN it first calls a catch-up callback, in which the
// caller looks again at whatever it might have missed.
package pglisten

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Backoff bounds between reconnection attempts.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// Handlers are what Run calls, one at a time, on its own goroutine; each
// may be nil. They get Run's context.
type Handlers struct {
	// Listening runs after each successful LISTEN, before the connection's
	// first notification, with the backend PID of the listening connection
	// (pg_terminate_backend takes it). Catch up here on what was sent while
	// not listening.
	Listening func(ctx context.Context, pid uint32)
	// Notification runs for every payload heard, in the order sent.
	Notification func(ctx context.Context, payload string)
	// Lost runs once a connection that got as far as Listening has ended,
	// including when ctx ends.
	Lost func()
}

// Run LISTENs on channel on a connection taken out of pool for good and
// calls h until ctx ends, then returns. After any failure it logs a warning
// and reconnects after a jittered exponential backoff (100 ms to 5 s), which
// starts over after a connection that got as far as LISTEN. channel must be
// a constant of the caller. logger may be nil.
func Run(ctx context.Context, pool *pgxpool.Pool, channel string, logger *slog.Logger, h Handlers) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	backoff := minBackoff
	for {
		listened, err := listenOnce(ctx, pool, channel, h)
		if listened && h.Lost != nil {
			h.Lost()
		}
		if ctx.Err() != nil {
			return
		}
		if listened {
			backoff = minBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		logger.Warn("listener lost its connection; reconnecting", "channel", channel, "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce runs one connection until it fails. listened is true when
// LISTEN succeeded.
func listenOnce(ctx context.Context, pool *pgxpool.Pool, channel string, h Handlers) (listened bool, err error) {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	// A listening connection must not go back to the pool.
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{channel}.Sanitize()); err != nil {
		return false, err
	}
	if h.Listening != nil {
		h.Listening(ctx, conn.PgConn().PID())
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		if h.Notification != nil {
			h.Notification(ctx, n.Payload)
		}
	}
}
