package sample_test

import (
	"context"
	"log/slog"
	"testing"

	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// The sample ships two plans that each bring 云和 over 10,000 mu, leaving
// the official data as it is.
func TestSamplePlans(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if loaded, err := sample.LoadOnce(ctx, st, slog.New(slog.DiscardHandler)); err != nil || !loaded {
		t.Fatalf("LoadOnce: %v %v", loaded, err)
	}
	plans, err := st.ListScenarios(ctx)
	if err != nil || len(plans) != 2 {
		t.Fatalf("the sample's plans: %+v %v; want two", plans, err)
	}
	figure := func(s *store.Store, name string) (float64, bool) {
		ps, err := s.ListPlatforms(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Name == name {
				rep, err := s.Report(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				return rep.Developable.Mu, rep.Meets
			}
		}
		t.Fatalf("no platform %s", name)
		return 0, false
	}
	official, meets := figure(st, "云和产业平台")
	if meets {
		t.Fatalf("云和 already reaches 10,000 mu officially (%.2f): the plans would show nothing", official)
	}
	for _, c := range []struct{ plan, platform string }{
		{plans[0].Name, "云和产业平台"}, {plans[1].Name, "云景片区产业平台"},
	} {
		var id int64
		for _, p := range plans {
			if p.Name == c.plan {
				id = p.ID
			}
		}
		mu, ok := figure(st.In(id), c.platform)
		t.Logf("%s: %s %.2f 亩 (officially 云和 %.2f)", c.plan, c.platform, mu, official)
		if !ok || mu <= official {
			t.Errorf("%s: %s has %.2f 亩 (meets %v), want over 10,000", c.plan, c.platform, mu, ok)
		}
	}
	if again, _ := figure(st, "云和产业平台"); again != official {
		t.Errorf("drafting the plans moved the official figure: %.2f → %.2f", official, again)
	}
}
