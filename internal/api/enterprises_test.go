package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"wanmu/internal/api"
	"wanmu/internal/store"
	"wanmu/internal/uscc"
)

// uploadEnterprises posts a table to /api/v1/enterprises/imports?query.
func (e *env) uploadEnterprises(role, query, name string, body []byte) (int, map[string]any) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(body)
	mw.Close()
	hr, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/enterprises/imports?"+query, &buf)
	hr.Header.Set("Content-Type", mw.FormDataContentType())
	hr.Header.Set("Authorization", "Bearer "+e.tokens[role])
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

func validCode(i int) string {
	first := fmt.Sprintf("91331102MA3%06d", i)
	c, _ := uscc.CheckChar(first)
	return first + string(c)
}

// TestEnterpriseImportAPI: a GBK CSV without a county column is previewed
// as a job; the commit is refused, the import left waiting with the rows
// named, until the mapping gives a default county; then the figures are
// read by year, zone, platform and county, the unplaced listed, the years
// summed. A zone import's commit route does not commit it.
func TestEnterpriseImportAPI(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	c := store.Change{Actor: "editor1"}
	a, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲区"), CountyAdcode: ptr("331121"), Geom: hundredth(120.20, 28.10)}, c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("青田平台"), Counties: []string{"331121"}}, []int64{a.ID}, c)
	if err != nil {
		t.Fatal(err)
	}
	csv := "统一社会信用代码,企业名称,规上/规下,用地面积（亩）,税收（万元）,经度,纬度\r\n" +
		validCode(1) + ",青田阀门有限公司,规上,20,80,120.205,28.105\r\n" +
		validCode(2) + ",青田鞋业有限公司,规下,6,9,120.25,28.20\r\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(csv)

	if st, m := e.uploadEnterprises("editor", "", "qt.csv", []byte(gbk)); st != 400 || !strings.Contains(fmt.Sprint(m["detail"]), "year is required") {
		t.Fatalf("no year: %d %v", st, m)
	}
	if st, _ := e.uploadEnterprises("viewer", "year=2024", "qt.csv", []byte(gbk)); st != 403 {
		t.Fatalf("a viewer imports: %d", st)
	}
	st, j := e.uploadEnterprises("editor", "year=2024", "qt.csv", []byte(gbk))
	if st != 202 {
		t.Fatalf("upload: %d %v", st, j)
	}
	id := j["id"].(string)
	j = e.waitJob("editor", id)
	pre, _ := j["result"].(map[string]any)
	if j["state"] != "waiting" || j["kind"] != "enterprises" || pre["encoding"] != "GBK" || pre["rows"] != float64(2) || pre["error_rows"] != float64(0) {
		t.Fatalf("preview: %v", j)
	}
	// The credit codes say 莲都 (331102): without a county column the
	// county is read from them. The editor says 青田 instead.
	if cs := pre["counties"].(map[string]any); cs["331102"] != float64(2) {
		t.Fatalf("counties from the codes: %v", cs)
	}
	commit := func(path, body string) map[string]any {
		t.Helper()
		if r := e.do(req{method: "POST", path: path, role: "editor", body: body}); r.status != 202 {
			t.Fatalf("commit %s: %d %s", path, r.status, r.body)
		}
		return e.waitJob("editor", id)
	}
	// The zone import's commit route: refused, the import waits.
	w := commit("/api/v1/imports/"+id+"/commit", `{}`)
	if w["state"] != "waiting" || !strings.Contains(fmt.Sprint(w["error"]), "enterprises/imports") {
		t.Fatalf("zone commit route: %v", w)
	}
	// A mapping to a column the table lacks is refused, the import waits.
	w = commit("/api/v1/enterprises/imports/"+id+"/commit", `{"mapping":{"columns":{"land":"面积"}}}`)
	if w["state"] != "waiting" || !strings.Contains(fmt.Sprint(w["error"]), "面积") {
		t.Fatalf("bad mapping: %v", w)
	}
	// Without the land column every row fails: refused, the rows named.
	w = commit("/api/v1/enterprises/imports/"+id+"/commit", `{"mapping":{"columns":{"credit_code":"统一社会信用代码","name":"企业名称"}}}`)
	if w["state"] != "waiting" || w["error"].(map[string]any)["code"] != "row-errors" {
		t.Fatalf("rows with errors: %v", w)
	}
	if ys, _ := e.st.EnterpriseYears(ctx); len(ys) != 0 {
		t.Fatalf("a refused commit wrote: %v", ys)
	}
	m := `{"mapping":{"columns":{"credit_code":"统一社会信用代码","name":"企业名称","scale":"规上/规下","land":"用地面积（亩）","tax":"税收（万元）","lon":"经度","lat":"纬度"},"default_county":"青田县"},"reason":"2024 年度数据"}`
	w = commit("/api/v1/enterprises/imports/"+id+"/commit", m)
	res, _ := w["result"].(map[string]any)
	if w["state"] != "done" || res["written"] != float64(2) || res["unplaced"] != float64(1) {
		t.Fatalf("commit: %v", w)
	}

	list := func(q string) map[string]any {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/v1/enterprises" + q, role: "viewer"})
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", q, r.status, r.body)
		}
		return r.json(t)
	}
	all := list("") // the newest year
	es := all["enterprises"].([]any)
	if all["year"] != float64(2024) || len(es) != 2 {
		t.Fatalf("list: %v", all)
	}
	first := es[0].(map[string]any)
	pl := first["placements"].([]any)
	if first["county"] != "331121" || first["credit_code"] != validCode(1) || first["land_mu"] != float64(20) || first["tax"] != float64(80) ||
		len(pl) != 1 || pl[0].(map[string]any)["zone_id"] != float64(a.ID) || pl[0].(map[string]any)["platform_id"] != float64(p.ID) ||
		pl[0].(map[string]any)["share"] != float64(1) || first["import_id"] != id || first["created_by"] == "" {
		t.Errorf("first: %v", first)
	}
	if _, has := first["value_added"]; has {
		t.Errorf("a figure not in the table is absent, not 0: %v", first)
	}
	page := list("?year=2024&limit=1")
	next, _ := page["next"].(string)
	if len(page["enterprises"].([]any)) != 1 || !strings.Contains(next, "after=") {
		t.Fatalf("page: %v", page)
	}
	if r := e.do(req{method: "GET", path: next, role: "viewer"}); r.status != 200 || len(r.json(t)["enterprises"].([]any)) != 1 || r.json(t)["next"] != nil {
		t.Errorf("next page: %d %s", r.status, r.body)
	}
	if n := len(list(fmt.Sprintf("?year=2024&platform=%d", p.ID))["enterprises"].([]any)); n != 1 {
		t.Errorf("platform filter: %d", n)
	}
	if n := len(list(fmt.Sprintf("?year=2024&zone=%d", a.ID))["enterprises"].([]any)); n != 1 {
		t.Errorf("zone filter: %d", n)
	}
	if n := len(list("?year=2024&county=331102")["enterprises"].([]any)); n != 0 {
		t.Errorf("county filter: %d", n)
	}
	if n := len(list("?year=2023")["enterprises"].([]any)); n != 0 {
		t.Errorf("another year: %d", n)
	}
	un := e.do(req{method: "GET", path: "/api/v1/enterprises/unplaced?year=2024", role: "viewer"}).json(t)
	if ul := un["enterprises"].([]any); len(ul) != 1 || ul[0].(map[string]any)["name"] != "青田鞋业有限公司" {
		t.Errorf("unplaced: %v", un)
	}
	ys := e.do(req{method: "GET", path: "/api/v1/enterprises/years", role: "viewer"}).json(t)["years"].([]any)
	if len(ys) != 1 || ys[0].(map[string]any)["enterprises"] != float64(2) || ys[0].(map[string]any)["unplaced"] != float64(1) {
		t.Errorf("years: %v", ys)
	}
	for _, q := range []string{"?year=99", "?year=2024x", "?county=1", "?county=110101", "?zone=x", "?limit=0", "?bbox=1", "?after=-1"} {
		r := e.do(req{method: "GET", path: "/api/v1/enterprises" + q, role: "viewer"})
		if r.status != 400 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET /enterprises%s: %d %s", q, r.status, r.body)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/v1/enterprises/unplaced?platform=1", role: "viewer"}); r.status != 400 {
		t.Errorf("unplaced by platform: %d", r.status)
	}
	if st, m := e.uploadEnterprises("editor", "year=2024", "qt.xls", []byte("not excel")); st != 202 {
		t.Errorf("xls upload: %d %v", st, m)
	} else if j := e.waitJob("editor", m["id"].(string)); j["state"] != "failed" || !strings.Contains(fmt.Sprint(j["error"]), ".xlsx") {
		t.Errorf("an .xls: %v", j)
	}
}

// TestEnterpriseCommitOfZoneImport: the enterprise commit route does not
// commit a zone import (its mapping would be read as an empty zone mapping).
func TestEnterpriseCommitOfZoneImport(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	file := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"名称":"甲"},"geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]}}]}`
	j := e.upload("editor", "zones.geojson", []byte(file), nil)
	if j["state"] != "waiting" {
		t.Fatalf("preview: %v", j)
	}
	id := j["id"].(string)
	r := e.do(req{method: "POST", path: "/api/v1/enterprises/imports/" + id + "/commit", role: "editor", body: `{}`})
	if r.status != 409 || !strings.Contains(string(r.body), "not an enterprise import") {
		t.Fatalf("enterprise commit of a zone import: %d %s", r.status, r.body)
	}
	if j := e.waitJob("editor", id); j["state"] != "waiting" {
		t.Errorf("the zone import after the refusal: %v", j)
	}
}
