package api

// Scenarios (方案): consolidation plans drafted beside the official data
// (store/scenarios.go). Every route of the API works inside a scenario when
// the request says ?scenario=ID (absent or 0: the official data): lists,
// figures and new zones are the scenario's, and a zone or platform of any
// other scenario is not found there, so a page that thinks it is in a
// draft can never write to the official data.

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanmu/internal/auth"
	"wanmu/internal/problem"
	"wanmu/internal/store"
	"wanmu/internal/transfer"
)

type scopeKey struct{}

// scope reads ?scenario= and takes it out of the query string, so that each
// route reads its own parameters as before. A signed-in caller's scenario
// must exist and be live; an anonymous caller meets the route's own 401.
func (s *Server) scope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		v, ok := q["scenario"]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		id, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil || id < 0 {
			s.writeProblem(w, r, problem.New(http.StatusBadRequest, "bad-parameter",
				"scenario must be a scenario's id (0 or none: the official data), not %q", truncate(v[0], 40)))
			return
		}
		q.Del("scenario")
		u := *r.URL
		u.RawQuery = q.Encode()
		r = r.WithContext(context.WithValue(r.Context(), scopeKey{}, id))
		r.URL = &u
		if id != store.Official && currentUser(r.Context()) != nil {
			if _, err := s.liveScenario(r.Context(), id); err != nil {
				s.writeProblem(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// liveScenario is scenario id (0: the official data): 404 when unknown,
// 410 when retired (deleted, or adopted and closed).
func (s *Server) liveScenario(ctx context.Context, id int64) (store.Scenario, error) {
	sc, err := s.store.GetScenario(ctx, id)
	if err == nil && sc.RetiredAt != nil {
		err = problem.New(http.StatusGone, "retired", "scenario %d (%s) was retired", id, truncate(sc.Name, 40))
	}
	return sc, err
}

// scenarioOf is the request's scenario (0: the official data).
func scenarioOf(r *http.Request) int64 {
	id, _ := r.Context().Value(scopeKey{}).(int64)
	return id
}

// st is the store scoped to the request's scenario.
func (s *Server) st(r *http.Request) *store.Store { return s.store.In(scenarioOf(r)) }

// transferIn is the file service working in the request's scenario: its
// exports and handover are the scenario's, marked as a draft.
func (s *Server) transferIn(r *http.Request) *transfer.Service {
	t := *s.transfer
	t.Store = s.transfer.Store.In(scenarioOf(r))
	return &t
}

// inScope guards a route on one zone or platform ({id}): one of another
// scenario is not found in this one.
func (s *Server) inScope(entity string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, err := pathID(r)
			if err != nil { // the handler says what is wrong with the id
				next.ServeHTTP(w, r)
				return
			}
			sc, err := s.store.ScenarioOf(r.Context(), entity, id)
			switch {
			case errors.Is(err, store.ErrNotFound): // the handler answers 404
			case err != nil:
				s.writeProblem(w, r, err)
				return
			case sc != scenarioOf(r):
				s.writeProblem(w, r, problem.New(http.StatusNotFound, "not-in-scenario", "%s %d is not in %s: it belongs to %s; switch to it first",
					entity, id, scenarioName(scenarioOf(r)), scenarioName(sc)))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func scenarioName(id int64) string {
	if id == store.Official {
		return "the official data"
	}
	return "scenario " + strconv.FormatInt(id, 10)
}

// scenarioJSON is a scenario as the API sends it.
func scenarioJSON(sc store.Scenario) map[string]any {
	return map[string]any{"id": sc.ID, "name": sc.Name, "description": sc.Description,
		"base_at": sc.BaseAt.UTC().Format(time.RFC3339), "version": sc.Version,
		"created_at": sc.CreatedAt.UTC().Format(time.RFC3339), "created_by": sc.CreatedBy,
		"updated_at": sc.UpdatedAt.UTC().Format(time.RFC3339), "updated_by": sc.UpdatedBy,
		"adopted_at": sc.AdoptedAt, "adopted_by": sc.AdoptedBy, "retired_at": sc.RetiredAt,
		"counties": sc.Counties} // a county's draft: its owners; none: the city's
}

func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "state" {
			return problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: only state is accepted", truncate(k, 40))
		}
	}
	list := s.store.ListScenarios
	switch q.Get("state") {
	case "", "draft":
	case "adopted":
		list = s.store.ListAdopted
	default:
		return problem.New(http.StatusBadRequest, "bad-parameter", "state must be draft (the default: the plans being drafted) or adopted (the plans that became the official data), not %q", truncate(q.Get("state"), 40))
	}
	scenarios, err := list(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(scenarios))
	for i, sc := range scenarios {
		out[i] = scenarioJSON(sc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": out})
	return nil
}

type scenarioBody struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// createScenario copies the official data into a new draft.
func (s *Server) createScenario(w http.ResponseWriter, r *http.Request) error {
	var b scenarioBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" {
		return fieldProblem("name", "is required: name the plan (e.g. 云和平台并入三个乡镇功能区)")
	}
	if err := checkText("name", b.Name, MaxNameLength); err != nil {
		return err
	}
	if err := checkText("description", b.Description, 2000); err != nil {
		return err
	}
	sc, err := s.store.CreateScenario(r.Context(), b.Name, b.Description, s.change(r, ""))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(sc.Version)))
	writeJSON(w, http.StatusCreated, scenarioJSON(sc))
	return nil
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sc, err := s.store.GetScenario(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(sc.Version)))
	writeJSON(w, http.StatusOK, scenarioJSON(sc))
	return nil
}

// retireScenario ends a draft: its author or an administrator.
func (s *Server) retireScenario(w http.ResponseWriter, r *http.Request) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	sc, err := s.store.GetScenario(r.Context(), id)
	if err != nil {
		return err
	}
	if u := currentUser(r.Context()); u == nil || (u.Role != auth.Admin && u.Name != sc.CreatedBy) {
		return problem.New(http.StatusForbidden, "forbidden", "only its author (%s) or an administrator may retire scenario %d", truncate(sc.CreatedBy, 40), id)
	}
	if err := s.store.RetireScenario(r.Context(), id, version, s.change(r, "")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// officialOnlyFor guards the routes that work on the official data only —
// imports, which run as jobs on it, and the QGIS project, whose layers come
// from the OGC API — saying why: a request meant for a draft is refused
// rather than served or written from the official data.
func officialOnlyFor(why string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if scenarioOf(r) != store.Official {
				problem.Write(w, r, problem.New(http.StatusConflict, "not-in-scenario", "%s: leave the scenario (scenario=0)", why))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// officialOnly guards the imports.
var officialOnly = officialOnlyFor("imports go into the official data only for now")

// cityEditors guards the routes a county-limited editor may not use:
// imports, which run as background jobs writing zones of any county.
func cityEditors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lim := store.CountyLimit(r.Context()); lim != nil {
			problem.Write(w, r, problem.New(http.StatusForbidden, "outside-counties",
				"imports are for the city's editors: you edit the zones of %s only; draw them, or ask an editor of the city to import the file", strings.Join(lim, ", ")))
			return
		}
		next.ServeHTTP(w, r)
	})
}

type adoptBody struct {
	// Choices answer the conflicts of a previous attempt: "zone:12" →
	// "scenario" or "official".
	Choices map[string]string `json:"choices"`
	Reason  string            `json:"reason"`
}

// rebaseScenario brings a scenario up to date with the official data
// (editors, If-Match the scenario's version); conflicts as for adopting.
func (s *Server) rebaseScenario(w http.ResponseWriter, r *http.Request) error {
	id, version, b, err := readChoices(w, r)
	if err != nil {
		return err
	}
	res, err := s.store.RebaseScenario(r.Context(), id, version, b.Choices, s.change(r, b.Reason))
	if errors.Is(err, store.ErrUnresolved) {
		return conflictsProblem(res.Conflicts, "rebase")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// readChoices reads the target scenario, its If-Match version and the
// choices for conflicts.
func readChoices(w http.ResponseWriter, r *http.Request) (int64, int, adoptBody, error) {
	var b adoptBody
	id, version, err := target(r)
	if err != nil {
		return 0, 0, b, err
	}
	if err := decodeJSON(w, r, &b); err != nil {
		return 0, 0, b, err
	}
	for k, v := range b.Choices {
		if v != store.KeepScenario && v != store.KeepOfficial {
			return 0, 0, b, fieldProblem("choices."+truncate(k, 40), "must be %q or %q", store.KeepScenario, store.KeepOfficial)
		}
	}
	return id, version, b, checkText("reason", b.Reason, 2000)
}

// conflictsProblem lists the rows both sides changed (409): the client
// chooses for each and asks again.
func conflictsProblem(cs []store.AdoptConflict, what string) *problem.Problem {
	p := problem.New(http.StatusConflict, what+"-conflicts", "%d zones or platforms were changed both in the official data and in the scenario since its base: choose for each (choices: {\"zone:12\": \"scenario\" | \"official\"}) and %s again", len(cs), what)
	p.Extra = map[string]any{"conflicts": cs}
	return p
}

// adoptScenario makes a scenario the official data (administrators, If-Match
// the scenario's version). Conflicts come back as a 409 problem listing
// each (conflicts); nothing is written until every one has a choice.
func (s *Server) adoptScenario(w http.ResponseWriter, r *http.Request) error {
	id, version, b, err := readChoices(w, r)
	if err != nil {
		return err
	}
	res, err := s.store.AdoptScenario(r.Context(), id, version, b.Choices, s.change(r, b.Reason))
	if errors.Is(err, store.ErrUnresolved) {
		return conflictsProblem(res.Conflicts, "adopt")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
