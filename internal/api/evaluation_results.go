package api

// The 亩均效益评价 of the stored enterprises (issue 18, items 2–4): the
// engine (internal/evaluation) run on a year and the year before from the
// store, by the scheme in force for the year.
//
// GET /evaluation?year=Y            the enterprises: indicators with units, score, rank, class
// GET /evaluation/platforms?year=Y  every platform's indicators against the 2025 targets and a base year
// GET /platforms/{id}/indicators    one platform's
// GET /evaluation/assessment?year=Y the platforms ranked, 进退档 tiers, 约谈
//
// The engine's outcome is cached per (year, scheme version, enterprise data
// version): a new scheme or an import of year Y or Y−1 changes the key, so
// the next request recomputes. The placements are cached per (year,
// enterprise data version, official zones and platforms version); the
// platforms' land comes from the report engine (cached by its own key). Official data only: the enterprises are
// placed in the official zones (enterprise_placement), not in a plan's copies.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"wanmu/internal/evaluation"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// officialEvaluation guards the evaluation routes.
var officialEvaluation = officialOnlyFor("the evaluation places enterprises in the official zones only")

// evalRun is one year's evaluation.
type evalRun struct {
	Year    int
	Scheme  store.SchemeVersion
	Classes []evaluation.ClassCut   // the scheme's class cut-offs (the page says a rank's class range)
	es      []evaluation.Enterprise // the year's enterprises, in the order of Results
	Eval    evaluation.Evaluation
	Took    time.Duration // computing it (loading and the engine)
	FromMem bool          // answered from the cache
}

// evalCache keeps the latest evaluations and placements; the zero value is ready.
type evalCache struct {
	mu     sync.Mutex
	m      map[string]*evalRun
	placed map[string][]store.Placement
}

func (c *evalCache) getPlaced(key string) ([]store.Placement, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.placed[key]
	return p, ok
}

func (c *evalCache) putPlaced(key string, p []store.Placement) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.placed == nil || len(c.placed) >= evalCacheSize {
		c.placed = map[string][]store.Placement{}
	}
	c.placed[key] = p
}

// placements are a year's enterprise placements (view enterprise_placement,
// an intersection of every parcel with the zones: about a second for
// 20,000), kept while neither the year's enterprises nor the official zones
// and platforms change.
func (s *Server) placements(ctx context.Context, year int) ([]store.Placement, error) {
	et, err := s.store.EnterpriseDataVersion(ctx, year)
	if err != nil {
		return nil, err
	}
	zt, err := s.store.ZonesVersion(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d|%s|%s", year, et, zt)
	if p, ok := s.evals.getPlaced(key); ok {
		return p, nil
	}
	p, err := s.store.EnterprisePlacements(ctx, year)
	if err != nil {
		return nil, err
	}
	s.evals.putPlaced(key, p)
	return p, nil
}

// evalCacheSize bounds the cache: an evaluation of 20,000 enterprises with
// its inputs holds some 20 MB; a year, the year before (benchmarks, moves)
// and a base year are what one page asks for.
const evalCacheSize = 4

func (c *evalCache) get(key string) *evalRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *evalCache) put(key string, r *evalRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= evalCacheSize {
		c.m = map[string]*evalRun{} // a handful of years and schemes: dropping all is simplest
	}
	c.m[key] = r
}

