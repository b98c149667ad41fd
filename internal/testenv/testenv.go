// Package testenv is the one place that decides what a test does when an
// outside component it needs (PostgreSQL/PostGIS, GDAL, Chromium) is not
// installed: it skips, except when the environment says CI=true, where it
// fails, because in CI nothing may be skipped silently.
package testenv

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// CI reports whether the tests run in CI (CI=true, or any true value).
func CI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Missing ends tb because a component is not installed: a skip, or a
// failure under CI.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		tb.Fatalf("required under CI=true: %s", msg)
		return
	}
	tb.Skip(msg)
}
