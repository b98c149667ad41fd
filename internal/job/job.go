// Package job runs long imports and exports in the background and reports
// their progress. Jobs live in the memory of the instance that started them
// (their uploads are on its disk too); they are forgotten an hour after they
// end.
package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// States of a job.
const (
	Running   = "running"
	Waiting   = "waiting" // done with a step, waiting for the user (e.g. an import preview)
	Done      = "done"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Job is one background task.
type Job struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Owner    string    `json:"owner"`
	State    string    `json:"state"`
	Progress float64   `json:"progress"` // 0…1 of the current step
	Step     string    `json:"step"`
	Error    any       `json:"error,omitempty"` // filled by the HTTP layer from Err
	Result   any       `json:"result,omitempty"`
	Started  time.Time `json:"started_at"`
	Updated  time.Time `json:"updated_at"`

	err    error
	cancel context.CancelFunc
	data   any // private to the job's owner (e.g. the parsed file)
}

// Err is why a Failed job failed.
func (j *Job) Err() error { return j.err }

// Registry holds the jobs of this instance.
type Registry struct {
	mu   sync.Mutex
	jobs map[string]*Job
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{jobs: map[string]*Job{}} }

// ErrNotFound is returned for unknown (or expired) job ids.
var ErrNotFound = errors.New("no such job")

// Start runs fn in the background as a new job and returns its id at once.
// fn reports progress through the Reporter; its return value becomes the
// job's result, and waiting=true leaves the job Waiting instead of Done.
func (r *Registry) Start(kind, owner string, fn func(ctx context.Context, rep Reporter) (result any, data any, waiting bool, err error)) *Job {
	ctx, cancel := context.WithCancel(context.Background())
	var b [12]byte
	_, _ = rand.Read(b[:])
	now := time.Now()
	j := &Job{ID: hex.EncodeToString(b[:]), Kind: kind, Owner: owner, State: Running, Started: now, Updated: now, cancel: cancel}
	r.mu.Lock()
	r.expire(now)
	r.jobs[j.ID] = j
	r.mu.Unlock()
	go r.run(ctx, j, fn)
	return r.snapshot(j)
}

// Continue runs a further step of a Waiting job (e.g. committing an import).
func (r *Registry) Continue(id, owner string, fn func(ctx context.Context, rep Reporter, data any) (result any, err error)) (*Job, error) {
	r.mu.Lock()
	j, ok := r.jobs[id]
	if !ok || j.Owner != owner {
		r.mu.Unlock()
		return nil, ErrNotFound
	}
	if j.State != Waiting {
		r.mu.Unlock()
		return nil, errors.New("the job is " + j.State + ", not waiting")
	}
	ctx, cancel := context.WithCancel(context.Background())
	// The previous step's result belongs to the next step now (it may
	// change it), so it is no longer shown.
	j.State, j.Progress, j.cancel, j.err, j.Result = Running, 0, cancel, nil, nil
	data := j.data
	r.mu.Unlock()
	go r.run(ctx, j, func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		res, err := fn(ctx, rep, data)
		return res, nil, false, err
	})
	return r.snapshot(j), nil
}

// Get returns a copy of a job of owner.
func (r *Registry) Get(id, owner string) (*Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	if !ok || j.Owner != owner {
		return nil, ErrNotFound
	}
	c := *j
	return &c, nil
}

// Cancel stops a running job or drops a waiting one.
func (r *Registry) Cancel(id, owner string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	if !ok || j.Owner != owner {
		return ErrNotFound
	}
	if j.State == Running || j.State == Waiting {
		j.cancel()
		j.State, j.Updated, j.data = Cancelled, time.Now(), nil
	}
	return nil
}

// Reporter lets a job report its step and progress.
type Reporter func(step string, done, total int64)

func (r *Registry) run(ctx context.Context, j *Job, fn func(ctx context.Context, rep Reporter) (any, any, bool, error)) {
	rep := func(step string, done, total int64) {
		r.mu.Lock()
		defer r.mu.Unlock()
		j.Step, j.Updated = step, time.Now()
		if total > 0 {
			j.Progress = min(1, float64(done)/float64(total))
		}
	}
	res, data, waiting, err := fn(ctx, rep)
	r.mu.Lock()
	defer r.mu.Unlock()
	j.Updated = time.Now()
	switch {
	case j.State == Cancelled:
	case err != nil && ctx.Err() != nil:
		j.State = Cancelled
	case err != nil:
		j.State, j.err = Failed, err
	case waiting:
		j.State, j.Result, j.data, j.Progress = Waiting, res, data, 1
	default:
		j.State, j.Result, j.Progress, j.data = Done, res, 1, nil
	}
}

func (r *Registry) snapshot(j *Job) *Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *j
	return &c
}

// expire forgets jobs that ended (or waited) more than an hour ago.
func (r *Registry) expire(now time.Time) {
	for id, j := range r.jobs {
		if j.State != Running && now.Sub(j.Updated) > time.Hour {
			if j.cancel != nil {
				j.cancel()
			}
			delete(r.jobs, id)
		}
	}
}
