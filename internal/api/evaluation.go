package api

// The 亩均效益评价 schemes as data an administrator edits (issue 18, item 2):
// GET/PUT /evaluation/scheme (the enterprises' scheme, evaluation.Scheme)
// and /evaluation/assessment-scheme (the platforms' annual assessment,
// evaluation.AssessmentScheme). Every PUT stores a new version with its
// author and reason (the history); with none stored the shipped default is
// in force as version 1. A version may apply from a year on (from_year), so
// a new scheme for 2025 leaves the 2024 evaluation as it was.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"wanmu/internal/evaluation"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// schemeKind describes one of the two schemes.
type schemeKind struct {
	kind     string
	fallback func() any                     // the shipped default
	parse    func(data []byte) (any, error) // strict JSON + validation
}

var (
	enterpriseScheme = schemeKind{store.SchemeEnterprise,
		func() any { return evaluation.DefaultScheme() },
		func(b []byte) (any, error) { return evaluation.ParseScheme(b) }}
	assessmentScheme = schemeKind{store.SchemeAssessment,
		func() any { return evaluation.DefaultAssessment() },
		func(b []byte) (any, error) { return ParseAssessmentScheme(b) }}
)

// ParseAssessmentScheme reads an assessment scheme from JSON (unknown fields
// are errors) and validates it.
func ParseAssessmentScheme(data []byte) (evaluation.AssessmentScheme, error) {
	var a evaluation.AssessmentScheme
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&a); err != nil {
		return a, fmt.Errorf("scheme: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return a, errors.New("scheme: text after the JSON object")
	}
	return a, a.Validate()
}

// schemeInForce is the version of a kind that applies to year (0: the
// newest), from the stored versions newest first; the shipped default when
// none applies.
func schemeInForce(k schemeKind, vs []store.SchemeVersion, year int) store.SchemeVersion {
	for _, v := range vs {
		if year == 0 || v.FromYear == nil || *v.FromYear <= year {
			return v
		}
	}
	b, _ := json.Marshal(k.fallback())
	return store.SchemeVersion{Kind: k.kind, Version: 1, Scheme: b, Reason: "随系统提供的默认方案", CreatedBy: "wanmu"}
}

// currentVersion is the version a PUT must name in If-Match.
func currentVersion(vs []store.SchemeVersion) int {
	if len(vs) == 0 {
		return 1
	}
	return vs[0].Version
}

