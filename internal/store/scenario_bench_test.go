package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/report"
	"wanmu/internal/store"
	"wanmu/internal/synth"
	"wanmu/internal/testdb"
)

// The scenario benchmark of issue 16 (make bench-scenarios):
//
//	go test ./internal/store -run '^$' -bench '^BenchmarkScenarios$' -benchtime 1x -count=1 -v -timeout 60m
//
// On the scale data of BenchmarkScale (WANMU_BENCH_PARCELS, default
// 200000; or WANMU_BENCH_DATABASE_URL, whose scenarios it retires at the
// end) it creates three scenarios, changes 20 zones in each through the
// store's write functions (vertex moves on the heaviest platform's zones,
// then vertex moves and renames of others), and measures in the same run:
// the heaviest platform's report cold (computed by the engine, as in
// BenchmarkScale) inside the first scenario and on the official data, the
// ten platforms' reports of each, GET /api/v1/scenarios/compare of the
// official data and the three scenarios with an empty report cache, and,
// through one report.Cache, which reports an official edit and a scenario
// edit make it recompute.

// scenarioEdits is how many zones each scenario changes.
const scenarioEdits = 20

type scenarioResult struct {
	parcels     int
	heaviest    string
	heavyID     int64
	members     int
	create      time.Duration // CreateScenario, the first one
	edits       time.Duration // the first scenario's 20 edits, together
	official    time.Duration // heaviest report cold, official, p50
	scenario    time.Duration // the same platform's report in the scenario, p50
	allOfficial time.Duration // the ten reports one after the other, official, p50
	allScenario time.Duration // the same in the scenario, p50
	compare     time.Duration // GET compare ids=0,a,b,c cold, p50
	compareMin  time.Duration
	compareMax  time.Duration
	compared    int // platform rows × columns answered

	// An official edit and a scenario edit seen through one report.Cache.
	officialEditRecomputed, officialEditOthers int // scenario reports recomputed / asked
	scenarioEditRecomputed, scenarioEditOthers int // official reports recomputed / asked
	loadAvg                                    string
}

// BenchmarkScenarios prints the scenario figures against issue 16's
// targets. It measures its own latencies and runs once whatever b.N is.
func BenchmarkScenarios(b *testing.B) {
	sizes := []int{200000}
	if v := os.Getenv("WANMU_BENCH_PARCELS"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("WANMU_BENCH_PARCELS=%q: want parcel counts separated by commas", v)
			}
			sizes = append(sizes, n)
		}
	}
	fmt.Fprintf(os.Stdout, "\nmachine: %s\n", machine())
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			benchScenarios(b, n).print(os.Stdout)
		})
	}
}

