// Package job runs long imports in the background and reports their
// progress to every instance sharing the database.
//
// A job's state, step, progress, result and error are in table job, so any
// instance answers for any job. Its data (an uploaded file, a parsed
// preview: up to hundreds of MB) stays on the instance that started it, the
// holder, which runs every step. A step requested on another instance
// (Continue) is recorded in the table as a JSON request, and a cancel as the
// state; that instance wakes the holder with NOTIFY on Channel. The holder
// LISTENs on a dedicated connection while it holds jobs, and also looks at
// its jobs at every heartbeat, so a lost notification only delays a step.
// Continuations cannot travel as closures: every instance registers them
// per job kind (RegisterContinuation).
//
// The holder heartbeats its jobs; a running or waiting job whose holder has
// been silent for StaleAfter is failed with HolderGone, never left running.
// Jobs are forgotten Keep (an hour) after they end or start waiting.
package job

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"wanmu/internal/pglisten"
	"wanmu/internal/store"
)

// States of a job.
const (
	Running   = "running"
	Waiting   = "waiting" // done with a step, waiting for the user (e.g. an import preview)
	Done      = "done"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Channel is the PostgreSQL NOTIFY channel on which instances wake the
// holder of a job. The payload is {"holder": instance, "id": job id}.
const Channel = "wanmu_job"

// Keep is how long a job is remembered after it ends or starts waiting.
const Keep = time.Hour

// HolderGone says why a job failed when the instance holding its data
// stopped (or stopped heartbeating).
const HolderGone = "the instance that read the file stopped; upload it again"

// holderGoneJSON is the error of such a job: detail in Chinese and English,
// like the importer's own errors.
var holderGoneJSON = json.RawMessage(`{"code":"holder-stopped","detail":"读取文件的实例已停止，请重新上传。","english":"` + HolderGone + `"}`)

// unrecordedJSON is the error of a job whose result could not be encoded or
// stored (text PostgreSQL refuses, such as U+0000): the cause, which may
// hold an SQLSTATE or a server path, goes to the log only.
var unrecordedJSON = json.RawMessage(`{"code":"internal","detail":"结果无法保存，请重新上传；错误已记入服务器日志。","english":"the result could not be recorded; upload the file again (the error is in the server's log)"}`)

// Defaults of Options.
const (
	DefaultHeartbeat     = 5 * time.Second
	DefaultStaleAfter    = 30 * time.Second
	DefaultProgressEvery = 250 * time.Millisecond
)

// writeTimeout bounds one write of the holder's bookkeeping.
const writeTimeout = 10 * time.Second

// Job is one background task as every instance sees it.
type Job struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Owner    string          `json:"owner"`
	State    string          `json:"state"`
	Progress float64         `json:"progress"` // 0…1 of the current step
	Step     string          `json:"step"`
	Error    json.RawMessage `json:"error,omitempty"`  // why it failed, or why a waiting job's last request was refused (see Failure)
	Result   json.RawMessage `json:"result,omitempty"` // what the last step returned
	Started  time.Time       `json:"started_at"`
	Updated  time.Time       `json:"updated_at"`
}

// Errors of the Registry.
var (
	// ErrNotFound is returned for unknown or expired jobs, and for jobs of
	// another owner.
	ErrNotFound = errors.New("no such job")
	// ErrNotWaiting is returned by Continue for a job that is not waiting.
	ErrNotWaiting = errors.New("not waiting")
	// ErrClosed is returned by Start after Close.
	ErrClosed = errors.New("job registry closed")
)

// Failure is an error together with what to show for it. A job function
// returns one to choose the JSON that every instance shows for its failure
// (converted once, on the holder); any other error is shown as
// {"detail": its text}.
type Failure struct {
	Err    error
	Detail any
}

