package ogc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// newProblem builds a problem like the REST API's.
func newProblem(status int, typ, format string, args ...any) *api.Problem {
	title := http.StatusText(status)
	if title == "" {
		title = "Client Closed Request"
	}
	return &api.Problem{Type: "https://wanmu.example/problems/" + typ, Title: title, Status: status,
		Detail: fmt.Sprintf(format, args...)}
}

// fail writes err as application/problem+json: the REST API's problems
// as they are, unknown things as 404, anything else as a logged 500 whose
// internals stay in the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var p *api.Problem
	switch {
	case errors.As(err, &p):
	case errors.Is(err, store.ErrNotFound):
		p = newProblem(http.StatusNotFound, "not-found", "%s", err.Error())
	case errors.Is(err, context.Canceled):
		p = newProblem(499, "cancelled", "the request was cancelled")
	default:
		h.log.ErrorContext(r.Context(), "ogc: request failed", slog.String("path", r.URL.Path),
			slog.String("request_id", api.RequestID(r.Context())), slog.Any("err", err))
		p = newProblem(http.StatusInternalServerError, "internal",
			"something went wrong on the server; the error is logged with request id %s", api.RequestID(r.Context()))
	}
	body := *p
	body.Instance = r.URL.Path
	body.RequestID = api.RequestID(r.Context())
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(body.Status)
	_, _ = w.Write(append(b, '\n'))
}
