package auth

import (
	"strings"
	"sync"
	"time"
)

// Limits are the sign-in throttle's rules (see Throttle).
type Limits struct {
	// Free is how many failed sign-ins one user may have from one source
	// before each further attempt must wait.
	Free int
	// FirstDelay is the wait after Free failures; every further failure
	// doubles it, up to Ceiling.
	FirstDelay, Ceiling time.Duration
	// AddrNames is how many different user names may fail from one address
	// (without a device cookie) before that address must wait too: a
	// spray across many accounts, not a colleague's typo.
	AddrNames int
	// Forget is how long after its last failure a count is dropped.
	Forget time.Duration
	// Remember is how long an address where a user signed in stays that
	// user's own source.
	Remember time.Duration
}

// DefaultLimits are wanmu's sign-in rules, documented in the README.
var DefaultLimits = Limits{
	Free:       5,
	FirstDelay: 30 * time.Second,
	Ceiling:    15 * time.Minute,
	AddrNames:  30,
	Forget:     time.Hour,
	Remember:   30 * 24 * time.Hour,
}

// Attempt is one sign-in attempt as the throttle sees it.
type Attempt struct {
	User   string // the user name as typed; compared without case
	Device string // id of a device cookie that is valid for User, "" if none
	Addr   string // the client's address
}

// Throttle slows down guessing of passwords without letting a guesser lock
// the real user out. Failures are counted per user and source, where the
// source is the device cookie a browser got when it last signed in as that
// user, else the address if the user signed in from it before, else
// "anywhere else": a guesser fills only the count of the sources they use.
// After Free failures of one count, the next attempt from that source
// waits FirstDelay, doubling with every further failure up to Ceiling; a
// success clears the count of its source. Attempts without a device cookie
// also count per address, by the number of different user names that
// failed from it: past AddrNames the address waits in the same way, so one
// address cannot try one password on every account, while an office behind
// one address is never held up by one colleague's typos.
//
// An attempt is reserved (Reserve) before the password is checked and
// settled afterwards, so attempts sent in parallel cannot get past the
// limits: an attempt in flight counts as a failure until it is settled.
// Counts live in the memory of one instance.
type Throttle struct {
	mu      sync.Mutex
	limits  Limits
	entries map[string]*throttleEntry
	known   map[string]map[string]time.Time // user → address → last success
	now     func() time.Time
}

type throttleEntry struct {
	count    int                 // failures (user) or different names that failed (address)
	names    map[string]struct{} // address entries: the names counted
	inflight int                 // reserved attempts not yet settled
	until    time.Time           // no attempt before
	last     time.Time           // last failure
}

// maxEntries bounds the memory of the throttle under a spray of names.
const maxEntries = 100_000

// maxKnown bounds the addresses remembered per user.
const maxKnown = 8

// NewThrottle returns a throttle with limits.
func NewThrottle(limits Limits) *Throttle {
	return &Throttle{limits: limits, entries: map[string]*throttleEntry{}, known: map[string]map[string]time.Time{}, now: time.Now}
}

// Reservation is a reserved attempt: settle it with exactly one of Fail,
// Succeed or Release.
type Reservation struct {
	t       *Throttle
	user    string // lower-cased name
	addr    string
	userKey string
	addrKey string // "" when the attempt has a device cookie
	done    bool
}

// Source names the count an attempt falls in: "device", "address" (one
// where the user signed in before) or "elsewhere".
func (r *Reservation) Source() string {
	switch {
	case r.addrKey == "":
		return "device"
	case r.userKey == userKey(r.user, "a:"+r.addr):
		return "address"
	}
	return "elsewhere"
}

func userKey(user, source string) string { return "u\x00" + user + "\x00" + source }

// Reserve checks an attempt against the limits and, when it may go ahead,
// reserves it in the same step. Otherwise it returns how long to wait.
func (t *Throttle) Reserve(a Attempt) (*Reservation, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.entries) >= maxEntries-2 {
		t.sweep(now)
	}
	r := &Reservation{t: t, user: strings.ToLower(a.User), addr: a.Addr}
	switch {
	case a.Device != "":
		r.userKey = userKey(r.user, "d:"+a.Device)
	case t.knownAddr(r.user, a.Addr, now):
		r.userKey = userKey(r.user, "a:"+a.Addr)
	default:
		r.userKey = userKey(r.user, "")
	}
	if a.Device == "" {
		r.addrKey = "a\x00" + a.Addr
	}
	ue := t.entry(r.userKey, now)
	wait := ue.admit(now, t.limits.Free)
	var ae *throttleEntry
	if r.addrKey != "" {
		ae = t.entry(r.addrKey, now)
		wait = max(wait, ae.admit(now, t.limits.AddrNames))
	}
	if wait > 0 {
		return nil, wait
	}
	ue.inflight++
	if ae != nil {
		ae.inflight++
	}
	return r, 0
}