func (f *Failure) Error() string { return f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// Refused is what a continuation returns when it turns its request down
// but the job can take another (an import commit whose mapping leaves
// features without a county): nothing was done, the job waits again with
// its data, Result as its result (e.g. the preview) and Err as its error.
type Refused struct {
	Err    error
	Result any
}

func (r *Refused) Error() string { return r.Err.Error() }
func (r *Refused) Unwrap() error { return r.Err }

// Reporter lets a job report its step and progress (done of total; total
// 0 changes only the step).
type Reporter func(step string, done, total int64)

// Func is a job's first step. Its result is stored as JSON; data stays on
// this instance for a continuation when waiting is true (the job is then
// Waiting, else Done; Waiting with err recorded as its error when err is
// not nil too, which is how a refused continuation ends). Data that is an io.Closer is closed when the job no
// longer needs it: after the continuation, or when the job is cancelled,
// expires or is lost.
type Func func(ctx context.Context, rep Reporter) (result, data any, waiting bool, err error)

// Continuation is the next step of a waiting job of one kind: it runs on the
// holder with the data of the first step and the JSON request given to
// Continue, on whichever instance that was called.
type Continuation func(ctx context.Context, rep Reporter, data any, request json.RawMessage) (result any, err error)

// Options configure a Registry; zero values take the defaults.
type Options struct {
	// Instance identifies this instance in table job; default host-pid-random.
	Instance string
	Logger   *slog.Logger
	// Heartbeat is how often the holder heartbeats its jobs and looks for
	// requests it missed.
	Heartbeat time.Duration
	// StaleAfter is how long a holder may be silent before its running and
	// waiting jobs are shown as failed.
	StaleAfter time.Duration
	// ProgressEvery is the least time between two progress writes of a job.
	ProgressEvery time.Duration
}

// Registry starts, continues, shows and cancels jobs, on every instance
// alike. Its background work (heartbeats, listening) runs only while this
// instance holds jobs; Close ends it.
type Registry struct {
	st            *store.Store
	instance      string
	log           *slog.Logger
	heartbeat     time.Duration
	staleAfter    time.Duration
	progressEvery time.Duration

	mu       sync.Mutex
	conts    map[string]Continuation
	held     map[string]*held // the jobs whose data this instance holds
	stopLoop context.CancelFunc
	loopGen  int
	closed   bool

	steps sync.WaitGroup // running steps
	loops sync.WaitGroup // heartbeat and listener goroutines

	listenerPID    atomic.Uint32 // tests
	progressWrites atomic.Int64  // tests
}

// held is a job whose data this instance holds. Its fields are guarded by
// Registry.mu. While a step runs, the step owns the data.
type held struct {
	kind   string
	data   any                // between steps
	cancel context.CancelFunc // of the running step; nil while waiting
}

// New returns a registry over the job table of st.
func New(st *store.Store, opts Options) *Registry {
	r := &Registry{st: st, instance: opts.Instance, log: opts.Logger, heartbeat: opts.Heartbeat,
		staleAfter: opts.StaleAfter, progressEvery: opts.ProgressEvery,
		conts: map[string]Continuation{}, held: map[string]*held{}}
	if r.instance == "" {
		host, _ := os.Hostname()
		r.instance = fmt.Sprintf("%.40s-%d-%s", host, os.Getpid(), newID()[:8])
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.heartbeat <= 0 {
		r.heartbeat = DefaultHeartbeat
	}
	if r.staleAfter <= 0 {
		r.staleAfter = DefaultStaleAfter
	}
	if r.progressEvery <= 0 {
		r.progressEvery = DefaultProgressEvery
	}
	return r
}

// Instance returns this instance's id in table job.
func (r *Registry) Instance() string { return r.instance }

// RegisterContinuation sets the continuation of jobs of kind. Register the
// same continuations on every instance: the holder runs the one of its job.
func (r *Registry) RegisterContinuation(kind string, fn Continuation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conts[kind] = fn
}

// Start records a new job of owner and runs fn in the background on this
// instance, its holder; it returns the job at once.
func (r *Registry) Start(ctx context.Context, kind, owner string, fn Func) (*Job, error) {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	// Housekeeping: lost jobs fail, old ones go.
	if err := r.st.FailStaleJobs(ctx, "", r.staleAfter, Keep, holderGoneJSON); err != nil {
		r.log.WarnContext(ctx, "jobs: housekeeping", "err", err)
	}
	rec, err := r.st.CreateJob(ctx, newID(), kind, owner, r.instance)
	if err != nil {
		return nil, fmt.Errorf("start %s job: %w", kind, err)
	}
	stepCtx, cancel := context.WithCancel(context.Background())
	h := &held{kind: kind, cancel: cancel}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		cancel()
		r.failHeld(rec.ID)
		return nil, ErrClosed
	}
	r.held[rec.ID] = h
	r.startLoopLocked()
	r.steps.Add(1)
	r.mu.Unlock()
	go r.run(stepCtx, rec.ID, h, fn)
	return fromRecord(rec), nil
}

// Continue requests the next step of a waiting job of owner (e.g.
// committing an import): request, as JSON, goes to the job kind's
// continuation on the holder, which this call wakes. It returns the job,
// now running; ErrNotFound, or ErrNotWaiting when it is not waiting.
func (r *Registry) Continue(ctx context.Context, id, owner string, request any) (*Job, error) {
	payload, err := json.Marshal(request)
	if err != nil {
		return nil, fmt.Errorf("continue job %s: %w", id, err)
	}
	holder, ok, err := r.st.RequestJobContinuation(ctx, id, owner, payload, Keep, r.staleAfter)
	if err != nil {
		return nil, err
	}
	if !ok {
		j, err := r.Get(ctx, id, owner)
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("the job is %s, %w", j.State, ErrNotWaiting)
	}
	r.wake(ctx, holder, id)
	return r.Get(ctx, id, owner)
}

// Get returns a job of owner, or ErrNotFound.
func (r *Registry) Get(ctx context.Context, id, owner string) (*Job, error) {
	rec, err := r.st.Job(ctx, id, owner, Keep, r.staleAfter)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if rec.Stale {
		if err := r.st.FailStaleJobs(ctx, id, r.staleAfter, Keep, holderGoneJSON); err != nil {
			return nil, err
		}
		if rec, err = r.st.Job(ctx, id, owner, Keep, r.staleAfter); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, ErrNotFound
			}
			return nil, err
		}
	}
	return fromRecord(rec), nil
}

