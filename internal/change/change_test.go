package change_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"wanmu/internal/change"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestLayerID(t *testing.T) {
	for _, tc := range []struct {
		in string
		id int64
		ok bool
	}{
		{"layer-1", 1, true},
		{"layer-42", 42, true},
		{"layer-0", 0, false},
		{"layer-01", 0, false},
		{"layer--1", 0, false},
		{"layer-+1", 0, false},
		{"layer-", 0, false},
		{"layer-1x", 0, false},
		{"layer-99999999999999999999", 0, false},
		{"zones", 0, false},
	} {
		id, ok := change.LayerID(tc.in)
		if id != tc.id || ok != tc.ok {
			t.Errorf("LayerID(%q) = %d, %v; want %d, %v", tc.in, id, ok, tc.id, tc.ok)
		}
	}
	if got := change.ConstraintLayer(7); got != "layer-7" {
		t.Errorf("ConstraintLayer(7) = %q", got)
	}
}

// recorder collects what a bus delivers.
type recorder struct {
	mu  sync.Mutex
	got []change.Change
}

func (r *recorder) add(c change.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, c)
}

func (r *recorder) take() []change.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func listen(t *testing.T, pool *pgxpool.Pool) (*change.Bus, *recorder) {
	t.Helper()
	bus := &change.Bus{}
	rec := &recorder{}
	bus.Subscribe(rec.add)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		bus.Listen(ctx, pool, nil)
	}()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "bus connected", bus.Connected)
	return bus, rec
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPublishDeliversOnCommitOnly(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	bus, rec := listen(t, pool)
	if got := rec.take(); len(got) != 1 || got[0].Layer != change.All {
		t.Fatalf("after connecting: got %+v, want one %q", got, change.All)
	}

	want := change.Change{Layer: "zones", Bounds: []orb.Bound{{Min: orb.Point{119.1, 28.1}, Max: orb.Point{119.2, 28.2}}}, Platforms: []int64{3}, Scenarios: []int64{0, 5}}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := change.Publish(ctx, tx, want); err != nil {
		t.Fatal(err)
	}
	if err := change.Publish(ctx, tx, change.Change{Layer: "layer-9"}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("before commit: heard %+v", got)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	got := rec.take()
	if len(got) != 2 || got[0].Layer != "zones" || got[1].Layer != "layer-9" {
		t.Fatalf("after commit: heard %+v", got)
	}
	a, _ := json.Marshal(got[0])
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Errorf("heard %s, want %s", a, b)
	}

	// A rolled-back change is never heard.
	tx, err = pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := change.Publish(ctx, tx, change.Change{Layer: "platforms"}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback(ctx)
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("after rollback: heard %+v", got)
	}
}

func TestPublishRejects(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	for _, c := range []change.Change{
		{Layer: "roads"},
		{Layer: "*"},
		{Layer: "zones", Bounds: []orb.Bound{{Min: orb.Point{2, 0}, Max: orb.Point{1, 1}}}},
	} {
		if err := change.Publish(ctx, pool, c); err == nil {
			t.Errorf("Publish(%+v) succeeded", c)
		}
	}
}

