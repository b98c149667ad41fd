package job

import (
	"context"
	"errors"
	"testing"
	"time"
)

func wait(t *testing.T, r *Registry, id, owner string) *Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		j, err := r.Get(id, owner)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != Running || time.Now().After(deadline) {
			return j
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPreviewThenCommit(t *testing.T) {
	r := NewRegistry()
	j := r.Start("import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		rep("read", 5, 10)
		return "preview", 42, true, nil
	})
	if got := wait(t, r, j.ID, "ann"); got.State != Waiting || got.Result != "preview" {
		t.Fatalf("after the first step: %+v", got)
	}
	if _, err := r.Get(j.ID, "bob"); !errors.Is(err, ErrNotFound) {
		t.Fatal("another user sees the job")
	}
	if _, err := r.Continue(j.ID, "ann", func(ctx context.Context, rep Reporter, data any) (any, error) {
		if data != 42 {
			t.Errorf("data = %v", data)
		}
		return "written", nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, r, j.ID, "ann"); got.State != Done || got.Result != "written" || got.Progress != 1 {
		t.Fatalf("after commit: %+v", got)
	}
	if _, err := r.Continue(j.ID, "ann", nil); err == nil {
		t.Fatal("a finished job continued")
	}
}

func TestFailAndCancel(t *testing.T) {
	r := NewRegistry()
	boom := errors.New("boom")
	j := r.Start("import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) { return nil, nil, false, boom })
	if got := wait(t, r, j.ID, "ann"); got.State != Failed || !errors.Is(got.Err(), boom) {
		t.Fatalf("failed job: %+v", got)
	}
	started := make(chan struct{})
	j = r.Start("import", "ann", func(ctx context.Context, rep Reporter) (any, any, bool, error) {
		close(started)
		<-ctx.Done()
		return nil, nil, false, ctx.Err()
	})
	<-started
	if err := r.Cancel(j.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, r, j.ID, "ann"); got.State != Cancelled {
		t.Fatalf("cancelled job: %+v", got)
	}
}
