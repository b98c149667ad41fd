// Package change is wanmu's cross-instance change bus. A write publishes a
// Change with PostgreSQL NOTIFY inside its own transaction, so listeners
// hear it only once it is committed; every instance (the publishing one
// included) LISTENs on one dedicated connection and fans the changes out to
// its caches. Local changes take the same road on purpose: all instances
// behave alike, and a cache never runs ahead of the database.
//
// Notifications sent while a listener is disconnected are lost, so after
// every (re)connection the bus delivers a Change with Layer "*": drop
// everything. Until it is connected, Connected reports false and caches
// must not trust what they hold.
//
// The bus also carries the ids of users whose credentials changed
// (PublishUsers, SubscribeUsers), for the caches of sessions and tokens.
// Those are not data changes and go only to their own subscribers.
package change

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"wanmu/internal/pglisten"
)

// Channel is the PostgreSQL NOTIFY channel of the bus.
const Channel = "wanmu_change"

// Layer names carried by a Change besides "layer-<id>".
const (
	Zones     = "zones"
	Platforms = "platforms"
	// All is the Layer of the Change delivered after a (re)connection: any
	// cached state may be stale.
	All = "*"
)

// maxPayload keeps a notification below PostgreSQL's 8000-byte limit.
const maxPayload = 7900

// Change says which data changed. Publish it for every write to zones,
// platforms, memberships and constraint layers.
type Change struct {
	// Layer is "zones", "platforms", "layer-<id>" (a constraint or reference
	// layer), or "*" (everything, sent by the bus itself).
	Layer string `json:"layer"`
	// Bounds are the lon/lat boxes touched (old and new geometry); empty
	// means the whole layer.
	Bounds []orb.Bound `json:"bounds,omitempty"`
	// Platforms are the ids of platforms whose outline or figures changed.
	Platforms []int64 `json:"platforms,omitempty"`
	// Scenarios are the scenarios whose zones or platforms changed (0: the
	// official data); empty means every scenario, as for a constraint
	// layer, which all of them share. A listener that does not know the
	// field treats the change as touching every scenario, which is safe.
	Scenarios []int64 `json:"scenarios,omitempty"`
}

// Touches reports whether c concerns scenario (always, when c names none).
func (c Change) Touches(scenario int64) bool {
	return len(c.Scenarios) == 0 || slices.Contains(c.Scenarios, scenario)
}

// ConstraintLayer returns the Layer name of constraint layer id.
func ConstraintLayer(id int64) string { return "layer-" + strconv.FormatInt(id, 10) }

// ScenarioCollection names a plan's zones or platforms for the clients
// that list them apart (the OGC collections): "scenario-<id>-zones"; the
// official data's (scenario 0) are plainly "zones" and "platforms".
func ScenarioCollection(scenario int64, layer string) string {
	if scenario == 0 || (layer != Zones && layer != Platforms) {
		return layer
	}
	return "scenario-" + strconv.FormatInt(scenario, 10) + "-" + layer
}

// ParseScenarioCollection reads a name of ScenarioCollection with a plan
// in it; ok is false for any other name.
func ParseScenarioCollection(name string) (scenario int64, layer string, ok bool) {
	rest, found := strings.CutPrefix(name, "scenario-")
	if !found {
		return 0, "", false
	}
	num, layer, found := strings.Cut(rest, "-")
	if !found || (layer != Zones && layer != Platforms) || num == "" || num[0] < '1' || num[0] > '9' {
		return 0, "", false
	}
	scenario, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return scenario, layer, true
}

