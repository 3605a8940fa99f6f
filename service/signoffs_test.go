package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

func TestSignOffLifecycle(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 10, 2, "")
		for i := 0; i < 8; i++ {
			decision := DecisionAgree
			if i == 7 {
				decision = DecisionDisagree
			}
			f.sign(t, i, decision)
		}
		tally := f.tally(t)
		if tally.Participated.Households != 8 || tally.Decisions[DecisionAgree].Households != 7 || !tally.Passed {
			t.Fatalf("after 8 decisions (7 agree): participated %d, agree %d, passed %v",
				tally.Participated.Households, tally.Decisions[DecisionAgree].Households, tally.Passed)
		}
		// Changing a decision moves the household between counters and bumps the version.
		f.sign(t, 0, DecisionDisagree)
		tally = f.tally(t)
		if tally.Decisions[DecisionAgree].Households != 6 || tally.Decisions[DecisionDisagree].Households != 2 || tally.Passed {
			t.Fatalf("after a change: agree %d, disagree %d, passed %v (6/8 < 80%% must fail)",
				tally.Decisions[DecisionAgree].Households, tally.Decisions[DecisionDisagree].Households, tally.Passed)
		}
		if tally.Shortfall.AgreeHouseholdsNeeded != 2 || !tally.Shortfall.Possible {
			t.Fatalf("shortfall = %+v, want 2 (8/10 agree of 10 participants)", tally.Shortfall)
		}
		// Withdrawal removes it from the tally and keeps the history.
		if err := f.svc.WithdrawSignOff(ctx, f.worker, f.roundID, f.households[0]); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.WithdrawSignOff(ctx, f.worker, f.roundID, f.households[0]); codeOf(err) != "signoff_not_found" {
			t.Fatalf("second withdrawal: %v, want signoff_not_found", err)
		}
		tally = f.tally(t)
		if tally.Participated.Households != 7 {
			t.Fatalf("after withdrawal participated = %d, want 7", tally.Participated.Households)
		}
		events, err := f.svc.SignOffHistory(ctx, SystemActor(), f.roundID, f.households[0])
		if err != nil {
			t.Fatal(err)
		}
		want := [][2]string{{"", DecisionAgree}, {DecisionAgree, DecisionDisagree}, {DecisionDisagree, DecisionWithdrawn}}
		if len(events) != len(want) {
			t.Fatalf("history has %d entries, want %d", len(events), len(want))
		}
		for i, e := range events {
			if e.OldDecision != want[i][0] || e.NewDecision != want[i][1] || e.Version != i+1 {
				t.Errorf("history[%d] = %s→%s v%d, want %s→%s v%d", i, e.OldDecision, e.NewDecision, e.Version, want[i][0], want[i][1], i+1)
			}
		}
		// A household outside the electorate and a closed round are refused.
		if _, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, "no-such-household",
			SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "x"}); codeOf(err) != "household_not_in_round" {
			t.Fatalf("unknown household: %v", err)
		}
		closed, err := f.svc.CloseRound(ctx, SystemActor(), f.roundID)
		if err != nil {
			t.Fatal(err)
		}
		if closed.Status != RoundClosed || closed.ResultJSON == "" {
			t.Fatalf("closed round: status %s, result %q", closed.Status, closed.ResultJSON)
		}
		if _, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[9],
			SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "x"}); codeOf(err) != "round_not_open" {
			t.Fatalf("sign after close: %v, want round_not_open", err)
		}
		frozen := f.tally(t)
		if frozen.Status != RoundClosed || frozen.Participated.Households != 7 {
			t.Fatalf("frozen tally: %+v", frozen)
		}
	})
}

func TestElectorateFrozenAtOpen(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 7, 1, "")
		b, u, r := "1", "1", "new"
		area := int64(9000)
		if _, err := f.svc.CreateHouseholds(ctx, SystemActor(), f.estateID, []HouseholdFields{{Building: &b, Unit: &u, Room: &r, AreaHundredths: &area}}); err != nil {
			t.Fatal(err)
		}
		ineligible := false
		if _, err := f.svc.UpdateHousehold(ctx, SystemActor(), f.households[0], HouseholdFields{Eligible: &ineligible}); err != nil {
			t.Fatal(err)
		}
		tally := f.tally(t)
		if tally.Electorate.Households != 7 {
			t.Fatalf("electorate = %d after roster edits, want the frozen 7", tally.Electorate.Households)
		}
		// E=7: P=6, A=5 passes; P=7, A=5 fails.
		for i := 0; i < 5; i++ {
			f.sign(t, i, DecisionAgree)
		}
		f.sign(t, 5, DecisionDisagree)
		if tally := f.tally(t); !tally.Passed {
			t.Fatalf("E=7 P=6 A=5 must pass: %+v", tally.Checks)
		}
		f.sign(t, 6, DecisionAbstain)
		if tally := f.tally(t); tally.Passed || tally.Shortfall.Possible {
			t.Fatalf("E=7 P=7 A=5 must fail with no possible shortfall: passed=%v shortfall=%+v", tally.Passed, tally.Shortfall)
		}
	})
}