// evaluateYear evaluates a year's stored enterprises by the scheme in force.
func (s *Server) evaluateYear(ctx context.Context, year int) (*evalRun, error) {
	vs, err := s.store.SchemeVersions(ctx, store.SchemeEnterprise)
	if err != nil {
		return nil, err
	}
	v := schemeInForce(enterpriseScheme, vs, year)
	tok, err := s.store.EnterpriseDataVersion(ctx, year, year-1)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d|%d|%s", year, v.Version, tok)
	if r := s.evals.get(key); r != nil {
		c := *r
		c.FromMem = true
		return &c, nil
	}
	start := time.Now()
	sc, err := evaluation.ParseScheme(v.Scheme)
	if err != nil {
		return nil, fmt.Errorf("stored %s scheme version %d: %w", v.Kind, v.Version, err)
	}
	es, err := s.store.EvaluationEnterprises(ctx, year)
	if err != nil {
		return nil, err
	}
	last, err := s.store.EvaluationEnterprises(ctx, year-1)
	if err != nil {
		return nil, err
	}
	ev, err := evaluation.Evaluate(sc, es, last)
	if err != nil {
		return nil, err
	}
	r := &evalRun{Year: year, Scheme: v, Classes: sc.Classes, es: es, Eval: ev, Took: time.Since(start)}
	s.evals.put(key, r)
	return r, nil
}

// evalYear reads ?year=, or the newest year with figures.
func (s *Server) evalYear(r *http.Request) (int, error) {
	if y := r.URL.Query().Get("year"); y != "" {
		return parseYear(y)
	}
	ys, err := s.store.EvaluationYears(r.Context())
	if err != nil {
		return 0, err
	}
	if len(ys) == 0 {
		return 0, problem.New(http.StatusNotFound, "no-enterprises", "no enterprise figures are stored yet: import a year's table first (POST /enterprises/imports)")
	}
	return ys[0], nil
}

func schemeRef(v store.SchemeVersion, name string) map[string]any {
	return map[string]any{"name": name, "version": v.Version, "from_year": v.FromYear}
}

// classOrder sorts T last.
func classOrder(c evaluation.Class) int {
	if c == evaluation.ClassT {
		return 9
	}
	return int(c[0] - 'A')
}

// evalSelection is what an evaluation request selects: the results in the
// order a county's office reads them, the class counts per county and the
// benchmarks of the counties asked for.
type evalSelection struct {
	Year    int
	Run     *evalRun
	Results []*evaluation.Result
	Counts  map[string]map[evaluation.Class]int
	Land    map[string]map[evaluation.Class]float64 // 亩 per county and class, as Counts
	Bench   []evaluation.BenchmarkUsed
}

