package browser

import (
	"bufio"
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestRedirectCorpus opens the sign-in page with every open-redirect
// payload of testdata/open-redirects.txt as its next parameter, once signed
// in (the page goes straight on) and once signed out (the user signs in
// from it). Each must end on this site, and no navigation the browser so
// much as starts may aim anywhere else.
func TestRedirectCorpus(t *testing.T) {
	payloads := readPayloads(t, "testdata/open-redirects.txt")
	if len(payloads) < 40 {
		t.Fatalf("the corpus has %d payloads, want at least 40", len(payloads))
	}
	base, err := url.Parse(suite.base)
	if err != nil {
		t.Fatal(err)
	}
	origin := base.Scheme + "://" + base.Host

	signedIn := newPage(t)
	signedIn.login(editorUser)
	signedOut := newPage(t)
	navIn, navOut := watchNavigations(t, signedIn), watchNavigations(t, signedOut)

	refused := 0
	for _, payload := range payloads {
		link := suite.base + "/login.html?next=" + payload

		navIn.reset()
		signedIn.do(chromedpNavigate(link))
		where, _ := signedIn.settle(payload, false)
		checkLanding(t, "signed in", payload, origin, where, navIn.take())

		navOut.reset()
		signedOut.do(chromedpNavigate(link))
		where, form := signedOut.settle(payload, true)
		if !form {
			// The server refused the link itself (e.g. a ';' in the query
			// is a 400): there is no page to sign in from.
			refused++
			checkLanding(t, "refused link", payload, origin, where, navOut.take())
			continue
		}
		signedOut.setValue("#username", viewerUser)
		signedOut.setValue("#password", suite.passwords[viewerUser])
		signedOut.click("#login-submit")
		where, _ = signedOut.settle(payload, false)
		checkLanding(t, "signing in", payload, origin, where, navOut.take())
		// Signed out again for the next payload. The map it landed on is
		// left first: its own redirect to the sign-in page, once the
		// cookies are gone, would abort the next navigation.
		signedOut.do(chromedpNavigate("about:blank"))
		signedOut.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}))
	}
	if refused > 0 {
		t.Logf("%d links were refused by the server before the sign-in page ran", refused)
	}
	if !t.Failed() {
		t.Logf("%d payloads, each opened signed in and signed in from: all ended on %s", len(payloads), origin)
	}
}

// TestSignOut: the map's sign-out button ends the session (the server wants
// the session's CSRF token with it, so the page must send it): the page
// lands on the sign-in page and stays there, and the old session is gone.
func TestSignOut(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	p.click("#user summary")
	p.click(`#user [data-action="logout"]`)
	p.waitJS("the sign-in page after signing out", `location.pathname === '/login.html' && !!document.getElementById('login-form')`)
	// A refused sign-out would leave the session alive (and the sign-in
	// page would go straight back to the map): the server must say 401.
	status, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`fetch('/api/v1/auth/me', {credentials: 'same-origin'}).then(function (r) { return r.status; })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](p, `location.pathname`); got != "/login.html" {
		t.Fatalf("after signing out the page went on to %q: the session is still alive", got)
	}
	if status != 401 {
		t.Errorf("/auth/me after signing out: %v, want 401", status)
	}
}

// settle waits until the page has left the sign-in page (to anywhere), or
// is an answer of the server other than the sign-in page, or (with form)
// shows the sign-in form; it returns the address and whether the form is
// there.
func (p *page) settle(payload string, form bool) (string, bool) {
	p.t.Helper()
	expr := `(function () {
		if (location.pathname !== '/login.html') { return 'left ' + location.href; }
		if (document.readyState !== 'complete') { return ''; }
		if (!document.getElementById('login-form')) { return 'other ' + location.href; }
		return ` + strconv.FormatBool(form) + ` ? 'form ' + location.href : '';
	})()`
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := evalCtx[string](p.ctx, expr)
		if kind, href, ok := strings.Cut(got, " "); err == nil && ok {
			return href, kind == "form"
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("next=%s: still on the sign-in page after 30 s (a javascript: URL run in place?)\n%s", payload, p.diagnose())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func checkLanding(t *testing.T, how, payload, origin, where string, navigations []string) {
	t.Helper()
	if u, err := url.Parse(where); err != nil || u.Scheme+"://"+u.Host != origin {
		t.Errorf("%s, next=%s ended on %q, want a page of %s", how, payload, where, origin)
	}
	for _, n := range navigations {
		u, err := url.Parse(n)
		if err != nil || u.Scheme+"://"+u.Host != origin {
			t.Errorf("%s, next=%s: the browser set out for %s", how, payload, strconv.Quote(n))
		}
	}
}

// navigations records the address of every navigation of a page's main
// frame: asked for by the page, started, or committed (error pages
// included, by the address that could not be reached).
type navigations struct {
	mu   sync.Mutex
	urls []string
}

func watchNavigations(t *testing.T, p *page) *navigations {
	n := &navigations{}
	err := chromedp.Listen(p.ctx, func(ev any) {
		var u string
		switch e := ev.(type) {
		case *cdppage.EventFrameRequestedNavigation:
			u = e.URL
		case *cdppage.EventFrameNavigated:
			if e.Frame.ParentID != "" {
				return
			}
			u = e.Frame.URL
			if e.Frame.UnreachableURL != "" {
				u = e.Frame.UnreachableURL
			}
		case *network.EventRequestWillBeSent:
			if e.Type != network.ResourceTypeDocument {
				return
			}
			u = e.Request.URL
		default:
			return
		}
		n.mu.Lock()
		n.urls = append(n.urls, u)
		n.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("listen to the page: %v", err)
	}
	return n
}

func (n *navigations) reset() {
	n.mu.Lock()
	n.urls = nil
	n.mu.Unlock()
}

func (n *navigations) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.urls
	n.urls = nil
	return out
}

func readPayloads(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
