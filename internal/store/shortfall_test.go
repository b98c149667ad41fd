package store_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"slices"
	"testing"

	"wanmu/internal/sample"
	"wanmu/internal/store"
)

var errRollback = errors.New("roll back")

// loadSample loads the shipped sample (with its plans) into a fresh database.
func loadSample(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	st, ctx := newStore(t)
	if _, err := sample.LoadOnce(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	return st, ctx
}

func platformByName(t *testing.T, ctx context.Context, st *store.Store, name string) store.Platform {
	t.Helper()
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ps, func(p store.Platform) bool { return p.Name == name })
	if i < 0 {
		t.Fatalf("no platform %s", name)
	}
	return ps[i]
}

// TestShortfallMarginals: in a plan, each candidate's marginal figure equals
// the platform report's difference after adding it (within 0.01 mu), and the
// suggested set, added, closes the gap by what it said.
func TestShortfallMarginals(t *testing.T) {
	st, ctx := loadSample(t)
	sc, err := st.CreateScenario(ctx, "缺口测试", "", store.Change{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	in := st.In(sc.ID)
	for _, name := range []string{"景宁产业平台", "云和产业平台"} {
		t.Run(name, func(t *testing.T) {
			p := platformByName(t, ctx, in, name)
			// A township zone marked 并 in no platform, across the corner
			// of a member: it overlaps the platform and the constraints.
			m, err := in.GetZone(ctx, p.ZoneIDs[0])
			if err != nil {
				t.Fatal(err)
			}
			c := m.Geom.Bound().Max
			f := zoneFields(name+"旁的功能区", rect(c[0]-0.004, c[1]-0.004, c[0]+0.004, c[1]+0.004))
			f.Kind, f.Disposition, f.CountyAdcode = ptr("township"), ptr("并"), ptr(m.CountyAdcode)
			if _, err := in.CreateZone(ctx, f, store.Change{Actor: "test"}); err != nil {
				t.Fatal(err)
			}
			sf, err := in.Shortfall(ctx, p.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if sf.Report.Meets {
				t.Fatalf("%s meets its threshold in the sample: %.2f mu", name, sf.Report.Developable.Mu)
			}
			var zones, blocks int
			for _, c := range sf.Candidates {
				if c.Kind == "zone" {
					zones++
				} else {
					blocks++
				}
			}
			t.Logf("%s: %.2f mu, gap %.2f mu; %d zones, %d blocks; set %v gains %.2f mu, %.2f km, minimal %v",
				name, sf.Report.Developable.Mu, sf.Report.Shortfall.Mu, zones, blocks, sf.Suggested, sf.SuggestedGain.Mu, sf.SuggestedKm, sf.Minimal)
			if blocks == 0 || zones == 0 || sf.Candidates[0].Kind != "zone" {
				t.Fatalf("%d zones (listed first), %d free blocks near the platform", zones, blocks)
			}
			if !sf.Closes || len(sf.Suggested) == 0 {
				t.Fatalf("the suggestions do not close the gap of %.2f mu", sf.Report.Shortfall.Mu)
			}
			// Every zone, the suggested blocks and every fifth other block.
			worst := 0.0
			for i, c := range sf.Candidates {
				if c.Kind == "block" && c.Suggested == 0 && i%5 != 0 {
					continue
				}
				if c.Kind == "block" && (c.Marginal.Mu < store.ShortfallMinBlockMu-0.01 || c.Marginal.Mu > c.Area.Mu+0.01) {
					t.Errorf("block %s: marginal %.4f mu, area %.4f mu", c.Key, c.Marginal.Mu, c.Area.Mu)
				}
				err := in.InTx(ctx, func(tx *store.Store) error {
					after, err := tx.AddShortfallCandidate(ctx, p.ID, p.Version, c.Key, 0, store.Change{Actor: "test"})
					if err != nil {
						return err
					}
					r, err := tx.Report(ctx, after.ID)
					if err != nil {
						return err
					}
					d := r.Developable.Mu - sf.Report.Developable.Mu
					worst = math.Max(worst, math.Abs(d-c.Marginal.Mu))
					if math.Abs(d-c.Marginal.Mu) > 0.01 {
						t.Errorf("%s (%s): marginal %.4f mu, report difference %.4f mu", c.Key, c.Name, c.Marginal.Mu, d)
					}
					return errRollback
				})
				if !errors.Is(err, errRollback) {
					t.Fatalf("add %s: %v", c.Key, err)
				}
			}
			t.Logf("largest |marginal − report difference|: %.6f mu", worst)
			// The suggested set, one by one, as a planner clicks.
			cur := p
			for _, k := range sf.Suggested {
				if cur, err = in.AddShortfallCandidate(ctx, p.ID, cur.Version, k, 0, store.Change{Actor: "test"}); err != nil {
					t.Fatalf("add %s: %v", k, err)
				}
			}
			r, err := in.Report(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Meets {
				t.Errorf("after the suggested set: %.2f mu, below %.0f", r.Developable.Mu, r.ThresholdMu)
			}
			if d := r.Developable.Mu - sf.Report.Developable.Mu; math.Abs(d-sf.SuggestedGain.Mu) > 0.01 {
				t.Errorf("the set gained %.4f mu, the suggestion said %.4f", d, sf.SuggestedGain.Mu)
			}
			again, err := in.Shortfall(ctx, p.ID, 0)
			if err != nil || !again.Report.Meets || len(again.Candidates) != 0 {
				t.Errorf("after adding: meets %v, %d candidates, %v", again.Report.Meets, len(again.Candidates), err)
			}
		})
	}
	// The official data is changed by adopting a plan, not by a suggestion.
	off := platformByName(t, ctx, st, "景宁产业平台")
	sf, err := st.Shortfall(ctx, off.ID, 0)
	if err != nil || len(sf.Suggested) == 0 {
		t.Fatalf("official suggestions: %v, %d", err, len(sf.Suggested))
	}
	if _, err := st.AddShortfallCandidate(ctx, off.ID, off.Version, sf.Suggested[0], 0, store.Change{Actor: "test"}); !errors.Is(err, store.ErrOfficialData) {
		t.Errorf("adding in the official data: %v", err)
	}
	// A stale key or a wrong version is refused.
	p := platformByName(t, ctx, in, "景宁产业平台")
	if _, err := in.AddShortfallCandidate(ctx, p.ID, p.Version, "block:0000000000000000", 0, store.Change{Actor: "test"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown block: %v", err)
	}
	if _, err := in.AddShortfallCandidate(ctx, p.ID, p.Version-1, "zone:1", 0, store.Change{Actor: "test"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("old version: %v", err)
	}
	if _, err := in.Shortfall(ctx, p.ID, 50000); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("radius 50 km: %v", err)
	}
}

// TestShortfallOverlappingZones: two zones in no platform that overlap each
// other by half, and no free land (the include layer holds only the zones):
// once one is chosen the other's gain is recomputed against it (half), and
// the set's figure is what adding both gives, not the sum of their singles.
func TestShortfallOverlappingZones(t *testing.T) {
	st, ctx := newStore(t)
	sc, err := st.CreateScenario(ctx, "重叠", "", store.Change{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	in := st.In(sc.ID)
	mustLayer(t, st, "城镇开发边界", "include", rect(120.00, 28.00, 120.025, 28.01))
	z := mustZone(t, in, "平台园区", rect(120.00, 28.00, 120.01, 28.01))
	z1 := mustZone(t, in, "功能区一", rect(120.01, 28.00, 120.02, 28.01))
	z2 := mustZone(t, in, "功能区二", rect(120.015, 28.00, 120.025, 28.01))
	mu := func(m2 float64) float64 { return store.AreaOf(m2).Mu }
	threshold := mu(z.AreaM2) + mu(z1.AreaM2) + mu(z2.AreaM2)/2 - 100
	p, err := in.CreatePlatform(ctx, store.PlatformFields{Name: ptr("平台"), ThresholdMu: &threshold}, []int64{z.ID}, store.Change{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	sf, err := in.Shortfall(ctx, p.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sf.Candidates) != 2 || len(sf.Suggested) != 2 || !sf.Closes || !sf.Minimal {
		t.Fatalf("%d candidates, set %v (closes %v, minimal %v): want the two zones, closing, minimal", len(sf.Candidates), sf.Suggested, sf.Closes, sf.Minimal)
	}
	if got, want := sf.SuggestedGain.Mu, mu(z1.AreaM2)+mu(z2.AreaM2)/2; math.Abs(got-want) > 0.01 {
		t.Errorf("the set gains %.4f mu, want %.4f (the overlap counted once)", got, want)
	}
	cur := p
	for _, k := range sf.Suggested {
		if cur, err = in.AddShortfallCandidate(ctx, p.ID, cur.Version, k, 0, store.Change{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := in.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Developable.Mu - sf.Report.Developable.Mu; math.Abs(d-sf.SuggestedGain.Mu) > 0.01 || !r.Meets {
		t.Errorf("the set added %.4f mu (meets %v), the suggestion said %.4f", d, r.Meets, sf.SuggestedGain.Mu)
	}
}
