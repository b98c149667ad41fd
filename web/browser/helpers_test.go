package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"wanmu/internal/testenv"
)

// page is one signed-in browser session (its own browser context, so its
// own cookies) that records every console error and uncaught exception.
type page struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

// newPage opens a tab in a fresh browser context. At the end of the test it
// fails on any console error, uncaught exception or missing message key.
func newPage(t *testing.T) *page {
	t.Helper()
	if suite.skip != "" {
		testenv.Missing(t, "%s", suite.skip)
	}
	p := &page{t: t}
	ctx, cancel := chromedp.NewContext(suite.browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.listen))
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1600, 1000)); err != nil {
		cancel()
		t.Fatalf("open a browser tab: %v", err)
	}
	p.ctx = ctx
	t.Cleanup(func() {
		p.checkClean()
		cancel()
	})
	return p
}

// listen runs in the tab's event loop: it must return fast.
func (p *page) listen(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range e.Args {
			if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		msg = "console." + string(e.Type) + ": " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg = "exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	case *log.EventEntryAdded:
		// Failed requests are part of the protocol here (401 before sign-in,
		// 412 on a conflict): the page handles them. Other errors count.
		if e.Entry.Level != log.EntryLevelError || e.Entry.Source == log.EntrySourceNetwork {
			return
		}
		msg = "log " + string(e.Entry.Source) + ": " + e.Entry.Text
	default:
		return
	}
	p.mu.Lock()
	p.problems = append(p.problems, msg)
	p.mu.Unlock()
}

func (p *page) checkClean() {
	p.t.Helper()
	// Message keys asked for but missing from the table (zh or en).
	if missing, err := evalCtx[[]string](p.ctx, `window.wanmu && wanmu.i18n ? wanmu.i18n.missing() : []`); err == nil && len(missing) > 0 {
		p.t.Errorf("message keys missing from messages.js: %v", missing)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.problems {
		p.t.Errorf("browser console: %s", m)
	}
}

// do runs actions with a time limit.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v\n%s", err, p.diagnose())
	}
}

