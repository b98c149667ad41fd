package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"wanmu/internal/api"
	"wanmu/internal/evaluation"
	"wanmu/internal/store"
)

// schemeJSON is the default scheme with fn applied, as a PUT body.
func schemeJSON(t *testing.T, fn func(*evaluation.Scheme), fromYear, reason string) string {
	t.Helper()
	s := evaluation.DefaultScheme()
	if fn != nil {
		fn(&s)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return `{"scheme":` + string(b) + `,"from_year":` + fromYear + `,"reason":"` + reason + `"}`
}

// TestEvaluationScheme: the shipped default as version 1; an administrator's
// change is validated (422 naming the field), needs If-Match (428, 412 when
// stale), is recorded with author and reason, and may apply from a year on.
func TestEvaluationScheme(t *testing.T) {
	e := newEnv(t, api.Options{})
	res := e.do(req{method: "GET", path: "/api/v1/evaluation/scheme", role: "viewer"})
	m := res.json(t)
	if res.status != 200 || res.header.Get("ETag") != `"1"` || m["version"] != 1.0 {
		t.Fatalf("default: %d %s %v", res.status, res.header.Get("ETag"), m["version"])
	}
	if m["scheme"].(map[string]any)["name"] != evaluation.DefaultScheme().Name {
		t.Fatalf("default scheme: %v", m["scheme"])
	}
	good := schemeJSON(t, func(s *evaluation.Scheme) { s.Name = "2024 年莲都方案"; s.MinLandMu = 5 }, "null", "县里调整")
	put := func(role, ifm, body string) resp {
		h := map[string]string{}
		if ifm != "" {
			h["If-Match"] = ifm
		}
		return e.do(req{method: "PUT", path: "/api/v1/evaluation/scheme", role: role, body: body, header: h})
	}
	if r := put("editor", `"1"`, good); r.status != 403 {
		t.Fatalf("an editor changes the scheme: %d", r.status)
	}
	if r := put("admin", "", good); r.status != 428 {
		t.Fatalf("no If-Match: %d", r.status)
	}
	bad := schemeJSON(t, func(s *evaluation.Scheme) { s.Groups[0].Indicators[1].Weight = -1 }, "null", "")
	r := put("admin", `"1"`, bad)
	if r.status != 422 || !strings.Contains(string(r.body), `"scheme.groups[0].indicators[1].weight"`) ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("a negative weight: %d %s", r.status, r.body)
	}
	if r := put("admin", `"1"`, `{"scheme":{"name":"x","wieght":1}}`); r.status != 422 || !strings.Contains(string(r.body), "wieght") {
		t.Fatalf("a misspelt field: %d %s", r.status, r.body)
	}
	if r := put("admin", `"1"`, strings.Replace(good, `"from_year":null`, `"from_year":1999`, 1)); r.status != 422 || !strings.Contains(string(r.body), "from_year") {
		t.Fatalf("from_year 1999: %d %s", r.status, r.body)
	}
	r = put("admin", `"1"`, good)
	if r.status != 200 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := put("admin", `"1"`, good); r.status != 412 {
		t.Fatalf("stale If-Match: %d %s", r.status, r.body)
	}
	later := schemeJSON(t, func(s *evaluation.Scheme) { s.Name = "2030 年方案" }, "2030", "自 2030 年起")
	if r := put("admin", `"2"`, later); r.status != 200 {
		t.Fatalf("from 2030: %d %s", r.status, r.body)
	}
	m = e.do(req{method: "GET", path: "/api/v1/evaluation/scheme?year=2024", role: "viewer"}).json(t)
	if m["version"] != 2.0 || m["current_version"] != 3.0 || m["scheme"].(map[string]any)["min_land_mu"] != 5.0 {
		t.Fatalf("in force for 2024: %v", m)
	}
	res = e.do(req{method: "GET", path: "/api/v1/evaluation/scheme", role: "viewer"})
	m = res.json(t)
	if m["version"] != 3.0 || res.header.Get("ETag") != `"3"` {
		t.Fatalf("newest: %v", m)
	}
	hist := m["history"].([]any)
	if len(hist) != 3 || hist[1].(map[string]any)["created_by"] != "admin1" ||
		hist[1].(map[string]any)["reason"] != "县里调整" || hist[2].(map[string]any)["version"] != 1.0 {
		t.Fatalf("history: %v", hist)
	}

	// The assessment scheme likewise.
	a := evaluation.DefaultAssessment()
	a.Criteria[0].Weight = 0
	b, _ := json.Marshal(a)
	r = e.do(req{method: "PUT", path: "/api/v1/evaluation/assessment-scheme", role: "admin", body: `{"scheme":` + string(b) + `}`, header: map[string]string{"If-Match": `"1"`}})
	if r.status != 422 || !strings.Contains(string(r.body), "scheme.criteria[0].weight") {
		t.Fatalf("assessment weight 0: %d %s", r.status, r.body)
	}
	a.Criteria[0].Weight = 40
	b, _ = json.Marshal(a)
	r = e.do(req{method: "PUT", path: "/api/v1/evaluation/assessment-scheme", role: "admin", body: `{"scheme":` + string(b) + `,"reason":"加重"}`, header: map[string]string{"If-Match": `"1"`}})
	if r.status != 200 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("assessment change: %d %s", r.status, r.body)
	}
}