// LayerID parses a "layer-<id>" name; ok is false for any other name.
func LayerID(layer string) (id int64, ok bool) {
	rest, found := strings.CutPrefix(layer, "layer-")
	if !found || rest == "" || rest[0] == '0' || rest[0] == '+' || rest[0] == '-' {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// Valid reports whether layer is a name a Change may carry.
func Valid(layer string) bool {
	if layer == Zones || layer == Platforms || layer == All {
		return true
	}
	_, ok := LayerID(layer)
	return ok
}

// Execer is what Publish needs of a transaction (pgx.Tx, *pgx.Conn and
// *pgxpool.Pool all qualify; pass the transaction that makes the change).
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Publish sends c with pg_notify through tx. Inside a transaction the
// notification is delivered at commit and dropped on rollback. Too many
// bounds for one notification are merged into their union box.
func Publish(ctx context.Context, tx Execer, c Change) error {
	payload, err := encode(c)
	if err != nil {
		return fmt.Errorf("publish change: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, payload); err != nil {
		return fmt.Errorf("publish change %s: %w", c.Layer, err)
	}
	return nil
}

// encode renders c as a notification payload under maxPayload bytes,
// widening it (never narrowing it) when it is too long.
func encode(c Change) (string, error) {
	if !Valid(c.Layer) || c.Layer == All {
		return "", fmt.Errorf("invalid layer %q", c.Layer)
	}
	for _, b := range c.Bounds {
		if !finite(b) || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			return "", fmt.Errorf("layer %s: invalid bound %v", c.Layer, b)
		}
	}
	data, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	if len(data) > maxPayload && len(c.Bounds) > 1 {
		u := c.Bounds[0]
		for _, b := range c.Bounds[1:] {
			u = u.Union(b)
		}
		c.Bounds = []orb.Bound{u}
		if data, err = json.Marshal(c); err != nil {
			return "", err
		}
	}
	if len(data) > maxPayload {
		// Too many platforms: say "the whole layer", which is always true
		// (in every scenario, should the list of them be long too).
		c.Platforms, c.Bounds = nil, nil
		if data, err = json.Marshal(c); err != nil {
			return "", err
		}
	}
	if len(data) > maxPayload {
		c.Scenarios = nil
		if data, err = json.Marshal(c); err != nil {
			return "", err
		}
	}
	return string(data), nil
}

func finite(b orb.Bound) bool {
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// decode parses a notification payload.
func decode(payload string) (Change, error) {
	var c Change
	if err := json.Unmarshal([]byte(payload), &c); err != nil {
		return Change{}, err
	}
	if !Valid(c.Layer) {
		return Change{}, fmt.Errorf("invalid layer %q", c.Layer)
	}
	return c, nil
}

// Bus receives the changes of every instance and hands them to its
// subscribers. The zero value is ready to use; run Listen to connect it.
type Bus struct {
	mu        sync.Mutex
	subs      map[int]func(Change)
	userSubs  map[int]func(users []int64)
	next      int
	waiters   map[string]chan struct{}
	connected atomic.Bool
	// listenerPID is the backend pid of the listening connection (tests).
	listenerPID atomic.Uint32
}

// Subscribe registers fn to be called, in order, for every change heard;
// fn runs on the listening goroutine and must be quick. The returned
// function unsubscribes.
func (b *Bus) Subscribe(fn func(Change)) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[int]func(Change){}
	}
	id := b.next
	b.next++
	b.subs[id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}

// SubscribeUsers registers fn to be called, in order, with the ids of the
// users whose credentials changed; nil means every user (after a
// (re)connection). fn runs on the listening goroutine and must be quick.
// The returned function unsubscribes.
func (b *Bus) SubscribeUsers(fn func(users []int64)) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.userSubs == nil {
		b.userSubs = map[int]func([]int64){}
	}
	id := b.next
	b.next++
	b.userSubs[id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.userSubs, id)
	}
}

// usersPrefix starts the payload of a credential notification: the user
// ids, comma-separated, or "*" for every user.
const usersPrefix = "users:"

// PublishUsers announces through tx that the credentials of users changed:
// a session ended, a token was revoked, a role, password or disabled flag
// changed. Every instance drops what it cached of them. Inside a
// transaction the notification is delivered at commit.
func PublishUsers(ctx context.Context, tx Execer, users ...int64) error {
	if len(users) == 0 {
		return nil
	}
	var sb strings.Builder
	sb.WriteString(usersPrefix)
	for i, id := range users {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatInt(id, 10))
	}
	payload := sb.String()
	if len(payload) > maxPayload {
		payload = usersPrefix + "*"
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, payload); err != nil {
		return fmt.Errorf("publish credential change: %w", err)
	}
	return nil
}