func evalCtx[T any](ctx context.Context, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := evalCtx[T](p.ctx, expr)
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is truthy.
func (p *page) waitJS(what, expr string) {
	p.t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for {
		left := time.Until(deadline)
		ctx, cancel := context.WithTimeout(p.ctx, left+5*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(left), chromedp.WithPollingInterval(100*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		// A navigation (e.g. the redirect to sign in) destroys the context the
		// poll ran in: poll again in the new page.
		if time.Now().Before(deadline) && (strings.Contains(err.Error(), "navigated or closed") || strings.Contains(err.Error(), "context was destroyed") || strings.Contains(err.Error(), "Cannot find context")) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		p.failShot()
		p.t.Fatalf("waiting for %s (%s): %v\n%s", what, expr, err, p.diagnose())
	}
}

// failShot saves what the page looked like when a test failed.
func (p *page) failShot() {
	name := "fail-" + strings.NewReplacer("/", "-", " ", "_").Replace(p.t.Name())
	p.screenshot(name)
}

// diagnose is what the page shows, for failure messages.
func (p *page) diagnose() string {
	s, _ := evalCtx[string](p.ctx, `(function(){
		var t = Array.prototype.map.call(document.querySelectorAll('.toast'), function (x) { return x.textContent; }).join(' | ');
		var d = Array.prototype.map.call(document.querySelectorAll('dialog[open]'), function (x) { return x.textContent.slice(0, 300); }).join(' | ');
		var e = window.wanmu && wanmu.app && wanmu.app.editor;
		var ed = e ? ' mode=' + e.mode + ' session=' + (e.session ? e.session.kind + (e.session.dirty ? '*' : '') : '-') + ' busy=' + e.busy : '';
		return 'url=' + location.href + ed + ' toasts=[' + t + '] dialogs=[' + d + ']';
	})()`)
	p.mu.Lock()
	defer p.mu.Unlock()
	return s + " console=" + strings.Join(p.problems, " | ")
}

func (p *page) click(css string) {
	p.t.Helper()
	p.retry(chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// undo presses the toolbar's undo once the page has read the server's undo
// stack after the latest change (until then the button is disabled).
func (p *page) undo() {
	p.t.Helper()
	p.waitJS("undo available", `!document.querySelector('[data-tool="undo"]').disabled`)
	p.click(`[data-tool="undo"]`)
}

func (p *page) setValue(css, value string) {
	p.t.Helper()
	p.retry(chromedp.SetValue(chromedp.CSS(css), value, chromedp.NodeVisible))
}

// retry runs an action on an element again when the element it found was
// replaced before the action reached it (a page that just navigated): the
// action did not happen, so running it again is safe.
func (p *page) retry(a chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
		err := chromedp.Do(ctx, a)
		cancel()
		if err == nil {
			return
		}
		if i < 5 && (strings.Contains(err.Error(), "No node with given id") || strings.Contains(err.Error(), "Could not find node")) {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		p.t.Fatalf("browser: %v\n%s", err, p.diagnose())
	}
}

// login signs in through the sign-in page and waits for the map.
func (p *page) login(user string) {
	p.t.Helper()
	p.do(chromedp.Navigate(suite.base + "/"))
	p.waitJS("the sign-in page", `location.pathname === '/login.html' && !!document.getElementById('login-form')`)
	p.setValue("#username", user)
	p.setValue("#password", suite.passwords[user])
	p.click("#login-submit")
	p.waitReady()
}

func (p *page) waitReady() {
	p.t.Helper()
	p.waitJS("the map to load", `document.body.classList.contains('ready') && !!(window.wanmu && wanmu.app && wanmu.app.ready)`)
}

// screenshot saves the viewport as a PNG among the test artifacts.
func (p *page) screenshot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	// Let transitions and tiles settle.
	_ = chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond))
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(suite.artifacts, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
	}
}

// px returns the page coordinates of a longitude/latitude on the map.
func (p *page) px(lng, lat float64) (float64, float64) {
	p.t.Helper()
	xy := eval[[2]float64](p, fmt.Sprintf(`(function(){
		var m = wanmu.app.map, r = m.getContainer().getBoundingClientRect();
		var q = m.latLngToContainerPoint([%f, %f]);
		return [r.left + q.x, r.top + q.y];
	})()`, lat, lng))
	return xy[0], xy[1]
}

// lngLat returns the longitude/latitude under page coordinates.
func (p *page) lngLat(x, y float64) (float64, float64) {
	p.t.Helper()
	ll := eval[[2]float64](p, fmt.Sprintf(`(function(){
		var m = wanmu.app.map, r = m.getContainer().getBoundingClientRect();
		var q = m.containerPointToLatLng([%f - r.left, %f - r.top]);
		return [q.lng, q.lat];
	})()`, x, y))
	return ll[0], ll[1]
}

func (p *page) clickAt(x, y float64, shift bool) {
	p.t.Helper()
	var opts []chromedp.MouseOption
	if shift {
		opts = append(opts, chromedp.ButtonModifiers(chromedp.ModifierShift))
	}
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y), chromedp.MouseClickXY(x, y, opts...), chromedp.Sleep(150*time.Millisecond))
}

// drag presses at one point, moves in steps and releases at another.
func (p *page) drag(x1, y1, x2, y2 float64) {
	p.t.Helper()
	p.dragWith(x1, y1, x2, y2, false)
}

// dragWith drags, optionally holding Shift (box selection).
func (p *page) dragWith(x1, y1, x2, y2 float64, shift bool) {
	p.t.Helper()
	opts := func(more ...chromedp.MouseOption) []chromedp.MouseOption {
		if shift {
			more = append(more, chromedp.ButtonModifiers(chromedp.ModifierShift))
		}
		return more
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x1, y1, opts()...),
		chromedp.MouseEvent(chromedp.MousePressed, x1, y1, opts(chromedp.ButtonLeft, chromedp.ClickCount(1))...),
	}
	for i := 1; i <= 10; i++ {
		f := float64(i) / 10
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x1+(x2-x1)*f, y1+(y2-y1)*f, opts(chromedp.ButtonLeft)...), chromedp.Sleep(20*time.Millisecond))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x2, y2, opts(chromedp.ButtonLeft, chromedp.ClickCount(1))...), chromedp.Sleep(200*time.Millisecond))
	p.do(steps...)
}