// Cancel stops a running job of owner or drops a waiting one, on whichever
// instance holds it. A job that already ended is left as it is.
func (r *Registry) Cancel(ctx context.Context, id, owner string) error {
	holder, ok, err := r.st.CancelJob(ctx, id, owner, Keep)
	if err != nil {
		return err
	}
	if !ok {
		_, err := r.Get(ctx, id, owner)
		return err
	}
	r.wake(ctx, holder, id)
	return nil
}

// Close ends this instance's part: its running and waiting jobs fail with
// HolderGone (their data goes with it), their steps are cancelled and
// awaited (a while), and the background work stops.
func (r *Registry) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	stop := r.stopLoop
	r.stopLoop = nil
	var ids []string
	var cancels []context.CancelFunc
	var data []any
	for id, h := range r.held {
		ids = append(ids, id)
		if h.cancel != nil {
			cancels = append(cancels, h.cancel)
		}
		data = append(data, h.data)
		h.data = nil
	}
	clear(r.held)
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	// Failed first, so that the cancelled steps do not record "cancelled".
	r.failHeld(ids...)
	for _, c := range cancels {
		c()
	}
	for _, d := range data {
		closeData(d)
	}
	done := make(chan struct{})
	go func() {
		r.steps.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(writeTimeout):
		r.log.Warn("jobs: steps still running after close")
	}
	r.loops.Wait()
}

// failHeld records that this instance lost jobs ids.
func (r *Registry) failHeld(ids ...string) {
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := r.st.FailJobs(ctx, r.instance, ids, holderGoneJSON); err != nil {
		r.log.Warn("jobs: recording lost jobs", "err", err)
	}
}

// run runs one step of job id and records how it ended.
func (r *Registry) run(ctx context.Context, id string, h *held, fn Func) {
	defer r.steps.Done()
	p := r.newProgress(id)
	res, data, waiting, err := fn(ctx, p.report)
	end := store.JobStepEnd{}
	end.Step, end.Progress = p.stop()
	switch {
	case err != nil && ctx.Err() != nil:
		end.State = Cancelled
	case err != nil && !waiting:
		end.State, end.Error = Failed, errorJSON(err)
		r.log.Info("job failed", "job", id, "kind", h.kind, "err", err)
	default:
		end.State, end.Progress = Done, 1
		if waiting {
			end.State = Waiting
			if err != nil { // a refused continuation: it waits for another
				end.Error = errorJSON(err)
				r.log.Info("job step refused", "job", id, "kind", h.kind, "err", err)
			}
		}
		if end.Result, err = json.Marshal(res); err != nil {
			r.log.Warn("job: encoding the result", "job", id, "err", err)
			end.State, end.Error = Failed, unrecordedJSON
		}
	}
	if end.State != Waiting {
		closeData(data)
		data = nil
	}
	// The data is in place before the job shows as waiting: a continuation
	// may be claimed at once.
	r.mu.Lock()
	current := r.held[id] == h
	if current {
		h.cancel, h.data = nil, data
		if end.State != Waiting {
			delete(r.held, id)
		}
	}
	r.mu.Unlock()
	if !current { // dropped meanwhile: cancelled, failed or lost elsewhere
		closeData(data)
		return
	}
	wctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	ok, err := r.st.FinishJobStep(wctx, id, r.instance, end)
	if err != nil && end.State != Failed {
		// E.g. a result PostgreSQL does not take: say so rather than stay running.
		r.log.Warn("job: recording the end of a step", "job", id, "err", err)
		end.State = Failed // dropped below, its data closed
		ok, err = r.st.FinishJobStep(wctx, id, r.instance, store.JobStepEnd{State: Failed, Step: end.Step,
			Progress: end.Progress, Error: unrecordedJSON})
	}
	if err != nil {
		r.log.Warn("job: recording the end of a step", "job", id, "err", err)
	}
	if !ok || err != nil || end.State != Waiting {
		r.drop(id)
	}
}

