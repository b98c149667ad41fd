package job

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// fast makes the tests quick: heartbeats every 50 ms, progress every 20 ms.
var fast = Options{Heartbeat: 50 * time.Millisecond, StaleAfter: 20 * time.Second, ProgressEvery: 20 * time.Millisecond}

// twoInstances returns registries A and B on one fresh database, each with
// its own pool, as two wanmu instances have.
func twoInstances(t *testing.T, opts Options) (a, b *Registry, pool *pgxpool.Pool) {
	t.Helper()
	pool = testdb.New(t)
	other, err := pgxpool.New(context.Background(), pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	oa, ob := opts, opts
	oa.Instance, ob.Instance = "A", "B"
	a, b = New(store.New(pool), oa), New(store.New(other), ob)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	return a, b, pool
}

// halt stops r as a crash would: no more heartbeats or listening, nothing
// recorded, the data left where it is.
func (r *Registry) halt() {
	r.mu.Lock()
	r.closed = true
	stop := r.stopLoop
	r.stopLoop = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	r.loops.Wait()
}

// waitFor polls job id on r until ok holds (20 s at most) and returns it.
func waitFor(t *testing.T, r *Registry, id, owner, what string, ok func(*Job) bool) *Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := r.Get(context.Background(), id, owner)
		if err != nil {
			t.Fatalf("%s: get job on %s: %v", what, r.Instance(), err)
		}
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen on %s; the job is %+v", what, r.Instance(), j)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func until(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func state(s string) func(*Job) bool { return func(j *Job) bool { return j.State == s } }

// payload is a job's data in these tests; it records being closed.
type payload struct {
	n      int
	closed atomic.Bool
}

func (p *payload) Close() error {
	p.closed.Store(true)
	return nil
}

// preview starts, on r, a job of ann that waits with data d and result "preview".
func preview(t *testing.T, r *Registry, d *payload) *Job {
	t.Helper()
	j, err := r.Start(context.Background(), "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		return "preview", d, true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

type commit struct {
	Reason string `json:"reason"`
	Actor  string `json:"actor"`
}

// TestContinueOnAnotherInstance: a job started on A is seen on B with its
// step and progress; B continues it, A runs the continuation with its data
// and B sees the result.
func TestContinueOnAnotherInstance(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	ctx := context.Background()
	ranOn := make(chan string, 4)
	a.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		var c commit
		if err := json.Unmarshal(request, &c); err != nil {
			return nil, err
		}
		ranOn <- "A"
		rep("write", 1, 2)
		return map[string]any{"written": data.(*payload).n, "by": c.Actor, "why": c.Reason}, nil
	})
	b.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		ranOn <- "B"
		return nil, errors.New("B does not hold the data")
	})

	release := make(chan struct{})
	data := &payload{n: 42}
	j, err := a.Start(ctx, "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		rep("read", 5, 10)
		<-release
		return map[string]any{"features": 7}, data, true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if j.State != Running || j.Owner != "ann" || j.Kind != "import" || len(j.ID) != 24 {
		t.Fatalf("started job: %+v", j)
	}
	waitFor(t, b, j.ID, "ann", "step and progress on B", func(j *Job) bool {
		return j.State == Running && j.Step == "read" && j.Progress == 0.5
	})
	close(release)
	got := waitFor(t, b, j.ID, "ann", "preview on B", state(Waiting))
	if string(got.Result) != `{"features": 7}` || got.Progress != 1 || got.Error != nil {
		t.Fatalf("preview on B: %+v (result %s)", got, got.Result)
	}

	c, err := b.Continue(ctx, j.ID, "ann", commit{Reason: "汇交", Actor: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != Running && c.State != Done {
		t.Fatalf("continued job: %+v", c)
	}
	if c.State == Running && c.Result != nil {
		t.Errorf("the preview is still shown while committing: %s", c.Result)
	}
	done := waitFor(t, b, j.ID, "ann", "commit on B", func(j *Job) bool { return j.State != Running })
	if done.State != Done || done.Progress != 1 || done.Step != "write" {
		t.Fatalf("after the commit: %+v (error %s)", done, done.Error)
	}
	var res map[string]any
	if err := json.Unmarshal(done.Result, &res); err != nil || res["written"] != 42.0 || res["by"] != "ann" || res["why"] != "汇交" {
		t.Fatalf("result %s: %v", done.Result, err)
	}
	if on := <-ranOn; on != "A" || len(ranOn) != 0 {
		t.Fatalf("the continuation ran on %s (and %d more)", on, len(ranOn))
	}
	until(t, "A closes the data after the commit", data.closed.Load)
	for _, r := range []*Registry{a, b} {
		if _, err := r.Continue(ctx, j.ID, "ann", commit{}); !errors.Is(err, ErrNotWaiting) || !strings.Contains(err.Error(), "the job is done") {
			t.Errorf("continuing a finished job on %s: %v", r.Instance(), err)
		}
	}
	if got, _ := a.Get(ctx, j.ID, "ann"); string(got.Result) != string(done.Result) {
		t.Errorf("A and B disagree: %s vs %s", got.Result, done.Result)
	}
}

// TestCommitOnce: commits requested on both instances at once run once.
func TestCommitOnce(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	var runs atomic.Int64
	a.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		runs.Add(1)
		return "written", nil
	})
	for range 5 {
		j := preview(t, a, &payload{})
		waitFor(t, b, j.ID, "ann", "preview", state(Waiting))
		errs := make(chan error, 4)
		for _, r := range []*Registry{a, b, a, b} {
			go func() {
				_, err := r.Continue(context.Background(), j.ID, "ann", commit{})
				errs <- err
			}()
		}
		ok := 0
		for range 4 {
			switch err := <-errs; {
			case err == nil:
				ok++
			case !errors.Is(err, ErrNotWaiting):
				t.Errorf("concurrent commit: %v", err)
			}
		}
		waitFor(t, b, j.ID, "ann", "done", state(Done))
		if ok != 1 {
			t.Errorf("%d of 4 concurrent commits accepted, want 1", ok)
		}
	}
	if n := runs.Load(); n != 5 {
		t.Errorf("5 jobs committed %d times", n)
	}
}

