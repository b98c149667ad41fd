package ogc

import (
	"errors"
	"net/http"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// fail writes err as application/problem+json: problems as they are, a
// missing thing as 404, the shared faults (database down, client gone) as
// problem.From says, anything else as a logged 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		err = problem.New(http.StatusNotFound, "not-found", "%s", err.Error())
	}
	problem.Fail(w, r, h.log, err)
}