// drop forgets job id here: its step is cancelled and its data closed.
func (r *Registry) drop(id string) {
	r.mu.Lock()
	h := r.held[id]
	var data any
	var cancel context.CancelFunc
	if h != nil {
		delete(r.held, id)
		data, h.data, cancel = h.data, nil, h.cancel
	}
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	closeData(data)
}

// dropAll forgets every job held here.
func (r *Registry) dropAll() {
	r.mu.Lock()
	ids := make([]string, 0, len(r.held))
	for id := range r.held {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	for _, id := range ids {
		r.drop(id)
	}
}

// wake tells the holder of job id to look at it: directly when that is
// this instance, else with NOTIFY. Should the notification be lost, the
// holder finds the request at its next heartbeat.
func (r *Registry) wake(ctx context.Context, holder, id string) {
	if holder == r.instance {
		if err := r.check(ctx, []string{id}); err != nil {
			r.log.WarnContext(ctx, "jobs: looking at a job", "job", id, "err", err)
		}
		return
	}
	payload, _ := json.Marshal(notification{Holder: holder, ID: id})
	if _, err := r.st.Pool().Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload)); err != nil {
		r.log.WarnContext(ctx, "jobs: waking the holder", "job", id, "holder", holder, "err", err)
	}
}

// notification is the payload of a NOTIFY on Channel.
type notification struct {
	Holder string `json:"holder"`
	ID     string `json:"id"`
}

// check heartbeats jobs ids held here, drops those no longer running or
// waiting (cancelled, failed or expired elsewhere), and starts the requested
// continuations.
func (r *Registry) check(ctx context.Context, ids []string) error {
	live, err := r.st.HeartbeatJobs(ctx, r.instance, ids, Keep)
	if err != nil {
		return err
	}
	for _, id := range ids {
		pending, ok := live[id]
		switch {
		case !ok:
			r.drop(id)
		case pending:
			r.claim(ctx, id)
		}
	}
	return nil
}

// claim takes the continuation request of job id and runs it here.
func (r *Registry) claim(ctx context.Context, id string) {
	request, ok, err := r.st.ClaimJobContinuation(ctx, id, r.instance)
	if err != nil {
		r.log.WarnContext(ctx, "jobs: taking a continuation", "job", id, "err", err)
		return
	}
	if !ok {
		return // taken already
	}
	r.mu.Lock()
	h := r.held[id]
	var cont Continuation
	if h != nil {
		cont = r.conts[h.kind]
	}
	if h == nil || h.cancel != nil || cont == nil {
		r.mu.Unlock()
		fail := holderGoneJSON
		if h != nil {
			fail = errorJSON(fmt.Errorf("no continuation for jobs of kind %s on instance %s", h.kind, r.instance))
		}
		wctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		defer cancel()
		if _, err := r.st.FinishJobStep(wctx, id, r.instance, store.JobStepEnd{State: Failed, Error: fail}); err != nil {
			r.log.Warn("jobs: failing a continuation", "job", id, "err", err)
		}
		r.drop(id)
		return
	}
	data := h.data
	h.data = nil
	stepCtx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	r.steps.Add(1)
	r.mu.Unlock()
	go r.run(stepCtx, id, h, func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		res, err := cont(ctx, rep, data, request)
		var refused *Refused
		if errors.As(err, &refused) && ctx.Err() == nil {
			return refused.Result, data, true, refused.Err
		}
		closeData(data)
		return res, nil, false, err
	})
}

// startLoopLocked starts the heartbeat and the listener unless they run.
func (r *Registry) startLoopLocked() {
	if r.stopLoop != nil || r.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.stopLoop = cancel
	r.loopGen++
	r.loops.Add(2)
	go r.beat(ctx, r.loopGen)
	go r.listen(ctx)
}