// TestMissedWakeUp: a continuation whose notification never came is found
// by the holder's heartbeat.
func TestMissedWakeUp(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	a.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		return "written", nil
	})
	j := preview(t, a, &payload{})
	waitFor(t, b, j.ID, "ann", "preview", state(Waiting))
	// What Continue does, without the NOTIFY.
	if _, ok, err := b.st.RequestJobContinuation(context.Background(), j.ID, "ann", json.RawMessage(`{}`), Keep, b.staleAfter); !ok || err != nil {
		t.Fatalf("request: %v %v", ok, err)
	}
	if got := waitFor(t, b, j.ID, "ann", "commit", state(Done)); string(got.Result) != `"written"` {
		t.Fatalf("%+v", got)
	}
}

// TestCancelOnAnotherInstance: B cancels a running step on A (A's context
// ends), a waiting job (A drops its data) and a running continuation.
func TestCancelOnAnotherInstance(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	ctx := context.Background()

	stopped := make(chan struct{})
	started := make(chan struct{})
	j, err := a.Start(ctx, "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		close(started)
		<-ctx.Done()
		close(stopped)
		return nil, nil, false, ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if err := b.Cancel(ctx, j.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(20 * time.Second):
		t.Fatal("cancelling on B did not cancel the step's context on A")
	}
	for _, r := range []*Registry{a, b} {
		if got := waitFor(t, r, j.ID, "ann", "cancelled", func(*Job) bool { return true }); got.State != Cancelled || got.Error != nil {
			t.Errorf("on %s: %+v", r.Instance(), got)
		}
	}
	if err := b.Cancel(ctx, j.ID, "ann"); err != nil {
		t.Errorf("cancelling twice: %v", err)
	}

	data := &payload{}
	w := preview(t, a, data)
	waitFor(t, b, w.ID, "ann", "preview", state(Waiting))
	if err := b.Cancel(ctx, w.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	until(t, "A drops the data of the cancelled job", data.closed.Load)
	if _, err := a.Continue(ctx, w.ID, "ann", commit{}); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("continuing a cancelled job: %v", err)
	}

	committing := make(chan struct{})
	a.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		close(committing)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	data = &payload{}
	c := preview(t, a, data)
	waitFor(t, b, c.ID, "ann", "preview", state(Waiting))
	if _, err := b.Continue(ctx, c.ID, "ann", commit{}); err != nil {
		t.Fatal(err)
	}
	<-committing
	if err := b.Cancel(ctx, c.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	until(t, "A ends the cancelled continuation and closes its data", data.closed.Load)
	if got := waitFor(t, a, c.ID, "ann", "cancelled", func(*Job) bool { return true }); got.State != Cancelled {
		t.Errorf("cancelled continuation: %+v", got)
	}
	until(t, "A holds nothing", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.held) == 0
	})
}

