package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
)

// decodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data, wrong content types and bodies over MaxBodyBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != "application/json" && mt != "application/geo+json" && !strings.HasSuffix(mt, "+json")) {
		return problem(http.StatusUnsupportedMediaType, "unsupported-media-type",
			"send the body as JSON with Content-Type: application/json (got %q)", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem(http.StatusRequestEntityTooLarge, "too-large",
				"the request body is larger than %d MB; simplify the geometry or import large data as a file", MaxBodyBytes>>20)
		}
		return problem(http.StatusBadRequest, "bad-body", "could not read the request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return problem(http.StatusBadRequest, "empty-body", "the request body is empty: send a JSON object")
	}
	if !utf8.Valid(body) {
		return problem(http.StatusBadRequest, "bad-encoding", "the request body is not valid UTF-8")
	}
	if depth := nestingDepth(body); depth > 16 {
		return problem(http.StatusBadRequest, "too-deep", "the JSON is nested %d levels deep; at most 16 are accepted", depth)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return problem(http.StatusBadRequest, "bad-json", "the body holds more than one JSON value; send exactly one object")
	}
	var rest json.RawMessage
	if err := dec.Decode(&rest); err != io.EOF {
		return problem(http.StatusBadRequest, "bad-json", "unexpected data after the JSON object")
	}
	return nil
}

// nestingDepth is the deepest nesting of arrays and objects, outside strings.
func nestingDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

func jsonProblem(err error) *Problem {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return problem(http.StatusBadRequest, "bad-json", "the body is not valid JSON at byte %d: %v", se.Offset, err)
	case errors.As(err, &te):
		p := problem(http.StatusBadRequest, "bad-json", "field %q must be %s, not a JSON %s", te.Field, te.Type.String(), te.Value)
		p.Errors = []FieldProblem{{Path: te.Field, Message: "wrong type"}}
		return p
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem(http.StatusBadRequest, "bad-json", "the JSON body ends too early (unclosed object or array)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		p := problem(http.StatusBadRequest, "unknown-field", "unknown field %s: check its spelling against the API documentation", field)
		p.Errors = []FieldProblem{{Path: strings.Trim(field, `"`), Message: "unknown field"}}
		return p
	}
	return problem(http.StatusBadRequest, "bad-json", "the body could not be read as JSON: %v", err)
}

// pathID parses the {id} URL parameter.
func pathID(r *http.Request) (int64, error) {
	return ParseID(chi.URLParam(r, "id"))
}

// ParseID parses a positive decimal id.
func ParseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || len(s) > 19 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, problem(http.StatusBadRequest, "bad-id", "%q is not an id: ids are positive whole numbers", truncate(s, 40))
	}
	return id, nil
}

// ParseIfMatch reads the version from an If-Match header ("3" or W/"3" or 3).
// A missing header is 428: writes must name the version they were based on.
func ParseIfMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, problem(http.StatusPreconditionRequired, "if-match-required",
			"send If-Match with the version you edited (the ETag of the object, e.g. If-Match: \"3\"), so no one else's change is overwritten")
	}
	if h == "*" {
		return 0, problem(http.StatusBadRequest, "bad-if-match", "If-Match: * is not accepted: name the version you edited, e.g. If-Match: \"3\"")
	}
	v := strings.TrimPrefix(h, "W/")
	v = strings.Trim(v, `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || strings.Contains(h, ",") || len(v) > 9 {
		return 0, problem(http.StatusBadRequest, "bad-if-match", "If-Match %q is not a version: send the ETag you received, e.g. \"3\"", truncate(h, 40))
	}
	return n, nil
}

// ParseBBox parses "west,south,east,north" in degrees.
func ParseBBox(s string) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, problem(http.StatusBadRequest, "bad-bbox", "bbox must be four numbers west,south,east,north in degrees, got %q", truncate(s, 80))
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f != f || f > 1e300 || f < -1e300 {
			return nil, problem(http.StatusBadRequest, "bad-bbox", "bbox value %q is not a number", truncate(p, 40))
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 {
		return nil, problem(http.StatusBadRequest, "bad-bbox", "bbox %q is outside longitude -180…180 / latitude -90…90", truncate(s, 80))
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil, problem(http.StatusBadRequest, "bad-bbox", "bbox must be west,south,east,north with west ≤ east and south ≤ north")
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func etag(version int) string { return fmt.Sprintf(`"%d"`, version) }

// checkText refuses overlong or control-character text.
func checkText(field, v string, maxLen int) error {
	if n := utf8.RuneCountInString(v); n > maxLen {
		return fieldProblem(field, "is %d characters long; at most %d are allowed", n, maxLen)
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return fieldProblem(field, "contains a control character (U+%04X)", c)
		}
	}
	return nil
}

func fieldProblem(field, format string, args ...any) *Problem {
	msg := fmt.Sprintf(format, args...)
	p := problem(http.StatusUnprocessableEntity, "invalid-field", "%s %s", field, msg)
	p.Errors = []FieldProblem{{Path: field, Message: msg}}
	return p
}

// target reads the {id} of the object a write is for and the version it was
// based on (If-Match).
func target(r *http.Request) (id int64, version int, err error) {
	if id, err = pathID(r); err != nil {
		return 0, 0, err
	}
	version, err = ParseIfMatch(r.Header.Get("If-Match"))
	return id, version, err
}

// queryReason reads the optional ?reason= of a request without a body.
func queryReason(r *http.Request) (string, error) {
	reason := r.URL.Query().Get("reason")
	return reason, checkText("reason", reason, 2000)
}