// beat heartbeats the jobs held here until there are none. When it cannot
// for StaleAfter, the other instances show them failed, so it drops them.
func (r *Registry) beat(ctx context.Context, gen int) {
	defer r.loops.Done()
	t := time.NewTicker(r.heartbeat)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		if len(r.held) == 0 {
			if r.loopGen == gen && r.stopLoop != nil {
				r.stopLoop()
				r.stopLoop = nil
			}
			r.mu.Unlock()
			return
		}
		ids := make([]string, 0, len(r.held))
		for id := range r.held {
			ids = append(ids, id)
		}
		r.mu.Unlock()
		bctx, cancel := context.WithTimeout(ctx, r.staleAfter)
		err := r.check(bctx, ids)
		if err == nil {
			last = time.Now()
			if err := r.st.FailStaleJobs(bctx, "", r.staleAfter, Keep, holderGoneJSON); err != nil {
				r.log.Warn("jobs: housekeeping", "err", err)
			}
		}
		cancel()
		switch {
		case err == nil || ctx.Err() != nil:
		case time.Since(last) > r.staleAfter:
			r.log.Error("jobs: no heartbeat for too long; the jobs held here are lost", "err", err)
			r.dropAll()
		default:
			r.log.Warn("jobs: heartbeat", "err", err)
		}
	}
}

// listen LISTENs on Channel on a connection of its own, reconnecting with
// backoff, and looks at the jobs named in notifications to this instance.
func (r *Registry) listen(ctx context.Context) {
	defer r.loops.Done()
	pglisten.Run(ctx, r.st.Pool(), Channel, r.log, pglisten.Handlers{
		Listening:    r.catchUp,
		Notification: r.heard,
		Lost:         func() { r.listenerPID.Store(0) },
	})
}

// catchUp runs after each successful LISTEN. Requests made while not
// listening were not heard: it looks at every job held here.
func (r *Registry) catchUp(ctx context.Context, pid uint32) {
	r.listenerPID.Store(pid)
	r.mu.Lock()
	ids := make([]string, 0, len(r.held))
	for id := range r.held {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	if len(ids) > 0 {
		if err := r.check(ctx, ids); err != nil {
			r.log.Warn("jobs: looking at the jobs held here", "err", err)
		}
	}
}

// heard looks at the job named in a notification if it is held here.
func (r *Registry) heard(ctx context.Context, payload string) {
	var m notification
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		r.log.Warn("jobs: unreadable notification", "payload", payload, "err", err)
		return
	}
	if m.Holder != r.instance {
		return
	}
	if err := r.check(ctx, []string{m.ID}); err != nil {
		r.log.Warn("jobs: looking at a job", "job", m.ID, "err", err)
	}
}

// progress writes a running step's progress to the table, at most once
// per ProgressEvery, without holding up the step.
type progress struct {
	r    *Registry
	id   string
	kick chan struct{}
	quit chan struct{}
	done chan struct{}

	mu   sync.Mutex
	step string
	frac float64
}

func (r *Registry) newProgress(id string) *progress {
	p := &progress{r: r, id: id, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go p.write()
	return p
}

func (p *progress) report(step string, done, total int64) {
	p.mu.Lock()
	p.step = step
	if total > 0 {
		p.frac = min(1, max(0, float64(done)/float64(total)))
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *progress) write() {
	defer close(p.done)
	for {
		select {
		case <-p.quit:
			return
		case <-p.kick:
		}
		p.mu.Lock()
		step, frac := p.step, p.frac
		p.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		if err := p.r.st.SetJobProgress(ctx, p.id, p.r.instance, step, frac); err != nil {
			p.r.log.Warn("job: progress", "job", p.id, "err", err)
		}
		cancel()
		p.r.progressWrites.Add(1)
		select {
		case <-p.quit:
			return
		case <-time.After(p.r.progressEvery):
		}
	}
}

// stop ends the writing and returns the last step and progress reported.
func (p *progress) stop() (step string, frac float64) {
	close(p.quit)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.step, p.frac
}

// errorJSON is what every instance shows for err.
func errorJSON(err error) json.RawMessage {
	var f *Failure
	if errors.As(err, &f) {
		if b, err := json.Marshal(f.Detail); err == nil {
			return b
		}
	}
	b, _ := json.Marshal(map[string]string{"detail": err.Error()})
	return b
}

// closeData closes a job's data when it is an io.Closer.
func closeData(data any) {
	if c, ok := data.(io.Closer); ok {
		_ = c.Close()
	}
}

func fromRecord(rec store.JobRecord) *Job {
	return &Job{ID: rec.ID, Kind: rec.Kind, Owner: rec.Owner, State: rec.State, Progress: rec.Progress, Step: rec.Step,
		Error: rec.Error, Result: rec.Result, Started: rec.Started, Updated: rec.Updated}
}

func newID() string {
	var b [12]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}
