package service

import (
	"context"
	"fmt"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service/rule"
)

// TestTallyByBuildingMatchesRows: a round of 60 households in 12 buildings
// ("1".."12": "2" sorts before "10"), with sign-offs changed and withdrawn. Every
// building's entry and every total equals what the sign-offs add up to, worked out
// here from the roster (household i lives in building i%12+1, area 50.00+i m²),
// and the recount agrees with the counters.
func TestTallyByBuildingMatchesRows(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		const households, buildings = 60, 12
		f := newFixture(t, db, households, buildings, "")
		final := map[int]string{}
		for i := 0; i < households; i += 2 {
			decision := decisions[i%3]
			f.sign(t, i, decision)
			final[i] = decision
		}
		for _, i := range []int{0, 6, 30} { // change of mind
			f.sign(t, i, DecisionDisagree)
			final[i] = DecisionDisagree
		}
		for _, i := range []int{4, 16} {
			if err := f.svc.WithdrawSignOff(context.Background(), f.worker, f.roundID, f.households[i]); err != nil {
				t.Fatal(err)
			}
			delete(final, i)
		}

		want := make([]BuildingTally, buildings)
		var electorate, participated rule.Amount
		decided := map[string]rule.Amount{}
		for i := range households {
			b := &want[i%buildings]
			b.Building = fmt.Sprint(i%buildings + 1)
			area := int64(5000 + i)
			b.Electorate++
			electorate = sum(electorate, rule.Amount{Households: 1, AreaHundredths: area})
			decision, ok := final[i]
			if !ok {
				continue
			}
			b.Participated++
			participated = sum(participated, rule.Amount{Households: 1, AreaHundredths: area})
			decided[decision] = sum(decided[decision], rule.Amount{Households: 1, AreaHundredths: area})
			switch decision {
			case DecisionAgree:
				b.Agree++
			case DecisionDisagree:
				b.Disagree++
			case DecisionAbstain:
				b.Abstain++
			}
		}

		tally := f.tally(t) // fails unless the recount matches the counters
		if fmt.Sprint(tally.ByBuilding) != fmt.Sprint(want) {
			t.Errorf("by_building\n%v\nwant\n%v", tally.ByBuilding, want)
		}
		if tally.Electorate != electorate || tally.Participated != participated {
			t.Errorf("electorate %+v participated %+v; want %+v and %+v", tally.Electorate, tally.Participated, electorate, participated)
		}
		for _, d := range decisions {
			if tally.Decisions[d] != decided[d] {
				t.Errorf("%s: %+v, want %+v", d, tally.Decisions[d], decided[d])
			}
		}
		if len(tally.Decisions) != len(decisions) {
			t.Errorf("decisions %v; want exactly %v", tally.Decisions, decisions)
		}
	})
}
