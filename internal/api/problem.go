package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"wanmu/internal/exchange"
	"wanmu/internal/geomcheck"
	"wanmu/internal/store"
)

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
}

// FieldProblem points at one wrong part of the input.
type FieldProblem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// problem builds a Problem with a status and a message a planner can act on.
func problem(status int, typ, detail string, args ...any) *Problem {
	return &Problem{Type: "https://wanmu.example/problems/" + typ, Title: http.StatusText(status), Status: status,
		Detail: fmt.Sprintf(detail, args...)}
}

// writeProblem maps any error to a problem+json response. It is the one place
// where internal errors become HTTP statuses; internals are logged, not shown.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := s.toProblem(r.Context(), err)
	p.Instance = r.URL.Path
	p.RequestID = RequestID(r.Context())
	body := map[string]any{}
	raw, _ := json.Marshal(p)
	_ = json.Unmarshal(raw, &body)
	for k, v := range p.Extra {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	if p.Status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) toProblem(ctx context.Context, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var ge *geomcheck.Error
	if errors.As(err, &ge) {
		p := problem(http.StatusUnprocessableEntity, "invalid-geometry", "the geometry is not acceptable: %s", ge.Error())
		p.Errors = []FieldProblem{{Path: "geometry." + ge.Path, Message: ge.Message}}
		return p
	}
	if ig, ok := store.IsInvalidGeometry(err); ok {
		p := problem(http.StatusUnprocessableEntity, "invalid-geometry",
			"PostGIS finds the geometry invalid: %s near [%.7f, %.7f]; %s", ig.Reason, ig.Location[0], ig.Location[1], ig.Repair)
		p.Errors = []FieldProblem{{Path: "geometry", Message: ig.Reason}}
		p.Extra = map[string]any{"location": []float64{ig.Location[0], ig.Location[1]}}
		return p
	}
	var uc *store.UndoConflictError
	if errors.As(err, &uc) {
		p := problem(http.StatusConflict, "undo-conflict", "%s", uc.Error())
		p.Extra = map[string]any{"entity": uc.Entity, "id": uc.ID, "changed_by": uc.By}
		return p
	}
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		p := problem(http.StatusPreconditionFailed, "stale-version",
			"%s; reload it, look at the other change and apply yours again", ce.Error())
		p.Extra = map[string]any{"current_version": ce.Current}
		return p
	}
	var xe *exchange.Error
	if errors.As(err, &xe) {
		status := http.StatusUnprocessableEntity
		switch xe.Code {
		case exchange.CodeTooLarge:
			status = http.StatusRequestEntityTooLarge
		case exchange.CodeInvalidOption:
			status = http.StatusBadRequest
		case exchange.CodeGDAL: // our tool failed, not the planner's file
			s.log.ErrorContext(ctx, "GDAL failed", slog.String("request_id", RequestID(ctx)), slog.Any("err", err))
			return problem(http.StatusInternalServerError, "internal",
				"the conversion failed on the server; the error is logged with request id %s", RequestID(ctx))
		}
		p := problem(status, "exchange-"+xe.Code, "%s (%s)", xe.Message, xe.English)
		p.Extra = map[string]any{"code": xe.Code}
		return p
	}
	var mq *store.MergeQuestion
	if errors.As(err, &mq) {
		p := problem(http.StatusUnprocessableEntity, "merge-question", "%s", mq.Error())
		p.Errors = []FieldProblem{{Path: mq.Field, Message: mq.Message}}
		q := map[string]any{"field": mq.Field, "choices": mq.Choices}
		if mq.Field == "allow_gap_m" {
			q["gap_m"] = mq.GapM
		}
		p.Extra = map[string]any{"question": q}
		return p
	}
	var fe *store.FieldError
	if errors.As(err, &fe) {
		p := problem(http.StatusUnprocessableEntity, "invalid-field", "%s", fe.Error())
		p.Errors = []FieldProblem{{Path: fe.Field, Message: fe.Message}}
		return p
	}
	switch {
	case errors.Is(err, store.ErrBusy):
		p := problem(http.StatusServiceUnavailable, "busy", "%s", store.ErrBusy.Error())
		p.Extra = map[string]any{"retry_after": 1}
		return p
	case errors.Is(err, store.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "%s", err.Error())
	case errors.Is(err, store.ErrNotOwnLastChange):
		return problem(http.StatusForbidden, "forbidden", "%s", err.Error())
	case errors.Is(err, store.ErrGone):
		return problem(http.StatusGone, "retired", "%s; it is kept in the history and can be restored by an administrator", err.Error())
	case errors.Is(err, store.ErrInvalid):
		return problem(http.StatusUnprocessableEntity, "invalid", "%s", err.Error())
	case errors.Is(err, context.Canceled):
		return problem(499, "cancelled", "the request was cancelled")
	}
	s.log.ErrorContext(ctx, "internal error", slog.String("request_id", RequestID(ctx)), slog.Any("err", err))
	return problem(http.StatusInternalServerError, "internal",
		"something went wrong on the server; the error is logged with request id %s", RequestID(ctx))
}
