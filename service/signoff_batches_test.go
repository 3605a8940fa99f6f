package service

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// batchFixture is a fixture with what invalid sign-offs need: a round that
// is not open, households outside the electorate and an unassigned worker.
type batchFixture struct {
	*fixture
	draftRoundID string
	outsiders    []string
	stranger     Actor
	estateCode   string
}

func newBatchFixture(t *testing.T, db *model.DB, households int) *batchFixture {
	t.Helper()
	ctx := context.Background()
	f := &batchFixture{fixture: newFixture(t, db, households, 5, "")}
	system := SystemActor()
	title, kind := "第二轮征询", KindWillingness
	draft, err := f.svc.CreateRound(ctx, system, f.estateID, RoundFields{Title: &title, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	f.draftRoundID = draft.ID
	var items []HouseholdFields
	for i := 0; i < 5; i++ {
		b, u, r, area := "9", "1", fmt.Sprint(900+i), int64(6000)
		items = append(items, HouseholdFields{Building: &b, Unit: &u, Room: &r, AreaHundredths: &area})
	}
	created, err := f.svc.CreateHouseholds(ctx, system, f.estateID, items) // after the round opened: not in its electorate
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range created {
		f.outsiders = append(f.outsiders, h.ID)
	}
	stranger, err := f.svc.CreateUser(ctx, system, NewUser{Username: "stranger-" + f.estateID[:8], Password: "stranger-password", Role: RoleWorker})
	if err != nil {
		t.Fatal(err)
	}
	f.stranger = Actor{Kind: ActorUser, ID: stranger.ID, Role: RoleWorker, Channel: ChannelAPI}
	if err := db.Gorm.Model(&model.Estate{}).Where("id = ?", f.estateID).Pluck("code", &f.estateCode).Error; err != nil {
		t.Fatal(err)
	}
	return f
}

// check asserts that the counters equal a recount, that the estate's audit
// chains verify and that the round's history has the given number of rows.
func (f *batchFixture) check(t *testing.T, db *model.DB, historyRows int64) {
	t.Helper()
	f.tally(t)
	report, err := f.svc.VerifyAudit(context.Background(), f.estateCode)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Broken) != 0 {
		t.Fatalf("audit chains broken: %+v", report.Broken)
	}
	var n int64
	if err := db.Gorm.Model(&model.SignOffEvent{}).Where("round_id = ?", f.roundID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != historyRows {
		t.Fatalf("%d history rows, want %d (one per accepted change)", n, historyRows)
	}
}

// TestConcurrentSignOffsCommitInBatches sends 200 concurrent sign-offs over
// 50 households, a quarter of them invalid in one of four ways: every valid
// one is answered with its own decision, every invalid one with its own
// error, the counters equal a recount, the audit chains verify, there is a
// history row per accepted change, and the sign-offs were grouped.
func TestConcurrentSignOffsCommitInBatches(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newBatchFixture(t, db, 50)
		const requests = 200
		type outcome struct {
			want string // "" for a valid request, else the error code
			got  *model.SignOff
			err  error
			in   SignOffInput
			hh   string
		}
		outcomes := make([]outcome, requests)
		var wg sync.WaitGroup
		for i := 0; i < requests; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				o := &outcomes[i]
				actor, roundID := f.worker, f.roundID
				o.hh = f.households[i%50]
				o.in = SignOffInput{Decision: decisions[i%3], Channel: ChannelDoor, SignerName: fmt.Sprint("签字人", i)}
				switch i % 8 {
				case 1:
					o.want, roundID = "round_not_open", f.draftRoundID
				case 3:
					o.want, o.hh = "household_not_in_round", f.outsiders[i%len(f.outsiders)]
				case 5:
					o.want, o.in.Decision = "validation_failed", "maybe"
				case 7:
					o.want, actor = "round_not_found", f.stranger
				}
				o.got, o.err = f.svc.RecordSignOff(ctx, actor, roundID, o.hh, o.in)
			}(i)
		}
		wg.Wait()
		accepted := int64(0)
		for i, o := range outcomes {
			if o.want == "" {
				if o.err != nil {
					t.Fatalf("request %d: %v", i, o.err)
				}
				if o.got.HouseholdID != o.hh || o.got.Decision != o.in.Decision || o.got.SignerName != o.in.SignerName || o.got.Version < 1 {
					t.Fatalf("request %d answered %+v, want its own decision %s by %s", i, o.got, o.in.Decision, o.in.SignerName)
				}
				accepted++
				continue
			}
			if got := codeOf(o.err); got != o.want {
				t.Fatalf("request %d: error %v, want %s", i, o.err, o.want)
			}
		}
		if accepted != requests/2 {
			t.Fatalf("%d accepted, want %d", accepted, requests/2)
		}
		// Each household's versions are 1..n without gaps, n its accepted requests.
		var rows []model.SignOff
		if err := db.Gorm.Where("round_id = ?", f.roundID).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		perHousehold := map[string]int{}
		for _, o := range outcomes {
			if o.want == "" {
				perHousehold[o.hh]++
			}
		}
		if len(rows) != len(perHousehold) {
			t.Fatalf("%d sign-off rows, want %d", len(rows), len(perHousehold))
		}
		for _, so := range rows {
			if so.Version != perHousehold[so.HouseholdID] {
				t.Fatalf("household %s at version %d after %d accepted changes", so.HouseholdID, so.Version, perHousehold[so.HouseholdID])
			}
		}
		f.check(t, db, accepted)
		stats := f.svc.SignOffBatchStats()
		if stats.Batches == 0 || stats.Largest < 2 {
			t.Fatalf("no sign-offs were grouped: %+v", stats)
		}
		t.Logf("batches: %+v", stats)
	})
}

