package api_test

// The hostile and broken input corpus (testdata/badinput, described in its
// README): every case is sent to the real server over a real PostGIS and
// must be answered with the expected status and a specific problem+json
// message, with no internals in the body and the database unchanged. The
// valid-but-hostile cases (testdata/badinput/valid) run on their own server
// and must be stored verbatim without touching any other row.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// corpusCase is one request of the corpus and what it must be answered with.
type corpusCase struct {
	file string

	Name        string            `json:"name"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Role        string            `json:"role"`         // anonymous (or ""), viewer, editor, admin, editor-cookie
	Headers     map[string]string `json:"headers"`      // placeholders allowed
	ContentType *string           `json:"content_type"` // default application/json when there is a body; "" sends none
	Body        json.RawMessage   `json:"body"`         // a JSON body, sent byte for byte after placeholders
	Raw         *string           `json:"raw"`          // a text body, sent as is after placeholders
	RawBytes    *string           `json:"raw_bytes"`    // a body with \xNN escapes for bytes that are not UTF-8
	Generate    string            `json:"generate"`     // a corpusGenerated body, see corpusGenerators
	Chunked     bool              `json:"chunked"`      // send without Content-Length

	Status   int    `json:"status"`
	Detail   string `json:"detail"`   // substring of detail or of an errors[].message
	Contains string `json:"contains"` // for 2xx answers: substring of the body
	Bug      string `json:"bug"`      // id of a known bug in the README; the case fails until it is fixed

	// Valid cases only: dotted paths into the stored object (read back from
	// Location) and the exact values they must hold.
	Stored map[string]string `json:"stored"`
}

func (c corpusCase) String() string {
	s := fmt.Sprintf("%s: %s", c.file, c.Name)
	if c.Bug != "" {
		s += " [known bug " + c.Bug + ", see testdata/badinput/README.md]"
	}
	return s
}

func loadCorpus(t *testing.T, pattern string) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files match %s: %v", pattern, err)
	}
	sort.Strings(files)
	var all []corpusCase
	names := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cs []corpusCase
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range cs {
			c.file = filepath.Base(f)
			bodies := 0
			for _, set := range []bool{c.Body != nil, c.Raw != nil, c.RawBytes != nil, c.Generate != ""} {
				if set {
					bodies++
				}
			}
			switch {
			case c.Name == "" || c.Method == "" || c.Path == "" || c.Status == 0:
				t.Fatalf("%s: case %q needs name, method, path and status", f, c.Name)
			case names[c.Name]:
				t.Fatalf("%s: case name %q is used twice", f, c.Name)
			case bodies > 1:
				t.Fatalf("%s: case %q has more than one of body, raw, raw_bytes, generate", f, c.Name)
			case c.Status >= 400 && c.Detail == "":
				t.Fatalf("%s: case %q expects %d and must name a detail substring", f, c.Name, c.Status)
			}
			if _, ok := corpusGenerators[c.Generate]; c.Generate != "" && !ok {
				t.Fatalf("%s: case %q: unknown generator %q", f, c.Name, c.Generate)
			}
			names[c.Name] = true
			all = append(all, c)
		}
	}
	return all
}

// corpusFixtures are the objects the corpus refers to by placeholder.
type corpusFixtures struct {
	vars      map[string]string // placeholder name → value
	cookie    string            // editor session cookie value
	csrf      string
	revisions map[string]int64
}

// setUpCorpusFixtures creates, through the store, the objects the cases
// refer to: two free zones, a zone in a platform, a retired zone, an empty
// platform, a retired platform and a constraint layer; and an editor
// session signed in with a cookie.
func setUpCorpusFixtures(t *testing.T, e *env) *corpusFixtures {
	t.Helper()
	ctx := context.Background()
	sq := func(x, y float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + 0.02, y}, {x + 0.02, y + 0.02}, {x, y + 0.02}, {x, y}}}}
	}
	ch := store.Change{Actor: "fixture"}
	mk := func(name string, g orb.MultiPolygon) store.Zone {
		z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr("331102"), Geom: g}, ch)
		if err != nil {
			t.Fatalf("fixture zone %s: %v", name, err)
		}
		return z
	}
	zone := mk("fixture-zone", sq(119.86, 28.40))
	zone2 := mk("fixture-zone-2", sq(119.88, 28.40))
	member := mk("fixture-member", sq(119.90, 28.40))
	retired := mk("fixture-retired", sq(119.92, 28.40))
	if err := e.st.RetireZone(ctx, retired.ID, retired.Version, ch); err != nil {
		t.Fatal(err)
	}
	platform, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("fixture-platform")}, []int64{member.ID}, ch)
	if err != nil {
		t.Fatal(err)
	}
	platform2, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("fixture-platform-2")}, nil, ch)
	if err != nil {
		t.Fatal(err)
	}
	retiredP, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("fixture-retired-platform")}, nil, ch)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.RetirePlatform(ctx, retiredP.ID, retiredP.Version, ch); err != nil {
		t.Fatal(err)
	}
	layer, _, err := e.st.CreateLayer(ctx, store.Change{}, "fixture-layer", "exclude", "test", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &corpusFixtures{vars: map[string]string{}}
	set := func(name string, id int64, version int) {
		f.vars[name] = strconv.FormatInt(id, 10)
		f.vars[name+".version"] = strconv.Itoa(version)
	}
	get := func(id int64) store.Zone {
		z, err := e.st.GetZone(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	getP := func(id int64) store.Platform {
		p, err := e.st.GetPlatform(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	set("zone", zone.ID, get(zone.ID).Version)
	set("zone2", zone2.ID, get(zone2.ID).Version)
	set("member", member.ID, get(member.ID).Version)
	set("retired", retired.ID, get(retired.ID).Version)
	set("platform", platform.ID, getP(platform.ID).Version)
	set("platform2", platform2.ID, getP(platform2.ID).Version)
	set("retired_platform", retiredP.ID, getP(retiredP.ID).Version)
	set("layer", layer.ID, layer.Version)
	hist, err := e.st.History(ctx, "platform", platform.ID)
	if err != nil || len(hist) == 0 {
		t.Fatalf("platform history: %v", err)
	}
	f.vars["platform_revision"] = strconv.FormatInt(hist[0].ID, 10)

	// An editor signed in with a cookie, for the CSRF cases.
	b := e.browser()
	r := b.login("editor1", testPassword)
	if r.status != http.StatusOK {
		t.Fatalf("editor login: %d %s", r.status, r.body)
	}
	for _, c := range r.header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, api.SessionCookie+"="); ok {
			f.cookie, _, _ = strings.Cut(v, ";")
		}
	}
	if f.cookie == "" {
		t.Fatal("login set no session cookie")
	}
	f.csrf = b.csrf
	f.vars["csrf"] = b.csrf
	return f
}

var (
	corpusNumberPlaceholder = regexp.MustCompile(`"#([a-z_0-9.]+)"`)
	corpusTextPlaceholder   = regexp.MustCompile(`\{([a-z_0-9.]+)\}`)
	corpusRepeatPlaceholder = regexp.MustCompile(`\{repeat:([^:}]+):(\d+)\}`)
)

// expand fills in placeholders: "#zone" (with its quotes) becomes the bare
// number, {zone} the text of the id, {zone.version} its version and
// {repeat:a:201} 201 times "a".
func (f *corpusFixtures) expand(t *testing.T, s string) string {
	t.Helper()
	s = corpusRepeatPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		p := corpusRepeatPlaceholder.FindStringSubmatch(m)
		n, _ := strconv.Atoi(p[2])
		return strings.Repeat(p[1], n)
	})
	lookup := func(name string) string {
		v, ok := f.vars[name]
		if !ok {
			t.Fatalf("unknown placeholder %q", name)
		}
		return v
	}
	s = corpusNumberPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		return lookup(corpusNumberPlaceholder.FindStringSubmatch(m)[1])
	})
	return corpusTextPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		return lookup(corpusTextPlaceholder.FindStringSubmatch(m)[1])
	})
}

var corpusHexEscape = regexp.MustCompile(`\\x([0-9a-fA-F]{2})`)

func (c corpusCase) body(t *testing.T, f *corpusFixtures) []byte {
	t.Helper()
	switch {
	case c.Body != nil:
		return []byte(f.expand(t, string(c.Body)))
	case c.Raw != nil:
		return []byte(f.expand(t, *c.Raw))
	case c.RawBytes != nil:
		return corpusHexEscape.ReplaceAllFunc([]byte(f.expand(t, *c.RawBytes)), func(m []byte) []byte {
			n, _ := strconv.ParseUint(string(m[2:]), 16, 8)
			return []byte{byte(n)}
		})
	case c.Generate != "":
		return corpusGenerated(c.Generate)
	}
	return nil
}

type corpusAnswer struct {
	status  int
	header  http.Header
	body    []byte
	request string // what was sent, for the corpusInternals check
	elapsed time.Duration
}

// send sends one case to e's server.
func (c corpusCase) send(t *testing.T, e *env, f *corpusFixtures) (corpusAnswer, error) {
	t.Helper()
	body := c.body(t, f)
	path := f.expand(t, c.Path)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if c.Chunked {
			rd = struct{ io.Reader }{rd} // hides the length: sent chunked
		}
	}
	hr, err := http.NewRequest(c.Method, e.srv.URL+path, rd)
	if err != nil {
		return corpusAnswer{}, err
	}
	switch {
	case c.ContentType != nil:
		if *c.ContentType != "" {
			hr.Header.Set("Content-Type", *c.ContentType)
		}
	case body != nil:
		hr.Header.Set("Content-Type", "application/json")
	}
	switch c.Role {
	case "", "anonymous":
	case "viewer", "editor", "admin":
		hr.Header.Set("Authorization", "Bearer "+e.tokens[c.Role])
	case "editor-cookie":
		hr.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: f.cookie})
	default:
		t.Fatalf("%s: unknown role %q", c, c.Role)
	}
	var hdrs strings.Builder
	for k, v := range c.Headers {
		v = f.expand(t, v)
		hr.Header.Set(k, v)
		fmt.Fprintf(&hdrs, "%s: %s\n", k, v)
	}
	start := time.Now()
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		return corpusAnswer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return corpusAnswer{}, err
	}
	req := path + "\n" + hdrs.String()
	if len(body) < 1<<20 {
		req += string(body)
	}
	return corpusAnswer{status: res.StatusCode, header: res.Header, body: b, request: req, elapsed: time.Since(start)}, nil
}

// corpusInternals must never appear in an answer (unless the request itself
// carried them and they are echoed as data).
var corpusInternals = []string{"pgx", "pgconn", "SQLSTATE", "goroutine", "panic", "runtime.", ".go:", "SELECT ", "INSERT ", "UPDATE ",
	"DELETE FROM", "Go value", "Go struct", "api.", "store.", "geomcheck.", "map[string]", "interface {}", "[]int64", "*errors"}

// check returns what is wrong with an answer to c.
func (c corpusCase) check(a corpusAnswer) []string {
	var bad []string
	short := string(a.body)
	if len(short) > 600 {
		short = short[:600] + "…"
	}
	if a.status != c.Status {
		bad = append(bad, fmt.Sprintf("status %d, want %d", a.status, c.Status))
	}
	for _, s := range corpusInternals {
		if strings.Contains(string(a.body), s) && !strings.Contains(a.request, s) {
			bad = append(bad, fmt.Sprintf("the answer shows corpusInternals (%q)", s))
		}
	}
	if a.header.Get("X-Content-Type-Options") != "nosniff" {
		bad = append(bad, "no X-Content-Type-Options: nosniff")
	}
	if a.status >= 400 {
		if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			bad = append(bad, fmt.Sprintf("Content-Type %q, want application/problem+json", ct))
		}
		var p struct {
			Type, Title, Detail string
			Status              int
			RequestID           string `json:"request_id"`
			Errors              []struct{ Path, Message string }
		}
		if err := json.Unmarshal(a.body, &p); err != nil {
			bad = append(bad, fmt.Sprintf("the body is not JSON: %v", err))
		} else {
			if p.RequestID == "" || p.RequestID != a.header.Get("X-Request-Id") {
				bad = append(bad, fmt.Sprintf("request_id %q, want the X-Request-Id %q", p.RequestID, a.header.Get("X-Request-Id")))
			}
			if p.Status != a.status {
				bad = append(bad, fmt.Sprintf("status member %d, HTTP status %d", p.Status, a.status))
			}
			if p.Type == "" || p.Title == "" {
				bad = append(bad, "type or title missing")
			}
			if len(p.Detail) > 1000 {
				bad = append(bad, fmt.Sprintf("the detail echoes too much input (%d bytes)", len(p.Detail)))
			}
			found := strings.Contains(p.Detail, c.Detail)
			for _, fp := range p.Errors {
				found = found || strings.Contains(fp.Message, c.Detail)
			}
			if !found {
				bad = append(bad, fmt.Sprintf("detail does not contain %q", c.Detail))
			}
		}
	} else {
		if ct := a.header.Get("Content-Type"); a.status != http.StatusNoContent && !strings.Contains(ct, "json") {
			bad = append(bad, fmt.Sprintf("Content-Type %q, want JSON", ct))
		}
		if c.Contains != "" && !strings.Contains(string(a.body), c.Contains) {
			bad = append(bad, fmt.Sprintf("body does not contain %q", c.Contains))
		}
	}
	if len(bad) > 0 {
		bad = append(bad, "answer: "+short)
	}
	return bad
}

// corpusDump fingerprints every table of the public schema (except PostGIS's
// spatial_ref_sys), in one query: row count and an md5 of the sorted rows.
// Columns that change on every read (a token's last use) are left out.
func corpusDump(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := context.Background()
	var parts []string
	for _, tb := range corpusTables(t, pool) {
		parts = append(parts, fmt.Sprintf(`SELECT %s::text, count(*), md5(coalesce(string_agg(x, E'\n' ORDER BY x), ''))
			FROM (SELECT (to_jsonb(t) - 'last_used_at')::text AS x FROM %s t) s`,
			corpusQuote(tb), pgx.Identifier{tb}.Sanitize()))
	}
	rows, err := pool.Query(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	defer rows.Close()
	dump := map[string]string{}
	for rows.Next() {
		var tb, sum string
		var n int64
		if err := rows.Scan(&tb, &n, &sum); err != nil {
			t.Fatal(err)
		}
		dump[tb] = fmt.Sprintf("%d rows, md5 %s", n, sum)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dump: %v", err)
	}
	return dump
}

func corpusQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// corpusTables lists the tables of the public schema but PostGIS's own.
func corpusTables(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

func corpusDiff(before, after map[string]string) []string {
	var d []string
	for tb, b := range before {
		if a := after[tb]; a != b {
			d = append(d, fmt.Sprintf("%s: %s → %s", tb, b, a))
		}
	}
	for tb, a := range after {
		if _, ok := before[tb]; !ok {
			d = append(d, fmt.Sprintf("%s: new table (%s)", tb, a))
		}
	}
	sort.Strings(d)
	return d
}

// TestBadInputCorpus sends every bad request of testdata/badinput to the
// real server. Each must get its status and a specific problem+json message,
// none may change the database, and the server must stay healthy.
func TestBadInputCorpus(t *testing.T) {
	start := time.Now()
	e := newEnv(t, api.Options{})
	cases := loadCorpus(t, "testdata/badinput/*.json")
	if len(cases) < 150 {
		t.Errorf("the corpus holds %d cases; at least 150 are required", len(cases))
	}
	f := setUpCorpusFixtures(t, e)
	pool := e.st.Pool()
	first := corpusDump(t, pool)
	before := first
	var slowest corpusAnswer
	var slowestCase string
	byRequest := map[string]corpusCase{} // request id → case, to name the case of a logged error
	for _, c := range cases {
		a, err := c.send(t, e, f)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		byRequest[a.header.Get("X-Request-Id")] = c
		if a.elapsed > slowest.elapsed {
			slowest, slowestCase = a, c.Name
		}
		if a.elapsed > 2*time.Second {
			t.Logf("%s took %v", c, a.elapsed.Round(time.Millisecond))
		}
		c.Detail, c.Contains = f.expand(t, c.Detail), f.expand(t, c.Contains)
		if bad := c.check(a); len(bad) > 0 {
			t.Errorf("%s:\n\t%s", c, strings.Join(bad, "\n\t"))
		}
		after := corpusDump(t, pool)
		if d := corpusDiff(before, after); len(d) > 0 {
			t.Errorf("%s changed the database:\n\t%s", c, strings.Join(d, "\n\t"))
			before = after
		}
	}
	if d := corpusDiff(first, corpusDump(t, pool)); len(d) > 0 {
		t.Errorf("the database differs after the corpus:\n\t%s", strings.Join(d, "\n\t"))
	}
	res, err := http.Get(e.srv.URL + "/healthz")
	if err != nil {
		t.Fatalf("healthz after the corpus: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("healthz after the corpus: %d", res.StatusCode)
	}
	e.srv.Close() // waits for the handlers, so the log is complete
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if !strings.Contains(line, "level=ERROR") {
			continue
		}
		var c corpusCase
		if m := corpusLogRequestID.FindStringSubmatch(line); m != nil {
			c = byRequest[m[1]]
		}
		t.Errorf("%s: the server logged an error: %s", c, corpusTruncate(line, 500))
	}
	t.Logf("%d cases in %v (slowest: %s, %v)", len(cases), time.Since(start).Round(time.Millisecond), slowestCase, slowest.elapsed.Round(time.Millisecond))
}

var corpusLogRequestID = regexp.MustCompile(`request_id=([0-9a-f]+)`)

func corpusTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// corpusRows is every row of every table, as a multiset of JSON texts.
func corpusRows(t *testing.T, pool *pgxpool.Pool) map[string]map[string]int {
	t.Helper()
	ctx := context.Background()
	set := map[string]map[string]int{}
	for _, tb := range corpusTables(t, pool) {
		rows, err := pool.Query(ctx, `SELECT (to_jsonb(t) - 'last_used_at')::text FROM `+pgx.Identifier{tb}.Sanitize()+` t`)
		if err != nil {
			t.Fatal(err)
		}
		xs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		set[tb] = map[string]int{}
		for _, x := range xs {
			set[tb][x]++
		}
	}
	return set
}

// corpusLookup follows a dotted path ("properties.name") through decoded JSON.
func corpusLookup(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TestHostileButValidInput stores names and texts full of SQL and HTML
// metacharacters. They are data: stored verbatim, returned JSON-escaped
// (never as markup), and no other row changes.
func TestHostileButValidInput(t *testing.T) {
	e := newEnv(t, api.Options{})
	cases := loadCorpus(t, "testdata/badinput/valid/*.json")
	f := setUpCorpusFixtures(t, e)
	pool := e.st.Pool()
	before := corpusRows(t, pool)
	created := map[string]int{}
	for _, c := range cases {
		a, err := c.send(t, e, f)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		c.Detail, c.Contains = f.expand(t, c.Detail), f.expand(t, c.Contains)
		if bad := c.check(a); len(bad) > 0 {
			t.Errorf("%s:\n\t%s", c, strings.Join(bad, "\n\t"))
			continue
		}
		if a.status != http.StatusCreated {
			continue
		}
		switch {
		case strings.HasPrefix(c.Path, "/api/v1/zones"):
			created["zone"]++
		case strings.HasPrefix(c.Path, "/api/v1/platforms"):
			created["platform"]++
		}
		loc := a.header.Get("Location")
		if loc == "" {
			t.Errorf("%s: no Location", c)
			continue
		}
		got := e.do(req{method: "GET", path: loc, role: "viewer"})
		for _, body := range [][]byte{a.body, got.body} {
			if bytes.ContainsAny(body, "<>") {
				t.Errorf("%s: an answer holds unescaped < or >: %s", c, corpusTruncate(string(body), 300))
			}
		}
		var obj any
		if err := json.Unmarshal(got.body, &obj); err != nil {
			t.Errorf("%s: GET %s: %v", c, loc, err)
			continue
		}
		for path, want := range c.Stored {
			want = f.expand(t, want)
			v, ok := corpusLookup(obj, path)
			if s, _ := v.(string); !ok || s != want {
				t.Errorf("%s: %s is %#v, want %q (verbatim)", c, path, v, want)
			}
		}
	}
	// The lists carry every hostile name, escaped.
	for _, path := range []string{"/api/v1/zones", "/api/v1/platforms", "/api/v1/zones/" + f.vars["zone"] + "/history"} {
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if r.status != http.StatusOK || bytes.ContainsAny(r.body, "<>") {
			t.Errorf("GET %s: %d, unescaped markup: %v", path, r.status, bytes.ContainsAny(r.body, "<>"))
		}
	}
	// Every row that was there before is still there, unchanged; the only new
	// rows are the created zones and platforms and their revisions.
	after := corpusRows(t, pool)
	for tb, rows := range before {
		for row, n := range rows {
			if after[tb][row] < n {
				t.Errorf("table %s: a row changed or vanished: %s", tb, corpusTruncate(row, 300))
			}
		}
		added := 0
		for _, n := range after[tb] {
			added += n
		}
		for _, n := range rows {
			added -= n
		}
		want := created[tb]
		if tb == "revision" {
			want = created["zone"] + created["platform"]
		}
		if added != want {
			t.Errorf("table %s: %d rows added, want %d", tb, added, want)
		}
	}
}

var (
	corpusGeneratedMu     sync.Mutex
	corpusGeneratedBodies = map[string][]byte{}
)

// corpusGenerated returns the body a generator makes, made once per test binary.
func corpusGenerated(name string) []byte {
	corpusGeneratedMu.Lock()
	defer corpusGeneratedMu.Unlock()
	b, ok := corpusGeneratedBodies[name]
	if !ok {
		b = corpusGenerators[name]()
		corpusGeneratedBodies[name] = b
	}
	return b
}

// corpusGenerators make the bodies too big to write by hand.
var corpusGenerators = map[string]func() []byte{
	// 1,000,000 positions at full precision: about 25 MB, over the 8 MB limit.
	"polygon_1M_vertices": func() []byte { return corpusFeature(corpusCircle(1_000_000, 9)) },
	// 1,000,000 positions written as compactly as possible: under 8 MB,
	// so the position limit, not the body limit, refuses it.
	"polygon_1M_vertices_compact": func() []byte {
		var b bytes.Buffer
		b.WriteString(`{"type":"Polygon","coordinates":[[`)
		for i := range 1_000_000 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("[99,9]")
		}
		b.WriteString(`]]}`)
		return b.Bytes()
	},
	// 300,000 positions, about 6.5 MB: under the body limit, over the position limit.
	"polygon_300k_vertices":   func() []byte { return corpusFeature(corpusCircle(300_000, 5)) },
	"polygon_200000_vertices": func() []byte { return corpusGeometry(corpusCircle(200_000, 9)) },
	"polygon_200001_vertices": func() []byte { return corpusGeometry(corpusCircle(200_001, 9)) },
	"multipolygon_10000_parts": func() []byte {
		return corpusSquares(10_000)
	},
	"multipolygon_10001_parts": func() []byte {
		return corpusSquares(10_001)
	},
	"polygon_10001_rings": func() []byte {
		var b bytes.Buffer
		b.WriteString(`{"type":"Polygon","coordinates":[[[119.0,28.0],[120.0,28.0],[120.0,29.0],[119.0,29.0],[119.0,28.0]]`)
		for i := range 10_000 {
			x, y := 119.01+float64(i%100)*0.009, 28.01+float64(i/100)*0.009
			fmt.Fprintf(&b, `,[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]`, x, y, x, y+0.004, x+0.004, y+0.004, x, y)
		}
		b.WriteString(`]}`)
		return b.Bytes()
	},
	"deep_nesting_100000": func() []byte {
		return []byte(strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000))
	},
	"deep_nesting_100000_objects": func() []byte {
		return []byte(strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000))
	},
	"deep_nesting_unclosed": func() []byte { return []byte(strings.Repeat("[", 1_000_000)) },
	// A zone feature whose attributes nest 17 levels in all.
	"zone_nesting_17": func() []byte {
		return []byte(`{"type":"Feature","geometry":null,"properties":{"attributes":` + corpusNested(15) + `}}`)
	},
	// A measure Feature nested 16 levels in all (accepted) and 17 (refused).
	"measure_nesting_16": func() []byte {
		return []byte(`{"type":"Feature","geometry":` + validPolygon + `,"properties":` + corpusNested(15) + `}`)
	},
	"measure_nesting_17": func() []byte {
		return []byte(`{"type":"Feature","geometry":` + validPolygon + `,"properties":` + corpusNested(16) + `}`)
	},
	// A valid feature padded with spaces to one byte over 8 MB.
	"body_over_limit": func() []byte { return corpusPad(corpusFeature(corpusCircle(5, 9)), api.MaxBodyBytes+1) },
	// A valid measure body padded to exactly 8 MB: accepted.
	"body_at_limit": func() []byte { return corpusPad([]byte(validPolygon), api.MaxBodyBytes) },
	"zone_ids_1001": func() []byte { return corpusIDs("zone_ids", 1001, "") },
	"members_1001":  func() []byte { return corpusIDs("zone_ids", 1001, "") },
	"platform_zone_ids_1001": func() []byte {
		return corpusIDs("zone_ids", 1001, `"name":"too many members",`)
	},
	"split_line_10001": func() []byte {
		var b bytes.Buffer
		b.WriteString(`{"line":{"type":"LineString","coordinates":[`)
		for i := range 10_001 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[119.87,%.6f]", 28.3+float64(i)*0.00002)
		}
		b.WriteString(`]}}`)
		return b.Bytes()
	},
}

// corpusCircle is a closed ring of n positions (the last repeats the first) around
// 丽水, written with prec decimals.
func corpusCircle(n, prec int) string {
	b := make([]byte, 0, n*(2*prec+12))
	b = append(b, "[["...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		a := 2 * math.Pi * float64(i) / float64(n-1)
		if i == n-1 {
			a = 0
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, 119.9+0.05*math.Cos(a), 'f', prec, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, 28.45+0.05*math.Sin(a), 'f', prec, 64)
		b = append(b, ']')
	}
	return string(append(b, "]]"...))
}

func corpusGeometry(rings string) []byte {
	return []byte(`{"type":"Polygon","coordinates":` + rings + `}`)
}

func corpusFeature(rings string) []byte {
	return []byte(`{"type":"Feature","geometry":` + string(corpusGeometry(rings)) +
		`,"properties":{"kind":"park","name":"big","county_adcode":"331102"}}`)
}

func corpusSquares(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"MultiPolygon","coordinates":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		x, y := 119.0+float64(i%200)*0.005, 28.0+float64(i/200)*0.005
		fmt.Fprintf(&b, `[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]]`, x, y, x+0.002, y, x+0.002, y+0.002, x, y)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// corpusNested is an object nested depth levels deep.
func corpusNested(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + `{}` + strings.Repeat(`}`, depth-1)
}

func corpusPad(b []byte, size int) []byte {
	return append(b, bytes.Repeat([]byte(" "), size-len(b))...)
}

func corpusIDs(field string, n int, prefix string) []byte {
	var b bytes.Buffer
	b.WriteString(`{` + prefix + `"` + field + `":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i + 1))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}