func TestLongChangeIsWidened(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	bus, rec := listen(t, pool)
	rec.take()
	var bounds []orb.Bound
	for i := range 400 {
		x := 119 + float64(i)*0.001
		bounds = append(bounds, orb.Bound{Min: orb.Point{x, 28}, Max: orb.Point{x + 0.0005, 28.0005}})
	}
	if err := change.Publish(ctx, pool, change.Change{Layer: "zones", Bounds: bounds}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 2000 {
		ids = append(ids, int64(1_000_000+i))
	}
	if err := change.Publish(ctx, pool, change.Change{Layer: "platforms", Platforms: ids, Scenarios: []int64{7}}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	got := rec.take()
	if len(got) != 2 {
		t.Fatalf("heard %d changes, want 2", len(got))
	}
	if len(got[0].Bounds) != 1 || !got[0].Bounds[0].Contains(bounds[0].Min) || !got[0].Bounds[0].Contains(bounds[399].Max) {
		t.Errorf("merged bounds = %v, want one box over all", got[0].Bounds)
	}
	if len(got[1].Platforms) != 0 || len(got[1].Bounds) != 0 {
		t.Errorf("too many platforms: got %d ids, want the whole layer", len(got[1].Platforms))
	}
	if !slices.Equal(got[1].Scenarios, []int64{7}) {
		t.Errorf("widened change's scenarios = %v, want [7]: widening the layer keeps its scenario", got[1].Scenarios)
	}
}

// A change names the scenarios it touches; one naming none (a constraint
// layer, or a payload from an instance that predates scenarios) touches
// every scenario.
func TestChangeTouches(t *testing.T) {
	var old change.Change
	if err := json.Unmarshal([]byte(`{"layer":"zones","platforms":[3]}`), &old); err != nil {
		t.Fatal(err)
	}
	scoped := change.Change{Layer: "zones", Scenarios: []int64{0, 4}}
	for _, tc := range []struct {
		c        change.Change
		scenario int64
		want     bool
	}{
		{old, 0, true}, {old, 9, true},
		{scoped, 0, true}, {scoped, 4, true}, {scoped, 5, false},
		{change.Change{Layer: "layer-2"}, 3, true},
	} {
		if got := tc.c.Touches(tc.scenario); got != tc.want {
			t.Errorf("%+v.Touches(%d) = %v, want %v", tc.c, tc.scenario, got, tc.want)
		}
	}
	if b, _ := json.Marshal(change.Change{Layer: "zones"}); string(b) != `{"layer":"zones"}` {
		t.Errorf("a change without scenarios encodes as %s: older listeners read it as before", b)
	}
}

func TestReconnectDropsEverything(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	bus, rec := listen(t, pool)
	rec.take()
	pid := bus.ListenerPID()
	if pid == 0 {
		t.Fatal("no listener pid")
	}
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, int32(pid)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reconnection", func() bool { return bus.ListenerPID() != 0 && bus.ListenerPID() != pid })
	waitFor(t, "connected", bus.Connected)
	got := rec.take()
	if len(got) != 1 || got[0].Layer != change.All {
		t.Fatalf("after reconnecting: heard %+v, want one %q", got, change.All)
	}
	// And it still hears changes.
	if err := change.Publish(ctx, pool, change.Change{Layer: "layer-3"}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 1 || got[0].Layer != "layer-3" {
		t.Fatalf("after reconnecting: heard %+v", got)
	}
}

func TestForeignPayloadDropsEverything(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	bus, rec := listen(t, pool)
	rec.take()
	if _, err := pool.Exec(ctx, `SELECT pg_notify($1, 'hello')`, change.Channel); err != nil {
		t.Fatal(err)
	}
	if err := bus.Sync(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 1 || got[0].Layer != change.All {
		t.Fatalf("heard %+v, want one %q", got, change.All)
	}
}

func TestSyncNeedsConnection(t *testing.T) {
	var bus change.Bus
	err := bus.Sync(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "not listening") {
		t.Fatalf("Sync on an idle bus: %v", err)
	}
}

// A plan's collection name reads back as written; anything else (a zero
// or signed id, leading zeros, another layer, trailing text) is refused.
func FuzzParseScenarioCollection(f *testing.F) {
	for _, s := range []string{"scenario-1-zones", "scenario-42-platforms", "scenario-0-zones", "scenario-01-zones",
		"scenario--1-zones", "scenario-1-layers", "scenario-1-zones-x", "scenario-9223372036854775808-zones", "zones", "layer-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		sc, layer, ok := change.ParseScenarioCollection(name)
		if !ok {
			return
		}
		if sc <= 0 || (layer != change.Zones && layer != change.Platforms) {
			t.Fatalf("%q read as scenario %d, layer %q", name, sc, layer)
		}
		if back := change.ScenarioCollection(sc, layer); back != name {
			t.Fatalf("%q read as scenario %d, layer %q, which is written %q", name, sc, layer, back)
		}
	})
}
