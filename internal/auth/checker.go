package auth

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy is returned by Checker.Check when every slot stayed taken for
// as long as a check may wait.
var ErrBusy = errors.New("too many sign-ins are being checked at once")

// Checker runs password checks (bcrypt, tens of milliseconds of CPU each)
// a few at a time, so that a flood of sign-ins cannot take every CPU from
// the map's other requests. A check waits for a slot in a bounded waiting
// room, for a bounded time; beyond either it is refused with ErrBusy
// rather than queued.
type Checker struct {
	slots   chan struct{}
	waiting chan struct{}
	maxWait time.Duration
	running atomic.Int64
	peak    atomic.Int64
}

// NewChecker runs at most slots checks at once, lets at most waiting
// more wait, each for at most maxWait.
func NewChecker(slots, waiting int, maxWait time.Duration) *Checker {
	return &Checker{slots: make(chan struct{}, max(1, slots)), waiting: make(chan struct{}, max(0, waiting)), maxWait: maxWait}
}

// DefaultChecker uses half the CPUs (at least one) for password checks,
// with a waiting room of 32 per slot and a wait of at most 3 seconds.
func DefaultChecker() *Checker {
	n := max(1, runtime.GOMAXPROCS(0)/2)
	return NewChecker(n, 32*n, 3*time.Second)
}

// Check reports whether password matches hash; a nil hash (no such user)
// costs the same time and is never a match. It returns ErrBusy when no
// slot was free in time, or the context's error.
func (c *Checker) Check(ctx context.Context, hash []byte, password string) (bool, error) {
	select {
	case c.slots <- struct{}{}:
	default:
		select {
		case c.waiting <- struct{}{}:
		default:
			return false, ErrBusy
		}
		timer := time.NewTimer(c.maxWait)
		select {
		case c.slots <- struct{}{}:
			timer.Stop()
			<-c.waiting
		case <-timer.C:
			<-c.waiting
			return false, ErrBusy
		case <-ctx.Done():
			timer.Stop()
			<-c.waiting
			return false, ctx.Err()
		}
	}
	defer func() {
		c.running.Add(-1)
		<-c.slots
	}()
	n := c.running.Add(1)
	for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
	}
	if hash == nil {
		CheckMissing(password)
		return false, nil
	}
	return CheckPassword(hash, password), nil
}

// Slots returns how many checks may run at once.
func (c *Checker) Slots() int { return cap(c.slots) }

// Peak returns the most checks seen running at once.
func (c *Checker) Peak() int { return int(c.peak.Load()) }
