package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"wanmu/internal/testenv"
)

// maxWait bounds every request of TestDatabaseFaults: the watcher notices a
// hung server within 1.75 s (a probe every 250 ms, 1.5 s to answer) and
// cuts what waits on it; a write may then wait up to 2 s more for the
// change bus. The rest is slack for a loaded 2-core CI machine.
const maxWait = 6 * time.Second

// TestDatabaseFaults runs wanmu serve on its embedded PostgreSQL under load
// (API, tile and OGC reads and zone writes, from a few goroutines over
// loopback), kills PostgreSQL with SIGKILL, then hangs it with SIGSTOP, and
// checks that no request waits longer than maxWait, that a database
// outage is answered 503 with Retry-After and never 500, that /healthz says
// "down" during it and "ok" after, that full service is back within
// seconds of the database, and that every write answered 201 is there.
func TestDatabaseFaults(t *testing.T) {
	requirePostgres(t)
	bin := filepath.Join(t.TempDir(), "wanmu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := enterableTempDir(t)
	t.Setenv("DATABASE_URL", "") // the embedded cluster
	p := startServe(t, bin, data)
	token := p.token(t)
	l := startLoad(p.url, token)
	defer l.stop()
	t.Cleanup(func() {
		if t.Failed() {
			l.stop()
			l.summary(t)
			t.Logf("server output:\n%s", p.output)
		}
	})
	l.waitServed(t, time.Now(), 30*time.Second) // warm: every kind answered once

	t.Run("kill -9", func(t *testing.T) {
		old := postmasterPID(t, data)
		t0 := time.Now()
		if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		down := waitHealth(t, p.url, "down", t0, 10*time.Second)
		restarted := waitPostmaster(t, data, old, t0, 30*time.Second)
		up := waitHealth(t, p.url, "ok", t0, 30*time.Second)
		served := l.waitServed(t, t0.Add(up), 20*time.Second)
		first := l.first503(t0)
		t.Logf("kill -9: first 503 after %v, /healthz down after %v, PostgreSQL ready again after %v, /healthz ok after %v, every kind of request served after %v",
			first, down, restarted, up, served)
		logRecovery(t, data)
	})

	t.Run("SIGSTOP", func(t *testing.T) {
		pids := stopServer(t, data)
		t0 := time.Now()
		down := waitHealth(t, p.url, "down", t0, 10*time.Second)
		// Requests sent during the hang, once it was noticed: wait until
		// enough were answered (503, at once: check looks at the times).
		l.wait503(t, t0.Add(down), 40, 20*time.Second)
		hung := time.Since(t0)
		resumeServer(pids)
		t1 := time.Now()
		up := waitHealth(t, p.url, "ok", t1, 20*time.Second)
		served := l.waitServed(t, t1.Add(up), 20*time.Second)
		t.Logf("SIGSTOP for %v: first 503 after %v, /healthz down after %v; after SIGCONT /healthz ok after %v, every kind of request served after %v",
			hung.Round(time.Millisecond), l.first503(t0), down, up, served)
	})

	l.stop()
	l.check(t)
	l.checkWritten(t, p.url, token)
	out := p.output.String()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "pgcluster:") || strings.Contains(l, "database not answering") || strings.Contains(l, "answering again") {
			t.Log(l)
		}
	}
	for _, want := range []string{"PostgreSQL exited unexpectedly", "signal: killed", "PostgreSQL restarted", "database not answering", "database answering again"} {
		if !strings.Contains(out, want) {
			t.Errorf("server log lacks %q", want)
		}
	}
	p.stop(t)
}

// requirePostgres ends the test (testenv.Missing) without PostgreSQL's
// initdb, which wanmu serve's embedded cluster needs.
func requirePostgres(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("initdb"); err != nil {
		if _, err := os.Stat("/usr/lib/postgresql/15/bin/initdb"); err != nil {
			testenv.Missing(t, "PostgreSQL is not installed")
		}
	}
}

// outcome is one request of the load.
type outcome struct {
	kind       string
	at         time.Time // when it was answered
	took       time.Duration
	status     int
	retryAfter string
	err        error
	body       string
	zoneID     int64 // of a write answered 201
}

// load sends requests of four kinds from one goroutine each, paced, until
// stopped.
type load struct {
	mu       sync.Mutex
	outcomes []outcome
	done     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
}

var loadKinds = []string{"api", "tile", "ogc", "write"}

func startLoad(base, token string) *load {
	l := &load{done: make(chan struct{})}
	client := &http.Client{Timeout: 30 * time.Second} // far above maxWait: a hang shows as a slow outcome
	for _, kind := range loadKinds {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			// Paced so that a run stays small: ~50 reads and ~20 writes a second.
			pace := 20 * time.Millisecond
			if kind == "write" {
				pace = 50 * time.Millisecond
			}
			tick := time.NewTicker(pace)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-l.done:
					return
				case <-tick.C:
				}
				l.add(send1(client, base, token, kind, n))
			}
		}()
	}
	return l
}