// evalFixture: two platforms of 青田 (331121), P on zone a and Q on zone b
// side by side; seven enterprises of 2024 and the same with half the tax in
// 2023. e1–e3 are points in a, e4's parcel straddles a and b in halves, e5
// has no location, e6 too little land, e7 none.
func evalFixture(t *testing.T, e *env) (p, q store.Platform) {
	t.Helper()
	ctx := context.Background()
	c := store.Change{Actor: "editor1"}
	za, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲区"), CountyAdcode: ptr("331121"), Geom: hundredth(120.20, 28.10)}, c)
	if err != nil {
		t.Fatal(err)
	}
	zb, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("乙区"), CountyAdcode: ptr("331121"), Geom: hundredth(120.21, 28.10)}, c)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("甲平台"), Counties: []string{"331121"}}, []int64{za.ID}, c); err != nil {
		t.Fatal(err)
	}
	if q, err = e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("乙平台"), Counties: []string{"331121"}}, []int64{zb.ID}, c); err != nil {
		t.Fatal(err)
	}
	type fig struct {
		land, tax float64
		at        *orb.Point
		parcel    orb.MultiPolygon
	}
	pt := func(x, y float64) *orb.Point { return &orb.Point{x, y} }
	straddle := orb.MultiPolygon{{{{120.208, 28.104}, {120.212, 28.104}, {120.212, 28.106}, {120.208, 28.106}, {120.208, 28.104}}}}
	figs := []fig{{10, 100, pt(120.201, 28.101), nil}, {10, 50, pt(120.202, 28.102), nil}, {10, 50, pt(120.203, 28.103), nil},
		{10, 20, nil, straddle}, {10, 10, nil, nil}, {2, 5, nil, nil}, {0, 1, nil, nil}}
	for _, year := range []int{2023, 2024} {
		var rows []store.EnterpriseRecord
		for i, f := range figs {
			tax := f.tax
			if year == 2023 {
				tax /= 2
			}
			en := evaluation.Enterprise{CreditCode: validCode(i + 1), Name: "企业" + string(rune('1'+i)), County: "331121",
				Scale: evaluation.Above, Year: year, LandMu: evaluation.F(f.land), Tax: evaluation.F(tax), ValueAdded: evaluation.F(2 * tax)}
			rows = append(rows, store.EnterpriseRecord{Enterprise: en, Location: f.at, Parcel: f.parcel, SourceRow: i + 2})
		}
		if _, err := e.st.ReplaceEnterprises(ctx, year, rows, "job", "editor1"); err != nil {
			t.Fatal(err)
		}
	}
	return p, q
}

// onlyTax is a scheme of one indicator, 亩均税收 against a fixed 10 万元/亩.
func onlyTax(s *evaluation.Scheme) {
	s.Name = "只看亩均税收"
	s.Groups[0].Indicators = []evaluation.WeightedIndicator{{Code: evaluation.TaxPerMu, Weight: 100,
		Benchmark: evaluation.Benchmark{Kind: evaluation.BenchFixed, Value: 10}}}
}

