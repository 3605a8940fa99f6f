package rule

import "testing"

func TestComputeShortfall(t *testing.T) {
	two80 := mustPreset(t, PresetTwo80)
	major := mustPreset(t, PresetCivilCodeMajor)
	ordinary := mustPreset(t, PresetCivilCodeOrdinary)
	jinan := jinanRule(t)
	tests := []struct {
		name      string
		rule      Rule
		counts    Counts
		remaining []int64
		want      Shortfall
	}{
		// P+k ≥ 8 needs k ≥ 3; then A=7, P=8 and 7·100 = 700 ≥ 640.
		{"two80/half_responded_needs_three", two80, households(10, 5, 4), nil, Shortfall{3, true}},
		// k=1: 7/9 = 77.8% fails; k=2: 8/10 = 80% passes.
		{"two80/agreement_short_needs_two", two80, households(10, 8, 6), nil, Shortfall{2, true}},
		// P=k ≥ 5.6 needs k=6; then 6/6 agree.
		{"two80/nobody_responded_needs_six_of_seven", two80, households(7, 0, 0), nil, Shortfall{6, true}},
		{"two80/already_passing_needs_none", two80, households(7, 6, 5), nil, Shortfall{0, true}},
		// Everyone answered and 5/7 < 80%: only changed minds can help.
		{"two80/everyone_answered_not_possible", two80, households(7, 7, 5), nil, Shortfall{0, false}},
		// The last household agreeing gives 5/7 < 80%.
		{"two80/more_participation_cannot_save_it", two80, households(7, 6, 4), nil, Shortfall{0, false}},
		{"two80/empty_electorate_not_possible", two80, households(0, 0, 0), nil, Shortfall{0, false}},
		// 8000/10000 participation reached at k=1, agreement 8000/10000 too.
		{"two80/large_round", two80, households(10000, 7999, 7999), nil, Shortfall{1, true}},
		// P = 80 000 + k ≥ 800 000 needs k = 720 000; then A/P = 1.
		{"two80/a_million_households", two80, households(1_000_000, 80_000, 80_000), nil, Shortfall{720_000, true}},
		// Taking the 100 m² flat gives 150/200 of the area; the 50 m² one gives only 100/200.
		{"major/largest_area_first", major, withArea(4, 20000, 2, 5000, 2, 5000), []int64{10000, 5000}, Shortfall{1, true}},
		{"major/unsorted_areas_are_sorted", major, withArea(4, 20000, 2, 5000, 2, 5000), []int64{5000, 10000}, Shortfall{1, true}},
		// Households pass at P=2 of 3 but area 20/1020 needs the big flat.
		{"ordinary/area_needs_the_big_flat", ordinary, withArea(3, 1020, 2, 20, 2, 20), []int64{1000}, Shortfall{1, true}},
		// Two of four agree: exactly half, and strict half fails; one more makes 3 of 5 and 300 of 500.
		{"ordinary/strict_half_needs_one_more", ordinary, withArea(6, 600, 4, 400, 2, 200), []int64{100, 100}, Shortfall{1, true}},
		{"major/empty_electorate_not_possible", major, withArea(0, 0, 0, 0, 0, 0), nil, Shortfall{0, false}},
		// Disagreeing owners hold 900 of 1200: even all others agreeing leave area at 300/1200.
		{"jinan/area_out_of_reach", jinan, withArea(6, 1200, 3, 900, 0, 0), []int64{100, 100, 100}, Shortfall{0, false}},
		// Households need four of six (3·4 ≥ 2·6); area alone would pass with three (900/1200).
		{"jinan/needs_four_households", jinan, withArea(6, 1200, 1, 100, 0, 0), []int64{400, 300, 200, 100, 100}, Shortfall{4, true}},
		// The slice length wins over E−P when the rule counts area.
		{"jinan/slice_length_is_trusted", jinan, withArea(6, 1200, 1, 100, 0, 0), []int64{400, 300}, Shortfall{0, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ComputeShortfall(tt.rule, tt.counts, tt.remaining)
			if got != tt.want {
				t.Errorf("ComputeShortfall = %+v, want %+v", got, tt.want)
			}
		})
	}
}
