package service

import (
	"context"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service/rule"
)

// TestTallyChangesNeeded: with E=7, P=7, A=5 new agreements cannot pass two-80 (5/7), and
// one household of the two that disagree must change (6/7); the tally says so (old code:
// only "impossible"). Under civil-code-major the largest opposed flat is taken first.
func TestTallyChangesNeeded(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		d := newDeadlineRound(t, db, 7, 0, RoundFields{})
		for i, decision := range []string{"agree", "agree", "agree", "agree", "agree", "disagree", "abstain"} {
			if err := d.sign(i, decision); err != nil {
				t.Fatal(err)
			}
		}
		tally, err := d.svc.GetTally(ctx, SystemActor(), d.roundID, false)
		if err != nil {
			t.Fatal(err)
		}
		if tally.Shortfall.Possible || tally.ChangesNeeded == nil || *tally.ChangesNeeded != 1 {
			t.Errorf("shortfall %+v changes_needed %v; want impossible and 1", tally.Shortfall, tally.ChangesNeeded)
		}
		if c := tally.Checks[1]; c.Actual != "71.42%" || c.ActualFraction != "5/7" || c.Passed {
			t.Errorf("agreement check = %+v; want failing 71.42%% (5/7)", c)
		}

		// Areas 80.00 + 1.00·i m²: households 5 and 6 (85.00, 86.00 m²) oppose; 4 of 7 agree.
		major := &rule.Spec{Preset: rule.PresetCivilCodeMajor}
		m := newDeadlineRound(t, db, 7, 0, RoundFields{Rule: major})
		for i, decision := range []string{"agree", "agree", "agree", "agree", "disagree", "disagree", "disagree"} {
			if err := m.sign(i, decision); err != nil {
				t.Fatal(err)
			}
		}
		tally, err = m.svc.GetTally(ctx, SystemActor(), m.roundID, false)
		if err != nil {
			t.Fatal(err)
		}
		// 4/7 < 3/4; one change gives 5/7 < 3/4; two give 6/7 ≥ 3/4 by households and area.
		if tally.Shortfall.Possible || tally.ChangesNeeded == nil || *tally.ChangesNeeded != 2 {
			t.Errorf("civil-code-major: shortfall %+v changes_needed %v; want impossible and 2", tally.Shortfall, tally.ChangesNeeded)
		}
	})
}

// TestFrozenResultShowsVerdictRounding: a result frozen before shares were rounded towards
// the verdict (half up, no fraction) reads back with the new figures and the same verdict.
func TestFrozenResultShowsVerdictRounding(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		d := newDeadlineRound(t, db, 7, 0, RoundFields{})
		for i := range 5 {
			if err := d.sign(i, DecisionAgree); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.svc.CloseRoundWithReason(ctx, SystemActor(), d.roundID, "测试"); err != nil {
			t.Fatal(err)
		}
		// Rewrite the frozen result as the old code stored it: 5/7 failing shown as 71.43%.
		var round model.Round
		if err := db.Gorm.Where("id = ?", d.roundID).Take(&round).Error; err != nil {
			t.Fatal(err)
		}
		old := strings.Replace(strings.Replace(round.ResultJSON, `"Actual":"71.42%"`, `"Actual":"71.43%"`, 1), `"ActualFraction":"5/7",`, "", 1)
		if old == round.ResultJSON {
			t.Fatalf("the frozen result does not look as expected: %s", round.ResultJSON)
		}
		if err := db.Gorm.Model(&model.Round{}).Where("id = ?", d.roundID).Update("result_json", old).Error; err != nil {
			t.Fatal(err)
		}
		tally, err := d.svc.GetTally(ctx, SystemActor(), d.roundID, false)
		if err != nil {
			t.Fatal(err)
		}
		if c := tally.Checks[0]; c.Actual != "71.42%" || c.ActualFraction != "5/7" || c.Passed || tally.Passed {
			t.Errorf("participation check of the frozen result = %+v (passed %v)", c, tally.Passed)
		}
	})
}