// TestFailingSignOffDoesNotFailItsBatch commits one batch of five requests,
// two of them invalid: the three valid ones commit in that one transaction
// (one batch, not split), the two invalid ones get their own errors, and a
// second decision for the same household in the batch follows the first.
func TestFailingSignOffDoesNotFailItsBatch(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newBatchFixture(t, db, 10)
		in := func(decision, signer string) SignOffInput {
			return SignOffInput{Decision: decision, Channel: ChannelPaper, SignerName: signer}
		}
		batch := []*signOffRequest{
			f.svc.staffSignOffRequest(ctx, f.worker, f.roundID, f.households[0], in(DecisionAgree, "甲")),
			f.svc.staffSignOffRequest(ctx, f.worker, f.draftRoundID, f.households[1], in(DecisionAgree, "乙")),
			f.svc.staffSignOffRequest(ctx, f.worker, f.roundID, f.households[0], in(DecisionDisagree, "丙")),
			f.svc.staffSignOffRequest(ctx, f.stranger, f.roundID, f.households[2], in(DecisionAgree, "丁")),
			f.svc.staffSignOffRequest(ctx, f.worker, f.roundID, f.households[3], in(DecisionAbstain, "戊")),
		}
		f.svc.runSignOffBatch(batch)
		for i, want := range []string{"", "round_not_open", "", "round_not_found", ""} {
			if got := codeOf(batch[i].err); got != want {
				t.Fatalf("request %d: error %v, want %q", i, batch[i].err, want)
			}
		}
		if got := batch[0].result; got.Version != 1 || got.Decision != DecisionAgree {
			t.Fatalf("first decision of household 0 answered %+v", got)
		}
		if got := batch[2].result; got.Version != 2 || got.Decision != DecisionDisagree || got.ID != batch[0].result.ID {
			t.Fatalf("second decision of household 0 answered %+v, want version 2 of %s", got, batch[0].result.ID)
		}
		if stats := f.svc.SignOffBatchStats(); stats.Batches != 1 || stats.Requests != 5 {
			t.Fatalf("batch stats %+v, want one batch of 5 (not split)", stats)
		}
		history, err := f.svc.SignOffHistory(ctx, SystemActor(), f.roundID, f.households[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 2 || history[0].NewDecision != DecisionAgree || history[1].OldDecision != DecisionAgree ||
			history[1].NewDecision != DecisionDisagree {
			t.Fatalf("history of household 0: %+v", history)
		}
		tally := f.tally(t)
		if tally.Decisions[DecisionDisagree].Households != 1 || tally.Decisions[DecisionAbstain].Households != 1 ||
			tally.Decisions[DecisionAgree].Households != 0 {
			t.Fatalf("tally %+v, want one disagree and one abstain", tally.Decisions)
		}
		f.check(t, db, 3)
	})
}

