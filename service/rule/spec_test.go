package rule

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestFromSpec(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want Rule
	}{
		{"empty_preset_means_two80", Spec{}, Rule{Preset: PresetTwo80, Checks: []Check{
			{Name: "participation_households", Measure: "households", Base: "electorate", Of: "participated", Ratio: Ratio{80, 100}},
			{Name: "agreement_households", Measure: "households", Base: "participants", Of: "agree", Ratio: Ratio{80, 100}},
		}}},
		{"civil_code_major", Spec{Preset: "civil-code-major"}, Rule{Preset: PresetCivilCodeMajor, Checks: []Check{
			{Name: "participation_area", Measure: "area", Base: "electorate", Of: "participated", Ratio: Ratio{2, 3}},
			{Name: "participation_households", Measure: "households", Base: "electorate", Of: "participated", Ratio: Ratio{2, 3}},
			{Name: "agreement_area", Measure: "area", Base: "participants", Of: "agree", Ratio: Ratio{3, 4}},
			{Name: "agreement_households", Measure: "households", Base: "participants", Of: "agree", Ratio: Ratio{3, 4}},
		}}},
		{"civil_code_ordinary_is_strict_half", Spec{Preset: "civil-code-ordinary"}, Rule{Preset: PresetCivilCodeOrdinary, Checks: []Check{
			{Name: "participation_area", Measure: "area", Base: "electorate", Of: "participated", Ratio: Ratio{2, 3}},
			{Name: "participation_households", Measure: "households", Base: "electorate", Of: "participated", Ratio: Ratio{2, 3}},
			{Name: "agreement_area", Measure: "area", Base: "participants", Of: "agree", Ratio: Ratio{1, 2}, Strict: true},
			{Name: "agreement_households", Measure: "households", Base: "participants", Of: "agree", Ratio: Ratio{1, 2}, Strict: true},
		}}},
		{"custom_defaults_name", Spec{Preset: "custom", Checks: []CheckSpec{
			{Measure: "households", Base: "participants", Of: "agree", Ratio: "80%"},
			{Measure: "area", Base: "electorate", Of: "participated", Ratio: "2/3", Strict: true},
			{Measure: "area", Base: "electorate", Of: "agree", Ratio: "1/2"},
		}}, Rule{Preset: PresetCustom, Checks: []Check{
			{Name: "agree_households_of_participants", Measure: "households", Base: "participants", Of: "agree", Ratio: Ratio{80, 100}},
			{Name: "participated_area_of_electorate", Measure: "area", Base: "electorate", Of: "participated", Ratio: Ratio{2, 3}, Strict: true},
			{Name: "agree_area_of_electorate", Measure: "area", Base: "electorate", Of: "agree", Ratio: Ratio{1, 2}},
		}}},
		{"custom_keeps_given_name", Spec{Preset: "custom", Checks: []CheckSpec{
			{Name: "unit-3.lift", Measure: "households", Base: "electorate", Of: "agree", Ratio: "2/3"},
		}}, Rule{Preset: PresetCustom, Checks: []Check{
			{Name: "unit-3.lift", Measure: "households", Base: "electorate", Of: "agree", Ratio: Ratio{2, 3}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromSpec(tt.spec)
			if err != nil {
				t.Fatalf("FromSpec: %v", err)
			}
			if got.Preset != tt.want.Preset || !slices.Equal(got.Checks, tt.want.Checks) {
				t.Errorf("FromSpec = %+v\nwant %+v", got, tt.want)
			}
			back, err := FromSpec(got.Spec())
			if err != nil || back.Preset != got.Preset || !slices.Equal(back.Checks, got.Checks) {
				t.Errorf("FromSpec(Spec()) = %+v, %v; want %+v", back, err, got)
			}
		})
	}
}

func TestFromSpecErrors(t *testing.T) {
	check := CheckSpec{Measure: "households", Base: "electorate", Of: "agree", Ratio: "80%"}
	many := make([]CheckSpec, MaxChecks+1)
	for i := range many {
		many[i] = check
		many[i].Name = fmt.Sprintf("c%d", i)
	}
	tests := []struct {
		name string
		spec Spec
		want []string // the field keys reported
	}{
		{"unknown_preset", Spec{Preset: "two-90"}, []string{"rule.preset"}},
		{"preset_with_other_checks", Spec{Preset: "two-80", Checks: []CheckSpec{check}}, []string{"rule.checks"}},
		{"preset_with_invalid_checks", Spec{Preset: "civil-code-major", Checks: []CheckSpec{{Measure: "x"}}}, []string{"rule.checks"}},
		{"custom_without_checks", Spec{Preset: "custom"}, []string{"rule.checks"}},
		{"custom_with_too_many_checks", Spec{Preset: "custom", Checks: many}, []string{"rule.checks"}},
		{"bad_measure", Spec{Preset: "custom", Checks: []CheckSpec{{Measure: "rooms", Base: "electorate", Of: "agree", Ratio: "80%"}}},
			[]string{"rule.checks[0].measure"}},
		{"bad_base", Spec{Preset: "custom", Checks: []CheckSpec{{Measure: "area", Base: "owners", Of: "agree", Ratio: "80%"}}},
			[]string{"rule.checks[0].base"}},
		{"bad_of", Spec{Preset: "custom", Checks: []CheckSpec{{Measure: "area", Base: "electorate", Of: "signed", Ratio: "80%"}}},
			[]string{"rule.checks[0].of"}},
		{"participated_of_participants", Spec{Preset: "custom", Checks: []CheckSpec{{Measure: "area", Base: "participants", Of: "participated", Ratio: "80%"}}},
			[]string{"rule.checks[0].of"}},
		{"bad_ratio_in_second_check", Spec{Preset: "custom", Checks: []CheckSpec{check, {Measure: "area", Base: "participants", Of: "agree", Ratio: "3/2"}}},
			[]string{"rule.checks[1].ratio"}},
		{"missing_ratio", Spec{Preset: "custom", Checks: []CheckSpec{{Measure: "area", Base: "participants", Of: "agree"}}},
			[]string{"rule.checks[0].ratio"}},
		{"duplicate_default_names", Spec{Preset: "custom", Checks: []CheckSpec{check, check}},
			[]string{"rule.checks[1].name"}},
		{"name_with_spaces", Spec{Preset: "custom", Checks: []CheckSpec{{Name: "lift vote", Measure: "area", Base: "electorate", Of: "agree", Ratio: "2/3"}}},
			[]string{"rule.checks[0].name"}},
		{"name_too_long", Spec{Preset: "custom", Checks: []CheckSpec{{Name: strings.Repeat("n", 65), Measure: "area", Base: "electorate", Of: "agree", Ratio: "2/3"}}},
			[]string{"rule.checks[0].name"}},
		{"every_field_wrong_at_once", Spec{Preset: "custom", Checks: []CheckSpec{{Measure: "m", Base: "b", Of: "o", Ratio: "r"}}},
			[]string{"rule.checks[0].base", "rule.checks[0].measure", "rule.checks[0].of", "rule.checks[0].ratio"}},
		// Issue 12: a check without "of" used to default silently to participation.
		{"missing_of_is_refused", Spec{Preset: "custom", Checks: []CheckSpec{{Measure: "households", Base: "electorate", Ratio: "2/3"}}},
			[]string{"rule.checks[0].of"}},
		// Issue 12: 11 of 15 households disagreeing passed a participation-only rule.
		{"participation_only_rule_is_refused", Spec{Preset: "custom", Checks: []CheckSpec{
			{Measure: "households", Base: "electorate", Of: "participated", Ratio: "2/3"},
			{Measure: "area", Base: "electorate", Of: "participated", Ratio: "2/3"}}},
			[]string{"rule"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromSpec(tt.spec)
			var specErr *SpecError
			if !errors.As(err, &specErr) {
				t.Fatalf("FromSpec = %+v, %v; want a *SpecError", got, err)
			}
			keys := slices.Sorted(maps.Keys(specErr.Fields))
			if !slices.Equal(keys, tt.want) {
				t.Errorf("fields = %v, want %v (%v)", keys, tt.want, err)
			}
			for k, reason := range specErr.Fields {
				if reason == "" || !strings.Contains(err.Error(), k+": "+reason) {
					t.Errorf("field %s has reason %q, error text %q", k, reason, err)
				}
			}
		})
	}
}

func TestSpecWireForm(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want string
	}{
		{"two80_lists_its_checks", mustPreset(t, PresetTwo80),
			`{"preset":"two-80","checks":[` +
				`{"name":"participation_households","measure":"households","base":"electorate","ratio":"80%","strict":false,"of":"participated"},` +
				`{"name":"agreement_households","measure":"households","base":"participants","ratio":"80%","strict":false,"of":"agree"}]}`},
		{"ordinary_shows_strict", mustPreset(t, PresetCivilCodeOrdinary),
			`{"preset":"civil-code-ordinary","checks":[` +
				`{"name":"participation_area","measure":"area","base":"electorate","ratio":"2/3","strict":false,"of":"participated"},` +
				`{"name":"participation_households","measure":"households","base":"electorate","ratio":"2/3","strict":false,"of":"participated"},` +
				`{"name":"agreement_area","measure":"area","base":"participants","ratio":"1/2","strict":true,"of":"agree"},` +
				`{"name":"agreement_households","measure":"households","base":"participants","ratio":"1/2","strict":true,"of":"agree"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.rule.Spec())
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("JSON =\n%s\nwant\n%s", b, tt.want)
			}
			var s Spec
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			back, err := FromSpec(s)
			if err != nil || !slices.Equal(back.Checks, tt.rule.Checks) {
				t.Errorf("FromSpec(decoded) = %+v, %v", back, err)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want string
	}{
		{"two80", mustPreset(t, PresetTwo80), "入户征询率≥80%，签字同意率≥80%"},
		{"civil_code_major", mustPreset(t, PresetCivilCodeMajor), "参与表决面积≥2/3，参与表决人数≥2/3，同意面积≥3/4，同意人数≥3/4"},
		{"civil_code_ordinary_is_strict", mustPreset(t, PresetCivilCodeOrdinary), "参与表决面积≥2/3，参与表决人数≥2/3，同意面积>1/2，同意人数>1/2"},
		{"jinan_custom", jinanRule(t), "同意面积占总面积≥2/3，同意户数占总户数≥2/3"},
		{"custom_composed_from_checks", mustRule(t, Spec{Preset: "custom", Checks: []CheckSpec{
			{Measure: "households", Base: "electorate", Of: "participated", Ratio: "90%"},
			{Measure: "households", Base: "participants", Of: "agree", Ratio: "66.67%", Strict: true},
		}}), "参与表决户数占总户数≥90%，同意户数占参与表决户数>66.67%"},
		{"custom_reusing_a_preset_name_is_composed", mustRule(t, Spec{Preset: "custom", Checks: []CheckSpec{
			{Name: "agreement_households", Measure: "households", Base: "electorate", Of: "agree", Ratio: "1/2"},
		}}), "同意户数占总户数≥1/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Describe(); got != tt.want {
				t.Errorf("Describe() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUsesArea(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want bool
	}{
		{"two80_counts_households_only", mustPreset(t, PresetTwo80), false},
		{"major_counts_area", mustPreset(t, PresetCivilCodeMajor), true},
		{"ordinary_counts_area", mustPreset(t, PresetCivilCodeOrdinary), true},
		{"jinan_counts_area", jinanRule(t), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.UsesArea(); got != tt.want {
				t.Errorf("UsesArea() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFromStoredSpecReadsAParticipationOnlyRule(t *testing.T) {
	stored := Spec{Preset: PresetCustom, Checks: []CheckSpec{
		{Name: "p", Measure: "households", Base: "electorate", Of: "participated", Ratio: "2/3"}}}
	if _, err := FromSpec(stored); err == nil {
		t.Fatal("FromSpec accepted a participation-only rule")
	}
	r, err := FromStoredSpec(stored)
	if err != nil || len(r.Checks) != 1 || r.Checks[0].Of != OfParticipated {
		t.Errorf("FromStoredSpec = %+v, %v; want the stored rule back", r, err)
	}
}
