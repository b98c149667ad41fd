package api_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"wanmu/internal/api"
)

// browser is a cookie-keeping client, as a signed-in web page would be.
type browser struct {
	e      *env
	client *http.Client
	csrf   string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar}}
}

func (b *browser) do(method, path, body string, header map[string]string) resp {
	b.e.t.Helper()
	hr, _ := http.NewRequest(method, b.e.srv.URL+path, strings.NewReader(body))
	if body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		hr.Header.Set(k, v)
	}
	res, err := b.client.Do(hr)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	var buf strings.Builder
	_, _ = bufCopy(&buf, res)
	return resp{status: res.StatusCode, header: res.Header, body: []byte(buf.String())}
}

func (b *browser) login(user, password string) resp {
	r := b.do("POST", "/api/v1/auth/login", `{"username":"`+user+`","password":"`+password+`"}`, nil)
	if r.status == 200 {
		b.csrf, _ = r.json(b.e.t)["csrf_token"].(string)
	}
	return r
}

func TestSignInCookieAndCSRF(t *testing.T) {
	e := newEnv(t, api.Options{})
	b := e.browser()
	r := b.login("editor1", testPassword)
	if r.status != 200 || b.csrf == "" {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	var c, device string
	for _, v := range r.header.Values("Set-Cookie") {
		switch {
		case strings.HasPrefix(v, api.SessionCookie+"="):
			c = v
		case strings.HasPrefix(v, api.DeviceCookie+"="):
			device = v
		}
	}
	if !strings.Contains(device, "HttpOnly") || !strings.Contains(device, "SameSite=Strict") || !strings.Contains(device, "Path=/api/v1/auth/") {
		t.Errorf("device cookie %q is not HttpOnly, SameSite=Strict, limited to /api/v1/auth/", device)
	}
	if !strings.Contains(c, api.SessionCookie+"=") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("session cookie %q lacks HttpOnly/SameSite=Lax", c)
	}
	if strings.Contains(c, "Secure") {
		t.Errorf("cookie marked Secure on plain HTTP: %q", c)
	}
	if r := b.do("GET", "/api/v1/auth/me", "", nil); r.status != 200 || r.json(t)["csrf_token"] != b.csrf {
		t.Fatalf("me: %d %s", r.status, r.body)
	}
	body := `{"type":"Feature","geometry":` + validPolygon + `,"properties":{"kind":"park","name":"CSRF","county_adcode":"331102"}}`
	if r := b.do("POST", "/api/v1/zones", body, nil); r.status != 403 || !strings.Contains(string(r.body), "CSRF") {
		t.Fatalf("write without CSRF token: %d %s", r.status, r.body)
	}
	if r := b.do("POST", "/api/v1/zones", body, map[string]string{"X-CSRF-Token": "forged"}); r.status != 403 {
		t.Fatalf("write with a wrong CSRF token: %d", r.status)
	}
	if r := b.do("POST", "/api/v1/zones", body, map[string]string{"X-CSRF-Token": b.csrf}); r.status != 201 {
		t.Fatalf("write with the CSRF token: %d %s", r.status, r.body)
	}
	h, _ := e.st.History(context.Background(), "zone", 1)
	if len(h) != 1 || h[0].Actor != "editor1" {
		t.Errorf("revision author = %+v, want editor1", h)
	}
	// Logout is a write like any other: another site cannot sign the user out.
	if r := b.do("POST", "/api/v1/auth/logout", "", nil); r.status != 403 || !strings.Contains(string(r.body), "CSRF") {
		t.Fatalf("logout without the CSRF token: %d %s", r.status, r.body)
	}
	if r := b.do("POST", "/api/v1/auth/logout", "", map[string]string{"X-CSRF-Token": "forged"}); r.status != 403 {
		t.Fatalf("logout with a wrong CSRF token: %d", r.status)
	}
	if r := b.do("GET", "/api/v1/auth/me", "", nil); r.status != 200 {
		t.Fatalf("the session ended on a refused logout: %d", r.status)
	}
	if r := b.do("POST", "/api/v1/auth/logout", "", map[string]string{"X-CSRF-Token": b.csrf}); r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := b.do("GET", "/api/v1/zones", "", nil); r.status != 401 {
		t.Fatalf("read after logout: %d", r.status)
	}
}

func TestBadPasswordsAreSlowedDown(t *testing.T) {
	e := newEnv(t, api.Options{})
	b := e.browser()
	var last resp
	for range 6 {
		last = b.login("viewer1", "not the password")
	}
	if last.status != 429 || last.header.Get("Retry-After") == "" || last.json(t)["retry_after"] == nil {
		t.Fatalf("6th failed sign-in: %d %s, want 429 with Retry-After", last.status, last.body)
	}
	if r := b.login("viewer1", testPassword); r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("right password while throttled: %d, want 429 with Retry-After", r.status)
	}
	if r := e.do(req{method: "POST", path: "/api/v1/auth/token", body: `{"username":"viewer1","password":"` + testPassword + `"}`}); r.status != 429 {
		t.Fatalf("token for the throttled user: %d, want 429", r.status)
	}
	// One person's typos do not hold up the others at the same address.
	if r := e.browser().login("editor1", testPassword); r.status != 200 {
		t.Fatalf("another user from the same address: %d %s, want 200", r.status, r.body)
	}
}

func TestTokenIssueAndRevoke(t *testing.T) {
	e := newEnv(t, api.Options{})
	r := e.do(req{method: "POST", path: "/api/v1/auth/token", body: `{"username":"editor1","password":"` + testPassword + `"}`})
	if r.status != 201 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	m := r.json(t)
	token := m["token"].(string)
	get := func() int {
		return e.do(req{method: "GET", path: "/api/v1/zones", header: map[string]string{"Authorization": "Bearer " + token}}).status
	}
	if s := get(); s != 200 {
		t.Fatalf("read with the new token: %d", s)
	}
	id := int64(m["id"].(float64))
	if r := e.do(req{method: "DELETE", path: "/api/v1/tokens/" + itoa(id), role: "admin"}); r.status != 204 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if s := get(); s != 401 {
		t.Fatalf("read with a revoked token: %d, want 401", s)
	}
}

func TestLogsCarryNoSecrets(t *testing.T) {
	e := newEnv(t, api.Options{})
	b := e.browser()
	b.login("admin1", testPassword)
	b.login("admin1", "wrong-password-xyz")
	e.do(req{method: "POST", path: "/api/v1/auth/token", body: `{"username":"viewer1","password":"` + testPassword + `"}`})
	e.do(req{method: "POST", path: "/api/v1/users", role: "admin", body: `{"name":"new1","role":"viewer","password":"another secret pw"}`})
	e.do(req{method: "GET", path: "/api/v1/zones", role: "viewer"})
	logs := e.logs.String()
	for _, secret := range []string{testPassword, "wrong-password-xyz", "another secret pw", e.tokens["viewer"], b.csrf} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains a secret %q", secret)
		}
	}
	if !strings.Contains(logs, "user=viewer1") || !strings.Contains(logs, "request_id=") || !strings.Contains(logs, "status=200") {
		t.Errorf("request log lines lack user, status or request id:\n%s", logs)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, api.Options{})
	r := e.do(req{method: "GET", path: "/api/v1/zones/abc", role: "viewer"})
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline' 'self'; script") {
		t.Errorf("CSP = %q", csp)
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no X-Content-Type-Options: nosniff")
	}
	if r.status != 400 || r.header.Get("Content-Type") != "application/problem+json" || r.json(t)["request_id"] == "" {
		t.Errorf("bad id: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
}
