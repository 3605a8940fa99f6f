package rule

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// shownHundredths reads "66.67%" as 6667 hundredths of a percent.
func shownHundredths(t *testing.T, actual string) int64 {
	t.Helper()
	whole, frac, ok := strings.Cut(strings.TrimSuffix(actual, "%"), ".")
	if !ok || len(frac) != 2 || !strings.HasSuffix(actual, "%") {
		t.Fatalf("actual %q is not a percentage with two decimals", actual)
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		t.Fatalf("actual %q: %v", actual, err)
	}
	return n
}

// TestShownShareNeverContradictsVerdict draws random tallies and thresholds and checks that
// the displayed percentage is on the verdict's side of the threshold: a passing check never
// shows less than required, a failing one never shows as much (a strict check failing exactly
// at its ratio may show it). The exact fraction beside it must be the check's own numbers.
// The old half-up rounding fails it: a failing 79996/100000 against 80% showed "80.00%".
func TestShownShareNeverContradictsVerdict(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2026))
	ratios := []string{"80%", "2/3", "3/4", "1/2", "66.67%", "66.66%", "33.33%", "79.99%", "1/3", "4/5", "0.01%", "100%", "66.6667%", "5/7"}
	for i := range 20000 {
		spec := Spec{Preset: PresetCustom, Checks: []CheckSpec{{
			Name:    "c",
			Measure: []string{"households", "area"}[i%2],
			Base:    "electorate",
			Of:      "agree",
			Ratio:   ratios[rng.IntN(len(ratios))],
			Strict:  rng.IntN(2) == 0,
		}}}
		r := mustRule(t, spec)
		scale := []int64{10, 1000, 100000, 10000000}[rng.IntN(4)]
		e := 1 + rng.Int64N(scale)
		a := rng.Int64N(e + 1)
		if rng.IntN(4) == 0 { // land on or next to the threshold
			ch := r.Checks[0]
			a = min(max(e*ch.Ratio.Num/ch.Ratio.Den+rng.Int64N(3)-1, 0), e)
		}
		counts := Counts{Electorate: Amount{e, e}, Participated: Amount{a, a}, Agree: Amount{a, a}}
		res := Evaluate(r, counts).Checks[0]
		ch := r.Checks[0]
		shown := big.NewInt(shownHundredths(t, res.Actual))
		// shown/10000 compared with Num/Den, exactly.
		lhs := new(big.Int).Mul(shown, big.NewInt(ch.Ratio.Den))
		rhs := new(big.Int).Mul(big.NewInt(ch.Ratio.Num), big.NewInt(10000))
		cmp := lhs.Cmp(rhs)
		switch {
		case res.Passed && cmp < 0:
			t.Fatalf("passing check %s of %d/%d shows %s, below %s", spec.Checks[0].Ratio, a, e, res.Actual, res.Required)
		case !res.Passed && !ch.Strict && cmp >= 0:
			t.Fatalf("failing check of %d/%d shows %s, at or above %s", a, e, res.Actual, res.Required)
		case !res.Passed && ch.Strict && cmp > 0:
			t.Fatalf("failing strict check of %d/%d shows %s, above %s", a, e, res.Actual, res.Required)
		}
		if want := strconv.FormatInt(a, 10) + "/" + strconv.FormatInt(e, 10); res.ActualFraction != want {
			t.Fatalf("actual_fraction = %q, want %q", res.ActualFraction, want)
		}
	}
}

