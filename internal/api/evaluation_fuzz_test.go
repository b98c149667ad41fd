package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"wanmu/internal/evaluation"
)

// FuzzSchemeBody: any scheme an administrator sends, of either kind, is
// accepted as a valid scheme that reads back the same, or refused with a
// short 422 naming fields under scheme — never a panic.
func FuzzSchemeBody(f *testing.F) {
	d, _ := json.Marshal(evaluation.DefaultScheme())
	a, _ := json.Marshal(evaluation.DefaultAssessment())
	for _, s := range []string{string(d), string(a), `{}`, `null`, `[]`, `{"name":"x","wieght":1}`,
		`{"criteria":[{"code":"tax_per_mu","weight":-1}],"tiers":[]}`, `{"groups":[{"scale":"规上","evaluated":true}]}`, `{"a":1}{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, k := range []schemeKind{enterpriseScheme, assessmentScheme} {
			v, err := k.parse([]byte(body))
			if err != nil {
				p := checkProblem(t, body, schemeProblem(err))
				if p.Status != 422 || len(p.Errors) == 0 || p.Errors[0].Path[:6] != "scheme" {
					t.Fatalf("%q: %+v", body, p)
				}
				continue
			}
			b, _ := json.Marshal(v)
			if _, err := k.parse(b); err != nil {
				t.Fatalf("%q accepted but its canonical form %s is refused: %v", body, b, err)
			}
		}
	})
}

// FuzzEvaluationQuery: the evaluation's paging and parameter checks answer a
// 400 problem or values in range.
func FuzzEvaluationQuery(f *testing.F) {
	for _, s := range []string{"limit=10&offset=20", "limit=0", "offset=-1", "limit=99999", "year=2024&colour=red", "scenario=0&limit=1", "%zz",
		"q=%E7%A4%BA%E4%BE%8B", "q=91331102", "q=" + strings.Repeat("x", 61)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := url.ParseQuery(q); err != nil {
			return
		}
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/api/v1/evaluation", RawQuery: q}}
		if err := onlyParams(r, "year", "county", "scale", "class", "zone", "platform", "q", "limit", "offset"); err != nil {
			checkProblem(t, q, err)
			return
		}
		text, err := evalSearch(r.URL.Query().Get("q"))
		if err != nil {
			checkProblem(t, q, err)
			return
		}
		if utf8.RuneCountInString(text) > 60 || text != strings.ToUpper(text) {
			t.Fatalf("%q: search text %q", q, text)
		}
		limit, offset, err := pageParams(r, 100)
		if err != nil {
			checkProblem(t, q, err)
			return
		}
		if limit < 1 || limit > MaxZonePage || offset < 0 {
			t.Fatalf("%q: limit %d offset %d", q, limit, offset)
		}
	})
}
