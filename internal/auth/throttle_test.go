package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clockThrottle is a throttle with DefaultLimits on a clock the test moves.
func clockThrottle() (*Throttle, *time.Time) {
	now := time.Unix(1_700_000_000, 0)
	th := NewThrottle(DefaultLimits)
	th.now = func() time.Time { return now }
	return th, &now
}

// try reserves an attempt and settles it: ok is the password's verdict.
// It returns the wait when the throttle refused.
func try(th *Throttle, a Attempt, ok bool) time.Duration {
	r, wait := th.Reserve(a)
	if r == nil {
		return wait
	}
	if ok {
		r.Succeed()
	} else {
		r.Fail()
	}
	return 0
}

func TestThrottleDelays(t *testing.T) {
	th, now := clockThrottle()
	l := DefaultLimits
	a := Attempt{User: "Alice", Addr: "10.0.0.1"}
	for i := range l.Free {
		if w := try(th, a, false); w != 0 {
			t.Fatalf("failure %d refused (%v): the first %d are free", i+1, w, l.Free)
		}
	}
	if w := try(th, a, true); w != l.FirstDelay {
		t.Fatalf("after %d failures the right password waits %v, want %v", l.Free, w, l.FirstDelay)
	}
	if w := try(th, Attempt{User: "alice", Addr: "10.0.0.1"}, true); w == 0 {
		t.Fatal("the name's case escapes the count")
	}
	*now = now.Add(l.FirstDelay)
	if w := try(th, a, false); w != 0 {
		t.Fatalf("after the delay: %v", w)
	}
	if w := try(th, a, false); w != 2*l.FirstDelay {
		t.Fatalf("the delay does not double: %v", w)
	}
	for range 20 {
		*now = now.Add(l.Ceiling)
		try(th, a, false)
	}
	if w := try(th, a, false); w != l.Ceiling {
		t.Fatalf("the delay is not capped: %v", w)
	}
	*now = now.Add(l.Ceiling)
	if w := try(th, a, true); w != 0 {
		t.Fatalf("right password after the delay: %v", w)
	}
	if w := try(th, a, false); w != 0 {
		t.Fatalf("a success does not clear the count: %v", w)
	}
	// Counts are forgotten an hour after the last failure.
	for range l.Free + 1 {
		*now = now.Add(l.Ceiling)
		try(th, a, false)
	}
	*now = now.Add(l.Forget + l.Ceiling)
	for i := range l.Free {
		if w := try(th, a, false); w != 0 {
			t.Fatalf("failure %d after the count was forgotten waits %v", i+1, w)
		}
	}
}

// TestThrottleParallel: attempts reserved at once cannot get past the free
// count, whatever their outcome turns out to be.
func TestThrottleParallel(t *testing.T) {
	th, _ := clockThrottle()
	a := Attempt{User: "bob", Addr: "10.0.0.2"}
	var held []*Reservation
	refused := 0
	for range 60 {
		if r, wait := th.Reserve(a); r != nil {
			held = append(held, r)
		} else if wait > 0 {
			refused++
		}
	}
	if len(held) != DefaultLimits.Free || refused != 60-DefaultLimits.Free {
		t.Fatalf("60 parallel attempts: %d reserved, %d refused; want %d reserved", len(held), refused, DefaultLimits.Free)
	}
	for _, r := range held {
		r.Fail()
	}
	if r, _ := th.Reserve(a); r != nil {
		t.Fatal("an attempt got through right after the free ones failed")
	}
	// Released attempts (not checked) do not count.
	th2, _ := clockThrottle()
	for range 3 * DefaultLimits.Free {
		r, _ := th2.Reserve(a)
		if r == nil {
			t.Fatal("released attempts counted as failures")
		}
		r.Release()
		r.Fail() // settling twice changes nothing
	}
}

// TestThrottleSources: a guesser elsewhere holds up neither the user's
// browser (device cookie) nor an address where the user signed in before.
func TestThrottleSources(t *testing.T) {
	th, _ := clockThrottle()
	home := Attempt{User: "carol", Addr: "192.0.2.10"}
	if w := try(th, Attempt{User: "carol", Addr: "192.0.2.10", Device: "dev1"}, true); w != 0 {
		t.Fatal(w)
	}
	try(th, home, true) // the address becomes carol's
	attacker := Attempt{User: "carol", Addr: "198.51.100.7"}
	for range 30 {
		try(th, attacker, false)
	}
	if w := try(th, attacker, true); w == 0 {
		t.Fatal("the guesser's address is not held up")
	}
	if w := try(th, Attempt{User: "carol", Addr: "203.0.113.1"}, true); w == 0 {
		t.Fatal("a third, unknown address is not held up (it shares the guesser's count)")
	}
	if w := try(th, home, true); w != 0 {
		t.Fatalf("carol at her own address waits %v", w)
	}
	if w := try(th, Attempt{User: "carol", Addr: "198.51.100.7", Device: "dev1"}, true); w != 0 {
		t.Fatalf("carol's browser, even at the guesser's address, waits %v", w)
	}
}

