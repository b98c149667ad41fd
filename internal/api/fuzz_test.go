package api

// Fuzz tests of every parser of outside input in this package: the query
// parameters, the If-Match header, path ids, and the JSON body decoding
// with the zone-feature checks behind it. The seeds run with every
// `go test`; `go test -run=^$ -fuzz=FuzzParseIfMatch -fuzztime=20s ./internal/api/`
// explores further. None of them needs the database.

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"wanmu/internal/geomcheck"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// checkProblem fails unless err is a *problem.Problem with a 4xx status and a
// message that can be sent as JSON.
func checkProblem(t *testing.T, input string, err error) *problem.Problem {
	t.Helper()
	if len(input) > 200 {
		input = input[:200] + "…"
	}
	var p *problem.Problem
	if !errors.As(err, &p) {
		t.Fatalf("%q: error %T (%v) is not a *problem.Problem", input, err, err)
	}
	if p.Status < 400 || p.Status > 499 {
		t.Fatalf("%q: status %d, want 4xx", input, p.Status)
	}
	if p.Detail == "" || p.Type == "" || p.Title == "" {
		t.Fatalf("%q: incomplete problem %+v", input, p)
	}
	if !utf8.ValidString(p.Detail) {
		t.Fatalf("%q: detail is not valid UTF-8: %q", input, p.Detail)
	}
	if len(p.Detail) > 400 {
		t.Fatalf("%q: detail of %d bytes echoes too much input", input, len(p.Detail))
	}
	return p
}

func FuzzParseIfMatch(f *testing.F) {
	for _, s := range []string{"", " ", `"1"`, "1", `W/"3"`, `"999999999"`, `"1000000000"`, "*", "abc", `"1", "2"`, `W/"x"`,
		`"0"`, `"-1"`, `"+1"`, `"1.0"`, `""`, `"１"`, `"1`, `1"`, `W/`, `w/"1"`, "\"1\"\x00", "\t\"7\"\n", `"0x1"`, `"1e3"`,
		`"` + strings.Repeat("1", 100) + `"`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		v, err := ParseIfMatch(h)
		if err != nil {
			p := checkProblem(t, h, err)
			if strings.TrimSpace(h) == "" && p.Status != http.StatusPreconditionRequired {
				t.Fatalf("%q: a missing If-Match is %d, want 428", h, p.Status)
			}
			return
		}
		if v < 1 || v > 999_999_999 {
			t.Fatalf("%q: version %d out of range", h, v)
		}
		if strings.Contains(h, ",") || strings.TrimSpace(h) == "*" {
			t.Fatalf("%q: accepted as version %d", h, v)
		}
		// The version is the number the header names, nothing else.
		digits := strings.Trim(strings.TrimPrefix(strings.TrimSpace(h), "W/"), `"`)
		if n, err := strconv.Atoi(digits); err != nil || n != v {
			t.Fatalf("%q: version %d, but the header holds %q", h, v, digits)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "42", "007", "0", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x10", "9223372036854775807",
		"9223372036854775808", "99999999999999999999", "..%2F..%2Fetc%2Fpasswd", "1;DROP TABLE zone", "１", "\xff", "", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if p := checkProblem(t, s, err); p.Status != http.StatusBadRequest {
				t.Fatalf("%q: status %d, want 400", s, p.Status)
			}
			return
		}
		if id <= 0 {
			t.Fatalf("%q: id %d", s, id)
		}
		if strings.Trim(s, "0123456789") != "" {
			t.Fatalf("%q: accepted with characters other than digits", s)
		}
		if got, _ := strconv.ParseInt(s, 10, 64); got != id {
			t.Fatalf("%q: id %d, want %d", s, id, got)
		}
	})
}

