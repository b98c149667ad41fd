package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/api"
	"wanmu/internal/auth"
	"wanmu/internal/change"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// instance is one API server of a test, with its *api.Server at hand.
type instance struct {
	*env
	api *api.Server
	bus *change.Bus
}

// newInstance starts an API server over pool like newEnv, keeping the
// server; with a bus it listens on pool and waits for each write's change
// to be heard, as wanmu serve does. Users and tokens are created only when
// seed is true (the first instance on a database).
func newInstance(t *testing.T, pool *pgxpool.Pool, opts api.Options, withBus, seed bool) *instance {
	t.Helper()
	st := store.New(pool)
	logs := &bytes.Buffer{}
	opts.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil))
	var bus *change.Bus
	if withBus {
		bus = &change.Bus{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); bus.Listen(ctx, pool, nil) }()
		t.Cleanup(func() { cancel(); <-done })
		deadline := time.Now().Add(30 * time.Second)
		for !bus.Connected() {
			if time.Now().After(deadline) {
				t.Fatal("the change bus did not connect")
			}
			time.Sleep(5 * time.Millisecond)
		}
		opts.Bus = bus
		opts.AfterWrite = func(ctx context.Context) error { return bus.Sync(ctx, pool) }
	}
	a := api.New(st, opts)
	r := chi.NewRouter()
	r.Use(api.Middleware(opts.Logger)...)
	r.Get("/healthz", a.Healthz)
	r.Mount("/api/v1", a.Routes())
	e := &env{t: t, st: st, srv: httptest.NewServer(r), tokens: map[string]string{}, logs: logs}
	t.Cleanup(e.srv.Close)
	if seed {
		hash, err := auth.HashPassword(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range []string{auth.Viewer, auth.Editor, auth.Admin} {
			if _, err := st.CreateUser(context.Background(), role+"1", role, nil, hash); err != nil {
				t.Fatal(err)
			}
			secret := auth.NewSecret()
			if _, err := st.CreateToken(context.Background(), role+"1", auth.HashSecret(secret), "test"); err != nil {
				t.Fatal(err)
			}
			e.tokens[role] = secret
		}
	}
	return &instance{env: e, api: a, bus: bus}
}

// lockedWriter lets the server's goroutines log into one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// signIn posts a sign-in from addr (the server trusts X-Forwarded-For).
func (b *browser) signIn(user, password, addr string) resp {
	b.e.t.Helper()
	r := b.do("POST", "/api/v1/auth/login", `{"username":"`+user+`","password":"`+password+`"}`, map[string]string{"X-Forwarded-For": addr})
	if r.status == 200 {
		b.csrf, _ = r.json(b.e.t)["csrf_token"].(string)
	}
	return r
}

