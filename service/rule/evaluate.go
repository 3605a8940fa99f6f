package rule

import (
	"fmt"
	"math/big"
	"math/bits"
	"strings"
)

// Amount is a number of households together with their registered area in hundredths of m².
type Amount struct {
	Households     int64
	AreaHundredths int64
}

// Counts are a round's tallies; Participated includes those who agreed, disagreed or abstained.
type Counts struct {
	Electorate, Participated, Agree Amount
}

// CheckResult is one check's outcome as shown on the notice board.
type CheckResult struct {
	Name     string
	Required string // the threshold, e.g. "80%", "2/3", "> 1/2"
	Actual   string // the achieved share, e.g. "71.42%", rounded towards the verdict; "0.00%" when the base is 0
	// ActualFraction is the exact share, "10/15" (households) or hundredths of m² for area checks.
	ActualFraction string
	Passed         bool
}

// Result is every check's outcome and whether the rule as a whole passes.
type Result struct {
	Checks []CheckResult
	Passed bool
}

// Evaluate applies every check of r to c; the rule passes when it has checks and all of them pass.
//
// A check passes iff value·Den ≥ Num·base (> when Strict) and base > 0, so a round
// with an empty electorate, or an agreement check with no participants, fails.
// Negative amounts and checks with an invalid ratio, measure, base or "of" never pass.
func Evaluate(r Rule, c Counts) Result {
	res := Result{Checks: make([]CheckResult, len(r.Checks)), Passed: len(r.Checks) > 0}
	for i, check := range r.Checks {
		value, base, _ := check.amounts(c)
		passed := check.passes(c)
		res.Checks[i] = CheckResult{
			Name:           check.Name,
			Required:       check.required(),
			Actual:         percent(value, base, passed),
			ActualFraction: fmt.Sprintf("%d/%d", max(value, 0), max(base, 0)),
			Passed:         passed,
		}
		res.Passed = res.Passed && passed
	}
	return res
}

// passesAll is Evaluate without the texts, for the shortfall search.
func passesAll(r Rule, c Counts) bool {
	for _, check := range r.Checks {
		if !check.passes(c) {
			return false
		}
	}
	return len(r.Checks) > 0
}

// passes decides the check by cross-multiplication on 128-bit products.
func (ch Check) passes(c Counts) bool {
	value, base, ok := ch.amounts(c)
	if !ok || base <= 0 || value < 0 || !ch.Ratio.valid() {
		return false
	}
	lhsHi, lhsLo := bits.Mul64(uint64(value), uint64(ch.Ratio.Den))
	rhsHi, rhsLo := bits.Mul64(uint64(ch.Ratio.Num), uint64(base))
	if lhsHi != rhsHi {
		return lhsHi > rhsHi
	}
	if ch.Strict {
		return lhsLo > rhsLo
	}
	return lhsLo >= rhsLo
}

// amounts picks the numerator and denominator the check compares; ok is false for an invalid check.
func (ch Check) amounts(c Counts) (value, base int64, ok bool) {
	pick := func(a Amount) int64 {
		if ch.Measure == MeasureArea {
			return a.AreaHundredths
		}
		return a.Households
	}
	switch ch.Of {
	case OfParticipated:
		value = pick(c.Participated)
	case OfAgree:
		value = pick(c.Agree)
	}
	switch ch.Base {
	case BaseElectorate:
		base = pick(c.Electorate)
	case BaseParticipants:
		base = pick(c.Participated)
	}
	ok = (ch.Measure == MeasureHouseholds || ch.Measure == MeasureArea) &&
		(ch.Of == OfParticipated || ch.Of == OfAgree) &&
		(ch.Base == BaseElectorate || ch.Base == BaseParticipants) &&
		!(ch.Of == OfParticipated && ch.Base == BaseParticipants)
	return value, base, ok
}

// required is the threshold text: the ratio, with "> " in front when strict.
func (ch Check) required() string {
	if ch.Strict {
		return "> " + ch.Ratio.String()
	}
	return ch.Ratio.String()
}

// percent writes value/base as a percentage with two decimals, rounded so that it agrees
// with the verdict: up when the check passed, down when it failed. A failing share of
// 79.996% shows "79.99%" (never "80.00%"), exactly 2/3 passing shows "66.67%". The exact
// share is between the shown value and the threshold, so the text cannot contradict it.
// "0.00%" when base ≤ 0.
func percent(value, base int64, passed bool) string {
	if base <= 0 || value <= 0 {
		return "0.00%"
	}
	// hundredths of a percent = floor(value·10000 / base), or its ceiling when passed
	n := new(big.Int).Mul(big.NewInt(value), big.NewInt(10000))
	if passed {
		n.Add(n, big.NewInt(base-1))
	}
	digits := n.Quo(n, big.NewInt(base)).String()
	if len(digits) < 3 {
		digits = strings.Repeat("0", 3-len(digits)) + digits
	}
	cut := len(digits) - 2
	return digits[:cut] + "." + digits[cut:] + "%"
}
