package api

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestExportTurns: with every turn taken, an export waits until one is
// released, and gives up with its client.
func TestExportTurns(t *testing.T) {
	s := &Server{exports: make(chan struct{}, 1)}
	release, err := s.exportTurn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.exportTurn(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second export while the only turn is taken: %v, want to wait until the client gives up", err)
	}
	got := make(chan error, 1)
	go func() {
		next, err := s.exportTurn(context.Background())
		if err == nil {
			next()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Fatalf("the waiting export after the turn was released: %v", err)
	}
	if len(s.exports) != 0 {
		t.Errorf("%d turns still taken after both exports ended", len(s.exports))
	}
}