func TestActualFractionUsesHundredthsForArea(t *testing.T) {
	got := Evaluate(jinanRule(t), withArea(15, 120050, 10, 80000, 10, 80000))
	if got.Checks[0].ActualFraction != "80000/120050" || got.Checks[1].ActualFraction != "10/15" {
		t.Errorf("fractions = %q, %q; want 80000/120050 and 10/15", got.Checks[0].ActualFraction, got.Checks[1].ActualFraction)
	}
	if got.Checks[1].Actual != "66.67%" || !got.Checks[1].Passed {
		t.Errorf("10 of 15 against 2/3 = %+v, want passed at 66.67%%", got.Checks[1])
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		ratio string
		want  string // the fraction the warning must suggest; "" for no warning
	}{
		{"66.67%", "2/3"},
		{"66.66%", "2/3"},
		{"66.6667%", "2/3"},
		{"33.33%", "1/3"},
		{"49.99%", "1/2"},
		{"75.01%", "3/4"},
		{"79.99%", "4/5"},
		{"2/3", ""},
		{"80%", ""},
		{"50%", ""},
		{"75%", ""},
		{"66.68%", ""}, // 0.0133 percentage points away
		{"66%", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ratio, func(t *testing.T) {
			r := mustRule(t, Spec{Preset: PresetCustom, Checks: []CheckSpec{
				{Name: "lift", Measure: "households", Base: "electorate", Of: "agree", Ratio: tt.ratio}}})
			got := r.Warnings()
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("Warnings() = %q, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], "请写作 "+tt.want) || !strings.Contains(got[0], "lift") {
				t.Errorf("Warnings() = %q, want one suggesting %s", got, tt.want)
			}
		})
	}
	if w := mustPreset(t, PresetCivilCodeMajor).Warnings(); len(w) != 0 {
		t.Errorf("a preset warned: %q", w)
	}
}

func TestWarningSaysWhetherTheFractionReachesTheThreshold(t *testing.T) {
	r := mustRule(t, Spec{Preset: PresetCustom, Checks: []CheckSpec{
		{Name: "lift", Measure: "households", Base: "electorate", Of: "agree", Ratio: "66.67%"}}})
	if w := r.Warnings(); len(w) != 1 || !strings.Contains(w[0], "15 户中 10 户") || !strings.Contains(w[0], "达不到 66.67%") {
		t.Errorf("Warnings() = %q, want the 10 of 15 example that does not reach 66.67%%", w)
	}
}

func TestRatioSyntaxErrorSuggestsAFraction(t *testing.T) {
	_, err := ParseRatio("two thirds")
	if err == nil || !strings.Contains(err.Error(), "2/3") || strings.Contains(err.Error(), "66.67") {
		t.Errorf("ParseRatio error = %v; want a text suggesting 2/3 and never 66.67%%", err)
	}
}

func TestChangesNeeded(t *testing.T) {
	two80 := mustPreset(t, PresetTwo80)
	major := mustPreset(t, PresetCivilCodeMajor)
	tests := []struct {
		name               string
		rule               Rule
		counts             Counts
		remaining, opposed []int64
		want               int64
		possible           bool
	}{
		// E=7, P=7, A=5: 5/7 fails; one more agreeing gives 6/7 ≥ 80%.
		{"two80/domain_example_needs_one", two80, households(7, 7, 5), nil, nil, 1, true},
		// E=7, P=6, A=4: the last household agreeing gives 5/7; one change gives 6/7.
		{"two80/with_the_remaining_household_needs_one", two80, households(7, 6, 4), nil, nil, 1, true},
		// 10 of 20 agree: 16 needed, so 6 of the 10 opposed must change.
		{"two80/half_agree_needs_six", two80, households(20, 20, 10), nil, nil, 6, true},
		{"two80/empty_electorate_impossible", two80, households(0, 0, 0), nil, nil, 0, false},
		// Area agreement 300/1200 < 3/4: the 600 m² flat alone brings it to 900/1200.
		{"major/largest_opposed_area_first", major, withArea(4, 1200, 4, 1200, 2, 300), nil, []int64{300, 600}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if short := ComputeShortfall(tt.rule, tt.counts, tt.remaining); short.Possible {
				t.Fatalf("test case is not one where new agreements cannot pass: %+v", short)
			}
			k, ok := ChangesNeeded(tt.rule, tt.counts, tt.remaining, tt.opposed)
			if k != tt.want || ok != tt.possible {
				t.Errorf("ChangesNeeded = %d, %v; want %d, %v", k, ok, tt.want, tt.possible)
			}
		})
	}
}