// TestHolderStops: when A stops heartbeating, B shows its jobs as failed
// (never running forever); when A closes, at once.
func TestHolderStops(t *testing.T) {
	opts := fast
	opts.StaleAfter = 3 * time.Second
	a, b, pool := twoInstances(t, opts)
	ctx := context.Background()
	a.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		return "written", nil
	})

	release := make(chan struct{})
	defer func() {
		close(release)
		a.steps.Wait() // the halted instance's step ends before the database goes
	}()
	running, err := a.Start(ctx, "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		rep("read", 1, 3)
		<-release
		return "late", nil, false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waiting := preview(t, a, &payload{})
	waitFor(t, b, waiting.ID, "ann", "preview", state(Waiting))
	waitFor(t, b, running.ID, "ann", "running", func(j *Job) bool { return j.Step == "read" })
	a.halt()
	t0 := time.Now()
	for _, id := range []string{running.ID, waiting.ID} {
		got := waitFor(t, b, id, "ann", "failed after the holder stopped", func(j *Job) bool { return j.State != Running && j.State != Waiting })
		var e map[string]string
		if err := json.Unmarshal(got.Error, &e); got.State != Failed || err != nil || e["english"] != HolderGone || e["detail"] == "" {
			t.Fatalf("job of a stopped holder: %+v, error %s", got, got.Error)
		}
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("the jobs of the stopped holder were failed after %v", d)
	}
	if _, err := b.Continue(ctx, waiting.ID, "ann", commit{}); !errors.Is(err, ErrNotWaiting) || !strings.Contains(err.Error(), "failed") {
		t.Errorf("continuing the lost job: %v", err)
	}

	// A closing instance fails its jobs itself, and drops their data.
	c := New(store.New(pool), Options{Instance: "C"})
	data := &payload{}
	j := preview(t, c, data)
	waitFor(t, b, j.ID, "ann", "preview", state(Waiting))
	c.Close()
	if !data.closed.Load() {
		t.Error("Close left the data")
	}
	if got, err := b.Get(ctx, j.ID, "ann"); err != nil || got.State != Failed || !strings.Contains(string(got.Error), HolderGone) {
		t.Errorf("job of a closed instance: %+v %v", got, err)
	}
	if _, err := c.Start(ctx, "import", "ann", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("start after close: %v", err)
	}
}