func benchScenarios(t testing.TB, n int) *scenarioResult {
	ctx := context.Background()
	cs := os.Getenv("WANMU_BENCH_DATABASE_URL")
	loaded := cs != ""
	if !loaded {
		cs = testdb.ConnString(t)
	}
	cfg, err := pgxpool.ParseConfig(cs)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 16 // as wanmu serve
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	r := &scenarioResult{parcels: n}
	if loaded {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM constraint_feature f JOIN constraint_layer l ON l.id = f.layer_id WHERE l.name = $1`,
			synth.LayerFarmland).Scan(&r.parcels); err != nil {
			t.Fatal(err)
		}
	} else {
		benchLoad(t, ctx, st, &benchResult{parcels: n, pieces: map[string]int{}})
	}
	official, err := st.ListPlatforms(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(official) == 0 {
		t.Fatal("no platforms: load the scale data first (wanmu gen --load)")
	}
	heavy := heaviestPlatform(t, ctx, pool, official)
	r.heaviest, r.heavyID, r.members = heavy.Name, heavy.ID, len(heavy.ZoneIDs)

	// Three scenarios, 20 zones changed in each; the first is timed.
	var ids []int64
	var copies [][]store.Platform
	for i, name := range []string{"bench-a", "bench-b", "bench-c"} {
		t0 := time.Now()
		sc, err := st.CreateScenario(ctx, fmt.Sprintf("%s-%d", name, time.Now().UnixNano()%1e9), "", store.Change{Actor: "bench"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			r.create = time.Since(t0)
		}
		if loaded {
			defer retireScenario(t, st, sc.ID)
		}
		t0 = time.Now()
		editScenario(t, ctx, st.In(sc.ID), heavy.ID, i)
		if i == 0 {
			r.edits = time.Since(t0)
		}
		ps, err := st.In(sc.ID).ListPlatforms(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		ids, copies = append(ids, sc.ID), append(copies, ps)
	}
	heavyCopy := copyOf(t, copies[0], heavy.ID)

	// The heaviest report, official and in the scenario, alternately so that
	// both see the same machine; each warmed once, as in BenchmarkScale.
	var offRuns, scRuns, allOff, allSc []time.Duration
	for _, id := range []int64{heavy.ID, heavyCopy.ID} {
		if _, err := st.Report(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for range benchRuns {
		offRuns = append(offRuns, timeReport(t, ctx, st, heavy.ID))
		scRuns = append(scRuns, timeReport(t, ctx, st, heavyCopy.ID))
	}
	r.official, r.scenario = p50(offRuns), p50(scRuns)
	for range benchRuns {
		var off, sc time.Duration
		for _, p := range official {
			off += timeReport(t, ctx, st, p.ID)
			sc += timeReport(t, ctx, st, copyOf(t, copies[0], p.ID).ID)
		}
		allOff, allSc = append(allOff, off), append(allSc, sc)
	}
	r.allOfficial, r.allScenario = p50(allOff), p50(allSc)

	// Comparing the official data and the three scenarios, every report
	// computed (an empty report cache for each request).
	srv, token := benchAPI(t, ctx, st)
	defer srv.Close()
	url := fmt.Sprintf("%s/api/v1/scenarios/compare?ids=0,%d,%d,%d", srv.URL, ids[0], ids[1], ids[2])
	var cmp []time.Duration
	for range benchRuns {
		d, cells := getCompare(t, url, token)
		cmp = append(cmp, d)
		r.compared = cells
	}
	if want := 4 * len(official); r.compared < want {
		t.Errorf("compare answered %d figures, want at least %d (4 columns × %d platforms)", r.compared, want, len(official))
	}
	r.compare = p50(cmp)
	r.compareMin, r.compareMax = quantile(cmp, 0), quantile(cmp, 1)

	benchIsolation(t, ctx, st, official, copies, r)
	r.loadAvg = loadAvg()
	return r
}

// heaviestPlatform is the platform whose members meet the most
// constraint pieces (as BenchmarkScale's heaviest).
func heaviestPlatform(t testing.TB, ctx context.Context, pool *pgxpool.Pool, ps []store.Platform) store.Platform {
	best, most := ps[0], -1
	for _, p := range ps {
		var n int
		err := pool.QueryRow(ctx, `
			WITH m AS (SELECT ST_Union(z.geom) AS g FROM zone z JOIN platform_member pm ON pm.zone_id = z.id
				WHERE pm.platform_id = $1 AND z.retired_at IS NULL),
			s AS (SELECT ST_Subdivide(m.g, 64) AS g FROM m)
			SELECT count(DISTINCT cp.ctid) FROM s JOIN constraint_piece cp ON cp.geom && s.g AND ST_Intersects(cp.geom, s.g)`, p.ID).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > most {
			best, most = p, n
		}
	}
	return best
}

// editScenario changes scenarioEdits zones of the scenario st is scoped
// to: vertex moves on up to ten members of the official platform heavy's
// copy, then, on the other zones, vertex moves and renames in turn. Scenario
// k starts at another zone, so that the scenarios differ.
func editScenario(t testing.TB, ctx context.Context, st *store.Store, heavy int64, k int) {
	zones, err := st.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	copyID := copyOf(t, ps, heavy).ID
	var inHeavy, others []store.Zone
	for _, z := range zones {
		if z.PlatformID != nil && *z.PlatformID == copyID {
			inHeavy = append(inHeavy, z)
		} else {
			others = append(others, z)
		}
	}
	c := store.Change{Actor: "bench", Reason: "scenario benchmark"}
	done := 0
	try := func(z store.Zone, move bool) {
		f := store.ZoneFields{Name: ptr(z.Name + "（方案）")}
		if move {
			f = store.ZoneFields{Geom: moveVertex(z.Geom, 1e-5*float64(k+1))}
		}
		if _, err := st.UpdateZone(ctx, z.ID, z.Version, f, c); err == nil {
			done++
		}
		// A moved vertex may make an odd outline invalid: take the next zone.
	}
	for i := 0; i < len(inHeavy) && done < scenarioEdits/2; i++ {
		try(inHeavy[(i+k)%len(inHeavy)], true)
	}
	for i := 0; i < len(others) && done < scenarioEdits; i++ {
		try(others[(i+3*k)%len(others)], i%2 == 0)
	}
	if done < scenarioEdits {
		t.Fatalf("only %d zones of the scenario could be changed, want %d", done, scenarioEdits)
	}
}

// copyOf is the scenario's copy (in ps) of official platform id.
func copyOf(t testing.TB, ps []store.Platform, id int64) store.Platform {
	for _, p := range ps {
		if p.OriginID != nil && *p.OriginID == id {
			return p
		}
	}
	t.Fatalf("no copy of platform %d in the scenario", id)
	return store.Platform{}
}

func timeReport(t testing.TB, ctx context.Context, st *store.Store, id int64) time.Duration {
	t0 := time.Now()
	if _, err := st.Report(ctx, id); err != nil {
		t.Fatal(err)
	}
	return time.Since(t0)
}

// getCompare times one GET of the comparison with an empty report cache and
// returns the figures it holds.
func getCompare(t testing.TB, url, token string) (time.Duration, int) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Bench-Cold", "1")
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Platforms []struct {
			Figures []*struct {
				DevelopableMu *float64 `json:"developable_mu"`
			} `json:"figures"`
		} `json:"platforms"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	took := time.Since(t0)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	n := 0
	for _, p := range body.Platforms {
		for _, f := range p.Figures {
			if f != nil && f.DevelopableMu != nil {
				n++
			}
		}
	}
	return took, n
}

// benchIsolation fills one report.Cache with every platform of the official
// data and the scenarios, then edits a zone of the official heaviest
// platform: no scenario's report may be recomputed; then a zone of the first
// scenario: no official report may be.
func benchIsolation(t testing.TB, ctx context.Context, st *store.Store, official []store.Platform, copies [][]store.Platform, r *scenarioResult) {
	c := report.New(st)
	computed := map[int64]time.Time{}
	ask := func(id int64) bool { // reports whether it was recomputed
		rep, err := c.Report(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		was, seen := computed[id]
		computed[id] = rep.ComputedAt
		return seen && !rep.ComputedAt.Equal(was)
	}
	var scenarioPlatforms []int64
	for _, ps := range copies {
		for _, p := range ps {
			scenarioPlatforms = append(scenarioPlatforms, p.ID)
		}
	}
	for _, p := range official {
		ask(p.ID)
	}
	for _, id := range scenarioPlatforms {
		ask(id)
	}
	edit := func(st *store.Store, platform int64) {
		pl, err := st.GetPlatform(ctx, platform)
		if err != nil {
			t.Fatal(err)
		}
		z, err := st.GetZone(ctx, pl.ZoneIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Geom: moveVertex(z.Geom, -1e-5)},
			store.Change{Actor: "bench", Reason: "isolation"}); err != nil {
			t.Fatal(err)
		}
		if !ask(platform) {
			t.Errorf("platform %d's report was not recomputed after its edit", platform)
		}
	}
	heavy := r.heavyID
	edit(st, heavy)
	for _, id := range scenarioPlatforms {
		r.officialEditOthers++
		if ask(id) {
			r.officialEditRecomputed++
		}
	}
	edit(st, copyOf(t, copies[0], heavy).ID)
	for _, p := range official {
		r.scenarioEditOthers++
		if ask(p.ID) {
			r.scenarioEditRecomputed++
		}
	}
	if r.officialEditRecomputed+r.scenarioEditRecomputed > 0 {
		t.Errorf("an edit recomputed %d reports of other scenarios", r.officialEditRecomputed+r.scenarioEditRecomputed)
	}
}

func retireScenario(t testing.TB, st *store.Store, id int64) {
	ctx := context.Background()
	sc, err := st.GetScenario(ctx, id)
	if err == nil {
		err = st.RetireScenario(ctx, id, sc.Version, store.Change{Actor: "bench"})
	}
	if err != nil {
		t.Errorf("retire scenario %d: %v", id, err)
	}
}

func (r *scenarioResult) print(w io.Writer) {
	fmt.Fprintf(w, "\n== scenarios, %d parcels (heaviest platform %s, %d zones; %d zones changed per scenario) ==\n",
		r.parcels, r.heaviest, r.members, scenarioEdits)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "measure\tvalue\ttarget\tpass\n")
	row := func(measure, value, target string, pass bool) {
		p := "yes"
		if !pass {
			p = "NO"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", measure, value, target, p)
	}
	row("create a scenario (copy of the official data)", ms(r.create), "-", true)
	row(fmt.Sprintf("%d zone edits in it, together", scenarioEdits), ms(r.edits), "-", true)
	row("report cold, heaviest platform, official, p50", ms(r.official), "-", true)
	row("report cold, heaviest platform, in the scenario, p50", ms(r.scenario), "< 300 ms", r.scenario < 300*time.Millisecond)
	row("  scenario / official", fmt.Sprintf("%.2f×", ratio(r.scenario, r.official)), "≤ 1.5×", ratio(r.scenario, r.official) <= 1.5)
	row("ten reports cold one after another, official / scenario, p50",
		fmt.Sprintf("%s / %s (%.2f×)", ms(r.allOfficial), ms(r.allScenario), ratio(r.allScenario, r.allOfficial)), "-", true)
	row("compare official + 3 scenarios × 10 platforms cold, p50",
		fmt.Sprintf("%s (min %s, max %s; %d figures)", ms(r.compare), ms(r.compareMin), ms(r.compareMax), r.compared), "< 1 s", r.compare < time.Second)
	row("official edit: scenario reports recomputed", fmt.Sprintf("%d of %d", r.officialEditRecomputed, r.officialEditOthers), "0", r.officialEditRecomputed == 0)
	row("scenario edit: official reports recomputed", fmt.Sprintf("%d of %d", r.scenarioEditRecomputed, r.scenarioEditOthers), "0", r.scenarioEditRecomputed == 0)
	tw.Flush()
	fmt.Fprintf(w, "load average after this size: %s\n", r.loadAvg)
}
