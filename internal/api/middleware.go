package api

import (
	"log/slog"
	"net/http"
	"time"

	"wanmu/internal/problem"
	"wanmu/internal/query"
)

// WithSecurityHeaders sets the headers every response carries: no inline
// scripts, no framing, no MIME sniffing.
func WithSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
			"img-src 'self' data: blob: https: http:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// WithAccessLog logs one structured line per request. It never logs query
// strings, bodies or headers, so passwords and tokens cannot leak into logs.
func WithAccessLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w}
			_, r = withInfo(r) // Authenticate fills in the user logged here
			next.ServeHTTP(rec, r)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
				slog.Duration("duration", time.Since(start)), slog.Int("bytes", rec.bytes),
				slog.String("user", actorName(r.Context())), slog.String("request_id", problem.RequestID(r.Context())))
		})
	}
}

// Middleware is the stack every request of wanmu passes through, outermost
// first: a request id, the security headers, the access log, panics as
// 500 problems, and the strict reading of the query string.
func Middleware(log *slog.Logger) []func(http.Handler) http.Handler {
	return []func(http.Handler) http.Handler{problem.WithRequestID, WithSecurityHeaders, WithAccessLog(log),
		problem.Recover(log), query.Strict}
}
