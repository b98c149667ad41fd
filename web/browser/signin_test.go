package browser

import (
	"strconv"
	"testing"
)

// TestSignIn: an anonymous visit goes to the sign-in page; a wrong password
// is refused with a message; the right one opens the map with the user's
// name and role.
func TestSignIn(t *testing.T) {
	p := newPage(t)
	p.do(chromedpNavigate(suite.base + "/"))
	p.waitJS("the redirect to the sign-in page", `location.pathname === '/login.html' && location.search.indexOf('next=') > 0`)
	p.screenshot("01-login")

	p.setValue("#username", editorUser)
	p.setValue("#password", "wrong-password-1")
	p.click("#login-submit")
	p.waitJS("the refusal", `!document.getElementById('login-error').hidden && document.getElementById('login-error').textContent.length > 0`)

	p.setValue("#password", suite.passwords[editorUser])
	p.click("#login-submit")
	p.waitReady()
	if got := eval[string](p, `location.pathname`); got != "/" {
		t.Errorf("after signing in the page is %q, want /", got)
	}
	if got := eval[string](p, `document.querySelector('#user .user-name').textContent`); got != editorUser {
		t.Errorf("the top bar names %q, want %q", got, editorUser)
	}
	if got := eval[string](p, `document.body.dataset.role`); got != "editor" {
		t.Errorf("role %q, want editor", got)
	}
	p.waitJS("the zones", `wanmu.app.zones.features().length > 10 && wanmu.app.platforms.length > 0`)
	p.screenshot("02-map")

	// Signed in, the sign-in page goes straight on to next, but only to a
	// path of this site: a tab makes "/\t/example.org" the address
	// "//example.org" to the browser.
	host := eval[string](p, `location.host`)
	for _, next := range []string{"/%09/example.org/x", "/%5C/example.org/x", "https://example.org/x"} {
		p.do(chromedpNavigate(suite.base + "/login.html?next=" + next))
		p.waitJS("the way on from the sign-in page", `location.pathname !== '/login.html' || location.host !== `+strconv.Quote(host))
		if got := eval[string](p, `location.host + location.pathname`); got != host+"/" {
			t.Errorf("next=%s led to %q, want %q", next, got, host+"/")
		}
	}
	p.do(chromedpNavigate(suite.base + "/login.html?next=/%3Flayer%3D1"))
	p.waitJS("the way on to a local path", `location.pathname !== '/login.html'`)
	if got := eval[string](p, `location.pathname + location.search`); got != "/?layer=1" {
		t.Errorf("next=/?layer=1 led to %q", got)
	}
}