// selectEvaluation reads ?year=&county=&scale=&class=&zone=&platform=&q= and
// selects from the year's evaluation; q finds enterprises by a part of
// their name or credit code.
func (s *Server) selectEvaluation(r *http.Request) (out evalSelection, err error) {
	q := r.URL.Query()
	year, err := s.evalYear(r)
	if err != nil {
		return out, err
	}
	county, scale, class := q.Get("county"), evaluation.Scale(q.Get("scale")), evaluation.Class(q.Get("class"))
	if county != "" && !validAdcode(county) {
		return out, problem.New(http.StatusBadRequest, "bad-parameter", "county must be a 6-digit code, not %q", truncate(county, 40))
	}
	if scale != "" && scale != evaluation.Above && scale != evaluation.Below {
		return out, problem.New(http.StatusBadRequest, "bad-parameter", "scale must be 规上 or 规下, not %q", truncate(string(scale), 20))
	}
	if class != "" && !strings.Contains("ABCDT", string(class)) || len(class) > 1 {
		return out, problem.New(http.StatusBadRequest, "bad-parameter", "class must be one of A, B, C, D, T, not %q", truncate(string(class), 20))
	}
	text, err := evalSearch(q.Get("q"))
	if err != nil {
		return out, err
	}
	var zone, platform int64
	for name, dst := range map[string]*int64{"zone": &zone, "platform": &platform} {
		if v := q.Get(name); v != "" {
			if *dst, err = ParseID(v); err != nil {
				return out, problem.New(http.StatusBadRequest, "bad-parameter", "%s must be an id, not %q", name, truncate(v, 40))
			}
		}
	}
	run, err := s.evaluateYear(r.Context(), year)
	if err != nil {
		return out, err
	}
	var in map[string]bool // credit codes with land in the zone or platform
	if zone != 0 || platform != 0 {
		ps, err := s.placements(r.Context(), year)
		if err != nil {
			return out, err
		}
		in = map[string]bool{}
		for _, p := range ps {
			if (zone == 0 || p.ZoneID == zone) && (platform == 0 || p.PlatformID != nil && *p.PlatformID == platform) {
				in[p.CreditCode] = true
			}
		}
	}
	var sel []*evaluation.Result
	counts := map[string]map[evaluation.Class]int{}
	land := map[string]map[evaluation.Class]float64{}
	for i := range run.Eval.Results {
		e := &run.Eval.Results[i]
		if county != "" && e.County != county || scale != "" && e.Scale != scale || in != nil && !in[e.CreditCode] ||
			text != "" && !strings.Contains(strings.ToUpper(e.Name), text) && !strings.Contains(e.CreditCode, text) {
			continue
		}
		if counts[e.County] == nil {
			counts[e.County] = map[evaluation.Class]int{}
			land[e.County] = map[evaluation.Class]float64{}
		}
		counts[e.County][e.Class]++
		land[e.County][e.Class] += e.LandMu
		if class == "" || e.Class == class {
			sel = append(sel, e)
		}
	}
	// As a county's office reads its list: county, 规上 before 规下, by rank, T last.
	slices.SortStableFunc(sel, func(a, b *evaluation.Result) int {
		if c := strings.Compare(a.County, b.County); c != 0 {
			return c
		}
		if a.Scale != b.Scale {
			return strings.Compare(string(a.Scale), string(b.Scale)) // 规上 (U+4E0A) before 规下 (U+4E0B)
		}
		if c := classOrder(a.Class) - classOrder(b.Class); c != 0 {
			return c
		}
		if a.Rank != b.Rank {
			return a.Rank - b.Rank
		}
		return strings.Compare(a.CreditCode, b.CreditCode)
	})
	bench := []evaluation.BenchmarkUsed{}
	for _, b := range run.Eval.Benchmarks {
		if county == "" || b.County == county {
			bench = append(bench, b)
		}
	}
	return evalSelection{Year: year, Run: run, Results: sel, Counts: counts, Land: land, Bench: bench}, nil
}

// evalSearch reads ?q=: a part of an enterprise's name or credit code, at
// most 60 characters, compared in upper case (codes are upper case; Latin
// letters in names match either way).
func evalSearch(q string) (string, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > 60 {
		return "", problem.New(http.StatusBadRequest, "bad-parameter", "q is a part of a name or credit code, at most 60 characters")
	}
	return strings.ToUpper(q), nil
}

// getEvaluation answers GET /evaluation?year=&county=&scale=&class=&zone=&platform=&q=&limit=&offset=.
func (s *Server) getEvaluation(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r, "year", "county", "scale", "class", "zone", "platform", "q", "limit", "offset"); err != nil {
		return err
	}
	limit, offset, err := pageParams(r, 100)
	if err != nil {
		return err
	}
	e, err := s.selectEvaluation(r)
	if err != nil {
		return err
	}
	total := len(e.Results)
	page := e.Results[min(offset, total):min(offset+limit, total)]
	var next any
	if offset+limit < total {
		nq := r.URL.Query()
		nq.Set("year", strconv.Itoa(e.Year))
		nq.Set("offset", strconv.Itoa(offset+limit))
		next = "/api/v1/evaluation?" + nq.Encode()
	}
	run := e.Run
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"year": e.Year, "scheme": schemeRef(run.Scheme, run.Eval.Scheme), "total": total, "offset": offset, "limit": limit,
		"results": page, "next": next, "class_counts": e.Counts, "class_land_mu": e.Land, "benchmarks": e.Bench, "notes": orNone(run.Eval.Notes),
		"indicators": evaluation.Indicators, "computed_ms": run.Took.Milliseconds(), "cached": run.FromMem,
		"classes": run.Classes,
	})
	return nil
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// pageParams reads ?limit= (1..MaxZonePage, default def) and ?offset=.
func pageParams(r *http.Request, def int) (limit, offset int, err error) {
	limit = def
	q := r.URL.Query()
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxZonePage {
			return 0, 0, problem.New(http.StatusBadRequest, "bad-parameter", "limit must be a whole number from 1 to %d; follow the next links for more", MaxZonePage)
		}
		limit = n
	}
	if o := q.Get("offset"); o != "" {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 || n > 10_000_000 {
			return 0, 0, problem.New(http.StatusBadRequest, "bad-parameter", "offset must be a whole number ≥ 0, not %q", truncate(o, 20))
		}
		offset = n
	}
	return limit, offset, nil
}

