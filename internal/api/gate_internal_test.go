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
	g := newGate(1, 50*time.Millisecond, func(*http.Request) string { return "one" })
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

// TestGateShares: one caller holds at most half the turns, so another
// caller's request runs while the first one's extra requests are refused.
func TestGateShares(t *testing.T) {
	g := newGate(2, 50*time.Millisecond, func(r *http.Request) string { return r.URL.Query().Get("who") })
	entered, release := make(chan struct{}, 1), make(chan struct{})
	h := g.Heavy(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			entered <- struct{}{}
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if r, err := http.Get(srv.URL + "/hold?who=script"); err == nil {
			r.Body.Close()
		}
	}()
	<-entered
	status := func(who string) int {
		r, err := http.Get(srv.URL + "/run?who=" + who)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if s := status("script"); s != http.StatusServiceUnavailable {
		t.Errorf("the script's second request with its share taken: %d, want 503", s)
	}
	if s := status("colleague"); s != http.StatusNoContent {
		t.Errorf("another caller's request with a turn free: %d, want 204", s)
	}
	free()
	<-done
	if s := status("script"); s != http.StatusNoContent {
		t.Errorf("the script's request once its turn ended: %d, want 204", s)
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