func FuzzParseZoneFilter(f *testing.F) {
	for _, s := range []string{"", "kind=park", "kind=township&county=331102", "platform=none", "platform=3", "bbox=119,28,120,29",
		"retired=true", "retired=0", "limit=10", "limit=100000", "kind=foo", "county=abc", "limit=-1", "limit=0", "limit=100001",
		"platform=abc", "platform=-1", "retired=maybe", "sort=name", "bbox=1,2,3", "bbox=NaN,28,120,29", "bbox=120,28,119,29",
		"kind=park&kind=foo", "kind=", "county=", "bbox=", "KIND=park", "kind=%FF", "%00=1", "kind=park&x=1", "limit=1e3",
		"sort=-area&after=3&after_key=1.5e%2B06", "sort=area&after=3", "after=3&after_key=1", "sort=area&after=3&after_key=NaN",
		"sort=name&after=3&after_key=%E4%B8%AD", "sort=name&after=3&after_key=%FF", "sort=document&after=3&after_key="} {
		f.Add(s)
	}
	known := map[string]bool{"kind": true, "county": true, "platform": true, "bbox": true, "retired": true, "limit": true, "q": true, "after": true, "after_key": true, "disposition": true, "sort": true}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http refuses such a query before it reaches us
		}
		zf, err := ParseZoneFilter(q)
		if err != nil {
			if p := checkProblem(t, raw, err); p.Status != http.StatusBadRequest {
				t.Fatalf("%q: status %d, want 400", raw, p.Status)
			}
			return
		}
		for k := range q {
			if !known[k] {
				t.Fatalf("%q: unknown parameter %q accepted", raw, k)
			}
		}
		if zf.Kind != "" && zf.Kind != "park" && zf.Kind != "township" {
			t.Fatalf("%q: kind %q", raw, zf.Kind)
		}
		if zf.County != "" && !validAdcode(zf.County) {
			t.Fatalf("%q: county %q", raw, zf.County)
		}
		if zf.PlatformID < -1 {
			t.Fatalf("%q: platform %d", raw, zf.PlatformID)
		}
		if zf.Limit < 0 || zf.Limit > 100000 {
			t.Fatalf("%q: limit %d", raw, zf.Limit)
		}
		if b := zf.BBox; b != nil && (b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || b.Min[0] < -180 || b.Max[0] > 180 ||
			b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] != b.Min[0] || b.Max[1] != b.Max[1]) {
			t.Fatalf("%q: bbox %v", raw, b)
		}
		// A page after a zone under a sort other than id always knows the
		// key value it continues after, and that value reads as the key's type.
		sorted := zf.Sort != "" && zf.Sort != "id"
		if _, has := q["after_key"]; has != (sorted && zf.After > 0) {
			t.Fatalf("%q: after_key given %v, sort %q, after %d accepted", raw, has, zf.Sort, zf.After)
		}
		if sorted && zf.After > 0 {
			if _, err := store.ParseZoneSortValue(zf.Sort, zf.AfterKey); err != nil {
				t.Fatalf("%q: after_key %q accepted: %v", raw, zf.AfterKey, err)
			}
		}
	})
}

// jsonDepth is the nesting depth of valid JSON, counted by the standard decoder.
func jsonDepth(b []byte) int {
	dec := json.NewDecoder(bytes.NewReader(b))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			deepest = max(deepest, depth)
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
}

func FuzzNestingDepth(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `[[[]]]`, `{"a":{"b":[1,{"c":[]}]}}`, `"[[[["`, `"\"[["`, `"\\"`, `{"a\"[":"]}"}`,
		`[1,"]]]]",[2]]`, `"\\\"[" `, "\"\\u005b\"", `[` + strings.Repeat(`"\\"`, 3) + `]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := nestingDepth(b) // must not panic on anything
		if !json.Valid(b) {
			return
		}
		if want := jsonDepth(b); got != want {
			t.Fatalf("nestingDepth(%q) = %d, the decoder counts %d", b, got, want)
		}
	})
}

// FuzzZoneFeature drives the body of POST/PUT/PATCH /zones through the
// same decoding and checks as the handlers, up to the database.
func FuzzZoneFeature(f *testing.F) {
	poly := `{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]]}`
	for _, s := range []string{
		`{"type":"Feature","geometry":` + poly + `,"properties":{"kind":"park","name":"x","county_adcode":"331102"}}`,
		`{"type":"Feature","geometry":` + poly + `,"properties":{"kind":"township","name":" 碧湖 ","county_adcode":"331121","disposition":"并","approved_area_ha":12.5,"document_no":"丽政办发〔2020〕55号","attributes":{"a":[1,{"b":null}]}},"reason":"r"}`,
		`{"type":"Feature","properties":{"name":"y"}}`,
		`{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]]]}}`,
		`{"type":"FeatureCollection","features":[]}`, `{"type":"Polygon","coordinates":[]}`, `[]`, `null`, `{}`, ``, `{`,
		`{"type":"Feature","geometry":"POLYGON EMPTY"}`, `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1e999,28.40],[119.88,28.40],[119.88,28.42],[1e999,28.40]]]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[["NaN",28.40],[119.88,28.40],[119.88,28.42],["NaN",28.40]]]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[40492359.95,3148425.44],[40492459.95,3148425.44],[40492459.95,3148525.44],[40492359.95,3148425.44]]]}}`,
		`{"type":"Feature","properties":{"name":"a\u0000b"}}`, `{"type":"Feature","properties":{"name":"a\u0085b"}}`,
		`{"type":"Feature","properties":{"attributes":{"k":"\u0000"}}}`, `{"type":"Feature","properties":{"colour":"red"}}`,
		`{"type":"Feature","properties":{"approved_area_ha":-1}}`, `{"type":"Feature","reason":"` + strings.Repeat("x", 2001) + `"}`,
		"\ufeff{}", "{\"type\":\"Feature\"}\xff", `[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]`,
		// Bug B15 (testdata/badinput/README.md): the unknown field is echoed whole.
		`{"type":"Feature","` + strings.Repeat("k", 5000) + `":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, full := range []bool{true, false} {
			r := httptest.NewRequest(http.MethodPost, "/api/v1/zones", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			var zf zoneFeature
			if err := decodeJSON(httptest.NewRecorder(), r, &zf); err != nil {
				checkProblem(t, string(body), err)
				return
			}
			fields, err := zf.fields(full, nil)
			if err != nil {
				var ge *geomcheck.Error
				if errors.As(err, &ge) {
					if ge.Message == "" {
						t.Fatalf("%q: empty geometry error", body)
					}
					continue
				}
				checkProblem(t, string(body), err)
				continue
			}
			if full && (fields.Kind == nil || fields.Name == nil || fields.CountyAdcode == nil || len(fields.Geom) == 0) {
				t.Fatalf("%q: a full zone without kind, name, county or geometry: %+v", body, fields)
			}
			if n := fields.Name; n != nil {
				if *n == "" || utf8.RuneCountInString(*n) > MaxNameLength || strings.TrimSpace(*n) != *n || strings.ContainsFunc(*n, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
					t.Fatalf("%q: name %q accepted", body, *n)
				}
			}
			if a := fields.Attributes; a != nil {
				if raw, _ := json.Marshal(a); len(raw) > 64<<10 {
					t.Fatalf("%q: %d bytes of attributes accepted", body, len(raw))
				}
			}
			for _, p := range fields.Geom {
				for _, ring := range p {
					if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
						t.Fatalf("%q: bad ring accepted: %v", body, ring)
					}
				}
			}
		}
	})
}

