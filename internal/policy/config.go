package policy

// Config is the vocabulary as the page reads it (in /api/v1/config).
type Config struct {
	Kinds         []Term       `json:"kinds"`
	Dispositions  []Term       `json:"dispositions"`
	PlatformRoles []Term       `json:"platform_roles"`
	ThresholdMu   float64      `json:"threshold_mu"`
	Units         []Unit       `json:"units"`
	TargetRules   []TargetRule `json:"target_rules"` // the first that fits a platform applies
}

// ForPage is the page's copy of the vocabulary.
func ForPage() Config {
	return Config{Kinds: Kinds, Dispositions: Dispositions, PlatformRoles: PlatformRoles,
		ThresholdMu: ThresholdMu, Units: Units, TargetRules: TargetRules}
}
