package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestBundle: the map's page loads one script and one style sheet of its
// own, which hold every file it listed, in order; they are cached for a
// year, the page is revalidated (304 with its ETag).
func TestBundle(t *testing.T) {
	h := Handler()
	get := func(path, etag string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		if etag != "" {
			r.Header.Set("If-None-Match", etag)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	page := get("/", "")
	if page.Code != http.StatusOK || page.Header().Get("Cache-Control") != "no-cache" || page.Header().Get("ETag") == "" {
		t.Fatalf("GET /: %d, Cache-Control %q, ETag %q", page.Code, page.Header().Get("Cache-Control"), page.Header().Get("ETag"))
	}
	if w := get("/", page.Header().Get("ETag")); w.Code != http.StatusNotModified {
		t.Errorf("GET / with its ETag: %d, want 304", w.Code)
	}
	html := page.Body.String()
	scripts := regexp.MustCompile(`<script src="([^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(scripts) != 1 || !strings.HasPrefix(scripts[0][1], "bundle-") {
		t.Fatalf("the page loads scripts %v, want one bundle", scripts)
	}
	js := get("/"+scripts[0][1], "")
	if js.Code != http.StatusOK || !strings.Contains(js.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET the bundle: %d, Cache-Control %q, Content-Type %q", js.Code, js.Header().Get("Cache-Control"), js.Header().Get("Content-Type"))
	}
	// Every script of the source page is in the bundle, in its order.
	src, err := fs.ReadFile(Static(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	body, at := js.Body.String(), 0
	for _, m := range scriptTag.FindAllStringSubmatch(string(src), -1) {
		content, err := fs.ReadFile(Static(), m[1])
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(body[at:], string(content))
		if i < 0 {
			t.Fatalf("%s is not in the bundle after the scripts before it", m[1])
		}
		at += i + len(content)
	}
	css := regexp.MustCompile(`href="(css/bundle-[^"]+)"`).FindStringSubmatch(html)
	if css == nil || strings.Contains(html, `href="css/wanmu.css"`) {
		t.Fatalf("the page does not load its own style sheets as one")
	}
	if w := get("/"+css[1], ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), ".platform-label") {
		t.Errorf("GET %s: %d", css[1], w.Code)
	}
	// The files stay served one by one.
	if w := get("/js/app.js", ""); w.Code != http.StatusOK {
		t.Errorf("GET /js/app.js: %d", w.Code)
	}
}

// TestLoginPrefetch: the sign-in page prefetches the map's bundles.
func TestLoginPrefetch(t *testing.T) {
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, httptest.NewRequest("GET", "/login.html", nil))
	n := len(regexp.MustCompile(`<link rel="prefetch" href="(css/)?bundle-[0-9a-f]+\.(js|css)">`).FindAllString(w.Body.String(), -1))
	if n != 2 {
		t.Errorf("the sign-in page prefetches %d bundles, want 2 (the map's script and style sheet)", n)
	}
}