// TestOwnerIsolation: a user sees, continues and cancels only their own
// jobs, on every instance.
func TestOwnerIsolation(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	ctx := context.Background()
	j := preview(t, a, &payload{})
	waitFor(t, a, j.ID, "ann", "preview", state(Waiting))
	for _, r := range []*Registry{a, b} {
		if _, err := r.Get(ctx, j.ID, "bob"); !errors.Is(err, ErrNotFound) {
			t.Errorf("bob gets ann's job on %s: %v", r.Instance(), err)
		}
		if _, err := r.Continue(ctx, j.ID, "bob", commit{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("bob continues ann's job on %s: %v", r.Instance(), err)
		}
		if err := r.Cancel(ctx, j.ID, "bob"); !errors.Is(err, ErrNotFound) {
			t.Errorf("bob cancels ann's job on %s: %v", r.Instance(), err)
		}
		if _, err := r.Get(ctx, "0123456789abcdef01234567", "ann"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown job on %s: %v", r.Instance(), err)
		}
	}
	if got := waitFor(t, b, j.ID, "ann", "still waiting", func(*Job) bool { return true }); got.State != Waiting {
		t.Errorf("ann's job after bob's attempts: %+v", got)
	}
}

// TestExpiry: jobs are forgotten an hour after they end (or start
// waiting); the holder then drops a waiting job's data.
func TestExpiry(t *testing.T) {
	a, b, pool := twoInstances(t, fast)
	ctx := context.Background()
	d, err := a.Start(ctx, "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		return "done", nil, false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, d.ID, "ann", "done", state(Done))
	data := &payload{}
	w := preview(t, a, data)
	waitFor(t, b, w.ID, "ann", "waiting", state(Waiting))

	age := func(id string, d time.Duration) {
		t.Helper()
		if _, err := pool.Exec(ctx, `UPDATE job SET updated_at = now() - make_interval(secs => $2) WHERE id = $1`, id, d.Seconds()); err != nil {
			t.Fatal(err)
		}
	}
	age(d.ID, 59*time.Minute)
	age(w.ID, 59*time.Minute)
	for _, id := range []string{d.ID, w.ID} {
		if _, err := b.Get(ctx, id, "ann"); err != nil {
			t.Errorf("job %s forgotten within the hour: %v", id, err)
		}
	}
	age(d.ID, 61*time.Minute)
	age(w.ID, 61*time.Minute)
	for _, r := range []*Registry{a, b} {
		for _, id := range []string{d.ID, w.ID} {
			if _, err := r.Get(ctx, id, "ann"); !errors.Is(err, ErrNotFound) {
				t.Errorf("job %s on %s after an hour: %v", id, r.Instance(), err)
			}
		}
	}
	if _, err := b.Continue(ctx, w.ID, "ann", commit{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("continuing an expired job: %v", err)
	}
	if err := b.Cancel(ctx, w.ID, "ann"); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancelling an expired job: %v", err)
	}
	until(t, "A drops the expired job's data", data.closed.Load)

	// The next start clears them from the table.
	if _, err := b.Start(ctx, "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		return nil, nil, false, nil
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM job WHERE id = ANY($1)`, []string{d.ID, w.ID}).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d expired jobs left in the table (%v)", n, err)
	}
}

// TestFailure: a failing step's error is stored once as JSON and shown on
// every instance.
func TestFailure(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"plain error", boom, `{"detail": "boom"}`},
		{"failure", &Failure{Err: boom, Detail: map[string]any{"code": "unsafe-zip", "detail": "压缩包不安全"}}, `{"code": "unsafe-zip", "detail": "压缩包不安全"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := a.Start(context.Background(), "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
				rep("read", 1, 4)
				return nil, nil, false, tc.err
			})
			if err != nil {
				t.Fatal(err)
			}
			got := waitFor(t, b, j.ID, "ann", "failed", state(Failed))
			if string(got.Error) != tc.want || got.Result != nil || got.Step != "read" || got.Progress != 0.25 {
				t.Errorf("failed job: %+v, error %s, want %s", got, got.Error, tc.want)
			}
		})
	}
}