// send1 makes the n-th request of a kind.
func send1(client *http.Client, base, token, kind string, n int) outcome {
	var r *http.Request
	switch kind {
	case "api":
		r, _ = http.NewRequest("GET", base+"/api/v1/platforms", nil)
	case "tile":
		// A few tiles over 丽水 at z10–z12, so that not all come from the cache.
		tile := maptile.At(orb.Point{119.92 + 0.05*float64(n%2), 28.45 + 0.05*float64(n/2%2)}, maptile.Zoom(10+n%3))
		r, _ = http.NewRequest("GET", fmt.Sprintf("%s/tiles/zones/%d/%d/%d.geojson", base, tile.Z, tile.X, tile.Y), nil)
	case "ogc":
		r, _ = http.NewRequest("GET", base+"/ogc/collections/zones/items?limit=5", nil)
	case "write":
		w, s := 119.5+float64(n%100)*0.004, 28.0+float64(n/100)*0.004
		body := fmt.Sprintf(`{"type":"Feature","properties":{"kind":"park","name":"故障测试%d","county_adcode":"331102"},`+
			`"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`, n, w, s, w+0.002, s, w+0.002, s+0.002, w, s)
		r, _ = http.NewRequest("POST", base+"/api/v1/zones", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer "+token)
	t0 := time.Now()
	res, err := client.Do(r)
	o := outcome{kind: kind, err: err}
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		o.status, o.retryAfter, o.body = res.StatusCode, res.Header.Get("Retry-After"), string(b)
		if kind == "write" && res.StatusCode == http.StatusCreated {
			var f struct{ ID int64 }
			if err := json.Unmarshal(b, &f); err != nil || f.ID == 0 {
				o.err = fmt.Errorf("201 without a zone id: %v", err)
			}
			o.zoneID = f.ID
		}
	}
	o.at = time.Now()
	o.took = o.at.Sub(t0)
	return o
}

func (l *load) add(o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outcomes = append(l.outcomes, o)
}

func (l *load) stop() {
	l.stopOnce.Do(func() { close(l.done) })
	l.wg.Wait()
}

// snapshot returns the outcomes so far.
func (l *load) snapshot() []outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]outcome(nil), l.outcomes...)
}

// waitServed waits until every kind of request has been answered 2xx after
// since, and returns how long after since that was.
func (l *load) waitServed(t *testing.T, since time.Time, d time.Duration) time.Duration {
	t.Helper()
	var last time.Time
	poll(t, d, "every kind of request served again", func() bool {
		served := map[string]time.Time{}
		for _, o := range l.snapshot() {
			if o.err == nil && o.status/100 == 2 && o.at.After(since) && served[o.kind].IsZero() {
				served[o.kind] = o.at
			}
		}
		for _, k := range loadKinds {
			if served[k].IsZero() {
				return false
			}
			if served[k].After(last) {
				last = served[k]
			}
		}
		return true
	})
	return last.Sub(since).Round(time.Millisecond)
}

// wait503 waits until n requests sent after since were answered 503.
func (l *load) wait503(t *testing.T, since time.Time, n int, d time.Duration) {
	t.Helper()
	poll(t, d, fmt.Sprintf("%d answers 503", n), func() bool {
		c := 0
		for _, o := range l.snapshot() {
			if o.status == http.StatusServiceUnavailable && o.at.Add(-o.took).After(since) {
				c++
			}
		}
		return c >= n
	})
}

// first503 is how long after since the first 503 was answered.
func (l *load) first503(since time.Time) time.Duration {
	for _, o := range l.snapshot() {
		if o.status == http.StatusServiceUnavailable && o.at.After(since) {
			return o.at.Sub(since).Round(time.Millisecond)
		}
	}
	return -1
}

// check wants every request answered within maxWait, with 2xx or a 503
// carrying Retry-After.
func (l *load) check(t *testing.T) {
	t.Helper()
	count := map[string]map[int]int{}
	var slowest outcome
	bad := 0
	for _, o := range l.snapshot() {
		if count[o.kind] == nil {
			count[o.kind] = map[int]int{}
		}
		count[o.kind][o.status]++
		if o.took > slowest.took {
			slowest = o
		}
		var problem string
		switch {
		case o.err != nil:
			problem = o.err.Error()
		case o.took > maxWait:
			problem = fmt.Sprintf("took %v", o.took)
		case o.status == http.StatusServiceUnavailable && o.retryAfter == "":
			problem = "503 without Retry-After"
		case o.status/100 != 2 && o.status != http.StatusServiceUnavailable:
			problem = fmt.Sprintf("status %d", o.status)
		}
		if problem != "" {
			if bad++; bad <= 10 {
				t.Errorf("%s answered at %s: %s: %.300s", o.kind, o.at.Format("15:04:05.000"), problem, o.body)
			}
		}
	}
	t.Logf("answers by kind and status: %v; slowest: %s %v (%d)", count, slowest.kind, slowest.took.Round(time.Millisecond), slowest.status)
	if bad > 10 {
		t.Errorf("… and %d more", bad-10)
	}
}

