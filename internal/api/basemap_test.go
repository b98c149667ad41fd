package api_test

import (
	"strings"
	"testing"

	"wanmu/internal/api"
)

// TestBasemapSettings: only a valid 天地图 key is stored; the page's config
// says whether one is set to everyone but hands the key only to signed-in
// users; the tile server can be overridden and restored; the key is never
// logged.
func TestBasemapSettings(t *testing.T) {
	e := newEnv(t, api.Options{PublicRead: true})
	const key = "0123456789ABCDEF0123456789abcdef"
	tdt := func(role string) map[string]any {
		t.Helper()
		td, _ := e.do(req{method: "GET", path: "/api/v1/config", role: role}).json(t)["tianditu"].(map[string]any)
		return td
	}
	if td := tdt("viewer"); td["key_set"] != false || td["key"] != nil || !strings.Contains(td["url"].(string), "tianditu.gov.cn/{layer}_w/wmts") {
		t.Errorf("before any key: %v", td)
	}
	for _, bad := range []string{`{"tianditu_key":"0123"}`, `{"tianditu_key":"0123456789abcdef0123456789abcdeg"}`, `{}`,
		`{"tianditu_url":"ftp://x/{layer}/{z}/{x}/{y}"}`, `{"tianditu_url":"http://x/{z}/{x}/{y}"}`} {
		if r := e.do(req{method: "PUT", path: "/api/v1/settings/basemap", body: bad, role: "admin"}); r.status != 422 {
			t.Errorf("%s: %d %s, want 422", bad, r.status, r.body)
		}
	}
	r := e.do(req{method: "PUT", path: "/api/v1/settings/basemap", role: "admin",
		body: `{"tianditu_key":" ` + key + ` ","tianditu_url":"http://127.0.0.1:1/{layer}/{z}/{x}/{y}?tk={tk}"}`})
	if r.status != 200 || r.json(t)["key"] != key {
		t.Fatalf("set the key: %d %s", r.status, r.body)
	}
	if td := tdt("viewer"); td["key"] != key || td["url"] != "http://127.0.0.1:1/{layer}/{z}/{x}/{y}?tk={tk}" {
		t.Errorf("a viewer's config: %v", td)
	}
	if td := tdt(""); td["key_set"] != true || td["key"] != nil {
		t.Errorf("an anonymous reader's config: %v (the key only for signed-in users)", td)
	}
	e.do(req{method: "PUT", path: "/api/v1/settings/basemap", role: "admin", body: `{"tianditu_key":"","tianditu_url":""}`})
	if td := tdt("admin"); td["key_set"] != false || td["key"] != nil || !strings.Contains(td["url"].(string), "tianditu.gov.cn") {
		t.Errorf("after removing the key and the url: %v", td)
	}
	if strings.Contains(strings.ToLower(e.logs.String()), strings.ToLower(key)) {
		t.Error("the 天地图 key appears in the server log")
	}
}