// TestThrottleAddress: one address is slowed only by failures across many
// names; an office behind one address is not held up by one colleague.
func TestThrottleAddress(t *testing.T) {
	th, _ := clockThrottle()
	const office = "203.0.113.50"
	for range 12 {
		try(th, Attempt{User: "dave", Addr: office}, false)
	}
	if w := try(th, Attempt{User: "erin", Addr: office}, true); w != 0 {
		t.Fatalf("a colleague of dave at the same address waits %v", w)
	}
	for i := range DefaultLimits.AddrNames - 1 { // dave's name counts too
		if w := try(th, Attempt{User: fmt.Sprintf("name%d", i), Addr: office}, false); w != 0 {
			t.Fatalf("name %d of a spray refused too early: %v", i, w)
		}
	}
	if w := try(th, Attempt{User: "frank", Addr: office}, true); w == 0 {
		t.Fatal("an address that failed on many names is not held up")
	}
	if w := try(th, Attempt{User: "erin", Addr: office, Device: "erin-dev"}, true); w != 0 {
		t.Fatalf("a browser with a device cookie is held up by the spray: %v", w)
	}
}

func TestThrottleMemoryBounded(t *testing.T) {
	th, _ := clockThrottle()
	for i := range maxEntries + 500 {
		try(th, Attempt{User: fmt.Sprint("u", i), Addr: fmt.Sprint("a", i)}, false)
	}
	if n := len(th.entries); n > maxEntries {
		t.Fatalf("%d entries, bound %d", n, maxEntries)
	}
}

func TestCheckerBoundsConcurrency(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	c := NewChecker(2, 3, time.Minute)
	var busy, right, wrong atomic.Int64
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := "wrong horse battery"
			if i == 0 {
				pw = "correct horse battery"
			}
			ok, err := c.Check(context.Background(), hash, pw)
			switch {
			case errors.Is(err, ErrBusy):
				busy.Add(1)
			case err != nil:
				t.Error(err)
			case ok:
				right.Add(1)
			default:
				wrong.Add(1)
			}
		}()
	}
	wg.Wait()
	if c.Peak() > 2 || c.Peak() < 1 {
		t.Errorf("peak %d checks at once, bound 2", c.Peak())
	}
	if busy.Load() == 0 || busy.Load()+right.Load()+wrong.Load() != 12 {
		t.Errorf("busy %d, right %d, wrong %d: with 2 slots and 3 waiting, some of 12 must be refused", busy.Load(), right.Load(), wrong.Load())
	}
	if ok, err := c.Check(context.Background(), nil, "anything at all"); ok || err != nil {
		t.Errorf("a missing user's check: %v %v", ok, err)
	}
	// A check that cannot get a slot in time is refused.
	slow := NewChecker(1, 1, 10*time.Millisecond)
	slow.slots <- struct{}{}
	if _, err := slow.Check(context.Background(), hash, "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("no slot within the wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := slow.Check(ctx, hash, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while waiting: %v", err)
	}
}

func TestDeviceCookies(t *testing.T) {
	d := NewDevices(NewDeviceKey())
	v := d.Mint("Alice")
	id, ok := d.Check("alice", v)
	if !ok || id == "" {
		t.Fatalf("own cookie refused: %q", v)
	}
	if _, ok := d.Check("bob", v); ok {
		t.Error("alice's cookie is valid for bob")
	}
	if _, ok := NewDevices(NewDeviceKey()).Check("alice", v); ok {
		t.Error("a cookie is valid under another key")
	}
	for _, bad := range []string{"", ".", id + ".", id, id + ".AAAAAAAAAAAAAAAAAAAAAA", v + "x"} {
		if _, ok := d.Check("alice", bad); ok {
			t.Errorf("forged cookie %q accepted", bad)
		}
	}
}

func TestCache(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := NewCache[string](30*time.Second, 3)
	c.now = func() time.Time { return now }
	c.Put(c.Begin(), "a", 1, "A", time.Time{})
	c.Put(c.Begin(), "b", 2, "B", now.Add(10*time.Second))
	if v, ok := c.Get("a"); !ok || v != "A" {
		t.Fatal("cached value missing")
	}
	now = now.Add(15 * time.Second)
	if _, ok := c.Get("b"); ok {
		t.Error("entry outlives its own expiry")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("entry gone before its TTL")
	}
	now = now.Add(15 * time.Second)
	if _, ok := c.Get("a"); ok {
		t.Error("entry outlives the TTL")
	}
	c.Put(c.Begin(), "a", 1, "A", time.Time{})
	c.Put(c.Begin(), "c", 3, "C", time.Time{})
	c.Drop([]int64{1})
	if _, ok := c.Get("a"); ok {
		t.Error("dropped user's entry still served")
	}
	if _, ok := c.Get("c"); !ok {
		t.Error("another user's entry dropped")
	}
	// A lookup that began before a revocation is not stored.
	gen := c.Begin()
	c.Drop([]int64{9})
	c.Put(gen, "d", 4, "D", time.Time{})
	if _, ok := c.Get("d"); ok {
		t.Error("a value read before a revocation was cached")
	}
	c.Drop(nil)
	for i := range 10 {
		c.Put(c.Begin(), fmt.Sprint(i), int64(i), "x", time.Time{})
	}
	if c.Len() > 3 {
		t.Errorf("%d entries, bound 3", c.Len())
	}
}
