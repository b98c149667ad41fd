// Package problem is wanmu's one error vocabulary over HTTP: RFC 9457
// problem details, the writer every HTTP package uses (the REST API, OGC
// API, tiles, static files and the panic handler), request ids, and the
// mapping of the faults every package shares — a cancelled request, a
// database that is down or too slow, a full disk — to their statuses.
// Problems never carry server paths or SQLSTATEs: internals go to the log
// under the request id that the answer names.
package problem

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
)

// TypeBase prefixes every problem type.
const TypeBase = "https://wanmu.example/problems/"

// StatusClientClosed is the status logged (never seen by the client) when
// the client went away before the answer.
const StatusClientClosed = 499

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	// Extra members specific to one problem type (e.g. the current version).
	Extra map[string]any `json:"-"`
	// RetryAfter, in seconds, is sent as the Retry-After header (and the
	// retry_after member); 503 and 429 always carry one.
	RetryAfter int `json:"-"`
}

// FieldProblem points at one wrong part of the input.
type FieldProblem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// New builds a Problem with a status and a message a planner can act on.
func New(status int, typ, format string, args ...any) *Problem {
	return &Problem{Type: TypeBase + typ, Title: title(status), Status: status, Detail: fmt.Sprintf(format, args...)}
}

func title(status int) string {
	if status == StatusClientClosed {
		return "Client Closed Request"
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Error"
}

// Write sends p as application/problem+json, naming the request's path and
// id. A 503 or 429 without a RetryAfter says "in a second".
func Write(w http.ResponseWriter, r *http.Request, p *Problem) {
	body := map[string]any{}
	raw, _ := json.Marshal(p)
	_ = json.Unmarshal(raw, &body)
	body["instance"] = r.URL.Path
	if id := RequestID(r.Context()); id != "" {
		body["request_id"] = id
	}
	for k, v := range p.Extra {
		body[k] = v
	}
	retry := p.RetryAfter
	if retry <= 0 && (p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests) {
		retry = 1
	}
	h := w.Header()
	if retry > 0 {
		h.Set("Retry-After", strconv.Itoa(retry))
		body["retry_after"] = retry
	}
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(body)
}

// Fail writes err: a *Problem as it is, a shared fault (see From) as its
// status, anything else as a logged 500.
func Fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	Write(w, r, From(r.Context(), log, err))
}

type ctxKey struct{}

// RequestID returns the id WithRequestID gave the request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// ContextWithRequestID gives ctx a request id: a background job's context
// names the request that started it, so what it logs can be found from the
// client's side.
func ContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// WithRequestID gives each request an id, returned in X-Request-Id and in
// every problem, and logged with every error.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(ContextWithRequestID(r.Context(), id)))
	})
}

// Recover turns a panic into a logged 500 problem instead of a dropped
// connection.
func Recover(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("panic", "request_id", RequestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
					Write(w, r, internal(r.Context()))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

func internal(ctx context.Context) *Problem {
	return New(http.StatusInternalServerError, "internal",
		"something went wrong on the server; the error is logged with request id %s", RequestID(ctx))
}

// Clip shortens s so that %q prints at most about n bytes of it: control
// characters count as the four bytes of their escape, so no input can make
// a message long.
func Clip(s string, n int) string {
	printed := 0
	for i, r := range s {
		printed += len(strconv.QuoteRune(r)) - 2
		if printed > n {
			return s[:i] + "…"
		}
	}
	return s
}
