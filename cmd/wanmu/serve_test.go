package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeAsProcess runs the real binary: embedded PostGIS, sample data,
// HTTP; stops it with SIGTERM; starts it again on the same data directory
// and finds the same data.
func TestServeAsProcess(t *testing.T) {
	requirePostgres(t)
	bin := filepath.Join(t.TempDir(), "wanmu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := enterableTempDir(t)
	t.Setenv("DATABASE_URL", "") // the embedded cluster

	first := startServe(t, bin, data)
	token := first.token(t)
	platforms := first.platforms(t, token)
	if len(platforms) != 10 {
		t.Fatalf("sample data has %d platforms, want 10", len(platforms))
	}
	meets := 0
	for _, p := range platforms {
		if p["meets"] == true {
			meets++
		}
	}
	if meets == 0 || meets == len(platforms) {
		t.Errorf("%d of %d platforms meet 10,000 mu; the sample should have some of each", meets, len(platforms))
	}
	first.ogcPlatforms(t, token, len(platforms))
	first.stop(t)

	second := startServe(t, bin, data)
	again := second.platforms(t, second.token(t))
	if len(again) != len(platforms) {
		t.Fatalf("after restart: %d platforms, want %d", len(again), len(platforms))
	}
	for i := range again {
		if again[i]["name"] != platforms[i]["name"] || again[i]["developable_mu"] != platforms[i]["developable_mu"] {
			t.Errorf("platform %d changed across restart: %v → %v", i, platforms[i]["name"], again[i]["name"])
		}
	}
	second.stop(t)
}

type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	output *lockedBuffer
}

// lockedBuffer is the server's output: written by os/exec's copying
// goroutine while a test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const adminPassword = "test admin password"

func startServe(t *testing.T, bin, data string, flags ...string) *serveProcess {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &serveProcess{url: "http://" + addr, output: &lockedBuffer{}}
	p.cmd = exec.Command(bin, append([]string{"serve", "--data", data, "--addr", addr}, flags...)...)
	p.cmd.Env = append(os.Environ(), "WANMU_ADMIN_PASSWORD="+adminPassword)
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		res, err := http.Get(p.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("wanmu serve did not become healthy:\n%s", p.output)
	return nil
}

func (p *serveProcess) token(t *testing.T) string {
	t.Helper()
	res, err := http.Post(p.url+"/api/v1/auth/token", "application/json",
		strings.NewReader(`{"username":"admin","password":"`+adminPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Token == "" {
		t.Fatalf("token: %d %v", res.StatusCode, err)
	}
	return body.Token
}

func (p *serveProcess) platforms(t *testing.T, token string) []map[string]any {
	t.Helper()
	r, _ := http.NewRequest("GET", p.url+"/api/v1/platforms", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var body struct{ Platforms []map[string]any }
	if err := json.Unmarshal(b, &body); err != nil || res.StatusCode != 200 {
		t.Fatalf("platforms: %d %v %s", res.StatusCode, err, b)
	}
	return body.Platforms
}

// ogcPlatforms checks that /ogc is mounted behind the sign-in: refused
// without the token, the sample's platforms with it.
func (p *serveProcess) ogcPlatforms(t *testing.T, token string, want int) {
	t.Helper()
	for _, tok := range []string{"", token} {
		r, _ := http.NewRequest("GET", p.url+"/ogc/collections/platforms/items", nil)
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ NumberMatched int }
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if tok == "" && res.StatusCode != 401 || tok != "" && (res.StatusCode != 200 || err != nil || body.NumberMatched != want) {
			t.Errorf("/ogc platforms with token %v: %d, %d platforms (%v), want %d", tok != "", res.StatusCode, body.NumberMatched, err, want)
		}
	}
}

func (p *serveProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("wanmu serve exited with %v after SIGTERM:\n%s", err, p.output)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("wanmu serve did not stop within 60 s of SIGTERM:\n%s", p.output)
	}
	if !strings.Contains(p.output.String(), "shutting down") {
		t.Errorf("no graceful shutdown logged:\n%s", p.output)
	}
	if pid, err := os.ReadFile(filepath.Join(filepathDir(p), "pg", "postmaster.pid")); err == nil {
		t.Errorf("PostgreSQL still running after wanmu stopped (postmaster.pid: %s)", firstLine(pid))
	}
}

// enterableTempDir is a temporary directory the postgres system user can
// enter (t.TempDir's parents are 0700).
func enterableTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "wanmu-serve-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return filepath.Join(d, "data")
}

func filepathDir(p *serveProcess) string {
	for i, a := range p.cmd.Args {
		if a == "--data" && i+1 < len(p.cmd.Args) {
			return p.cmd.Args[i+1]
		}
	}
	return ""
}

func firstLine(b []byte) string {
	s := bufio.NewScanner(bytes.NewReader(b))
	s.Scan()
	return fmt.Sprint(s.Text())
}
