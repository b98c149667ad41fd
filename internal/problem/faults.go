package problem

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// From maps err to the problem the client sees. A *Problem is kept as it
// is; the faults every package shares get their own status:
//
//   - the client went away: 499 (only ever logged);
//   - the database is down, restarting, refusing connections, or too slow
//     (a statement, lock or connect timeout): 503 with Retry-After, so a
//     client waits and retries instead of treating it as a bug;
//   - the disk is full: 507.
//
// Anything else is logged with the request id and answered as a 500 that
// names the id, never the error's text.
func From(ctx context.Context, log *slog.Logger, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	rid := RequestID(ctx)
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return New(StatusClientClosed, "cancelled", "the request was cancelled")
	case diskFull(err):
		if log != nil {
			log.ErrorContext(ctx, "disk full", slog.String("request_id", rid), slog.Any("err", err))
		}
		return New(http.StatusInsufficientStorage, "disk-full",
			"the server's disk is full, so nothing was stored; tell the administrator (request id %s) and try again once space is freed", rid)
	case DatabaseUnavailable(err):
		if log != nil {
			log.WarnContext(ctx, "database unavailable", slog.String("request_id", rid), slog.Any("err", err))
		}
		p := New(http.StatusServiceUnavailable, "database-unavailable",
			"the database is not answering at the moment (restarting or overloaded), so this request was not confirmed: try again in a few seconds, and after a write reload first to see whether it went through")
		p.RetryAfter = 2
		return p
	}
	if log != nil {
		log.ErrorContext(ctx, "internal error", slog.String("request_id", rid), slog.Any("err", err))
	}
	return internal(ctx)
}

// diskFull: the server's own disk (ENOSPC) or the database's (53100).
func diskFull(err error) bool {
	var pe *pgconn.PgError
	return errors.Is(err, syscall.ENOSPC) || errors.As(err, &pe) && pe.Code == "53100"
}

// unavailableStates are the SQLSTATEs that mean "the database cannot serve
// this now" rather than "this request is wrong": connection exceptions,
// shutdown and crash recovery, statement and lock timeouts, too many
// connections.
var unavailableStates = map[string]bool{
	"57014": true, // query_canceled: statement_timeout
	"55P03": true, // lock_not_available: lock_timeout
	"57P01": true, // admin_shutdown
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now (starting up, recovering)
	"57P05": true, // idle_session_timeout
	"25P03": true, // idle_in_transaction_session_timeout: the session was ended
	"53300": true, // too_many_connections
	"53000": true, // insufficient_resources
	"53200": true, // out_of_memory
	"58000": true, // system_error
	"58030": true, // io_error
}

// ErrDatabaseDown is wrapped by the errors of requests refused, or
// connections cut, because wanmu's watcher found the database not
// answering (internal/dbwatch): no query was tried.
var ErrDatabaseDown = errors.New("the database is down")

// DatabaseUnavailable reports whether err means the database could not be
// reached or did not answer in time: a fault of the moment, not of the
// request, answered with 503.
func DatabaseUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return unavailableStates[pe.Code] || len(pe.Code) == 5 && pe.Code[:2] == "08"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed), errors.Is(err, ErrDatabaseDown), pgconn.Timeout(err):
		return true
	case errors.As(err, &ne):
		// A bare syscall.Errno (a file's ENOENT, EACCES…) is a net.Error
		// too: only a network operation's error means the connection.
		var op *net.OpError
		_, bare := ne.(syscall.Errno)
		return errors.As(err, &op) || !bare
	case errors.Is(err, io.EOF) && fromDriver(err):
		// The server closed the connection between two messages (killed,
		// or ended the session); elsewhere io.EOF is no database fault.
		return true
	}
	return false
}

// fromDriver reports whether err passed through pgconn, whose own errors
// all say whether a retry is safe.
func fromDriver(err error) bool {
	var e interface{ SafeToRetry() bool }
	return errors.As(err, &e)
}