func TestAreaRuleShortfallTakesLargestRemaining(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 12, 3, "civil-code-major")
		for i := 0; i < 6; i++ {
			f.sign(t, i, DecisionAgree)
		}
		tally := f.tally(t)
		// Areas are 50.00+i/100 m²: total 600.66, signed 300.15. By count 8 of 12
		// suffice (2 more), but 2/3 of the area is 400.44 and the two largest
		// remaining (50.11 + 50.10) only reach 400.36: the area check needs 3.
		if tally.Passed || !tally.Shortfall.Possible || tally.Shortfall.AgreeHouseholdsNeeded != 3 {
			t.Fatalf("civil-code-major with 6/12 agreeing: passed=%v shortfall=%+v checks=%+v", tally.Passed, tally.Shortfall, tally.Checks)
		}
	})
}

// TestConcurrentSignOffs hammers the write path: conflicting decisions on
// one household leave exactly one sign-off whose last history entry matches
// it; distinct households are each counted once; counters equal the recount.
func TestConcurrentSignOffs(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		const writers = 200
		f := newFixture(t, db, writers, 4, "")
		var wg sync.WaitGroup
		errs := make(chan error, 2*writers)
		for w := 0; w < writers; w++ {
			wg.Add(2)
			go func(w int) {
				defer wg.Done()
				decision := decisions[w%3]
				_, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[0],
					SignOffInput{Decision: decision, Channel: ChannelDoor, SignerName: fmt.Sprint("signer ", w)})
				errs <- err
			}(w)
			go func(w int) {
				defer wg.Done()
				if w == 0 {
					errs <- nil
					return
				}
				_, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[w],
					SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "户主"})
				errs <- err
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent sign-off failed: %v", err)
			}
		}
		var rows []model.SignOff
		if err := db.Gorm.Where("round_id = ? AND household_id = ?", f.roundID, f.households[0]).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("household 0 has %d sign-off rows, want 1", len(rows))
		}
		var last model.SignOffEvent
		if err := db.Gorm.Where("round_id = ? AND household_id = ?", f.roundID, f.households[0]).Order("version DESC").First(&last).Error; err != nil {
			t.Fatal(err)
		}
		if last.NewDecision != rows[0].Decision || last.Version != rows[0].Version || last.SignerName != rows[0].SignerName {
			t.Fatalf("last history entry %s v%d (%s) does not match the sign-off %s v%d (%s)",
				last.NewDecision, last.Version, last.SignerName, rows[0].Decision, rows[0].Version, rows[0].SignerName)
		}
		var total int64
		db.Gorm.Model(&model.SignOff{}).Where("round_id = ?", f.roundID).Count(&total)
		if total != writers {
			t.Fatalf("%d sign-off rows, want %d", total, writers)
		}
		tally := f.tally(t)
		if tally.Participated.Households != writers {
			t.Fatalf("tally counts %d participants, want %d", tally.Participated.Households, writers)
		}
	})
}

func codeOf(err error) string {
	var se *Error
	if errors.As(err, &se) {
		return se.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestCloseRacesSignOffs closes a round while households keep changing their
// decisions: every write either lands before the close and is in the frozen
// result, or is refused with round_not_open and leaves nothing; the frozen
// result equals a count of the sign-off rows, and so do the counters. Each
// writer keeps writing until it is refused, so every one of them is provably
// in flight when the close happens: the race is not left to chance.
func TestCloseRacesSignOffs(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		const writers = 60
		const maxWrites = 5000 // per writer; reached only if the close never takes effect
		f := newFixture(t, db, writers, 3, "")
		var wg sync.WaitGroup
		var progress, refused atomic.Int64
		start := make(chan struct{})
		sequence := []string{DecisionAgree, DecisionDisagree, DecisionAgree, DecisionAbstain, DecisionAgree, DecisionDisagree}
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				<-start
				for i := 0; i < maxWrites; i++ {
					_, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[w],
						SignOffInput{Decision: sequence[i%len(sequence)], Channel: ChannelPaper, SignerName: "户主"})
					switch codeOf(err) {
					case "":
						progress.Add(1)
					case "round_not_open":
						refused.Add(1)
						return
					default:
						t.Errorf("sign-off %d: %v", w, err)
						return
					}
				}
			}(w)
		}
		close(start)
		// Close once every household has changed its mind a few times.
		for progress.Load() < writers*3 {
			time.Sleep(time.Millisecond)
		}
		if _, err := f.svc.CloseRound(ctx, SystemActor(), f.roundID); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		frozen := f.tally(t) // also checks the counters against the rows
		for _, d := range decisions {
			var n int64
			db.Gorm.Model(&model.SignOff{}).Where("round_id = ? AND decision = ?", f.roundID, d).Count(&n)
			if frozen.Decisions[d].Households != n {
				t.Errorf("frozen result has %d %s, the rows %d", frozen.Decisions[d].Households, d, n)
			}
		}
		var round model.Round
		db.Gorm.Where("id = ?", f.roundID).Take(&round)
		var late int64
		db.Gorm.Model(&model.SignOffEvent{}).Where("round_id = ? AND recorded_at > ?", f.roundID, *round.ClosedAt).Count(&late)
		if late != 0 {
			t.Errorf("%d history entries were recorded after the close", late)
		}
		if refused.Load() != writers {
			t.Errorf("%d of %d writers were refused by the close; every writer must have raced it", refused.Load(), writers)
		}
		t.Logf("%d writes landed before the close", progress.Load())
	})
}
