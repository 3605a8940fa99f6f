package rule

import (
	"fmt"
	"slices"
	"strings"
)

// Spec is the JSON wire form of a rule, as admins send it and as responses show it.
type Spec struct {
	Preset string      `json:"preset"`
	Checks []CheckSpec `json:"checks,omitempty"`
}

// CheckSpec is the JSON wire form of one check.
type CheckSpec struct {
	Name    string `json:"name,omitempty"`
	Measure string `json:"measure"`
	Base    string `json:"base"`
	Ratio   string `json:"ratio"`
	Strict  bool   `json:"strict"`
	Of      string `json:"of"`
}

// SpecError lists what is wrong with a Spec, field path ("rule.checks[0].ratio") → English reason.
type SpecError struct {
	Fields map[string]string
}

// Error joins the field reasons in field order.
func (e *SpecError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid rule: " + strings.Join(parts, "; ")
}

// FromSpec validates a wire-form rule and builds it.
//
// An empty preset means "two-80". A named preset has fixed checks: it takes no
// checks, or exactly its own expanded checks (so Rule.Spec round-trips), and
// anything else is rejected. "custom" needs 1..MaxChecks checks; a check's "of"
// defaults to "participated" against the electorate and "agree" against
// participants, and its name defaults to "<of>_<measure>_of_<base>". Errors are
// always a *SpecError.
func FromSpec(s Spec) (Rule, error) {
	return fromSpec(s, true)
}

// FromStoredSpec rebuilds a rule saved with a round. It accepts what FromSpec accepted
// when the round was written, so a custom rule stored before an agreement check was
// required still reads back (and still evaluates exactly as before).
func FromStoredSpec(s Spec) (Rule, error) {
	return fromSpec(s, false)
}

func fromSpec(s Spec, requireAgreement bool) (Rule, error) {
	preset := s.Preset
	if preset == "" {
		preset = PresetTwo80
	}
	if preset == PresetCustom {
		return customFromSpec(s.Checks, requireAgreement)
	}
	rule, ok := Preset(preset)
	if !ok {
		return Rule{}, &SpecError{Fields: map[string]string{
			"rule.preset": fmt.Sprintf("unknown preset %q; use two-80, civil-code-major, civil-code-ordinary or custom", s.Preset),
		}}
	}
	if len(s.Checks) > 0 {
		given, err := customFromSpec(s.Checks, false)
		if err != nil || !slices.Equal(given.Checks, rule.Checks) {
			return Rule{}, &SpecError{Fields: map[string]string{
				"rule.checks": fmt.Sprintf("preset %s has fixed checks; leave checks out or use preset custom", preset),
			}}
		}
	}
	return rule, nil
}

// customFromSpec validates the checks of a custom rule.
func customFromSpec(specs []CheckSpec, requireAgreement bool) (Rule, error) {
	fields := map[string]string{}
	switch {
	case len(specs) == 0:
		fields["rule.checks"] = "a custom rule needs at least one check"
	case len(specs) > MaxChecks:
		fields["rule.checks"] = fmt.Sprintf("a custom rule may have at most %d checks", MaxChecks)
	}
	if len(fields) > 0 {
		return Rule{}, &SpecError{Fields: fields}
	}
	checks := make([]Check, len(specs))
	seen := map[string]bool{}
	for i, cs := range specs {
		c, bad := checkFromSpec(cs)
		prefix := fmt.Sprintf("rule.checks[%d].", i)
		for field, reason := range bad {
			fields[prefix+field] = reason
		}
		if _, nameBad := bad["name"]; !nameBad && seen[c.Name] {
			fields[prefix+"name"] = fmt.Sprintf("duplicate check name %q; give each check its own name", c.Name)
		}
		seen[c.Name] = true
		checks[i] = c
	}
	if len(fields) > 0 {
		return Rule{}, &SpecError{Fields: fields}
	}
	if requireAgreement && !slices.ContainsFunc(checks, func(c Check) bool { return c.Of == OfAgree }) {
		return Rule{}, &SpecError{Fields: map[string]string{
			"rule": "a custom rule needs at least one check with of agree; participation alone cannot pass a plan",
		}}
	}
	return Rule{Preset: PresetCustom, Checks: checks}, nil
}

// checkFromSpec builds one check, returning reasons keyed by the bad field name.
func checkFromSpec(cs CheckSpec) (Check, map[string]string) {
	bad := map[string]string{}
	c := Check{Measure: Measure(cs.Measure), Base: Base(cs.Base), Of: Of(cs.Of), Strict: cs.Strict}
	if c.Measure != MeasureHouseholds && c.Measure != MeasureArea {
		bad["measure"] = "measure must be households or area"
	}
	if c.Base != BaseElectorate && c.Base != BaseParticipants {
		bad["base"] = "base must be electorate or participants"
	}
	switch {
	case c.Of == "":
		bad["of"] = "of is required: participated or agree"
	case c.Of != OfParticipated && c.Of != OfAgree:
		bad["of"] = "of must be participated or agree"
	case c.Of == OfParticipated && c.Base == BaseParticipants:
		bad["of"] = "participated measured against participants is always 100%; use of agree or base electorate"
	}
	ratio, err := ParseRatio(cs.Ratio)
	if err != nil {
		bad["ratio"] = err.Error()
	}
	c.Ratio = ratio
	c.Name = cs.Name
	if c.Name == "" {
		c.Name = fmt.Sprintf("%s_%s_of_%s", c.Of, c.Measure, c.Base)
	} else if reason := nameProblem(c.Name); reason != "" {
		bad["name"] = reason
	}
	return c, bad
}

// nameProblem says why a check name is unusable, or "" when it is fine.
func nameProblem(name string) string {
	if len(name) > 64 {
		return "name must be at most 64 characters"
	}
	for _, r := range name {
		ok := r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return "name may use only letters, digits, '_', '-' and '.'"
		}
	}
	return ""
}

// Spec gives the full expanded wire form of the rule, presets listing their checks too.
func (r Rule) Spec() Spec {
	s := Spec{Preset: r.Preset, Checks: make([]CheckSpec, len(r.Checks))}
	for i, c := range r.Checks {
		s.Checks[i] = CheckSpec{
			Name:    c.Name,
			Measure: string(c.Measure),
			Base:    string(c.Base),
			Ratio:   c.Ratio.String(),
			Strict:  c.Strict,
			Of:      string(c.Of),
		}
	}
	return s
}
