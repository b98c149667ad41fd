package api_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/sample"
)

// TestConfigSampleData: the page's config says sample_data only on an
// installation that loaded the sample data, so that the page marks the map
// and its prints 示例数据 only when it applies.
func TestConfigSampleData(t *testing.T) {
	e := newEnv(t, api.Options{PublicRead: true})
	sampleData := func() any {
		t.Helper()
		return e.do(req{method: "GET", path: "/api/v1/config", role: "viewer"}).json(t)["sample_data"]
	}
	if got := sampleData(); got != false {
		t.Errorf("an installation without the sample data: sample_data = %v, want false", got)
	}
	loaded, err := sample.LoadOnce(context.Background(), e.st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || !loaded {
		t.Fatalf("load the sample data: loaded=%v err=%v", loaded, err)
	}
	if got := sampleData(); got != true {
		t.Errorf("after loading the sample data: sample_data = %v, want true", got)
	}
	if got := e.do(req{method: "GET", path: "/api/v1/config"}).json(t)["sample_data"]; got != true {
		t.Errorf("an anonymous reader's config: sample_data = %v, want true", got)
	}
}