// parseUsers reads the ids of a credential notification; nil means all.
func parseUsers(s string) ([]int64, error) {
	if s == "*" {
		return nil, nil
	}
	var ids []int64
	for _, f := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Connected reports whether the bus is listening now. While it is not,
// changes may be missed and caches must not serve what they hold.
func (b *Bus) Connected() bool { return b.connected.Load() }

// ListenerPID returns the server process id of the listening connection,
// or 0 when not connected.
func (b *Bus) ListenerPID() uint32 { return b.listenerPID.Load() }

func (b *Bus) deliver(c Change) {
	b.mu.Lock()
	fns := make([]func(Change), 0, len(b.subs))
	for i := 0; i < b.next; i++ {
		if fn, ok := b.subs[i]; ok {
			fns = append(fns, fn)
		}
	}
	b.mu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}

func (b *Bus) deliverUsers(users []int64) {
	b.mu.Lock()
	fns := make([]func([]int64), 0, len(b.userSubs))
	for i := 0; i < b.next; i++ {
		if fn, ok := b.userSubs[i]; ok {
			fns = append(fns, fn)
		}
	}
	b.mu.Unlock()
	for _, fn := range fns {
		fn(users)
	}
}

// syncPrefix starts the payload of Sync's marker notifications.
const syncPrefix = "sync:"

// ErrNotListening is returned by Sync when the bus is not connected.
var ErrNotListening = errors.New("change bus is not listening")

// Sync returns once this bus has delivered every change committed before
// the call: it sends a marker notification through pool and waits to hear
// it (PostgreSQL delivers notifications in commit order). Call it after a
// write commits to read your own write from this instance's caches at
// once; otherwise they catch up within milliseconds. While the bus is
// not listening it returns ErrNotListening (caches are bypassed then).
func (b *Bus) Sync(ctx context.Context, pool *pgxpool.Pool) error {
	if !b.Connected() {
		return ErrNotListening
	}
	var raw [12]byte
	for i := range raw {
		raw[i] = byte(rand.Uint32())
	}
	token := fmt.Sprintf("%x", raw)
	ch := make(chan struct{})
	b.mu.Lock()
	if b.waiters == nil {
		b.waiters = map[string]chan struct{}{}
	}
	b.waiters[token] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.waiters, token)
		b.mu.Unlock()
	}()
	if _, err := pool.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, syncPrefix+token); err != nil {
		return fmt.Errorf("sync change bus: %w", err)
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sync change bus: %w", ctx.Err())
	}
}

// Listen holds one connection taken out of pool, LISTENs on Channel and
// delivers what it hears until ctx ends, reconnecting with backoff after
// any failure. After each successful LISTEN it first delivers a Change
// with Layer "*". It returns nil when ctx ends. logger may be nil.
func (b *Bus) Listen(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pglisten.Run(ctx, pool, Channel, logger, pglisten.Handlers{
		Listening:    func(_ context.Context, pid uint32) { b.listening(pid, logger) },
		Notification: func(_ context.Context, payload string) { b.heard(payload, logger) },
		Lost: func() {
			b.connected.Store(false)
			b.listenerPID.Store(0)
		},
	})
	return nil
}

// listening runs after each successful LISTEN, before anything is heard.
func (b *Bus) listening(pid uint32, logger *slog.Logger) {
	b.listenerPID.Store(pid)
	// Anything published before this point may have been missed.
	b.deliver(Change{Layer: All})
	b.deliverUsers(nil)
	// Everything is dropped: whoever waits in Sync is up to date.
	b.mu.Lock()
	for token, ch := range b.waiters {
		close(ch)
		delete(b.waiters, token)
	}
	b.mu.Unlock()
	b.connected.Store(true)
	logger.Debug("change bus: listening", "channel", Channel)
}

// heard handles one notification payload: a Sync marker or a Change.
func (b *Bus) heard(payload string, logger *slog.Logger) {
	if token, ok := strings.CutPrefix(payload, syncPrefix); ok {
		b.mu.Lock()
		if ch, ok := b.waiters[token]; ok {
			close(ch)
			delete(b.waiters, token)
		}
		b.mu.Unlock()
		return
	}
	if list, ok := strings.CutPrefix(payload, usersPrefix); ok {
		users, err := parseUsers(list)
		if err != nil {
			logger.Warn("change bus: unreadable credential notification; dropping all cached credentials", "payload", payload, "err", err)
			users = nil
		}
		b.deliverUsers(users)
		return
	}
	c, err := decode(payload)
	if err != nil {
		// Someone else's payload: safest to treat it as "everything".
		logger.Warn("change bus: unreadable notification; dropping all cached state", "payload", payload, "err", err)
		c = Change{Layer: All}
	}
	b.deliver(c)
}
