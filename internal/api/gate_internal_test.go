package api

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"wanmu/internal/problem"
)

// TestGate: with every turn taken, a heavy request waits its time and gets
// 503 with Retry-After; once a turn is free, the next one runs.
func TestGate(t *testing.T) {
	g := newGate(1, 50*time.Millisecond)
	entered, release := make(chan struct{}), make(chan struct{})
	h := g.Heavy(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			close(entered)
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	held := make(chan int)
	go func() {
		r, err := http.Get(srv.URL + "/hold")
		if err != nil {
			held <- 0
			return
		}
		r.Body.Close()
		held <- r.StatusCode
	}()
	<-entered
	r, err := http.Get(srv.URL + "/other")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "/problems/busy") {
		t.Fatalf("with the only turn taken: %d, Retry-After %q, %s", r.StatusCode, r.Header.Get("Retry-After"), body)
	}
	free()
	if s := <-held; s != http.StatusNoContent {
		t.Fatalf("the held request: %d", s)
	}
	if r, err := http.Get(srv.URL + "/other"); err != nil || r.StatusCode != http.StatusNoContent {
		t.Fatalf("after the turn is free: %v %v", r, err)
	}
}

// TestSlowBody: a JSON body that does not arrive within its time is cut off
// with 408, not waited for.
func TestSlowBody(t *testing.T) {
	old := bodyTimeout
	bodyTimeout = 200 * time.Millisecond
	defer func() { bodyTimeout = old }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		if err := decodeJSON(w, r, &v); err != nil {
			var p *problem.Problem
			if !errors.As(err, &p) {
				t.Errorf("decodeJSON: %v", err)
				return
			}
			w.WriteHeader(p.Status)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Headers promising 100 bytes, then one byte, then nothing.
	_, _ = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("a stalled body: %d, want 408", resp.StatusCode)
	}
}
