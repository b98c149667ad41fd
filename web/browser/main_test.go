package browser

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wanmu/internal/testenv"
)

// suite is what every test shares: one wanmu server with its users and one
// headless Chromium.
var suite struct {
	skip      string // why the tests skip (empty: they run)
	base      string // http://127.0.0.1:PORT
	passwords map[string]string
	browser   context.Context // the first tab; pages open their own browser contexts from it
	artifacts string
	serverLog string
}

// Users created for the tests, by role.
const (
	adminUser    = "admin"
	editorUser   = "planner"
	editor2User  = "planner2"
	viewerUser   = "reviewer"
	startTimeout = 3 * time.Minute
)

func TestMain(m *testing.M) {
	flag.Parse()
	// Listing tests (go test -list, as `make fuzz` does) needs no server.
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run())
	}
	code, cleanup := setup()
	if code != 0 {
		cleanup()
		os.Exit(code)
	}
	code = m.Run()
	benchCleanup() // the servers of the benchmarks on generated data
	cleanup()
	os.Exit(code)
}

// setup builds and starts everything; a non-zero code fails the run
// (under CI a missing prerequisite is a failure, elsewhere a skip).
func setup() (int, func()) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	ci := testenv.CI()
	skipOrFail := func(reason string) (int, func()) {
		if ci {
			fmt.Fprintf(os.Stderr, "browser tests cannot run under CI=true: %s\n", reason)
			return 1, cleanup
		}
		suite.skip = reason
		return 0, cleanup
	}

	chromium := findChromium()
	if chromium == "" {
		return skipOrFail("no Chromium found (install Debian's chromium or set WANMU_CHROMIUM)")
	}
	root, err := moduleRoot()
	if err != nil {
		return skipOrFail(err.Error())
	}
	if _, err := os.Stat(filepath.Join(root, "web/static/vendor/leaflet/leaflet.js")); err != nil {
		return skipOrFail("web/static/vendor is missing: run `npm ci && sh web/vendor.sh` (or `make web`) first")
	}
	suite.artifacts = os.Getenv("WANMU_ARTIFACTS")
	if suite.artifacts == "" {
		suite.artifacts = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(suite.artifacts, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, cleanup
	}

	tmp, err := os.MkdirTemp("", "wanmu-browser-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, cleanup
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(tmp) })
	// The embedded PostgreSQL runs as the postgres user when we are root: it
	// must be able to reach its data directory.
	if err := os.Chmod(tmp, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, cleanup
	}

	bin := filepath.Join(tmp, "wanmu")
	build := exec.Command("go", "build", "-o", bin, "./cmd/wanmu")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/wanmu: %v\n%s", err, out)
		return 1, cleanup
	}

	port, err := freePort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, cleanup
	}
	suite.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	suite.passwords = map[string]string{
		adminUser: "Admin-" + randomHex(8), editorUser: "Planner-" + randomHex(8),
		editor2User: "Planner2-" + randomHex(8), viewerUser: "Reviewer-" + randomHex(8),
	}
	suite.serverLog = filepath.Join(tmp, "server.log")
	logf, err := os.Create(suite.serverLog)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, cleanup
	}
	srv := exec.Command(bin, "serve", "--data", filepath.Join(tmp, "data"), "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	srv.Env = append(os.Environ(), "WANMU_ADMIN_PASSWORD="+suite.passwords[adminUser])
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start wanmu serve:", err)
		return 1, cleanup
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = srv.Wait(); close(exited) }()
	cleanups = append(cleanups, func() {
		_ = srv.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			_ = srv.Process.Kill()
			<-exited
		}
		_ = logf.Close()
	})
	if err := waitHealthy(exited, &exitErr); err != nil {
		fmt.Fprintf(os.Stderr, "wanmu serve did not become healthy: %v\n--- server log ---\n%s\n", err, tail(suite.serverLog, 4000))
		return 1, cleanup
	}
	if err := createUsers(); err != nil {
		fmt.Fprintf(os.Stderr, "create test users: %v\n--- server log ---\n%s\n", err, tail(suite.serverLog, 4000))
		return 1, cleanup
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1600, 1000),
		chromedp.UserDataDir(filepath.Join(tmp, "chromium")),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	cleanups = append(cleanups, cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	cleanups = append(cleanups, cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		fmt.Fprintf(os.Stderr, "start %s: %v\n", chromium, err)
		return 1, cleanup
	}
	suite.browser = browser
	return 0, cleanup
}

func findChromium() string {
	if p := os.Getenv("WANMU_CHROMIUM"); p != "" {
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
		return ""
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the wanmu module")
	}
	return filepath.Dir(mod), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func waitHealthy(exited <-chan struct{}, exitErr *error) error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("the server exited: %v", *exitErr)
		default:
		}
		res, err := http.Get(suite.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	return fmt.Errorf("no answer from %s/healthz within %v", suite.base, startTimeout)
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// createUsers makes the editor, second editor and viewer through the API.
func createUsers() error {
	admin, err := newAPI(adminUser)
	if err != nil {
		return err
	}
	for name, role := range map[string]string{editorUser: "editor", editor2User: "editor", viewerUser: "viewer"} {
		st, body, err := admin.do("POST", "/api/v1/users", map[string]any{"name": name, "role": role, "password": suite.passwords[name]}, 0)
		if err != nil {
			return err
		}
		if st != http.StatusCreated {
			return fmt.Errorf("POST /api/v1/users %s: %d %s", name, st, body)
		}
	}
	return nil
}

// api is a signed-in HTTP client of the REST API (cookie session + CSRF).
type api struct {
	client *http.Client
	csrf   string
}

func newAPI(user string) (*api, error) {
	jar, _ := cookiejar.New(nil)
	a := &api{client: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
	st, body, err := a.do("POST", "/api/v1/auth/login", map[string]string{"username": user, "password": suite.passwords[user]}, 0)
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("sign in as %s: %d %s", user, st, body)
	}
	var res struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, err
	}
	a.csrf = res.CSRF
	return a, nil
}

// do sends a request; version > 0 adds If-Match.
func (a *api) do(method, path string, body any, version int) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, suite.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	if version > 0 {
		req.Header.Set("If-Match", fmt.Sprintf(`"%d"`, version))
	}
	res, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// must fails the test unless the request answered want; it decodes the body into out.
func (a *api) must(t *testing.T, want int, method, path string, body any, version int, out any) {
	t.Helper()
	st, b, err := a.do(method, path, body, version)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if st != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}
