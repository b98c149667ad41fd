package api

import (
	"errors"
	"net/http"

	"github.com/paulmach/orb/geojson"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// undoDepth is how many entries of each stack GET /undo lists.
const undoDepth = 50

// undoStacks lists the caller's undo and redo stacks (the next one first),
// kept by the server so that they survive a reload and cover every
// operation, made in any page or client.
func (s *Server) undoStacks(w http.ResponseWriter, r *http.Request) error {
	undo, redo, err := s.st(r).UndoStacks(r.Context(), actorName(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"undo": newestFirst(undo), "redo": newestFirst(redo)})
	return nil
}

func newestFirst(ops []store.Operation) []store.Operation {
	out := make([]store.Operation, 0, min(len(ops), undoDepth))
	for i := len(ops) - 1; i >= 0 && len(out) < undoDepth; i-- {
		out = append(out, ops[i])
	}
	return out
}

func (s *Server) undo(w http.ResponseWriter, r *http.Request) error { return s.takeBack(w, r, false) }
func (s *Server) redo(w http.ResponseWriter, r *http.Request) error { return s.takeBack(w, r, true) }

type undoRequest struct {
	// Op, when given, must be the top of the stack: a page that shows one
	// label never undoes another operation made meanwhile in another tab.
	Op     *int64 `json:"op"`
	Reason string `json:"reason"`
}

// takeBack undoes (or redoes) the caller's latest operation. The answer
// says which operation, and carries every zone it changed (live or retired)
// and the ids of the platforms whose figures moved.
func (s *Server) takeBack(w http.ResponseWriter, r *http.Request, redo bool) error {
	var req undoRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
	}
	if err := checkText("reason", req.Reason, 2000); err != nil {
		return err
	}
	ctx := r.Context()
	res, err := s.st(r).Undo(ctx, redo, req.Op, s.change(r, req.Reason))
	if errors.Is(err, store.ErrUndoMovedOn) {
		return problem.New(http.StatusConflict, "undo-moved-on",
			"operation %d is no longer the next to undo or redo (another tab or client changed the stacks): reload the list", *req.Op)
	}
	if errors.Is(err, store.ErrNothingToUndo) {
		what := "undo"
		if redo {
			what = "redo"
		}
		return problem.New(http.StatusConflict, "nothing-to-"+what, "there is nothing of yours to %s", what)
	}
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, id := range res.Zones {
		z, err := s.st(r).GetZone(ctx, id)
		if err != nil {
			return err
		}
		fc.Append(zoneJSON(z))
	}
	writeJSON(w, http.StatusOK, map[string]any{"operation": res.Operation, "zones": fc, "platforms": res.Platforms, "layers": res.Layers})
	return nil
}
