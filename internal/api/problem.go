package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"wanmu/internal/exchange"
	"wanmu/internal/geomcheck"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// writeProblem maps any error to a problem+json response. It is the one place
// where the store's errors become HTTP statuses; internals are logged, not shown.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	problem.Write(w, r, s.toProblem(r.Context(), err))
}

func (s *Server) toProblem(ctx context.Context, err error) *problem.Problem {
	var p *problem.Problem
	if errors.As(err, &p) {
		return p
	}
	var ge *geomcheck.Error
	if errors.As(err, &ge) {
		p := problem.New(http.StatusUnprocessableEntity, "invalid-geometry", "the geometry is not acceptable: %s", ge.Error())
		p.Errors = []problem.FieldProblem{{Path: "geometry." + ge.Path, Message: ge.Message}}
		return p
	}
	if ig, ok := store.IsInvalidGeometry(err); ok {
		p := problem.New(http.StatusUnprocessableEntity, "invalid-geometry",
			"PostGIS finds the geometry invalid: %s near [%.7f, %.7f]; %s", ig.Reason, ig.Location[0], ig.Location[1], ig.Repair)
		p.Errors = []problem.FieldProblem{{Path: "geometry", Message: ig.Reason}}
		p.Extra = map[string]any{"location": []float64{ig.Location[0], ig.Location[1]}}
		return p
	}
	if ce, ok := store.IsCountyRefusal(err); ok {
		p := problem.New(http.StatusForbidden, "outside-counties", "%s: ask an editor of the city or of that county", ce.Message)
		p.Extra = map[string]any{"entity": ce.Entity, "id": ce.ID}
		return p
	}
	var uc *store.UndoConflictError
	if errors.As(err, &uc) {
		p := problem.New(http.StatusConflict, "undo-conflict", "%s", uc.Error())
		p.Extra = map[string]any{"entity": uc.Entity, "id": uc.ID, "changed_by": uc.By}
		return p
	}
	var sl *store.SuccessorLiveError
	if errors.As(err, &sl) {
		p := problem.New(http.StatusConflict, "successor-live", "%s", sl.Error())
		succ := make([]map[string]any, len(sl.Successors))
		for i, z := range sl.Successors {
			succ[i] = map[string]any{"id": z.ID, "name": z.Name}
		}
		p.Extra = map[string]any{"id": sl.ID, "name": sl.Name, "split": sl.Split, "sources": sl.Sources, "successors": succ}
		return p
	}
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		p := problem.New(http.StatusPreconditionFailed, "stale-version",
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
			s.log.ErrorContext(ctx, "GDAL failed", slog.String("request_id", problem.RequestID(ctx)), slog.Any("err", err))
			return problem.New(http.StatusInternalServerError, "internal",
				"the conversion failed on the server; the error is logged with request id %s", problem.RequestID(ctx))
		}
		p := problem.New(status, "exchange-"+xe.Code, "%s (%s)", xe.Message, xe.English)
		p.Extra = map[string]any{"code": xe.Code}
		return p
	}
	var mq *store.MergeQuestion
	if errors.As(err, &mq) {
		p := problem.New(http.StatusUnprocessableEntity, "merge-question", "%s", mq.Error())
		p.Errors = []problem.FieldProblem{{Path: mq.Field, Message: mq.Message}}
		q := map[string]any{"field": mq.Field, "choices": mq.Choices}
		if mq.Field == "allow_gap_m" {
			q["gap_m"] = mq.GapM
		}
		p.Extra = map[string]any{"question": q}
		return p
	}
	var fe *store.FieldError
	if errors.As(err, &fe) {
		p := problem.New(http.StatusUnprocessableEntity, "invalid-field", "%s", fe.Error())
		p.Errors = []problem.FieldProblem{{Path: fe.Field, Message: fe.Message}}
		return p
	}
	switch {
	case errors.Is(err, store.ErrBusy):
		return problem.New(http.StatusServiceUnavailable, "busy", "%s", store.ErrBusy.Error())
	case errors.Is(err, store.ErrNotFound):
		return problem.New(http.StatusNotFound, "not-found", "%s", err.Error())
	case errors.Is(err, store.ErrNotOwnLastChange):
		return problem.New(http.StatusForbidden, "forbidden", "%s", err.Error())
	case errors.Is(err, store.ErrGone):
		return problem.New(http.StatusGone, "retired", "%s; it is kept in the history and can be restored by an administrator", err.Error())
	case errors.Is(err, store.ErrInvalid):
		return problem.New(http.StatusUnprocessableEntity, "invalid", "%s", err.Error())
	}
	return problem.From(ctx, s.log, err)
}