// admit returns 0 when one more attempt may start, else how long to wait:
// under the free count attempts go ahead together; past it, one at a time
// once the delay is over.
func (e *throttleEntry) admit(now time.Time, free int) time.Duration {
	if d := e.until.Sub(now); d > 0 {
		return d
	}
	if e.count+e.inflight < free || e.inflight == 0 {
		return 0
	}
	return time.Second // an attempt is being checked: its outcome decides
}

// entry returns key's entry, created if needed, forgetting an old count.
func (t *Throttle) entry(key string, now time.Time) *throttleEntry {
	e := t.entries[key]
	if e != nil && e.inflight == 0 && now.Sub(e.last) > t.limits.Forget && !now.Before(e.until) {
		delete(t.entries, key)
		e = nil
	}
	if e == nil {
		e = &throttleEntry{}
		t.entries[key] = e
	}
	return e
}

// sweep drops entries that hold nobody up now, and then any that are not
// in use if that is not enough.
func (t *Throttle) sweep(now time.Time) {
	for k, e := range t.entries {
		if e.inflight == 0 && !now.Before(e.until) {
			delete(t.entries, k)
		}
	}
	for k, e := range t.entries { // everyone is held up: a flood; make room
		if len(t.entries) < maxEntries {
			break
		}
		if e.inflight == 0 {
			delete(t.entries, k)
		}
	}
}

// knownAddr reports whether user signed in from addr within Remember.
func (t *Throttle) knownAddr(user, addr string, now time.Time) bool {
	at, ok := t.known[user][addr]
	return ok && now.Sub(at) <= t.limits.Remember
}

// Fail settles r as a wrong password (or an unknown or disabled user).
func (r *Reservation) Fail() {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.settle() {
		return
	}
	now := t.now()
	if e := t.entries[r.userKey]; e != nil {
		e.count++
		e.last = now
		t.delay(e, now, t.limits.Free)
	}
	if e := t.entries[r.addrKey]; r.addrKey != "" && e != nil {
		if e.names == nil {
			e.names = map[string]struct{}{}
		}
		if _, seen := e.names[r.user]; !seen {
			e.count++
			if len(e.names) < 4*t.limits.AddrNames {
				e.names[r.user] = struct{}{}
			}
		}
		e.last = now
		t.delay(e, now, t.limits.AddrNames)
	}
}

// delay sets when e's next attempt may start: FirstDelay once its count
// reaches free, doubling for each count beyond, up to Ceiling.
func (t *Throttle) delay(e *throttleEntry, now time.Time, free int) {
	over := e.count - free
	if over < 0 {
		return
	}
	d := t.limits.FirstDelay << min(over, 20)
	if d <= 0 || d > t.limits.Ceiling {
		d = t.limits.Ceiling
	}
	e.until = now.Add(d)
}

// Succeed settles r as a right password: the count of its source is
// cleared (the address count is not: one right password does not vouch
// for the other names tried from there), and the address becomes one of
// the user's own.
func (r *Reservation) Succeed() {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.settle() {
		return
	}
	if e := t.entries[r.userKey]; e != nil {
		e.count, e.until = 0, time.Time{}
	}
	now := t.now()
	m := t.known[r.user]
	if m == nil {
		m = map[string]time.Time{}
		t.known[r.user] = m
	}
	m[r.addr] = now
	for len(m) > maxKnown {
		oldest := r.addr
		for a, at := range m {
			if at.Before(m[oldest]) {
				oldest = a
			}
		}
		delete(m, oldest)
	}
}

// Release settles r without counting it: the password was not checked
// (the server was busy, the database down, the client gone).
func (r *Reservation) Release() {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	r.settle()
}

// settle ends r's reservation; it reports whether r was already settled.
// The caller holds t.mu.
func (r *Reservation) settle() bool {
	if r.done {
		return true
	}
	r.done = true
	for _, k := range []string{r.userKey, r.addrKey} {
		if e := r.t.entries[k]; k != "" && e != nil && e.inflight > 0 {
			e.inflight--
		}
	}
	return false
}
