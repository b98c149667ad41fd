// Package browser holds the browser tests of the planner's map: they build
// the wanmu binary, start `wanmu serve` on a throwaway data directory and a
// free port, and drive Debian's headless Chromium through chromedp — sign
// in, draw, edit, merge, platforms, conflicts, roles, languages — failing on
// any console error. Screenshots of the main screens are written to
// $WANMU_ARTIFACTS (default testdata/screenshots).
//
// Without Chromium the tests skip, except under CI=true, where they fail.
// Set WANMU_CHROMIUM to use another browser binary.
package browser