// summary logs the answers by kind and status, with a body of each.
func (l *load) summary(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range l.snapshot() {
		k := fmt.Sprintf("%s %d %v", o.kind, o.status, o.err != nil)
		if !seen[k] {
			seen[k] = true
			t.Logf("%s: %v %.300s", k, o.err, o.body)
		}
	}
}

// checkWritten wants every zone whose creation was answered 201 in the
// database.
func (l *load) checkWritten(t *testing.T, base, token string) {
	t.Helper()
	var fc struct {
		Features []struct{ ID int64 }
	}
	get(t, base+"/api/v1/zones?q="+"故障测试"+"&limit=5000", token, &fc)
	have := map[int64]bool{}
	for _, f := range fc.Features {
		have[f.ID] = true
	}
	written, lost := 0, 0
	for _, o := range l.snapshot() {
		if o.zoneID == 0 {
			continue
		}
		written++
		if !have[o.zoneID] {
			lost++
			t.Errorf("zone %d was answered 201 at %s but is not in the database", o.zoneID, o.at.Format("15:04:05.000"))
		}
	}
	t.Logf("%d zones written (201), %d lost; %d in the database (the rest answered 503 may or may not have committed)", written, lost, len(fc.Features))
	if written == 0 {
		t.Error("no write succeeded")
	}
}

// poll checks cond every 20 ms until it holds, failing after d.
func poll(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitHealth polls /healthz until its status is want and returns how long
// after since that was.
func waitHealth(t *testing.T, base, want string, since time.Time, d time.Duration) time.Duration {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	poll(t, d, "/healthz "+want, func() bool {
		res, err := client.Get(base + "/healthz")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var h struct{ Status string }
		_ = json.NewDecoder(res.Body).Decode(&h)
		wantCode := http.StatusOK
		if want == "down" {
			wantCode = http.StatusServiceUnavailable
		}
		if res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
			t.Errorf("/healthz 503 without Retry-After")
		}
		return res.StatusCode == wantCode && h.Status == want
	})
	return time.Since(since).Round(time.Millisecond)
}

// postmasterPID reads the PID of the running postmaster from data.
func postmasterPID(t *testing.T, data string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "pg", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(firstLine(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// waitPostmaster waits until a postmaster other than old is ready on data
// and returns how long after since that was.
func waitPostmaster(t *testing.T, data string, old int, since time.Time, d time.Duration) time.Duration {
	t.Helper()
	poll(t, d, "PostgreSQL restarted", func() bool {
		b, err := os.ReadFile(filepath.Join(data, "pg", "postmaster.pid"))
		lines := strings.Split(string(b), "\n")
		return err == nil && len(lines) >= 8 && lines[0] != strconv.Itoa(old) && strings.TrimSpace(lines[7]) == "ready"
	})
	return time.Since(since).Round(time.Millisecond)
}

// stopServer hangs the embedded PostgreSQL: SIGSTOP to the postmaster
// (first, so that it forks no more) and to every child of it. Its
// children are not in its process group (they call setsid).
func stopServer(t *testing.T, data string) []int {
	t.Helper()
	pm := postmasterPID(t, data)
	pids := []int{pm}
	if err := syscall.Kill(pm, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resumeServer(pids) }) // never leave it stopped
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || parentOf(pid) != pm {
			continue
		}
		if syscall.Kill(pid, syscall.SIGSTOP) == nil {
			pids = append(pids, pid)
		}
	}
	t.Logf("stopped the postmaster and %d children", len(pids)-1)
	return pids
}

func resumeServer(pids []int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
}

// logRecovery logs what the server log says about its crash recovery.
func logRecovery(t *testing.T, data string) {
	b, _ := os.ReadFile(filepath.Join(data, "pg.log"))
	for _, l := range strings.Split(string(b), "\n") {
		for _, k := range []string{"not properly shut down", "redo starts", "redo done", "checkpoint starting", "checkpoint complete", "ready to accept"} {
			if strings.Contains(l, k) {
				t.Log(l)
			}
		}
	}
}

// parentOf returns the parent PID of pid from /proc, or -1.
func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return ppid
}