// platformsOfYear computes the indicators of the given official platforms
// (nil: every live one) for a year, with base (may be nil) as their base year.
func (s *Server) platformsOfYear(ctx context.Context, year int, only []store.Platform, base map[string]evaluation.PlatformIndicators) ([]evaluation.PlatformIndicators, *evalRun, error) {
	run, err := s.evaluateYear(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	ps := only
	if ps == nil {
		if ps, err = s.store.ListPlatforms(ctx, false); err != nil {
			return nil, nil, err
		}
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	vacant, err := s.store.VacantLand(ctx, ids) // the low-efficiency land's vacant parcels
	if err != nil {
		return nil, nil, err
	}
	inputs := make([]evaluation.PlatformInput, 0, len(ps))
	for _, p := range ps {
		in := evaluation.PlatformInput{ID: itoa64(p.ID), Name: p.Name, Role: p.Role, Counties: p.Counties, VacantMu: vacant[p.ID].Mu}
		if len(p.ZoneIDs) > 0 {
			rep, err := s.reports.Report(ctx, p.ID)
			if err != nil {
				return nil, nil, err
			}
			in.LandMu = rep.Gross.Mu
		}
		inputs = append(inputs, in)
	}
	placed, err := s.placements(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	// Zone placements to platform placements: the shares of an enterprise's
	// zones in one platform add up.
	type key struct {
		code string
		pl   int64
	}
	sum := map[key]float64{}
	var order []key
	for _, p := range placed {
		if p.PlatformID == nil {
			continue
		}
		k := key{p.CreditCode, *p.PlatformID}
		if _, ok := sum[k]; !ok {
			order = append(order, k)
		}
		sum[k] += p.Share
	}
	pls := make([]evaluation.Placement, 0, len(order))
	for _, k := range order {
		pls = append(pls, evaluation.Placement{CreditCode: k.code, Platform: itoa64(k.pl), Share: min(sum[k], 1)})
	}
	return evaluation.Platforms(year, inputs, run.es, run.Eval.Results, pls, base), run, nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// baseYear reads ?base=, or the earliest stored year before year (0: none).
func (s *Server) baseYear(r *http.Request, year int) (int, error) {
	if b := r.URL.Query().Get("base"); b != "" {
		n, err := parseYear(b)
		if err != nil {
			return 0, err
		}
		if n >= year {
			return 0, problem.New(http.StatusBadRequest, "bad-parameter", "base must be a year before %d, not %d", year, n)
		}
		return n, nil
	}
	ys, err := s.store.EvaluationYears(r.Context())
	if err != nil {
		return 0, err
	}
	base := 0
	for _, y := range ys {
		if y < year {
			base = y // newest first: the last one is the earliest
		}
	}
	return base, nil
}

// platformIndicators answers both platform routes: only nil for every platform.
func (s *Server) platformIndicators(w http.ResponseWriter, r *http.Request, only []store.Platform) error {
	if err := onlyParams(r, "year", "base"); err != nil {
		return err
	}
	year, err := s.evalYear(r)
	if err != nil {
		return err
	}
	baseY, err := s.baseYear(r, year)
	if err != nil {
		return err
	}
	var base map[string]evaluation.PlatformIndicators
	if baseY != 0 {
		bs, _, err := s.platformsOfYear(r.Context(), baseY, only, nil)
		if err != nil {
			return err
		}
		base = map[string]evaluation.PlatformIndicators{}
		for _, b := range bs {
			base[b.Platform] = b
		}
	}
	pis, run, err := s.platformsOfYear(r.Context(), year, only, base)
	if err != nil {
		return err
	}
	out := map[string]any{"year": year, "base_year": nil, "scheme": schemeRef(run.Scheme, run.Eval.Scheme),
		"definitions": platformDefsJSON()}
	if baseY != 0 {
		out["base_year"] = baseY
	}
	if only != nil {
		out["platform"] = pis[0]
	} else {
		out["platforms"] = pis
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) allPlatformIndicators(w http.ResponseWriter, r *http.Request) error {
	return s.platformIndicators(w, r, nil)
}

func (s *Server) onePlatformIndicators(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.store.GetPlatform(r.Context(), id)
	if err != nil {
		return err
	}
	if p.RetiredAt != nil {
		return problem.New(http.StatusGone, "retired", "platform %d is retired", id)
	}
	return s.platformIndicators(w, r, []store.Platform{p})
}

// assessYear ranks the platforms of a year by the assessment scheme in
// force for it; last is the year before's assessment (may be nil).
func (s *Server) assessYear(ctx context.Context, year int, last []evaluation.Assessed) ([]evaluation.Assessed, []evaluation.PlatformIndicators, store.SchemeVersion, error) {
	vs, err := s.store.SchemeVersions(ctx, store.SchemeAssessment)
	if err != nil {
		return nil, nil, store.SchemeVersion{}, err
	}
	v := schemeInForce(assessmentScheme, vs, year)
	a, err := ParseAssessmentScheme(v.Scheme)
	if err != nil {
		return nil, nil, v, fmt.Errorf("stored assessment scheme version %d: %w", v.Version, err)
	}
	pis, _, err := s.platformsOfYear(ctx, year, nil, nil)
	if err != nil {
		return nil, nil, v, err
	}
	as, err := evaluation.Assess(a, pis, last)
	return as, pis, v, err
}

// assessment is one year's assessment with the move from the year before.
type assessment struct {
	Year      int
	LastYear  int // 0: no figures the year before
	Scheme    store.SchemeVersion
	Name      string
	Criteria  []evaluation.Criterion
	Tiers     []string
	Platforms []evaluation.Assessed
	Values    []evaluation.PlatformIndicators
}

func (s *Server) assess(r *http.Request) (assessment, error) {
	if err := onlyParams(r, "year"); err != nil {
		return assessment{}, err
	}
	year, err := s.evalYear(r)
	if err != nil {
		return assessment{}, err
	}
	ys, err := s.store.EvaluationYears(r.Context())
	if err != nil {
		return assessment{}, err
	}
	out := assessment{Year: year}
	var last []evaluation.Assessed
	for _, y := range ys {
		if y == year-1 {
			if last, _, _, err = s.assessYear(r.Context(), year-1, nil); err != nil {
				return out, err
			}
			out.LastYear = year - 1
		}
	}
	as, pis, v, err := s.assessYear(r.Context(), year, last)
	if err != nil {
		return out, err
	}
	sc, _ := ParseAssessmentScheme(v.Scheme)
	out.Scheme, out.Name, out.Criteria, out.Tiers, out.Platforms, out.Values = v, sc.Name, sc.Criteria, sc.Tiers, as, pis
	return out, nil
}

// getAssessment answers GET /evaluation/assessment?year=Y.
func (s *Server) getAssessment(w http.ResponseWriter, r *http.Request) error {
	a, err := s.assess(r)
	if err != nil {
		return err
	}
	var lastYear any
	if a.LastYear != 0 {
		lastYear = a.LastYear
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": a.Year, "last_year": lastYear,
		"scheme": schemeRef(a.Scheme, a.Name), "criteria": a.Criteria, "tiers": a.Tiers,
		"platforms": a.Platforms, "indicators": a.Values, "definitions": platformDefsJSON()})
	return nil
}