type schemeHistoryJSON struct {
	Version   int       `json:"version"`
	FromYear  *int      `json:"from_year"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// getScheme answers GET /evaluation/scheme[?year=Y]: the scheme in force for
// year Y (without: the newest), the ETag of the newest version (what a PUT
// names) and the history of changes.
func (s *Server) getScheme(k schemeKind) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := onlyParams(r, "year"); err != nil {
			return err
		}
		year := 0
		if y := r.URL.Query().Get("year"); y != "" {
			n, err := parseYear(y)
			if err != nil {
				return err
			}
			year = n
		}
		vs, err := s.store.SchemeVersions(r.Context(), k.kind)
		if err != nil {
			return err
		}
		v := schemeInForce(k, vs, year)
		hist := make([]schemeHistoryJSON, 0, len(vs)+1)
		for _, h := range vs {
			hist = append(hist, schemeHistoryJSON{h.Version, h.FromYear, h.Reason, h.CreatedBy, h.CreatedAt})
		}
		hist = append(hist, schemeHistoryJSON{Version: 1, Reason: "随系统提供的默认方案", CreatedBy: "wanmu"})
		out := map[string]any{"kind": k.kind, "version": v.Version, "current_version": currentVersion(vs),
			"from_year": v.FromYear, "scheme": v.Scheme, "reason": v.Reason, "created_by": v.CreatedBy,
			"history": hist, "default": k.fallback()}
		if !v.CreatedAt.IsZero() {
			out["created_at"] = v.CreatedAt
		}
		if year != 0 {
			out["year"] = year
		}
		if k.kind == store.SchemeEnterprise {
			out["indicators"] = evaluation.Indicators
		} else {
			out["indicators"] = platformDefsJSON()
		}
		w.Header().Set("ETag", etag(currentVersion(vs)))
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

type schemeBody struct {
	Scheme   json.RawMessage `json:"scheme"`
	FromYear *int            `json:"from_year"`
	Reason   string          `json:"reason"`
}

// putScheme answers PUT /evaluation/scheme (administrators): body
// {"scheme": {...}, "from_year": 2025 or null, "reason": "..."}, If-Match the
// current version. A scheme the engine refuses is 422 naming every field.
func (s *Server) putScheme(k schemeKind) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := onlyParams(r); err != nil {
			return err
		}
		var b schemeBody
		if err := decodeJSON(w, r, &b); err != nil {
			return err
		}
		if len(b.Scheme) == 0 || string(b.Scheme) == "null" {
			return fieldProblem("scheme", "is required: the scheme as GET returns it")
		}
		if b.FromYear != nil && (*b.FromYear < minEnterpriseYear || *b.FromYear > maxEnterpriseYear) {
			return fieldProblem("from_year", "must be a year from %d to %d, or null for every year", minEnterpriseYear, maxEnterpriseYear)
		}
		if err := checkText("reason", b.Reason, 2000); err != nil {
			return err
		}
		parsed, err := k.parse(b.Scheme)
		if err != nil {
			return schemeProblem(err)
		}
		version, err := ParseIfMatch(r.Header.Get("If-Match"))
		if err != nil {
			return err
		}
		canon, _ := json.Marshal(parsed) // stored as the engine reads it
		v, err := s.store.SaveScheme(r.Context(), k.kind, version, b.FromYear, canon, s.change(r, b.Reason))
		if err != nil {
			return err
		}
		s.log.Info("evaluation scheme changed", "kind", k.kind, "version", v.Version, "by", v.CreatedBy)
		w.Header().Set("ETag", etag(v.Version))
		writeJSON(w, http.StatusOK, map[string]any{"kind": k.kind, "version": v.Version, "current_version": v.Version,
			"from_year": v.FromYear, "scheme": v.Scheme, "reason": v.Reason, "created_by": v.CreatedBy, "created_at": v.CreatedAt})
		return nil
	}
}

// schemeProblem turns the engine's "field: message" lines into a 422 that
// names every field under scheme.
func schemeProblem(err error) *problem.Problem {
	lines := strings.Split(err.Error(), "\n")
	var details []string
	var fields []problem.FieldProblem
	for _, l := range lines {
		field, msg, ok := strings.Cut(l, ": ")
		if !ok {
			field, msg = "", l
		}
		path := "scheme"
		if field != "" && field != "scheme" {
			path += "." + field
		}
		msg = truncate(msg, 160) // a misspelt field or code is echoed: keep it short
		fields = append(fields, problem.FieldProblem{Path: truncate(path, 100), Message: msg})
		if len(details) < 2 {
			details = append(details, truncate(path, 100)+": "+msg)
		}
	}
	detail := strings.Join(details, "; ")
	if len(fields) > len(details) {
		detail += fmt.Sprintf("; and %d more (see errors)", len(fields)-len(details))
	}
	p := problem.New(http.StatusUnprocessableEntity, "invalid-field", "%s", detail)
	p.Errors = fields
	return p
}

// onlyParams refuses query parameters other than those named.
func onlyParams(r *http.Request, names ...string) error {
	for k := range r.URL.Query() {
		ok := k == "scenario" // read by the middleware
		for _, n := range names {
			ok = ok || k == n
		}
		if !ok {
			use := "none"
			if len(names) > 0 {
				use = strings.Join(names, ", ")
			}
			return problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: use %s", truncate(k, 40), use)
		}
	}
	return nil
}

// platformDefJSON is a platform indicator's description as the API names it.
type platformDefJSON struct {
	Code       string `json:"code"`
	Label      string `json:"label"`
	Unit       string `json:"unit"`
	Definition string `json:"definition"`
}

func platformDefsJSON() []platformDefJSON {
	out := make([]platformDefJSON, len(evaluation.PlatformDefs))
	for i, d := range evaluation.PlatformDefs {
		out[i] = platformDefJSON(d)
	}
	return out
}
