package rule

import (
	"slices"
	"testing"
)

// households builds counts where only household numbers matter.
func households(electorate, participated, agree int64) Counts {
	return Counts{
		Electorate:   Amount{Households: electorate},
		Participated: Amount{Households: participated},
		Agree:        Amount{Households: agree},
	}
}

// withArea builds counts from household numbers and areas in hundredths of m².
func withArea(e, eArea, p, pArea, a, aArea int64) Counts {
	return Counts{
		Electorate:   Amount{Households: e, AreaHundredths: eArea},
		Participated: Amount{Households: p, AreaHundredths: pArea},
		Agree:        Amount{Households: a, AreaHundredths: aArea},
	}
}

func mustPreset(t testing.TB, name string) Rule {
	t.Helper()
	r, ok := Preset(name)
	if !ok {
		t.Fatalf("no preset %q", name)
	}
	return r
}

func mustRule(t testing.TB, s Spec) Rule {
	t.Helper()
	r, err := FromSpec(s)
	if err != nil {
		t.Fatalf("FromSpec(%+v): %v", s, err)
	}
	return r
}

func jinanRule(t testing.TB) Rule {
	return mustRule(t, Spec{Preset: PresetCustom, Checks: []CheckSpec{
		{Name: "agree_area", Measure: "area", Base: "electorate", Of: "agree", Ratio: "2/3"},
		{Name: "agree_households", Measure: "households", Base: "electorate", Of: "agree", Ratio: "2/3"},
	}})
}

func TestEvaluate(t *testing.T) {
	two80 := mustPreset(t, PresetTwo80)
	major := mustPreset(t, PresetCivilCodeMajor)
	ordinary := mustPreset(t, PresetCivilCodeOrdinary)
	jinan := jinanRule(t)
	tests := []struct {
		name       string
		rule       Rule
		counts     Counts
		wantChecks []bool
		wantActual []string
	}{
		{"two80/exactly_80_percent_participation_passes", two80, households(10, 8, 8),
			[]bool{true, true}, []string{"80.00%", "100.00%"}},
		{"two80/exactly_80_percent_agreement_passes", two80, households(10, 10, 8),
			[]bool{true, true}, []string{"100.00%", "80.00%"}},
		{"two80/79.99_percent_participation_fails", two80, households(10000, 7999, 7999),
			[]bool{false, true}, []string{"79.99%", "100.00%"}},
		{"two80/79.99_percent_agreement_fails", two80, households(10000, 10000, 7999),
			[]bool{true, false}, []string{"100.00%", "79.99%"}},
		{"two80/seven_households_five_participating_fails", two80, households(7, 5, 5),
			[]bool{false, true}, []string{"71.42%", "100.00%"}},
		{"two80/seven_households_six_participating_five_agreeing_passes", two80, households(7, 6, 5),
			[]bool{true, true}, []string{"85.72%", "83.34%"}},
		{"two80/seven_households_six_participating_four_agreeing_fails", two80, households(7, 6, 4),
			[]bool{true, false}, []string{"85.72%", "66.66%"}},
		{"two80/seven_households_all_participating_five_agreeing_fails", two80, households(7, 7, 5),
			[]bool{true, false}, []string{"100.00%", "71.42%"}},
		{"two80/empty_electorate_never_passes", two80, households(0, 0, 0),
			[]bool{false, false}, []string{"0.00%", "0.00%"}},
		{"two80/no_participants_fails_agreement", two80, households(5, 0, 0),
			[]bool{false, false}, []string{"0.00%", "0.00%"}},
		{"major/empty_electorate_never_passes", major, withArea(0, 0, 0, 0, 0, 0),
			[]bool{false, false, false, false}, []string{"0.00%", "0.00%", "0.00%", "0.00%"}},
		{"major/exactly_two_thirds_and_three_quarters_pass", major, withArea(12, 1200, 8, 800, 6, 600),
			[]bool{true, true, true, true}, []string{"66.67%", "66.67%", "75.00%", "75.00%"}},
		{"major/just_under_two_thirds_of_area_fails", major, withArea(12, 1200, 8, 799, 6, 600),
			[]bool{false, true, true, true}, []string{"66.58%", "66.67%", "75.10%", "75.00%"}},
		{"major/passes_by_households_fails_by_area", major, withArea(3, 1200, 2, 200, 2, 200),
			[]bool{false, true, true, true}, []string{"16.66%", "66.67%", "100.00%", "100.00%"}},
		{"major/passes_by_area_fails_by_households", major, withArea(3, 1200, 1, 1000, 1, 1000),
			[]bool{true, false, true, true}, []string{"83.34%", "33.33%", "100.00%", "100.00%"}},
		{"major/agreement_by_households_but_not_by_area", major, withArea(4, 400, 4, 400, 3, 120),
			[]bool{true, true, false, true}, []string{"100.00%", "100.00%", "30.00%", "75.00%"}},
		{"ordinary/exactly_half_fails", ordinary, withArea(4, 400, 4, 400, 2, 200),
			[]bool{true, true, false, false}, []string{"100.00%", "100.00%", "50.00%", "50.00%"}},
		{"ordinary/just_over_half_passes", ordinary, withArea(4, 400, 4, 400, 3, 201),
			[]bool{true, true, true, true}, []string{"100.00%", "100.00%", "50.25%", "75.00%"}},
		{"ordinary/half_area_and_majority_households_fails", ordinary, withArea(4, 400, 4, 400, 3, 200),
			[]bool{true, true, false, true}, []string{"100.00%", "100.00%", "50.00%", "75.00%"}},
		{"jinan/two_thirds_of_all_households_passes", jinan, withArea(6, 600, 4, 400, 4, 400),
			[]bool{true, true}, []string{"66.67%", "66.67%"}},
		{"jinan/unanimous_participants_below_two_thirds_of_all_fails", jinan, withArea(6, 600, 3, 300, 3, 300),
			[]bool{false, false}, []string{"50.00%", "50.00%"}},
		{"jinan/households_pass_but_area_fails", jinan, withArea(6, 900, 6, 900, 4, 500),
			[]bool{false, true}, []string{"55.55%", "66.67%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.rule, tt.counts)
			var passed []bool
			var actual []string
			for i, c := range got.Checks {
				passed = append(passed, c.Passed)
				actual = append(actual, c.Actual)
				if c.Name != tt.rule.Checks[i].Name {
					t.Errorf("check %d named %q, want %q", i, c.Name, tt.rule.Checks[i].Name)
				}
			}
			if !slices.Equal(passed, tt.wantChecks) {
				t.Errorf("checks passed = %v, want %v", passed, tt.wantChecks)
			}
			if !slices.Equal(actual, tt.wantActual) {
				t.Errorf("actual = %q, want %q", actual, tt.wantActual)
			}
			wantPassed := !slices.Contains(tt.wantChecks, false)
			if got.Passed != wantPassed {
				t.Errorf("Passed = %v, want %v", got.Passed, wantPassed)
			}
		})
	}
}

