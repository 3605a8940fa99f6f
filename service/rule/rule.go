// Package rule is the approval-rule engine: given a rule and a round's counts it says
// whether the plan passes, by how much, and how many more agreements it needs.
//
// It knows only numbers: no database, no clock, no I/O. Every comparison is exact.
// A check "value / base ≥ Num / Den" is decided as value·Den ≥ Num·base on 128-bit
// products (math/bits), so no amount that fits in an int64 can overflow it; with
// the sizes the service actually sees (at most ~10^6 households, areas in integer
// hundredths of m² well below 10^13, denominators at most MaxRatioDen = 10^6) the
// products would fit in an int64 anyway. Percentages for display are rounded on
// integers (math/big), never through floating point, towards the check's verdict
// (down when it fails, up when it passes) so the shown figure never contradicts it.
package rule

// Measure says what a check counts: households (one head per household) or registered area.
type Measure string

// The two measures a check can count.
const (
	MeasureHouseholds Measure = "households"
	MeasureArea       Measure = "area"
)

// Base says what a check's share is taken of: the whole electorate or only those who took part.
type Base string

// The two bases a share can be taken of.
const (
	BaseElectorate   Base = "electorate"
	BaseParticipants Base = "participants"
)

// Of says which group a check counts: those who gave any decision, or those who agreed.
type Of string

// The two groups a check can count.
const (
	OfParticipated Of = "participated"
	OfAgree        Of = "agree"
)

// Preset names, as chosen by an admin and stored with a round.
const (
	PresetTwo80             = "two-80"
	PresetCivilCodeMajor    = "civil-code-major"
	PresetCivilCodeOrdinary = "civil-code-ordinary"
	PresetCustom            = "custom"
)

// Check names used by the presets.
const (
	CheckParticipationHouseholds = "participation_households"
	CheckParticipationArea       = "participation_area"
	CheckAgreementHouseholds     = "agreement_households"
	CheckAgreementArea           = "agreement_area"
)

// MaxChecks is the largest number of checks a custom rule may have.
const MaxChecks = 10

// Check is one threshold: the share Of/Base, counted by Measure, must reach Ratio (exceed it when Strict).
type Check struct {
	Name    string
	Measure Measure
	Base    Base
	Of      Of
	Ratio   Ratio
	Strict  bool
}

// Rule is a preset name and the checks that all have to pass.
type Rule struct {
	Preset string
	Checks []Check
}

// UsesArea reports whether any check counts area, so the caller knows it must supply areas.
func (r Rule) UsesArea() bool {
	for _, c := range r.Checks {
		if c.Measure == MeasureArea {
			return true
		}
	}
	return false
}

// presetChecks returns a fresh copy of a preset's checks, or false for an unknown preset.
func presetChecks(preset string) ([]Check, bool) {
	var (
		twoThirds    = Ratio{Num: 2, Den: 3}
		threeFourths = Ratio{Num: 3, Den: 4}
		half         = Ratio{Num: 1, Den: 2}
		eightyPct    = Ratio{Num: 80, Den: 100}
	)
	participation := func(m Measure, name string, r Ratio) Check {
		return Check{Name: name, Measure: m, Base: BaseElectorate, Of: OfParticipated, Ratio: r}
	}
	agreement := func(m Measure, name string, r Ratio, strict bool) Check {
		return Check{Name: name, Measure: m, Base: BaseParticipants, Of: OfAgree, Ratio: r, Strict: strict}
	}
	switch preset {
	case PresetTwo80:
		return []Check{
			participation(MeasureHouseholds, CheckParticipationHouseholds, eightyPct),
			agreement(MeasureHouseholds, CheckAgreementHouseholds, eightyPct, false),
		}, true
	case PresetCivilCodeMajor:
		return []Check{
			participation(MeasureArea, CheckParticipationArea, twoThirds),
			participation(MeasureHouseholds, CheckParticipationHouseholds, twoThirds),
			agreement(MeasureArea, CheckAgreementArea, threeFourths, false),
			agreement(MeasureHouseholds, CheckAgreementHouseholds, threeFourths, false),
		}, true
	case PresetCivilCodeOrdinary:
		return []Check{
			participation(MeasureArea, CheckParticipationArea, twoThirds),
			participation(MeasureHouseholds, CheckParticipationHouseholds, twoThirds),
			agreement(MeasureArea, CheckAgreementArea, half, true),
			agreement(MeasureHouseholds, CheckAgreementHouseholds, half, true),
		}, true
	}
	return nil, false
}

// Preset returns the rule of a named preset (not "custom"), or false if there is no such preset.
func Preset(name string) (Rule, bool) {
	checks, ok := presetChecks(name)
	if !ok {
		return Rule{}, false
	}
	return Rule{Preset: name, Checks: checks}, true
}