// reloadData makes the page load zones, platforms and layers again (after
// the test wrote some through the API).
func (p *page) reloadData() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`wanmu.app.loadAll().then(function () { return true; })`, chromedp.EvalAwaitPromise)); err != nil {
		p.t.Fatalf("reload the data: %v", err)
	}
}

// view centres the map on a point at a zoom, without animation.
func (p *page) view(lng, lat float64, zoom int) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(wanmu.app.map.stop(), wanmu.app.map.setView([%f, %f], %d, {animate: false}), true)`, lat, lng, zoom))
	p.do(chromedp.Sleep(300 * time.Millisecond))
}

// selectZone clicks inside a zone (at a point given by the test) and waits
// until the selection is exactly the expected ids.
func (p *page) waitSelection(ids ...int64) {
	p.t.Helper()
	if ids == nil {
		ids = []int64{}
	}
	want, _ := json.Marshal(ids)
	p.waitJS(fmt.Sprintf("selection %s", want), fmt.Sprintf(`JSON.stringify(wanmu.app.selection.ids()) === %q`, string(want)))
}

// square is a GeoJSON polygon of side metres centred on lng/lat.
func square(lng, lat, side float64) map[string]any {
	dLat := side / 2 / 111320
	dLng := side / 2 / (111320 * math.Cos(lat*math.Pi/180))
	ring := [][2]float64{{lng - dLng, lat - dLat}, {lng + dLng, lat - dLat}, {lng + dLng, lat + dLat}, {lng - dLng, lat + dLat}, {lng - dLng, lat - dLat}}
	return map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}
}

// zoneFeature is the part of a zone answer the tests read.
type zoneFeature struct {
	Geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		ID         int64   `json:"id"`
		Name       string  `json:"name"`
		AreaMu     float64 `json:"area_mu"`
		Version    int     `json:"version"`
		PlatformID *int64  `json:"platform_id"`
		RetiredAt  *string `json:"retired_at"`
		Kind       string  `json:"kind"`
	} `json:"properties"`
}

// createZone stores a square zone through the API.
func createZone(t *testing.T, a *api, name string, lng, lat, side float64) zoneFeature {
	t.Helper()
	var f zoneFeature
	a.must(t, 201, "POST", "/api/v1/zones", map[string]any{
		"type": "Feature", "geometry": square(lng, lat, side),
		"properties": map[string]any{"kind": "township", "name": name, "county_adcode": "331102", "disposition": "待定"},
		"reason":     "browser test",
	}, 0, &f)
	return f
}

// freeSpot asks the page for a place with no zone within about 4 km, going
// along a grid over 丽水 and skipping spots already used by this run.
var usedSpots = struct {
	sync.Mutex
	list [][2]float64
}{}

func freeSpot(t *testing.T, a *api) (float64, float64) {
	t.Helper()
	var fc struct {
		Features []zoneFeature `json:"features"`
	}
	usedSpots.Lock()
	defer usedSpots.Unlock()
	for lat := 27.70; lat <= 28.85; lat += 0.06 {
		for lng := 118.90; lng <= 120.30; lng += 0.06 {
			bbox := fmt.Sprintf("%f,%f,%f,%f", lng-0.045, lat-0.04, lng+0.045, lat+0.04)
			a.must(t, 200, "GET", "/api/v1/zones?bbox="+bbox, nil, 0, &fc)
			if len(fc.Features) > 0 {
				continue
			}
			used := false
			for _, s := range usedSpots.list {
				if math.Abs(s[0]-lng) < 0.09 && math.Abs(s[1]-lat) < 0.08 {
					used = true
				}
			}
			if used {
				continue
			}
			usedSpots.list = append(usedSpots.list, [2]float64{lng, lat})
			return lng, lat
		}
	}
	t.Fatal("no free spot for a test zone")
	return 0, 0
}

func chromedpNavigate(url string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(url) }

func setUploadFiles(css string, files ...string) chromedp.Action[chromedp.Void] {
	return chromedp.SetUploadFiles(chromedp.CSS(css), files, chromedp.NodeReady)
}
