package api

// Comparing consolidation plans side by side (GET /scenarios/compare): the
// official data and up to five scenarios, platform by platform, with the
// figures of the platform report (same engine, same cache) and the
// dispositions of the township zones.

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// MaxCompared bounds the scenarios compared at once (the official data
// counts as one): each costs one report per platform, cold.
const MaxCompared = 6

// compareColumn is one scenario's figures of one platform (nil where the
// platform does not exist in that scenario).
type compareFigures struct {
	PlatformID    int64   `json:"platform_id"`
	Name          string  `json:"name"`
	GrossMu       float64 `json:"gross_mu"`
	DeductedMu    float64 `json:"deducted_mu"`
	DevelopableMu float64 `json:"developable_mu"`
	ThresholdMu   float64 `json:"threshold_mu"`
	Meets         bool    `json:"meets"`
	ShortfallMu   float64 `json:"shortfall_mu"`
	MarginMu      float64 `json:"margin_mu"`
	Zones         int     `json:"zones"`
	Parts         int     `json:"parts"`
}

type compareRow struct {
	Key     string            `json:"key"` // the official platform's id, or "<scenario>:<id>" for one new in a scenario
	Name    string            `json:"name"`
	Role    string            `json:"role"`
	Figures []*compareFigures `json:"figures"` // one per scenario, in the order asked
}

type compareScenario struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	BaseAt       any            `json:"base_at"`
	Platforms    int            `json:"platforms"`
	Meeting      int            `json:"meeting"`
	Developable  float64        `json:"developable_mu"` // over all platforms
	Dispositions map[string]int `json:"dispositions"`   // township zones by disposition
	Zones        int            `json:"zones"`
}

// parseCompared reads ?ids=0,3,5: distinct scenario ids, 2 to MaxCompared.
func parseCompared(r *http.Request) ([]int64, error) {
	q := r.URL.Query()
	for k := range q {
		if k != "ids" {
			return nil, problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: only ids is accepted", truncate(k, 40))
		}
	}
	raw := strings.Split(q.Get("ids"), ",")
	var ids []int64
	seen := map[int64]bool{}
	for _, v := range raw {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id < 0 {
			return nil, problem.New(http.StatusBadRequest, "bad-parameter", "ids lists scenario ids separated by commas (0: the official data), e.g. ids=0,3; %q is not one", truncate(v, 40))
		}
		if seen[id] {
			return nil, problem.New(http.StatusBadRequest, "bad-parameter", "ids lists scenario %d twice", id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if len(ids) < 2 || len(ids) > MaxCompared {
		return nil, problem.New(http.StatusBadRequest, "bad-parameter", "compare 2 to %d scenarios at once (ids=0,3 compares scenario 3 with the official data)", MaxCompared)
	}
	return ids, nil
}

// comparison is the answer of GET /scenarios/compare, and what the XLSX
// of compare.xlsx is made of.
type comparison struct {
	Scenarios []compareScenario `json:"scenarios"`
	Platforms []*compareRow     `json:"platforms"`
}

func (s *Server) compareScenarios(w http.ResponseWriter, r *http.Request) error {
	ids, err := parseCompared(r)
	if err != nil {
		return err
	}
	c, err := s.compare(r.Context(), ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// compare computes the figures of the scenarios ids, side by side.
func (s *Server) compare(ctx context.Context, ids []int64) (*comparison, error) {
	cols := make([]compareScenario, len(ids))
	platforms := make([][]store.Platform, len(ids))
	for i, id := range ids {
		sc, err := s.liveScenario(ctx, id)
		if err != nil {
			return nil, err
		}
		cols[i] = compareScenario{ID: id, Name: sc.Name, Dispositions: map[string]int{}}
		if id != store.Official {
			cols[i].BaseAt = sc.BaseAt
		}
		st := s.store.In(id)
		if platforms[i], err = st.ListPlatforms(ctx, false); err != nil {
			return nil, err
		}
		sum, err := st.SummarizeZones(ctx)
		if err != nil {
			return nil, err
		}
		cols[i].Dispositions, cols[i].Zones = sum.ByDisposition, sum.Count
	}

	// Every platform's report, through the cache, a few at a time.
	reports := map[int64]*store.Report{}
	var all []store.Platform
	for _, ps := range platforms {
		all = append(all, ps...)
	}
	got := make([]store.Report, len(all))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, p := range all {
		g.Go(func() error {
			rep, err := s.reports.Report(gctx, p.ID)
			got[i] = rep
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, p := range all {
		reports[p.ID] = &got[i]
	}

	rows := map[string]*compareRow{}
	var order []string
	for i, ps := range platforms {
		for _, p := range ps {
			key := strconv.FormatInt(p.ID, 10)
			switch {
			case p.OriginID != nil:
				key = strconv.FormatInt(*p.OriginID, 10)
			case ids[i] != store.Official:
				key = fmt.Sprintf("%d:%d", ids[i], p.ID)
			}
			row := rows[key]
			if row == nil {
				row = &compareRow{Key: key, Name: p.Name, Role: p.Role, Figures: make([]*compareFigures, len(ids))}
				rows[key] = row
				order = append(order, key)
			}
			rep := reports[p.ID]
			row.Figures[i] = &compareFigures{PlatformID: p.ID, Name: p.Name, GrossMu: rep.Gross.Mu, DeductedMu: rep.Deducted.Mu,
				DevelopableMu: rep.Developable.Mu, ThresholdMu: rep.ThresholdMu, Meets: rep.Meets, ShortfallMu: rep.Shortfall.Mu,
				MarginMu: rep.Margin.Mu, Zones: rep.Members, Parts: rep.Parts}
			cols[i].Platforms++
			cols[i].Developable += rep.Developable.Mu
			if rep.Meets {
				cols[i].Meeting++
			}
		}
	}
	// The official data's platforms first, in its order; then the new ones.
	sort.SliceStable(order, func(a, b int) bool { return !strings.Contains(order[a], ":") && strings.Contains(order[b], ":") })
	out := make([]*compareRow, len(order))
	for i, k := range order {
		out[i] = rows[k]
	}
	return &comparison{Scenarios: cols, Platforms: out}, nil
}
