package change_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"wanmu/internal/change"
	"wanmu/internal/testdb"
)

// TestCredentialChanges: user ids published go to SubscribeUsers only (the
// data subscribers never see them), at commit; a (re)connection says
// "every user"; too many ids say "every user" too.
func TestCredentialChanges(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	var mu sync.Mutex
	var heard []string
	bus := &change.Bus{}
	bus.SubscribeUsers(func(users []int64) {
		mu.Lock()
		defer mu.Unlock()
		if users == nil {
			heard = append(heard, "all")
			return
		}
		heard = append(heard, fmt.Sprint(users))
	})
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := heard
		heard = nil
		return out
	}
	bus2, rec := listen(t, pool) // a second bus for the data subscriber
	rec.take()
	ctx2, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); bus.Listen(ctx2, pool, nil) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "bus connected", bus.Connected)
	if got := take(); len(got) != 1 || got[0] != "all" {
		t.Fatalf("after connecting: %v, want [all]", got)
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := change.PublishUsers(ctx, tx, 7, 9); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if got := take(); len(got) != 0 {
		t.Fatalf("before commit: %v", got)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var many []int64
	for i := range 2000 {
		many = append(many, int64(1_000_000+i))
	}
	if err := change.PublishUsers(ctx, pool, many...); err != nil {
		t.Fatal(err)
	}
	if err := change.PublishUsers(ctx, pool); err != nil { // nobody: nothing sent
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(take()); got != "[[7 9] all]" {
		t.Errorf("heard %s, want [[7 9] all]", got)
	}
	if err := bus2.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("a data subscriber heard credential changes: %+v", got)
	}
}
