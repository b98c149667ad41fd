package browser

import (
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
}
