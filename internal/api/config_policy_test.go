package api_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/policy"
	"wanmu/internal/symbology"
)

// GET /config carries the policy's vocabulary, so the page shows and checks
// the same words and targets as the server.
func TestConfigPolicy(t *testing.T) {
	e := newEnv(t, api.Options{})
	r := e.do(req{method: "GET", path: "/api/v1/config"})
	var cfg struct {
		Policy    policy.Config  `json:"policy"`
		Symbology symbology.Page `json:"symbology"`
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
	// The page draws with the symbols the QGIS project is styled by.
	sym := cfg.Symbology
	if len(sym.Township) != len(policy.Dispositions) || sym.Township[1].Code != "并" || !reflect.DeepEqual(sym.Township[1].Style, symbology.Township("并")) {
		t.Errorf("the config's township symbols %+v", sym.Township)
	}
	if !reflect.DeepEqual(sym.Park, symbology.Park) || len(sym.PlatformPalette) == 0 || len(sym.Layers) != len(symbology.LayerRules) || sym.Layers[0].Style.Stroke == "" {
		t.Errorf("the config's symbology %+v", sym)
	}
}
