package api_test

import (
	"encoding/json"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/policy"
)

// GET /config carries the policy's vocabulary, so the page shows and checks
// the same words and targets as the server.
func TestConfigPolicy(t *testing.T) {
	e := newEnv(t, api.Options{})
	r := e.do(req{method: "GET", path: "/api/v1/config"})
	var cfg struct {
		Policy policy.Config `json:"policy"`
	}
	if err := json.Unmarshal(r.body, &cfg); err != nil || r.status != 200 {
		t.Fatalf("config: %d %v %s", r.status, err, r.body)
	}
	if got := policy.Codes(cfg.Policy.Dispositions); len(got) != len(policy.Dispositions) || got[1] != "并" {
		t.Errorf("the config's dispositions %v", got)
	}
	if cfg.Policy.ThresholdMu != policy.ThresholdMu || len(cfg.Policy.TargetRules) != len(policy.TargetRules) || cfg.Policy.Units[0].Code != "mu" {
		t.Errorf("the config's policy %+v", cfg.Policy)
	}
}