// FuzzParseCompared: the scenarios to compare (?ids=0,3,5) are 2 to
// MaxCompared distinct ids, or a 400 problem.
func FuzzParseCompared(f *testing.F) {
	for _, s := range []string{"ids=0,3", "ids=0,3,5", "ids=0", "ids=", "ids=0,0", "ids=0,x", "ids=0,-1", "ids=0,1,2,3,4,5,6",
		"ids=0,3&x=1", "ids=%200,%203", "ids=99999999999999999999,1", "x=1", "ids=1,,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		r := &http.Request{URL: &url.URL{RawQuery: q.Encode()}}
		ids, err := parseCompared(r)
		if err != nil {
			if p := checkProblem(t, raw, err); p.Status != http.StatusBadRequest {
				t.Fatalf("%q: status %d, want 400", raw, p.Status)
			}
			return
		}
		if len(ids) < 2 || len(ids) > MaxCompared {
			t.Fatalf("%q: %d ids accepted", raw, len(ids))
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			if id < 0 || seen[id] {
				t.Fatalf("%q: ids %v", raw, ids)
			}
			seen[id] = true
		}
	})
}

// FuzzParseDiffed: ?a=&b= of GET /scenarios/diff is two distinct ids ≥ 0
// or a 400 problem.
func FuzzParseDiffed(f *testing.F) {
	for _, s := range []string{"a=0&b=3", "a=3&b=0", "a=0&b=0", "a=0", "b=1", "a=x&b=1", "a=-1&b=2", "a=0&b=3&c=1",
		"a=%200&b=1", "a=99999999999999999999&b=1", "a=1&a=2&b=3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		r := &http.Request{URL: &url.URL{RawQuery: q.Encode()}}
		a, b, err := parseDiffed(r)
		if err != nil {
			if p := checkProblem(t, raw, err); p.Status != http.StatusBadRequest {
				t.Fatalf("%q: status %d, want 400", raw, p.Status)
			}
			return
		}
		if a < 0 || b < 0 || a == b {
			t.Fatalf("%q: accepted a=%d b=%d", raw, a, b)
		}
	})
}

// FuzzParseSharedVertices: a zone update's shared_vertices (the vertices
// its neighbours move with it) is a bounded list of finite positions, each
// with a new finite position or none; anything else is a 422 problem naming
// the entry, never a panic.
func FuzzParseSharedVertices(f *testing.F) {
	for _, s := range []string{`[{"from":[119.86,28.4],"to":[119.87,28.41]}]`, `[{"from":[1,2],"to":null}]`, `null`, `[]`,
		`[{"from":[1,2]}]`, `[{"from":[1],"to":[1,2]}]`, `[{"from":[1,2,3],"to":[1,2]}]`, `[{"from":[1,2],"to":"x"}]`,
		`[{"from":[1e999,2],"to":[1,2]}]`, `[{"from":[1,2],"to":[1,2],"x":1}]`, `{"from":[1,2]}`, `[`, `"a"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		moves, err := parseSharedVertices(raw)
		if err != nil {
			if p := checkProblem(t, string(raw), err); p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("%q: status %d, want 422", raw, p.Status)
			}
			return
		}
		if len(moves) > store.MaxSharedVertices {
			t.Fatalf("%q: %d moves accepted", raw, len(moves))
		}
		finite := func(p orb.Point) bool {
			return !math.IsNaN(p[0]) && !math.IsInf(p[0], 0) && !math.IsNaN(p[1]) && !math.IsInf(p[1], 0)
		}
		for _, m := range moves {
			if !finite(m.From) || (m.To != nil && !finite(*m.To)) {
				t.Fatalf("%q: a move %+v with a position that is not finite", raw, m)
			}
		}
	})
}