// TestUnrecordableResult: a result PostgreSQL refuses (a NUL character in
// its text) fails the job with an error that names neither the SQLSTATE nor
// PostgreSQL's message, and closes the data.
func TestUnrecordableResult(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	d := &payload{n: 1}
	j, err := a.Start(context.Background(), "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		return map[string]any{"target": "constraint:a\x00b"}, d, true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, b, j.ID, "ann", "failed", state(Failed))
	if e := string(got.Error); strings.Contains(e, "SQLSTATE") || strings.Contains(e, "22P05") || strings.Contains(e, "Unicode") || !strings.Contains(e, `"code": "internal"`) {
		t.Errorf("error of a job whose result could not be stored: %s", e)
	}
	if !d.closed.Load() {
		t.Errorf("the data of the failed job was not closed")
	}
}

// TestProgressThrottled: a step reporting all the time writes its progress
// a few times per second, not more, and another instance sees it move.
func TestProgressThrottled(t *testing.T) {
	opts := fast
	opts.ProgressEvery = 100 * time.Millisecond
	a, b, _ := twoInstances(t, opts)
	var reports atomic.Int64
	release := make(chan struct{})
	j, err := a.Start(context.Background(), "import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		for i := int64(0); ; i++ {
			select {
			case <-release:
				return nil, nil, false, nil
			default:
			}
			rep("read", i%1000, 1000)
			reports.Add(1)
			time.Sleep(10 * time.Microsecond)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	seen := map[float64]bool{}
	waitFor(t, b, j.ID, "ann", "progress moving", func(j *Job) bool {
		seen[j.Progress] = true
		return len(seen) >= 4
	})
	close(release)
	waitFor(t, b, j.ID, "ann", "done", state(Done))
	elapsed := time.Since(t0)
	writes := a.progressWrites.Load()
	if limit := int64(elapsed/opts.ProgressEvery) + 2; writes > limit || reports.Load() < 10*writes {
		t.Errorf("%d progress writes for %d reports in %v; want at most %d", writes, reports.Load(), elapsed, limit)
	}
}

// TestListenerReconnects: when the holder's listening connection dies, it
// reconnects, and a continuation from another instance still reaches it
// through NOTIFY (heartbeats are too rare here to find it).
func TestListenerReconnects(t *testing.T) {
	opts := fast
	opts.Heartbeat, opts.StaleAfter = time.Hour, 2*time.Hour
	a, b, pool := twoInstances(t, opts)
	ctx := context.Background()
	a.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		return "written", nil
	})
	j := preview(t, a, &payload{})
	waitFor(t, b, j.ID, "ann", "preview", state(Waiting))
	until(t, "A listening", func() bool { return a.listenerPID.Load() != 0 })
	old := a.listenerPID.Load()
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, int32(old)); err != nil {
		t.Fatal(err)
	}
	until(t, "A listening again", func() bool { pid := a.listenerPID.Load(); return pid != 0 && pid != old })
	if _, err := b.Continue(ctx, j.ID, "ann", commit{}); err != nil {
		t.Fatal(err)
	}
	if got := waitFor(t, b, j.ID, "ann", "commit", func(j *Job) bool { return j.State != Running }); got.State != Done {
		t.Fatalf("%+v", got)
	}
}

// TestRefusedContinuationWaitsAgain: a continuation that refuses its
// request leaves the job waiting, with its data, the result it gives and the
// refusal as its error; the next request is run with the same data.
func TestRefusedContinuationWaitsAgain(t *testing.T) {
	a, b, _ := twoInstances(t, fast)
	var calls atomic.Int64
	a.RegisterContinuation("import", func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (any, error) {
		if calls.Add(1) == 1 {
			return nil, &Refused{Err: &Failure{Err: errors.New("no county"), Detail: "pick a county"}, Result: "preview again"}
		}
		return data.(*payload).n, nil
	})
	d := &payload{n: 7}
	j := preview(t, a, d)
	waitFor(t, b, j.ID, "ann", "preview", state(Waiting))
	if _, err := b.Continue(context.Background(), j.ID, "ann", commit{}); err != nil {
		t.Fatal(err)
	}
	refused := waitFor(t, b, j.ID, "ann", "the refusal", func(j *Job) bool { return j.State == Waiting && j.Error != nil })
	if string(refused.Error) != `"pick a county"` || string(refused.Result) != `"preview again"` || d.closed.Load() {
		t.Fatalf("after the refusal: error %s, result %s, data closed %v", refused.Error, refused.Result, d.closed.Load())
	}
	if _, err := b.Continue(context.Background(), j.ID, "ann", commit{}); err != nil {
		t.Fatalf("the second request after a refusal: %v", err)
	}
	done := waitFor(t, b, j.ID, "ann", "done", state(Done))
	if string(done.Result) != "7" || done.Error != nil {
		t.Errorf("after the second request: result %s, error %s", done.Result, done.Error)
	}
	until(t, "the data closed", d.closed.Load)
}