func evNear(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestEvaluationOfStoredEnterprises: the default scheme's benchmark is twice
// last year's county average; the cache answers the same question again; a
// change of scheme recomputes at once; ranks, ties and classes by hand; the
// filters and paging.
func TestEvaluationOfStoredEnterprises(t *testing.T) {
	e := newEnv(t, api.Options{})
	p, _ := evalFixture(t, e)
	get := func(path string) map[string]any {
		t.Helper()
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		return r.json(t)
	}
	m := get("/api/v1/evaluation?year=2024")
	// 2023: Σtax 115 over Σland 50 of the evaluated (e6, e7 are T): 2.3; twice that.
	found := false
	for _, b := range m["benchmarks"].([]any) {
		b := b.(map[string]any)
		if b["code"] == "tax_per_mu" && b["scale"] == "规上" {
			found = evNear(b["benchmark"].(float64), 4.6) && b["source"] == "last_year"
		}
	}
	if !found || m["cached"] != false || m["total"] != 7.0 {
		t.Fatalf("default scheme: %v", m)
	}
	if m2 := get("/api/v1/evaluation?year=2024"); m2["cached"] != true {
		t.Fatal("the same question was computed again")
	}

	body := schemeJSON(t, onlyTax, "null", "只看税收")
	if r := e.do(req{method: "PUT", path: "/api/v1/evaluation/scheme", role: "admin", body: body, header: map[string]string{"If-Match": `"1"`}}); r.status != 200 {
		t.Fatalf("scheme: %d %s", r.status, r.body)
	}
	m = get("/api/v1/evaluation?year=2024")
	if m["cached"] != false || m["scheme"].(map[string]any)["version"] != 2.0 {
		t.Fatalf("after a change of scheme: %v", m["scheme"])
	}
	// Tax per 亩 10, 5, 5, 2, 1 → scores 100, 50, 50, 20, 10; ranks 1, 2, 2, 4, 5 of 5:
	// A to 1, B to 3 (the tie at 2 both B), C to 4.75, D.
	want := map[string]struct {
		score float64
		rank  float64
		class string
	}{validCode(1): {100, 1, "A"}, validCode(2): {50, 2, "B"}, validCode(3): {50, 2, "B"}, validCode(4): {20, 4, "C"},
		validCode(5): {10, 5, "D"}, validCode(6): {0, 0, "T"}, validCode(7): {0, 0, "T"}}
	rs := m["results"].([]any)
	for i, x := range rs {
		x := x.(map[string]any)
		w := want[x["credit_code"].(string)]
		rank, _ := x["rank"].(float64)
		if !evNear(x["score"].(float64), w.score) || rank != w.rank || x["class"] != w.class {
			t.Errorf("%d %s: %v %v %v, want %v", i, x["credit_code"], x["score"], x["rank"], x["class"], w)
		}
	}
	if rs[0].(map[string]any)["class"] != "A" || rs[6].(map[string]any)["class"] != "T" {
		t.Errorf("order: %v", rs)
	}
	ind := rs[0].(map[string]any)["indicators"].([]any)[0].(map[string]any)
	if ind["unit"] != "万元/亩" || ind["value"] != 10.0 {
		t.Errorf("indicator: %v", ind)
	}
	if rs[5].(map[string]any)["reason"] == "" || rs[6].(map[string]any)["reason"] != evaluation.ReasonZeroLand {
		t.Errorf("T reasons: %v %v", rs[5], rs[6])
	}
	counts := m["class_counts"].(map[string]any)["331121"].(map[string]any)
	if counts["A"] != 1.0 || counts["B"] != 2.0 || counts["T"] != 2.0 {
		t.Errorf("counts: %v", counts)
	}
	// class_land_mu: the land per county and class, beside the counts.
	land, sum := m["class_land_mu"].(map[string]any)["331121"].(map[string]any), map[string]float64{}
	for _, x := range rs {
		if x := x.(map[string]any); x["county"] == "331121" {
			sum[x["class"].(string)] += x["land_mu"].(float64)
		}
	}
	for c, v := range sum {
		if l, _ := land[c].(float64); !evNear(l, v) || len(sum) != len(land) {
			t.Errorf("land of class %s: %v, want %v (%v)", c, land[c], v, land)
		}
	}
	// classes: the cut-offs of the scheme in force, for the page's rank ranges.
	if cs, _ := m["classes"].([]any); len(cs) != 4 || cs[3].(map[string]any)["up_to"] != 1.0 {
		t.Errorf("classes: %v, want the default's four cut-offs ending at 1", m["classes"])
	}
	// q: a part of the name or of the credit code (any case).
	first := rs[0].(map[string]any)
	code := first["credit_code"].(string)
	if m := get("/api/v1/evaluation?year=2024&q=" + url.QueryEscape(strings.ToLower(code[len(code)-6:]))); m["total"] != 1.0 ||
		m["results"].([]any)[0].(map[string]any)["credit_code"] != code {
		t.Errorf("q by the code's last six characters: %v results", m["total"])
	}
	name := []rune(first["name"].(string))
	if m := get("/api/v1/evaluation?year=2024&q=" + url.QueryEscape(string(name[len(name)-3:]))); m["total"].(float64) < 1 {
		t.Errorf("q by a part of the name %q: %v results", string(name), m["total"])
	} else {
		for _, x := range m["results"].([]any) {
			if !strings.Contains(x.(map[string]any)["name"].(string), string(name[len(name)-3:])) {
				t.Errorf("q %q found %v", string(name[len(name)-3:]), x.(map[string]any)["name"])
			}
		}
	}
	// Filters: B only; the platform P (e1–e3 and half of e4); paging.
	if m := get("/api/v1/evaluation?year=2024&class=B"); m["total"] != 2.0 {
		t.Errorf("class B: %v", m["total"])
	}
	if m := get("/api/v1/evaluation?year=2024&platform=" + itoa(p.ID)); m["total"] != 4.0 {
		t.Errorf("platform: %v", m["total"])
	}
	m = get("/api/v1/evaluation?year=2024&limit=3&offset=3")
	if len(m["results"].([]any)) != 3 || !strings.Contains(m["next"].(string), "offset=6") {
		t.Errorf("paging: %v", m["next"])
	}
	for _, bad := range []string{"class=E", "scale=大", "county=1", "limit=0", "offset=-1", "year=1999", "colour=red", "zone=x"} {
		r := e.do(req{method: "GET", path: "/api/v1/evaluation?" + bad, role: "viewer"})
		if r.status != 400 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/v1/evaluation?scenario=1", role: "viewer"}); r.status == 200 {
		t.Errorf("in a plan: %d", r.status)
	}
}

// TestPlatformIndicatorsAndAssessment: the platforms' 亩均税收 with the
// straddling enterprise split in halves, the land by class, the base year;
// the assessment ranks P before Q, flags Q for 约谈 and says last year's tier.
func TestPlatformIndicatorsAndAssessment(t *testing.T) {
	e := newEnv(t, api.Options{})
	p, q := evalFixture(t, e)
	body := schemeJSON(t, onlyTax, "null", "")
	if r := e.do(req{method: "PUT", path: "/api/v1/evaluation/scheme", role: "admin", body: body, header: map[string]string{"If-Match": `"1"`}}); r.status != 200 {
		t.Fatalf("scheme: %d %s", r.status, r.body)
	}
	r := e.do(req{method: "GET", path: "/api/v1/platforms/" + itoa(p.ID) + "/indicators?year=2024", role: "viewer"})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var one struct {
		BaseYear int                           `json:"base_year"`
		Platform evaluation.PlatformIndicators `json:"platform"`
	}
	if err := json.Unmarshal(r.body, &one); err != nil {
		t.Fatal(err)
	}
	pi := one.Platform
	// (100 + 50 + 50 + 20/2) / (10 + 10 + 10 + 10/2) = 6 万元/亩.
	if v := pi.Value(evaluation.PTaxPerMu); v == nil || !evNear(*v, 6) || one.BaseYear != 2023 {
		t.Fatalf("tax per mu: %v base %d", v, one.BaseYear)
	}
	if !evNear(pi.EnterpriseLandMu, 35) || !evNear(pi.ClassLand["A"], 10) || !evNear(pi.ClassLand["B"], 20) || !evNear(pi.ClassLand["C"], 5) {
		t.Errorf("land: %v %v", pi.EnterpriseLandMu, pi.ClassLand)
	}
	// The zone is 0.01° square: about 1,100 m × 980 m, some 1,600 亩.
	if pi.LandMu < 1400 || pi.LandMu > 1800 {
		t.Errorf("platform land: %v", pi.LandMu)
	}
	for _, v := range pi.Values {
		if v.Code == evaluation.PTaxPerMu && (v.Base == nil || !evNear(*v.Base, 3)) {
			t.Errorf("base year value: %+v", v)
		}
	}
	var all struct {
		Platforms []evaluation.PlatformIndicators `json:"platforms"`
	}
	r = e.do(req{method: "GET", path: "/api/v1/evaluation/platforms?year=2024&base=2023", role: "viewer"})
	if err := json.Unmarshal(r.body, &all); err != nil || len(all.Platforms) != 2 {
		t.Fatalf("all: %d %s", r.status, r.body)
	}
	if v := all.Platforms[1].Value(evaluation.PTaxPerMu); all.Platforms[1].Platform != itoa(q.ID) || v == nil || !evNear(*v, 2) {
		t.Errorf("Q: %+v", all.Platforms[1])
	}
	if r := e.do(req{method: "GET", path: "/api/v1/evaluation/platforms?year=2024&base=2024", role: "viewer"}); r.status != 400 {
		t.Errorf("base = year: %d", r.status)
	}

	r = e.do(req{method: "GET", path: "/api/v1/evaluation/assessment?year=2024", role: "viewer"})
	var as struct {
		LastYear  int                   `json:"last_year"`
		Platforms []evaluation.Assessed `json:"platforms"`
	}
	if err := json.Unmarshal(r.body, &as); err != nil || r.status != 200 || len(as.Platforms) != 2 {
		t.Fatalf("assessment: %d %s", r.status, r.body)
	}
	first, last := as.Platforms[0], as.Platforms[1]
	if as.LastYear != 2023 || first.Platform != itoa(p.ID) || first.Rank != 1 || !last.Interview || first.Interview ||
		first.LastTier == 0 || last.Tier < first.Tier {
		t.Errorf("assessment: %+v", as)
	}

	// Over the years: 2023 (no year before: no last tier), then 2024 as above.
	r = e.do(req{method: "GET", path: "/api/v1/evaluation/assessment/years", role: "viewer"})
	var hist struct {
		Years []struct {
			Year      int                   `json:"year"`
			Platforms []evaluation.Assessed `json:"platforms"`
		} `json:"years"`
	}
	if err := json.Unmarshal(r.body, &hist); err != nil || r.status != 200 || len(hist.Years) != 2 {
		t.Fatalf("years: %d %s", r.status, r.body)
	}
	if y := hist.Years[0]; y.Year != 2023 || y.Platforms[0].LastTier != 0 || !y.Platforms[1].Interview {
		t.Errorf("2023: %+v", y)
	}
	if y := hist.Years[1]; y.Year != 2024 || y.Platforms[0].LastTier != first.LastTier || y.Platforms[0].Tier != first.Tier {
		t.Errorf("2024: %+v", y)
	}
}

// TestEvaluationXLSX: the enterprise evaluation and the assessment as
// workbooks: numbers stored as numbers, units in the headers, 约谈 said.
func TestEvaluationXLSX(t *testing.T) {
	e := newEnv(t, api.Options{})
	evalFixture(t, e)
	body := schemeJSON(t, onlyTax, "null", "")
	if r := e.do(req{method: "PUT", path: "/api/v1/evaluation/scheme", role: "admin", body: body, header: map[string]string{"If-Match": `"1"`}}); r.status != 200 {
		t.Fatalf("scheme: %d %s", r.status, r.body)
	}
	open := func(path string) *excelize.File {
		t.Helper()
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if r.status != 200 || !strings.Contains(r.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("%s: %d %s %s", path, r.status, r.header.Get("Content-Disposition"), r.body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.body), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := open("/api/v1/evaluation.xlsx?year=2024")
	rows, _ := f.GetRows(api.SheetEvalEnterprises)
	if len(rows) != 4+7 {
		t.Fatalf("rows: %d", len(rows))
	}
	h := strings.Join(rows[3], "|")
	if !strings.Contains(h, "用地面积（亩）") || !strings.Contains(h, "亩均税收（万元/亩）") || !strings.Contains(h, "类别") {
		t.Errorf("header: %s", h)
	}
	top := rows[4]
	if top[1] != validCode(1) || top[5] != "10" || top[slices.Index(rows[3], "类别")] != "A" {
		t.Errorf("first row: %v", top)
	}
	if typ, _ := f.GetCellType(api.SheetEvalEnterprises, "F5"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("a figure stored as text: %v", typ)
	}
	bench, _ := f.GetRows(api.SheetEvalBenchmarks)
	if len(bench) < 2 || bench[1][6] != "10" {
		t.Errorf("benchmarks: %v", bench)
	}
	f.Close()

	f = open("/api/v1/evaluation/assessment.xlsx?year=2024")
	defer f.Close()
	rows, _ = f.GetRows(api.SheetAssessment)
	if len(rows) != 4+2 || rows[4][0] != "1" || rows[4][1] != "甲平台" || rows[5][len(rows[5])-1] != "约谈" {
		t.Errorf("assessment: %v", rows)
	}
	vals, _ := f.GetRows(api.SheetAssessValues)
	if len(vals) != 3 || !strings.Contains(strings.Join(vals[0], "|"), "亩均税收（万元/亩）") {
		t.Errorf("values: %v", vals)
	}
}

// TestPlatformDefinitionsJSON: the platform indicators' descriptions use the
// API's lower-case names.
func TestPlatformDefinitionsJSON(t *testing.T) {
	e := newEnv(t, api.Options{})
	m := e.do(req{method: "GET", path: "/api/v1/evaluation/assessment-scheme", role: "viewer"}).json(t)
	d := m["indicators"].([]any)[0].(map[string]any)
	if d["code"] != evaluation.PValueAddedPerMu || d["unit"] != "万元/亩" {
		t.Fatalf("definitions: %v", d)
	}
}

// TestEvaluationMap: the C and D enterprises' parcels and points as GeoJSON
// with their class; enterprises without a location are not on the map.
func TestEvaluationMap(t *testing.T) {
	e := newEnv(t, api.Options{})
	evalFixture(t, e)
	body := schemeJSON(t, onlyTax, "null", "")
	if r := e.do(req{method: "PUT", path: "/api/v1/evaluation/scheme", role: "admin", body: body, header: map[string]string{"If-Match": `"1"`}}); r.status != 200 {
		t.Fatalf("scheme: %d %s", r.status, r.body)
	}
	r := e.do(req{method: "GET", path: "/api/v1/evaluation/map?year=2024&class=C,D", role: "viewer"})
	var fc struct {
		Features []struct {
			Geometry   struct{ Type string }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(r.body, &fc); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// e4 (C) has a parcel; e5 (D) has no location.
	if len(fc.Features) != 1 || fc.Features[0].Geometry.Type != "MultiPolygon" || fc.Features[0].Properties["class"] != "C" {
		t.Fatalf("C, D on the map: %s", r.body)
	}
	r = e.do(req{method: "GET", path: "/api/v1/evaluation/map?year=2024", role: "viewer"})
	if err := json.Unmarshal(r.body, &fc); err != nil || len(fc.Features) != 4 {
		t.Fatalf("all with a location: %s", r.body)
	}
	if r := e.do(req{method: "GET", path: "/api/v1/evaluation/map?year=2024&class=CD", role: "viewer"}); r.status != 400 {
		t.Errorf("class=CD: %d", r.status)
	}
}
