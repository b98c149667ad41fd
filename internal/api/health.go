package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"wanmu/internal/problem"
)

// Healthz answers 200 when the database answers.
func (s *Server) Healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "health check failed", slog.Any("err", err))
		s.writeProblem(w, r, problem.New(http.StatusServiceUnavailable, "unavailable", "the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
