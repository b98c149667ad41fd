package evaluation

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDefaultSchemeRoundTrip(t *testing.T) {
	b, err := json.Marshal(DefaultScheme())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseScheme(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	b2, _ := json.Marshal(s)
	if string(b) != string(b2) {
		t.Errorf("round trip differs:\n%s\n%s", b, b2)
	}
}

func TestSchemeValidationMessages(t *testing.T) {
	cases := []struct {
		edit func(*Scheme)
		want string
	}{
		{func(s *Scheme) { s.MinLandMu = -1 }, "min_land_mu: must be ≥ 0 亩, got -1"},
		{func(s *Scheme) { s.Groups = nil }, "groups: at least one group"},
		{func(s *Scheme) { s.Groups[1].Scale = "小微" }, `groups[1].scale: must be "规上" or "规下", got "小微"`},
		{func(s *Scheme) { s.Groups[1].Scale = Above }, `groups[1].scale: "规上" appears twice`},
		{func(s *Scheme) { s.Groups[0].Indicators = nil }, "groups[0].indicators: an evaluated group needs at least one indicator"},
		{func(s *Scheme) { s.Groups[0].Indicators[2].Weight = -1 }, "groups[0].indicators[2].weight: must be > 0, got -1"},
		{func(s *Scheme) { s.Groups[0].Indicators[1].Code = "亩均" }, `groups[0].indicators[1].code: unknown indicator "亩均"`},
		{func(s *Scheme) { s.Groups[1].Indicators[1].Code = TaxPerMu }, `groups[1].indicators[1].code: "tax_per_mu" appears twice in the group`},
		{func(s *Scheme) { s.Groups[0].Indicators[0].Cap = 0.5 }, "groups[0].indicators[0].cap: must be 0 (no cap) or ≥ 1"},
		{func(s *Scheme) { s.Groups[0].Indicators[0].Benchmark = Benchmark{Kind: BenchFixed} }, "groups[0].indicators[0].benchmark.value: a fixed benchmark must be > 0, got 0"},
		{func(s *Scheme) { s.Groups[0].Indicators[0].Benchmark.Multiple = 0 }, "groups[0].indicators[0].benchmark.multiple: must be > 0"},
		{func(s *Scheme) { s.Groups[0].Indicators[0].Benchmark.Kind = "avg" }, `groups[0].indicators[0].benchmark.kind: must be "fixed" or "county_average", got "avg"`},
		{func(s *Scheme) { s.Exemptions = []Exemption{{CreditCode: "X", Reason: ""}} }, "exemptions[0].reason: an exemption needs a reason"},
		{func(s *Scheme) { s.Exemptions = []Exemption{{"X", "a"}, {"X", "b"}} }, "exemptions[1].credit_code: X is exempted twice"},
		{func(s *Scheme) { s.Classes[1].UpTo = 0.1 }, "classes[1].up_to: must be above the previous cut-off (0.2) and at most 1, got 0.1"},
		{func(s *Scheme) { s.Classes[3].UpTo = 0.99 }, "classes[3].up_to: the last class must reach 1"},
		{func(s *Scheme) { s.Classes[2].Class = "E" }, `classes[2].class: must be A, B, C or D, got "E"`},
		{func(s *Scheme) { s.Classes = nil }, "classes: at least one class cut-off is needed"},
	}
	for _, c := range cases {
		s := DefaultScheme()
		c.edit(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
}

func TestParseSchemeErrors(t *testing.T) {
	for in, want := range map[string]string{
		`{"name":"x","min_land":3}`:     `unknown field "min_land"`,
		`{"name":"x"} {}`:               "text after the JSON object",
		`{"groups":"规上"}`:               "scheme: json",
		`{"min_land_mu":3,"groups":[]}`: "groups: at least one group",
	} {
		if _, err := ParseScheme([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want %q, got %v", in, want, err)
		}
	}
}

// FuzzParseScheme: any input either fails with an error or gives a scheme
// that validates, survives a JSON round trip and evaluates without a panic.
func FuzzParseScheme(f *testing.F) {
	b, _ := json.Marshal(DefaultScheme())
	f.Add(b)
	f.Add([]byte(`{"groups":[{"scale":"规下","evaluated":true,"indicators":[{"code":"tax_per_mu","weight":1,"benchmark":{"kind":"fixed","value":1}}]}],"classes":[{"class":"A","up_to":1}]}`))
	f.Add([]byte(`{"min_land_mu":-0}`))
	es := []Enterprise{above("A", "1", 1, 10, 10), below("B", F(5), F(1), F(0)), above("C", "1", 1, 0, 1)}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScheme(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseScheme(b); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if _, err := Evaluate(s, es, es); err != nil {
			t.Fatal(err)
		}
	})
}
