package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/problem"
)

// decodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data, wrong content types and bodies over MaxBodyBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != "application/json" && mt != "application/geo+json" && !strings.HasSuffix(mt, "+json")) {
		return problem.New(http.StatusUnsupportedMediaType, "unsupported-media-type",
			"send the body as JSON with Content-Type: application/json (got %q)", ct)
	}
	lift := BodyDeadline(w, bodyTimeout)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err == nil {
		lift()
	} else {
		// The deadline stays: net/http must not wait for the rest of a
		// body that is not coming before it answers and closes.
		w.Header().Set("Connection", "close")
		var mbe *http.MaxBytesError
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return problem.New(http.StatusRequestTimeout, "slow-body",
				"the request body did not arrive within %d seconds", int(bodyTimeout.Seconds()))
		}
		if errors.As(err, &mbe) {
			return problem.New(http.StatusRequestEntityTooLarge, "too-large",
				"the request body is larger than %d MB; simplify the geometry or import large data as a file", MaxBodyBytes>>20)
		}
		return problem.New(http.StatusBadRequest, "bad-body", "could not read the whole request body: the connection broke off; send it again")
	}
	// Windows tools (Notepad, PowerShell) often start UTF-8 files with a byte
	// order mark; RFC 8259 lets a parser ignore it.
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(body)) == 0 {
		return problem.New(http.StatusBadRequest, "empty-body", "the request body is empty: send a JSON object")
	}
	if !utf8.Valid(body) {
		return problem.New(http.StatusBadRequest, "bad-encoding", "the request body is not valid UTF-8")
	}
	if depth := nestingDepth(body); depth > 16 {
		return problem.New(http.StatusBadRequest, "too-deep", "the JSON is nested %d levels deep; at most 16 are accepted", depth)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return problem.New(http.StatusBadRequest, "bad-json", "the body holds more than one JSON value; send exactly one object")
	}
	var rest json.RawMessage
	if err := dec.Decode(&rest); err != io.EOF {
		return problem.New(http.StatusBadRequest, "bad-json", "unexpected data after the JSON object")
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

func jsonProblem(err error) *problem.Problem {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return problem.New(http.StatusBadRequest, "bad-json", "the body is not valid JSON at byte %d: %v", se.Offset, err)
	case errors.As(err, &te):
		return typeProblem(te)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem.New(http.StatusBadRequest, "bad-json", "the JSON body ends too early (unclosed object or array)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		field = truncate(field, 60)
		p := problem.New(http.StatusBadRequest, "unknown-field", "unknown field %q: check its spelling against the API documentation", field)
		p.Errors = []problem.FieldProblem{{Path: field, Message: "unknown field"}}
		return p
	}
	return problem.New(http.StatusBadRequest, "bad-json", "the body could not be read as JSON: %v", err)
}

// typeProblem says which field holds the wrong kind of JSON value, in JSON
// words rather than Go types, without echoing long input.
func typeProblem(te *json.UnmarshalTypeError) *problem.Problem {
	got, literal, _ := strings.Cut(te.Value, " ") // "string", "number 1e999", "array", …
	if te.Field == "" {
		return problem.New(http.StatusBadRequest, "bad-json", "the body must be a JSON object, not a JSON %s", got)
	}
	want := jsonKind(te.Type)
	var p *problem.Problem
	if got == "number" && (want == "a number" || want == "a whole number" && !strings.ContainsAny(literal, ".eE")) {
		p = problem.New(http.StatusBadRequest, "bad-json", "field %q: %s is out of range", te.Field, truncate(literal, 40))
	} else {
		p = problem.New(http.StatusBadRequest, "bad-json", "field %q must be %s, not a JSON %s", te.Field, want, got)
	}
	p.Errors = []problem.FieldProblem{{Path: te.Field, Message: "wrong type"}}
	return p
}

// jsonKind names, in JSON words, the values that decode into t.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a different kind of value"
}

// pathID parses the {id} URL parameter.
func pathID(r *http.Request) (int64, error) {
	return ParseID(chi.URLParam(r, "id"))
}

// BodyTimeout is how long a JSON request body may take to arrive: a
// client sending a byte every few seconds (to hold connections open, say on
// the unauthenticated sign-in) is cut off, not waited for.
const BodyTimeout = 20 * time.Second

var bodyTimeout = BodyTimeout // shortened by a test

// BodyDeadline gives reading the request body d from now and returns the
// function that lifts the deadline once the body is read. It must be lifted:
// net/http's background read would otherwise see the deadline pass during a
// long answer and cancel the request.
func BodyDeadline(w http.ResponseWriter, d time.Duration) (lift func()) {
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(d)) != nil {
		return func() {}
	}
	return func() { _ = rc.SetReadDeadline(time.Time{}) }
}

// ParseID parses a positive decimal id.
func ParseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || len(s) > 19 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, problem.New(http.StatusBadRequest, "bad-id", "%q is not an id: ids are positive whole numbers", truncate(s, 40))
	}
	return id, nil
}

// ParseIfMatch reads the version from an If-Match header ("3" or W/"3" or 3).
// A missing header is 428: writes must name the version they were based on.
func ParseIfMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, problem.New(http.StatusPreconditionRequired, "if-match-required",
			"send If-Match with the version you edited (the ETag of the object, e.g. If-Match: \"3\"), so no one else's change is overwritten")
	}
	if h == "*" {
		return 0, problem.New(http.StatusBadRequest, "bad-if-match", "If-Match: * is not accepted: name the version you edited, e.g. If-Match: \"3\"")
	}
	v := strings.TrimPrefix(h, "W/")
	v = strings.Trim(v, `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || strings.Contains(h, ",") || len(v) > 9 {
		return 0, problem.New(http.StatusBadRequest, "bad-if-match", "If-Match %q is not a version: send the ETag you received, e.g. \"3\"", truncate(h, 40))
	}
	return n, nil
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
		if unicode.IsControl(c) { // C0, DEL and C1 (U+0080–U+009F: NEL, CSI, …)
			return fieldProblem(field, "contains a control character (U+%04X)", c)
		}
	}
	return nil
}

// checkJSONText refuses NUL characters anywhere in free JSON (attributes,
// targets, indicators): PostgreSQL's jsonb cannot store U+0000.
func checkJSONText(field string, v any) error {
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return !strings.ContainsRune(v, 0)
		case []any:
			for _, e := range v {
				if !walk(e) {
					return false
				}
			}
		case map[string]any:
			for k, e := range v {
				if strings.ContainsRune(k, 0) || !walk(e) {
					return false
				}
			}
		}
		return true
	}
	if !walk(v) {
		return fieldProblem(field, "contain a NUL character (U+0000), which cannot be stored: remove it")
	}
	return nil
}

func fieldProblem(field, format string, args ...any) *problem.Problem {
	msg := fmt.Sprintf(format, args...)
	p := problem.New(http.StatusUnprocessableEntity, "invalid-field", "%s %s", field, msg)
	p.Errors = []problem.FieldProblem{{Path: field, Message: msg}}
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