// burst sends one sign-in per password at once, each from a browser of
// its own at addr, and returns the answers.
func burst(e *env, user, addr string, passwords []string) []resp {
	out := make([]resp, len(passwords))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, pw := range passwords {
		b := e.browser()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = b.signIn(user, pw, addr)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// statuses counts answers by status, checking that every 429 and 503
// says when to come back.
func statuses(t *testing.T, rs []resp) map[int]int {
	t.Helper()
	n := map[int]int{}
	for _, r := range rs {
		n[r.status]++
		if (r.status == 429 || r.status == 503) && r.header.Get("Retry-After") == "" {
			t.Errorf("%d without Retry-After: %s", r.status, r.body)
		}
	}
	return n
}

func wrongWithRight(n int) []string {
	pws := make([]string, n)
	for i := range pws {
		pws[i] = fmt.Sprintf("wrong password %d", i)
	}
	pws[rand.IntN(n)] = testPassword
	return pws
}

// TestSignInParallelBurst: attempts sent at once are reserved before their
// passwords are checked, so at most the free ones are checked, and once
// the account is held up the right password among wrong ones never gets
// through.
func TestSignInParallelBurst(t *testing.T) {
	e := newInstance(t, testdb.New(t), api.Options{TrustProxy: true}, false, true).env
	free := auth.DefaultLimits.Free
	const addr = "198.51.100.20"

	first := statuses(t, burst(e, "viewer1", addr, wrongWithRight(60)))
	// 503: a reserved attempt found no free password check in time (a slow
	// machine) and was released uncounted.
	if passed := first[200] + first[401] + first[503]; passed > free || first[429] != 60-passed {
		t.Fatalf("first burst of 60 (the right password among them): %v; want at most %d past the throttle, the rest 429", first, free)
	}
	t.Logf("burst of 59 wrong + the right password: %v", first)
	wrong := make([]string, 60)
	for i := range wrong {
		wrong[i] = fmt.Sprintf("still wrong %d", i)
	}
	for try, held := 0, false; !held; try++ {
		if try == 10 {
			t.Fatal("ten bursts of wrong passwords did not hold the account up")
		}
		n := statuses(t, burst(e, "viewer1", addr, wrong))
		if n[200] != 0 || n[401]+n[503] > free || n[429] < 60-free {
			t.Fatalf("burst of wrong passwords: %v", n)
		}
		held = n[429] == 60
		t.Logf("burst of 60 wrong: %v", n)
	}
	for round := range 3 {
		third := statuses(t, burst(e, "viewer1", addr, wrongWithRight(60)))
		if third[429] != 60 {
			t.Fatalf("burst %d once held up (the right password among them): %v, want 60×429", round+1, third)
		}
		t.Logf("held up, burst of 59 wrong + the right password: %v", third)
	}
}

// TestSignInFloodIsBounded: 150 wrong sign-ins at once, each for another
// name from another address so that the throttle lets them all through,
// run at most the checker's slots of password checks at once; the rest
// wait in a bounded room or get 503 with Retry-After, and /healthz keeps
// answering meanwhile.
func TestSignInFloodIsBounded(t *testing.T) {
	in := newInstance(t, testdb.New(t), api.Options{TrustProxy: true}, false, true)
	e := in.env
	var wg sync.WaitGroup
	out := make([]resp, 150)
	start := make(chan struct{})
	for i := range out {
		b := e.browser()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = b.signIn(fmt.Sprintf("ghost%d", i), "a wrong password", fmt.Sprintf("10.9.%d.%d", i/200, i%200+1))
		}()
	}
	close(start)
	var health []time.Duration
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		for range 20 {
			t0 := time.Now()
			res, err := http.Get(e.srv.URL + "/healthz")
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("/healthz during the flood: %d", res.StatusCode)
			}
			health = append(health, time.Since(t0))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	wg.Wait()
	<-healthDone
	n := statuses(t, out)
	slots, peak := api.SigninChecks(in.api)
	if peak > slots || peak < 1 {
		t.Errorf("%d password checks ran at once; the bound is %d", peak, slots)
	}
	if n[401]+n[503] != len(out) || n[401] == 0 {
		t.Errorf("flood answers %v: want only 401 (checked) and 503 (busy, with Retry-After)", n)
	}
	slices.Sort(health)
	t.Logf("150 wrong sign-ins at once: %v; %d check(s) at a time (peak %d); /healthz p50 %v, max %v",
		n, slots, peak, health[len(health)/2].Round(time.Microsecond), health[len(health)-1].Round(time.Microsecond))
}

// TestSignInNATColleague: people behind one office address are not held
// up by one colleague's typos, whether or not they signed in before.
func TestSignInNATColleague(t *testing.T) {
	e := newInstance(t, testdb.New(t), api.Options{TrustProxy: true}, false, true).env
	const office = "203.0.113.50"
	typist := e.browser()
	var last resp
	for range 8 {
		last = typist.signIn("viewer1", "caps lock was on", office)
	}
	if last.status != 429 {
		t.Fatalf("the colleague's 8th wrong password: %d, want 429", last.status)
	}
	for _, user := range []string{"editor1", "admin1"} {
		if r := e.browser().signIn(user, testPassword, office); r.status != 200 {
			t.Errorf("%s, a new browser at the same office address: %d %s", user, r.status, r.body)
		}
	}
	// Many names failing from one address is a spray, not a colleague:
	// new browsers there wait, browsers that signed in before do not.
	known := e.browser()
	if r := known.signIn("editor1", testPassword, office); r.status != 200 {
		t.Fatalf("editor1 before the spray: %d", r.status)
	}
	for i := range auth.DefaultLimits.AddrNames + 2 {
		e.browser().signIn(fmt.Sprintf("guess%d", i), "password123", office)
	}
	if r := e.browser().signIn("admin1", testPassword, office); r.status != 429 {
		t.Errorf("a new browser at an address that sprayed %d names: %d, want 429", auth.DefaultLimits.AddrNames+2, r.status)
	}
	if r := known.signIn("editor1", testPassword, office); r.status != 200 {
		t.Errorf("editor1's own browser at the spraying address: %d %s", r.status, r.body)
	}
}

// TestSignInAttackerElsewhere: someone guessing a user's password from
// another address cannot lock the user out of their own browser or of an
// address where they signed in before.
func TestSignInAttackerElsewhere(t *testing.T) {
	e := newInstance(t, testdb.New(t), api.Options{TrustProxy: true}, false, true).env
	const home, attacker, cafe = "192.0.2.10", "198.51.100.66", "203.0.113.99"
	mine := e.browser()
	if r := mine.signIn("editor1", testPassword, home); r.status != 200 {
		t.Fatalf("first sign-in: %d %s", r.status, r.body)
	}
	if r := mine.do("POST", "/api/v1/auth/logout", "", map[string]string{"X-CSRF-Token": mine.csrf}); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	guesser := e.browser()
	for i := range 20 {
		guesser.signIn("editor1", fmt.Sprintf("guess %d", i), attacker)
	}
	if r := guesser.signIn("editor1", testPassword, attacker); r.status != 429 {
		t.Fatalf("the guesser with the right password at last: %d, want 429", r.status)
	}
	if r := e.browser().signIn("editor1", testPassword, cafe); r.status != 429 {
		t.Errorf("a new browser at a new address shares the guesser's count: %d, want 429 (documented)", r.status)
	}
	// Someone else's device cookie is no device cookie for this user.
	other := e.browser()
	if r := other.signIn("viewer1", testPassword, attacker); r.status != 200 {
		t.Fatalf("viewer1: %d", r.status)
	}
	if r := other.signIn("editor1", testPassword, attacker); r.status != 429 {
		t.Errorf("viewer1's device cookie used for editor1: %d, want 429", r.status)
	}
	for _, tc := range []struct {
		what string
		b    *browser
		addr string
	}{
		{"the user's own browser at a new address", mine, cafe},
		{"the user's own browser at the guesser's address", mine, attacker},
		{"a new browser at the user's usual address", e.browser(), home},
	} {
		if r := tc.b.signIn("editor1", testPassword, tc.addr); r.status != 200 {
			t.Errorf("%s: %d %s", tc.what, r.status, r.body)
		}
	}
}

// TestPasswordChangeRevokesTokens: a new password ends every session and
// revokes every API token of the user; a role change applies to the next
// request of sessions and tokens alike.
func TestPasswordChangeRevokesTokens(t *testing.T) {
	for _, withBus := range []bool{false, true} {
		t.Run(fmt.Sprintf("bus=%v", withBus), func(t *testing.T) {
			e := newInstance(t, testdb.New(t), api.Options{}, withBus, true).env
			r := e.do(req{method: "POST", path: "/api/v1/auth/token", body: `{"username":"editor1","password":"` + testPassword + `"}`})
			if r.status != 201 {
				t.Fatalf("token: %d %s", r.status, r.body)
			}
			issued := r.json(t)["token"].(string)
			b := e.browser()
			if r := b.login("editor1", testPassword); r.status != 200 {
				t.Fatalf("login: %d", r.status)
			}
			use := func(token string) int {
				return e.do(req{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": "Bearer " + token}}).status
			}
			for _, tok := range []string{issued, e.tokens["editor"]} {
				if s := use(tok); s != 200 {
					t.Fatalf("token before: %d", s)
				}
			}
			if r := e.do(req{method: "PATCH", path: "/api/v1/users/viewer1", role: "admin", body: `{"role":"editor"}`}); r.status != 200 {
				t.Fatalf("role change: %d %s", r.status, r.body)
			}
			if r := e.do(req{method: "GET", path: "/api/v1/auth/me", role: "viewer"}); r.status != 200 || r.json(t)["user"].(map[string]any)["role"] != "editor" {
				t.Errorf("viewer1's token right after the role change: %d %s", r.status, r.body)
			}
			if r := e.do(req{method: "PATCH", path: "/api/v1/users/editor1", role: "admin", body: `{"password":"a brand new password"}`}); r.status != 200 {
				t.Fatalf("password change: %d %s", r.status, r.body)
			}
			for name, tok := range map[string]string{"issued by POST /auth/token": issued, "created by the CLI": e.tokens["editor"]} {
				if s := use(tok); s != 401 {
					t.Errorf("token %s after the password change: %d, want 401", name, s)
				}
			}
			if r := b.do("GET", "/api/v1/auth/me", "", nil); r.status != 401 {
				t.Errorf("session after the password change: %d, want 401", r.status)
			}
			tokens := e.do(req{method: "GET", path: "/api/v1/tokens", role: "admin"}).json(t)["tokens"].([]any)
			for _, x := range tokens {
				tk := x.(map[string]any)
				if tk["user"] == "editor1" && tk["revoked_at"] == nil {
					t.Errorf("token %v of editor1 is not marked revoked", tk["id"])
				}
			}
		})
	}
}

// TestCredentialsCheckedInMemory: with the change bus, a session or token
// is read from the database once and then checked in memory; logout,
// token revocation, disabling, role and password changes made through
// either of two instances on one database take effect on both at once.
func TestCredentialsCheckedInMemory(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	pool2, err := pgxpool.New(ctx, pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool2.Close)
	one := newInstance(t, pool, api.Options{}, true, true)
	two := newInstance(t, pool2, api.Options{}, true, false)
	two.tokens = one.tokens
	get := func(in *instance, token string) int {
		return in.do(req{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": "Bearer " + token}}).status
	}
	// seenOnTwo waits briefly for instance two to answer want: far less
	// than the cache's lifetime, so the bus, not expiry, did it.
	seenOnTwo := func(what string, want int, probe func() int) {
		t.Helper()
		t0 := time.Now()
		for {
			got := probe()
			if got == want {
				t.Logf("%s: seen on the other instance after %v", what, time.Since(t0).Round(time.Microsecond))
				return
			}
			if time.Since(t0) > 2*time.Second {
				t.Fatalf("%s: the other instance still answers %d after %v, want %d", what, got, time.Since(t0), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Checked in memory: a token deleted behind the API's back (no
	// notification) is still accepted until its entry expires.
	r := one.do(req{method: "POST", path: "/api/v1/auth/token", body: `{"username":"viewer1","password":"` + testPassword + `"}`})
	ghost := r.json(t)["token"].(string)
	if get(one, ghost) != 200 || get(two, ghost) != 200 {
		t.Fatal("new token refused")
	}
	if _, err := pool.Exec(ctx, `DELETE FROM api_token WHERE token_hash = $1`, auth.HashSecret(ghost)); err != nil {
		t.Fatal(err)
	}
	if get(one, ghost) != 200 || get(two, ghost) != 200 {
		t.Error("a cached token was looked up in the database again")
	}
	if n := api.CachedCredentials(two.api); n == 0 {
		t.Error("instance two caches no credential")
	}

	// Token revoked on one, refused on both.
	r = one.do(req{method: "POST", path: "/api/v1/auth/token", body: `{"username":"editor1","password":"` + testPassword + `"}`})
	m := r.json(t)
	tok, id := m["token"].(string), int64(m["id"].(float64))
	if get(one, tok) != 200 || get(two, tok) != 200 {
		t.Fatal("token refused before the revocation")
	}
	if r := one.do(req{method: "DELETE", path: "/api/v1/tokens/" + itoa(id), role: "admin"}); r.status != 204 {
		t.Fatalf("revoke: %d", r.status)
	}
	if s := get(one, tok); s != 401 {
		t.Errorf("revoked token on the instance that revoked it: %d", s)
	}
	seenOnTwo("token revocation", 401, func() int { return get(two, tok) })

	// Logout on one ends the session on both (the cookie is the same for
	// both: same host).
	b := one.browser()
	if r := b.login("editor1", testPassword); r.status != 200 {
		t.Fatalf("login: %d", r.status)
	}
	b2 := &browser{e: two.env, client: b.client, csrf: b.csrf}
	if r := b2.do("GET", "/api/v1/auth/me", "", nil); r.status != 200 {
		t.Fatalf("session on instance two: %d", r.status)
	}
	jar := b.client.Jar
	cookies := jar.Cookies(mustURL(t, one.srv.URL))
	if r := b.do("POST", "/api/v1/auth/logout", "", map[string]string{"X-CSRF-Token": b.csrf}); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	jar.SetCookies(mustURL(t, two.srv.URL), cookies) // a stolen copy of the cookie
	seenOnTwo("logout", 401, func() int { return b2.do("GET", "/api/v1/auth/me", "", nil).status })

	// Role change on two, seen on one at once; disabling likewise.
	if get(one, one.tokens["viewer"]) != 200 {
		t.Fatal("viewer token refused")
	}
	if r := two.do(req{method: "PATCH", path: "/api/v1/users/viewer1", role: "admin", body: `{"role":"editor"}`}); r.status != 200 {
		t.Fatalf("role change: %d", r.status)
	}
	role := func() int {
		r := one.do(req{method: "GET", path: "/api/v1/auth/me", role: "viewer"})
		if r.status == 200 && r.json(t)["user"].(map[string]any)["role"] == "editor" {
			return 1
		}
		return 0
	}
	seenOnTwo("role change", 1, role)
	if r := two.do(req{method: "PATCH", path: "/api/v1/users/viewer1", role: "admin", body: `{"disabled":true}`}); r.status != 200 {
		t.Fatalf("disable: %d", r.status)
	}
	seenOnTwo("disabling", 401, func() int { return get(one, one.tokens["viewer"]) })

	// A password change through the store (as `wanmu user passwd` does).
	if get(two, one.tokens["editor"]) != 200 {
		t.Fatal("editor token refused")
	}
	hash, _ := auth.HashPassword("another new password")
	if _, err := one.st.UpdateUser(ctx, "editor1", nil, nil, nil, hash); err != nil {
		t.Fatal(err)
	}
	seenOnTwo("password change", 401, func() int { return get(two, one.tokens["editor"]) })
}

// TestCredentialsWithoutBus: without a listening bus nothing is cached.
func TestCredentialsWithoutBus(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	idle := &change.Bus{} // never listens: Connected is false
	in := newInstance(t, pool, api.Options{Bus: idle}, false, true)
	if s := in.do(req{method: "GET", path: "/api/v1/auth/me", role: "viewer"}).status; s != 200 {
		t.Fatalf("token: %d", s)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM api_token WHERE token_hash = $1`, auth.HashSecret(in.tokens["viewer"])); err != nil {
		t.Fatal(err)
	}
	if s := in.do(req{method: "GET", path: "/api/v1/auth/me", role: "viewer"}).status; s != 401 {
		t.Errorf("deleted token with the bus not listening: %d, want 401", s)
	}
	if n := api.CachedCredentials(in.api); n != 0 {
		t.Errorf("%d credentials cached while the bus is not listening", n)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
