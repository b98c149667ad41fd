package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// A merge retires the zones it names, so, like an edit, it must name the
// version of each it saw: without them it is refused with 428, with a stale
// one with 412, and either way nothing is merged or retired.
func TestMergeNeedsEveryVersion(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	by := store.Change{Actor: "editor1"}
	a, b := westEast(t, e, by)
	if _, err := e.st.UpdateZone(ctx, b.ID, 1, store.ZoneFields{Name: ptr("东园（改）")}, store.Change{Actor: "editor2"}); err != nil {
		t.Fatal(err)
	}
	merge := func(versions string) resp {
		return e.do(req{method: "POST", path: "/api/v1/zones/merge", role: "editor",
			body: fmt.Sprintf(`{"zone_ids":[%d,%d],"versions":%s,"reason":"合并"}`, a.ID, b.ID, versions)})
	}
	for _, tc := range []struct {
		versions string
		status   int
	}{
		{`{}`, http.StatusPreconditionRequired},
		{fmt.Sprintf(`{"%d":1}`, a.ID), http.StatusPreconditionRequired},
		{fmt.Sprintf(`{"%d":1,"%d":1}`, a.ID, b.ID), http.StatusPreconditionFailed}, // 东园 is at version 2
	} {
		r := merge(tc.versions)
		if r.status != tc.status || r.json(t)["detail"] == "" {
			t.Errorf("versions %s: %d %s, want %d with a reason", tc.versions, r.status, r.body, tc.status)
		}
		for _, id := range []int64{a.ID, b.ID} {
			if z, err := e.st.GetZone(ctx, id); err != nil || z.RetiredAt != nil {
				t.Fatalf("versions %s: zone %d retired (%v)", tc.versions, id, err)
			}
		}
	}
	if r := merge(fmt.Sprintf(`{"%d":1,"%d":2}`, a.ID, b.ID)); r.status != http.StatusCreated {
		t.Fatalf("merge with the current versions: %d %s", r.status, r.body)
	}
	if z, err := e.st.GetZone(ctx, b.ID); err != nil || z.RetiredAt == nil {
		t.Errorf("after the merge zone %d is not retired (%v)", b.ID, err)
	}
}

// A merge of zones that do not touch is a question first (422 naming the gap
// in metres), answered by allow_gap_m; dry_run shows the result, writing
// nothing; the answer says what became of the sources' fields.
func TestMergeAsksAboutTheGap(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	by := store.Change{Actor: "editor1"}
	a, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("西园"), CountyAdcode: ptr("331102"),
		DocumentNo: ptr("丽政发〔2010〕1号"), Geom: square()}, by)
	if err != nil {
		t.Fatal(err)
	}
	apart := orb.MultiPolygon{{{{119.89, 28.40}, {119.90, 28.40}, {119.90, 28.42}, {119.89, 28.42}, {119.89, 28.40}}}}
	b, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("东园"), CountyAdcode: ptr("331102"),
		DocumentNo: ptr("浙政函〔2012〕5号"), Geom: apart}, by)
	if err != nil {
		t.Fatal(err)
	}
	merge := func(extra string) resp {
		return e.do(req{method: "POST", path: "/api/v1/zones/merge", role: "editor",
			body: fmt.Sprintf(`{"zone_ids":[%d,%d],"versions":{"%d":1,"%d":1}%s}`, a.ID, b.ID, a.ID, b.ID, extra)})
	}
	r := merge("")
	q, _ := r.json(t)["question"].(map[string]any)
	gap, _ := q["gap_m"].(float64)
	if r.status != http.StatusUnprocessableEntity || q["field"] != "allow_gap_m" || gap < 970 || gap > 985 {
		t.Fatalf("merge of zones ~978 m apart: %d %s, want 422 with the gap", r.status, r.body)
	}
	r = merge(fmt.Sprintf(`,"allow_gap_m":%g,"dry_run":true`, gap))
	m, _ := r.json(t)["merge"].(map[string]any)
	if r.status != http.StatusOK || m["dry_run"] != true || m["parts"] != 2.0 {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	if z, _ := e.st.GetZone(ctx, a.ID); z.RetiredAt != nil {
		t.Fatal("a dry run retired a source")
	}
	r = merge(fmt.Sprintf(`,"allow_gap_m":%g`, gap))
	props, _ := r.json(t)["properties"].(map[string]any)
	if r.status != http.StatusCreated || props["document_no"] != "丽政发〔2010〕1号；浙政函〔2012〕5号" {
		t.Fatalf("merge: %d %s, want 201 keeping both document numbers", r.status, r.body)
	}
}

// westEast creates two touching parks, 西园 and 东园, as by.
func westEast(t *testing.T, e *env, by store.Change) (store.Zone, store.Zone) {
	t.Helper()
	ctx := context.Background()
	a, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("西园"), CountyAdcode: ptr("331102"), Geom: square()}, by)
	if err != nil {
		t.Fatal(err)
	}
	east := orb.MultiPolygon{{{{119.88, 28.40}, {119.90, 28.40}, {119.90, 28.42}, {119.88, 28.42}, {119.88, 28.40}}}}
	b, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("东园"), CountyAdcode: ptr("331102"), Geom: east}, by)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}
