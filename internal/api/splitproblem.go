package api

import (
	"errors"
	"net/http"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// splitProblem gives a split whose line does not cut the zone in two its own
// problem type, split-line, so the page can say in the planner's language
// what to do; the zone is named in "zone". Any other error (an invalid
// piece, a stale version, a refused field) keeps its own type.
func splitProblem(id int64, err error) error {
	if !errors.Is(err, store.ErrInvalid) {
		return err
	}
	if _, ok := store.IsInvalidGeometry(err); ok {
		return err
	}
	var fe *store.FieldError
	if errors.As(err, &fe) {
		return err
	}
	p := problem.New(http.StatusUnprocessableEntity, "split-line", "%s", err.Error())
	p.Errors = []problem.FieldProblem{{Path: "line", Message: "the line does not cut the zone in two: draw it across the whole zone, from outside to outside"}}
	p.Extra = map[string]any{"zone": id}
	return p
}