func TestEvaluateRequiredText(t *testing.T) {
	tests := []struct {
		name   string
		preset string
		want   []string
	}{
		{"two80_shows_percentages", PresetTwo80, []string{"80%", "80%"}},
		{"major_shows_fractions", PresetCivilCodeMajor, []string{"2/3", "2/3", "3/4", "3/4"}},
		{"ordinary_marks_strict_checks", PresetCivilCodeOrdinary, []string{"2/3", "2/3", "> 1/2", "> 1/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Evaluate(mustPreset(t, tt.preset), households(1, 1, 1)).Checks {
				got = append(got, c.Required)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Required = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEvaluateInvalidRules(t *testing.T) {
	valid := Check{Name: "c", Measure: MeasureHouseholds, Base: BaseElectorate, Of: OfParticipated, Ratio: Ratio{1, 2}}
	tests := []struct {
		name string
		rule Rule
	}{
		{"no_checks_never_passes", Rule{Preset: PresetCustom}},
		{"ratio_above_one_never_passes", Rule{Checks: []Check{{Name: "c", Measure: MeasureHouseholds, Base: BaseElectorate, Of: OfParticipated, Ratio: Ratio{3, 2}}}}},
		{"zero_ratio_never_passes", Rule{Checks: []Check{{Name: "c", Measure: MeasureHouseholds, Base: BaseElectorate, Of: OfParticipated, Ratio: Ratio{0, 1}}}}},
		{"unknown_measure_never_passes", Rule{Checks: []Check{valid, {Name: "d", Measure: "rooms", Base: BaseElectorate, Of: OfAgree, Ratio: Ratio{1, 2}}}}},
		{"participated_of_participants_never_passes", Rule{Checks: []Check{{Name: "c", Measure: MeasureHouseholds, Base: BaseParticipants, Of: OfParticipated, Ratio: Ratio{1, 2}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Evaluate(tt.rule, households(10, 10, 10)); got.Passed {
				t.Errorf("Evaluate passed: %+v", got)
			}
			if got := ComputeShortfall(tt.rule, households(10, 0, 0), nil); got.Possible {
				t.Errorf("ComputeShortfall = %+v, want not possible", got)
			}
		})
	}
}

func TestEvaluateHugeAmountsDoNotOverflow(t *testing.T) {
	// 3·2^62 does not fit in an int64; the exact boundary must still be found.
	const electorateArea = int64(1) << 62
	atTwoThirds := (2*(electorateArea/3) + 1) // 3·atTwoThirds = 2·electorateArea + 1
	r := mustRule(t, Spec{Preset: PresetCustom, Checks: []CheckSpec{
		{Measure: "area", Base: "electorate", Of: "agree", Ratio: "2/3"},
	}})
	tests := []struct {
		name      string
		agreeArea int64
		want      bool
		actual    string
	}{
		{"just_at_two_thirds_passes", atTwoThirds, true, "66.67%"},
		{"one_hundredth_below_fails", atTwoThirds - 1, false, "66.66%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(r, withArea(1, electorateArea, 1, electorateArea, 1, tt.agreeArea))
			if got.Passed != tt.want || got.Checks[0].Actual != tt.actual {
				t.Errorf("Evaluate = %+v, want passed=%v at %s", got, tt.want, tt.actual)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		name        string
		value, base int64
		passed      bool
		want        string
	}{
		{"zero_base", 3, 0, false, "0.00%"},
		{"zero_value", 0, 3, false, "0.00%"},
		{"whole_passing", 4, 5, true, "80.00%"},
		{"whole_failing", 4, 5, false, "80.00%"},
		{"two_thirds_passing_rounds_up", 2, 3, true, "66.67%"},
		{"two_thirds_failing_rounds_down", 2, 3, false, "66.66%"},
		{"five_sevenths_failing", 5, 7, false, "71.42%"},
		{"five_sevenths_passing", 5, 7, true, "71.43%"},
		{"failing_just_below_eighty_never_shows_eighty", 79996, 100000, false, "79.99%"},
		{"below_one_percent", 1, 1000, false, "0.10%"},
		{"smallest_failing_is_zero", 1, 30000, false, "0.00%"},
		{"smallest_passing_is_one_hundredth", 1, 30000, true, "0.01%"},
		{"over_hundred", 3, 2, true, "150.00%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percent(tt.value, tt.base, tt.passed); got != tt.want {
				t.Errorf("percent(%d, %d, %v) = %q, want %q", tt.value, tt.base, tt.passed, got, tt.want)
			}
		})
	}
}
