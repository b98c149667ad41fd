// Package policy is the vocabulary of 丽政办发〔2020〕55号 as wanmu speaks
// it: the kinds of zone, the dispositions of township zones, the platforms'
// roles, the 10,000-mu threshold, the area units and the 2025 targets. It is
// pure (no I/O): the API validates with it, the store and the importers
// normalise with it, and the page reads it through /api/v1/config, so that a
// word means the same everywhere.
package policy

import (
	"slices"
	"strings"

	"wanmu/internal/geodesy"
)

// Term is one word of the vocabulary: the code stored and sent, the label a
// planner reads, what it means, and the other spellings found in the
// counties' files (read on import, never written).
type Term struct {
	Code    string   `json:"code"`
	Label   string   `json:"label"`
	Meaning string   `json:"meaning,omitempty"`
	Aliases []string `json:"-"`
}

// Zone kinds.
const (
	KindPark     = "park"     // 开发区/园区
	KindTownship = "township" // 乡镇工业功能区
)

// Kinds are the kinds of zone, parks first.
var Kinds = []Term{
	{Code: KindPark, Label: "开发区/园区", Meaning: "省级以上开发区及各类产业园区",
		Aliases: []string{"开发区", "园区", "开发区园区", "经济开发区"}},
	{Code: KindTownship, Label: "乡镇工业功能区", Meaning: "乡镇（街道）工业功能区，逐个明确处置方式",
		Aliases: []string{"工业功能区", "乡镇"}},
}

// DispositionPending is the disposition of a township zone not yet decided.
const DispositionPending = "待定"

// Dispositions are what happens to a township zone (并/提/撤/转, or kept as it
// is, or not yet decided). The code is the label: planners write them so.
var Dispositions = []Term{
	{Code: "保留", Label: "保留", Meaning: "保留现状"},
	{Code: "并", Label: "并（合并）", Meaning: "并入产业平台", Aliases: []string{"合并", "整合"}},
	{Code: "提", Label: "提（提升）", Meaning: "提升改造", Aliases: []string{"提升", "提档"}},
	{Code: "撤", Label: "撤（撤销）", Meaning: "撤销，退出工业功能", Aliases: []string{"撤销", "撤并"}},
	{Code: "转", Label: "转（转型）", Meaning: "转型为其他功能", Aliases: []string{"转型"}},
	{Code: DispositionPending, Label: "待定", Meaning: "尚未确定处置方式"},
}

// PlatformRoles are the places of the platforms in the city's layout
// (“一心两翼三片区”), and 其他 for the rest.
var PlatformRoles = []Term{
	{Code: "一心", Label: "一心", Meaning: "市级核心产业平台"},
	{Code: "两翼", Label: "两翼", Meaning: "两翼产业平台"},
	{Code: "三片区", Label: "三片区", Meaning: "片区产业平台"},
	{Code: "其他", Label: "其他", Meaning: "其他产业平台"},
}

// ThresholdMu is the developable land every platform must reach: 万亩.
const ThresholdMu = 10000.0

// MaxThresholdMu bounds a platform's own threshold (a typing error, not a plan).
const MaxThresholdMu = 1e7

// Meets says whether developable land reaches a threshold (both in mu).
func Meets(developableMu, thresholdMu float64) bool { return developableMu >= thresholdMu }

// Unit is an area unit the page and the exports offer.
type Unit struct {
	Code         string  `json:"code"`
	Label        string  `json:"label"`
	SquareMetres float64 `json:"square_metres"` // one unit in m²
	Decimals     int     `json:"decimals"`      // shown to this many places
}

// Units are the area units: 亩 first (the policy counts in mu; 1 亩 =
// 2000/3 m² exactly), then 公顷 and km².
var Units = []Unit{
	{Code: "mu", Label: "亩", SquareMetres: geodesy.SquareMetresPerMu, Decimals: 2},
	{Code: "ha", Label: "公顷", SquareMetres: 10000, Decimals: 4},
	{Code: "km2", Label: "平方千米", SquareMetres: 1e6, Decimals: 4},
}

// Code looks a term up by its code.
func Code(terms []Term, code string) (Term, bool) {
	i := slices.IndexFunc(terms, func(t Term) bool { return t.Code == code })
	if i < 0 {
		return Term{}, false
	}
	return terms[i], true
}

// Valid says whether code is one of the terms' codes.
func Valid(terms []Term, code string) bool {
	_, ok := Code(terms, code)
	return ok
}

// Codes lists the terms' codes, in order (for messages: "one of …").
func Codes(terms []Term) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.Code
	}
	return out
}

// Normalise reads a value from someone's file as one of the terms: its code,
// label or an alias (spaces around and letter case ignored); "" when it is
// none of them.
func Normalise(terms []Term, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	for _, t := range terms {
		if s == strings.ToLower(t.Code) || s == strings.ToLower(t.Label) || slices.Contains(t.Aliases, s) {
			return t.Code
		}
	}
	return ""
}
