// Package api is wanmu's HTTP interface: the REST API under /api/v1 (JSON and
// GeoJSON), problem+json errors, and the middleware every request passes
// through. It is the only package that knows HTTP status codes.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/store"
)

// Limits on requests, documented in the README.
const (
	MaxBodyBytes  = 8 << 20 // JSON request bodies
	MaxNameLength = 200     // characters in a name
	MaxListIDs    = 1000    // ids in one request (merge, membership)
)

// Reports computes (or returns cached) platform reports.
type Reports interface {
	Report(ctx context.Context, platformID int64) (store.Report, error)
}

// Options configure a Server.
type Options struct {
	Logger  *slog.Logger
	Reports Reports // defaults to computing every report afresh
}

// Server serves the REST API.
type Server struct {
	store   *store.Store
	reports Reports
	log     *slog.Logger
}

// New returns a Server over st.
func New(st *store.Store, opts Options) *Server {
	s := &Server{store: st, reports: opts.Reports, log: opts.Logger}
	if s.reports == nil {
		s.reports = st
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Routes returns the /api/v1 routes (mount at /api/v1).
func (s *Server) Routes() chi.Router {
	r := chi.NewRouter()
	r.Route("/zones", func(r chi.Router) {
		r.Get("/", s.handle(s.listZones))
		r.Post("/", s.handle(s.createZone))
		r.Post("/merge", s.handle(s.mergeZones))
		r.Route("/{id}", func(r chi.Router) {
			r.Get("/", s.handle(s.getZone))
			r.Put("/", s.handle(s.putZone))
			r.Patch("/", s.handle(s.patchZone))
			r.Delete("/", s.handle(s.deleteZone))
			r.Post("/split", s.handle(s.splitZone))
			r.Get("/history", s.handle(s.zoneHistory))
		})
	})
	r.Route("/platforms", func(r chi.Router) {
		r.Get("/", s.handle(s.listPlatforms))
		r.Post("/", s.handle(s.createPlatform))
		r.Route("/{id}", func(r chi.Router) {
			r.Get("/", s.handle(s.getPlatform))
			r.Put("/", s.handle(s.putPlatform))
			r.Patch("/", s.handle(s.putPlatform))
			r.Delete("/", s.handle(s.deletePlatform))
			r.Put("/members", s.handle(s.setMembers))
			r.Get("/report", s.handle(s.report))
			r.Get("/history", s.handle(s.platformHistory))
		})
	})
	r.Get("/layers", s.handle(s.listLayers))
	r.Post("/measure", s.handle(s.measure))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, problem(http.StatusNotFound, "not-found", "there is no API resource at %s", r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, problem(http.StatusMethodNotAllowed, "method-not-allowed", "%s is not allowed on %s", r.Method, r.URL.Path))
	})
	return r
}

// Healthz answers 200 when the database answers.
func (s *Server) Healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "health check failed", slog.Any("err", err))
		s.writeProblem(w, r, problem(http.StatusServiceUnavailable, "unavailable", "the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handle adapts a handler that returns an error to http.HandlerFunc.
func (s *Server) handle(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeProblem(w, r, err)
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true) // names are data, never markup
	_ = enc.Encode(v)
}

func writeGeoJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type ctxKey int

const requestIDKey ctxKey = iota

// RequestID returns the id given to the request by the middleware.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithRequestID gives each request an id, returned in X-Request-Id.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}
