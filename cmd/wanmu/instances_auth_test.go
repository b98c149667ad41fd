package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanmu/internal/testdb"
)

// TestTwoInstancesRevokeAtOnce runs two wanmu serve processes on one
// database. Each checks sessions and tokens in memory once it has seen
// them; a token revoked through one, a session ended through the other,
// and a password changed with `wanmu user passwd` (a third process) are
// refused by both at once, long before the cached entries would expire.
func TestTwoInstancesRevokeAtOnce(t *testing.T) {
	dbURL := testdb.ConnString(t)
	bin := filepath.Join(t.TempDir(), "wanmu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := enterableTempDir(t)
	t.Setenv("DATABASE_URL", dbURL)
	a, b := startServeURL(t, bin, data, dbURL), startServeURL(t, bin, data, dbURL)
	defer a.stop(t)
	defer b.stop(t)
	admin := a.token(t)

	me := func(p *serveProcess, token string) int {
		status, _ := send(t, "GET", p.url+"/api/v1/auth/me", token, "")
		return status
	}
	// refusedAt waits for p to refuse: within 2 s, far less than the 30 s
	// for which a credential is trusted without asking the database.
	refusedAt := func(what string, p *serveProcess, probe func() int) {
		t.Helper()
		t0 := time.Now()
		for probe() != 401 {
			if time.Since(t0) > 2*time.Second {
				t.Fatalf("%s: %s still accepts the credential after %v", what, p.url, time.Since(t0))
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("%s: refused by %s after %v", what, p.url, time.Since(t0).Round(time.Microsecond))
	}

	// A token revoked through A, refused by B.
	second := b.token(t)
	var list struct{ Tokens []struct{ ID int64 } }
	get(t, a.url+"/api/v1/tokens", admin, &list)
	id := list.Tokens[len(list.Tokens)-1].ID
	if me(a, second) != 200 || me(b, second) != 200 || me(b, second) != 200 {
		t.Fatal("the new token is refused")
	}
	if status, body := send(t, "DELETE", a.url+"/api/v1/tokens/"+strconv.FormatInt(id, 10), admin, ""); status != 204 {
		t.Fatalf("revoke through A: %d %s", status, body)
	}
	refusedAt("token revoked through A", b, func() int { return me(b, second) })

	// A session signed in on B, seen on A, ended through B.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	res, err := browser.Post(b.url+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"`+adminPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if res.StatusCode != 200 || login.CSRF == "" {
		t.Fatalf("sign in on B: %d", res.StatusCode)
	}
	session := func(p *serveProcess) func() int {
		return func() int {
			res, err := browser.Get(p.url + "/api/v1/auth/me")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
	}
	if session(a)() != 200 || session(a)() != 200 {
		t.Fatal("the session is refused on A")
	}
	cookies := jar.Cookies(mustParse(t, a.url))
	r, _ := http.NewRequest("POST", b.url+"/api/v1/auth/logout", nil)
	r.Header.Set("X-CSRF-Token", login.CSRF)
	if res, err := browser.Do(r); err != nil || res.StatusCode != 204 {
		t.Fatalf("logout through B: %v %v", err, res.Status)
	}
	jar.SetCookies(mustParse(t, a.url), cookies) // a copy of the cookie kept somewhere
	refusedAt("session ended through B", a, session(a))

	// A password changed from the command line, seen by both at once.
	if me(a, admin) != 200 || me(b, admin) != 200 {
		t.Fatal("the admin token is refused")
	}
	t.Setenv("WANMU_PASSWORD", "another admin password")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"user", "passwd", "admin"}, &out, &out); code != 0 {
		t.Fatalf("wanmu user passwd: %d %s", code, out.String())
	}
	refusedAt("password changed with the CLI", a, func() int { return me(a, admin) })
	refusedAt("password changed with the CLI", b, func() int { return me(b, admin) })
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
