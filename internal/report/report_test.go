package report_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/report"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func ptr[T any](v T) *T { return &v }

func rect(w, s, e, n float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}

// TestCachedReportIsNeverStale edits every input of a report in turn and
// checks that the cached report follows at once, while an unrelated
// platform's cached report is reused untouched.
func TestCachedReportIsNeverStale(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	c := report.New(st)
	zone := func(name string, g orb.MultiPolygon) store.Zone {
		z, err := st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr("331102"), Geom: g}, store.Change{})
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	a := zone("A", rect(119.80, 28.30, 119.84, 28.33))
	b := zone("B", rect(120.00, 28.30, 120.04, 28.33))
	pa, _ := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("PA")}, []int64{a.ID}, store.Change{})
	pb, _ := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("PB")}, []int64{b.ID}, store.Change{})

	check := func(step string) store.Report {
		t.Helper()
		got, err := c.Report(ctx, pa.ID)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := st.Report(ctx, pa.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Developable.M2 != fresh.Developable.M2 || got.Gross.M2 != fresh.Gross.M2 || got.Members != fresh.Members {
			t.Fatalf("%s: cached developable %.3f m² (%d members), fresh %.3f m² (%d members)", step, got.Developable.M2, got.Members, fresh.Developable.M2, fresh.Members)
		}
		return got
	}
	first := check("first")
	pbFirst, _ := c.Report(ctx, pb.ID)
	if again := check("again"); again.ComputedAt != first.ComputedAt {
		t.Error("an unchanged report was recomputed instead of served from the cache")
	}

	// A vertex edit of a member zone.
	z, _ := st.UpdateZone(ctx, a.ID, a.Version, store.ZoneFields{Geom: rect(119.80, 28.30, 119.85, 28.33)}, store.Change{})
	check("after a boundary edit")
	// A new member.
	extra := zone("C", rect(119.86, 28.30, 119.87, 28.31))
	p, _ := st.GetPlatform(ctx, pa.ID)
	p, _ = st.SetMembers(ctx, pa.ID, p.Version, []int64{a.ID, extra.ID}, store.Change{})
	check("after adding a member")
	// A new constraint layer, then switching it off.
	g, _ := wkb.Marshal(rect(119.80, 28.30, 119.81, 28.31))
	l, _, err := st.CreateLayer(ctx, store.Change{}, "农田", "exclude", "", []store.LayerFeature{{Geom: g}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := check("after a new layer")
	if len(r.Layers) != 1 {
		t.Fatalf("layers = %+v", r.Layers)
	}
	if _, err := st.SetLayerEnabled(ctx, l.ID, l.Version, false, store.Change{}); err != nil {
		t.Fatal(err)
	}
	check("after switching the layer off")
	// Retiring a member.
	if err := st.RetireZone(ctx, z.ID, z.Version, store.Change{}); err != nil {
		t.Fatal(err)
	}
	if r := check("after retiring a member"); r.Members != 1 {
		t.Fatalf("members = %d, want 1", r.Members)
	}
	// The other platform was never touched by these edits except the layer
	// changes, which affect every platform.
	pbNow, _ := c.Report(ctx, pb.ID)
	if pbNow.Gross.M2 != pbFirst.Gross.M2 {
		t.Error("an unrelated platform's gross area changed")
	}
}

// TestSharedReportOutlivesCallerThatGivesUp: two requests for the same report
// share one computation; when the one that started it gives up, the other
// still gets the report.
func TestSharedReportOutlivesCallerThatGivesUp(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	c := report.New(st)
	z, err := st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("A"), CountyAdcode: ptr("331102"), Geom: rect(119.80, 28.30, 119.84, 28.33)}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("PA")}, []int64{z.ID}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	// Holding the constraint pieces makes the report's statement wait.
	lock, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	if _, err := lock.Exec(ctx, `LOCK TABLE constraint_piece IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	first, giveUp := context.WithCancel(ctx)
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.Report(first, p.ID)
		firstErr <- err
	}()
	for waiting := 0; waiting == 0; {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	type result struct {
		r   store.Report
		err error
	}
	second := make(chan result, 1)
	go func() {
		r, err := c.Report(ctx, p.ID)
		second <- result{r, err}
	}()
	time.Sleep(300 * time.Millisecond) // the second request joins the computation
	giveUp()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the request that gave up got %v, want context.Canceled", err)
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	got := <-second
	if got.err != nil {
		t.Fatalf("the other request got %v after the first gave up", got.err)
	}
	if got.r.PlatformID != p.ID || got.r.Gross.M2 <= 0 {
		t.Errorf("the other request got %+v", got.r)
	}
}
