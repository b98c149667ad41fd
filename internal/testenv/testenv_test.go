package testenv

import "testing"

// recorder stands in for a test, noting how Missing ends it.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skip(...any)           { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

// TestMissing: a missing component skips a test, and fails it under CI.
func TestMissing(t *testing.T) {
	for _, c := range []struct {
		env        string
		skip, fail bool
	}{{"", true, false}, {"false", true, false}, {"true", false, true}, {"1", false, true}} {
		t.Setenv("CI", c.env)
		r := &recorder{}
		Missing(r, "GDAL is not installed")
		if r.skipped != c.skip || r.failed != c.fail {
			t.Errorf("CI=%q: skipped %v, failed %v", c.env, r.skipped, r.failed)
		}
	}
}