// TestResidentAndStaffSignOffsShareBatches sends residents' online
// sign-offs and staff sign-offs at once: both are answered with their own
// decisions, one resident naming a household not theirs gets its own error,
// and the counters, chains and history agree.
func TestResidentAndStaffSignOffsShareBatches(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newBatchFixture(t, db, 40)
		const residents = 10
		actors := make([]Actor, residents)
		for i := range actors {
			issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[i])
			if err != nil {
				t.Fatal(err)
			}
			actors[i] = residentActor(t, f.svc, fmt.Sprintf("o-batch-%d-%s", i, f.estateID[:8]))
			if _, err := f.svc.RedeemBindingCode(ctx, actors[i], issued.Code, ""); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		residentErrs := make([]error, residents)
		residentResults := make([]*MySignOff, residents)
		staffErrs := make([]error, 30)
		for round := 0; round < 3; round++ {
			for i := 0; i < residents; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					household := ""
					if i == 0 && round == 0 {
						household = f.households[1] // not theirs
					}
					got, err := f.svc.RecordMySignOff(ctx, actors[i], f.roundID, MySignOffInput{HouseholdID: household, Decision: decisions[(i+round)%3]})
					if round == 2 {
						residentResults[i], residentErrs[i] = got, err
					} else if i == 0 && round == 0 {
						if code := codeOf(err); code != "household_not_found" {
							t.Errorf("resident 0 naming another household: error %v, want household_not_found", err)
						}
					} else if err != nil {
						t.Errorf("resident %d: %v", i, err)
					}
				}(i)
			}
			for i := 0; i < 10; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, staffErrs[round*10+i] = f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[10+i+round*10],
						SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "户主"})
				}(i)
			}
		}
		wg.Wait()
		for i, err := range staffErrs {
			if err != nil {
				t.Fatalf("staff sign-off %d: %v", i, err)
			}
		}
		// The rounds' requests race, so only the result's own fields are certain.
		for i := range residentResults {
			if residentErrs[i] != nil {
				t.Fatalf("resident %d: %v", i, residentErrs[i])
			}
			if so := residentResults[i].SignOff; so.HouseholdID != f.households[i] || so.Channel != ChannelOnline || so.Decision != decisions[(i+2)%3] {
				t.Fatalf("resident %d answered %+v", i, so)
			}
		}
		var accepted int64
		if err := db.Gorm.Model(&model.SignOff{}).Where("round_id = ?", f.roundID).Select("COALESCE(SUM(version), 0)").Scan(&accepted).Error; err != nil {
			t.Fatal(err)
		}
		if accepted < 30+residents { // every staff sign-off and at least one change per resident
			t.Fatalf("versions sum to %d", accepted)
		}
		f.check(t, db, accepted)
		if stats := f.svc.SignOffBatchStats(); stats.Batches == 0 {
			t.Fatalf("no sign-offs were grouped: %+v", stats)
		}
	})
}

// TestSignOffBatchIdempotencyCollision: two requests of one batch with the
// same Idempotency-Key: the first commits with its key recorded, the second
// alone is refused with idempotency_in_progress.
func TestSignOffBatchIdempotencyCollision(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newBatchFixture(t, db, 5)
		in := SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "户主"}
		first, second := f.worker, f.worker
		first.Idempotency = NewIdempotencyClaim("user:"+f.worker.ID, "key-1", "hash-1")
		second.Idempotency = NewIdempotencyClaim("user:"+f.worker.ID, "key-1", "hash-1")
		batch := []*signOffRequest{
			f.svc.staffSignOffRequest(ctx, first, f.roundID, f.households[0], in),
			f.svc.staffSignOffRequest(ctx, second, f.roundID, f.households[1], in),
			f.svc.staffSignOffRequest(ctx, f.worker, f.roundID, f.households[2], in),
		}
		f.svc.runSignOffBatch(batch)
		for i, want := range []string{"", "idempotency_in_progress", ""} {
			if got := codeOf(batch[i].err); got != want {
				t.Fatalf("request %d: error %v, want %q", i, batch[i].err, want)
			}
		}
		if !first.Idempotency.recorded || second.Idempotency.recorded {
			t.Fatalf("claims recorded: first %v, second %v; want only the first", first.Idempotency.recorded, second.Idempotency.recorded)
		}
		var n int64
		db.Gorm.Model(&model.IdempotencyRecord{}).Where("`key` = ?", "key-1").Count(&n)
		if n != 1 {
			t.Fatalf("%d idempotency records, want 1", n)
		}
		if stats := f.svc.SignOffBatchStats(); stats.Batches != 1 {
			t.Fatalf("batch stats %+v, want one batch", stats)
		}
		f.check(t, db, 2)
	})
}
