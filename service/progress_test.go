package service

import (
	"context"
	"fmt"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// progressLayout is the estate of the progress tests: 10 households in
// three units.
var progressLayout = []unitLayout{{"1", "1", 4}, {"1", "2", 3}, {"2", "1", 3}}

// signProgressEstate records, by hand-checkable rules:
//
//	1-1: 101 agree, 102 agree, 103 disagree, 104 visited (consulted) only
//	1-2: 101, 102, 103 agree
//	2-1: 101 visited twice (refused, then not home), 102 agreed then withdrew, 103 nothing
func signProgressEstate(tb testing.TB, w *workersRound) {
	tb.Helper()
	ctx := context.Background()
	sign := func(address, decision string) {
		if _, err := w.svc.RecordSignOff(ctx, w.worker, w.roundID, w.ids[address],
			SignOffInput{Decision: decision, Channel: ChannelPaper, SignerName: "户主"}); err != nil {
			tb.Fatalf("sign %s: %v", address, err)
		}
	}
	visit := func(address, outcome string) {
		if _, err := w.svc.RecordVisit(ctx, w.worker, w.roundID, VisitInput{HouseholdID: w.ids[address], Outcome: outcome}); err != nil {
			tb.Fatalf("visit %s: %v", address, err)
		}
	}
	sign("1-1-101", DecisionAgree)
	sign("1-1-102", DecisionAgree)
	sign("1-1-103", DecisionDisagree)
	visit("1-1-104", VisitConsulted)
	for _, room := range []string{"101", "102", "103"} {
		sign("1-2-"+room, DecisionAgree)
	}
	visit("2-1-101", VisitRefused)
	w.clock.set(w.clock.Now().Add(1))
	visit("2-1-101", VisitNotHome)
	sign("2-1-102", DecisionAgree)
	if err := w.svc.WithdrawSignOff(ctx, w.worker, w.roundID, w.ids["2-1-102"]); err != nil {
		tb.Fatal(err)
	}
}

func TestProgressCountsByBuildingAndUnit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newWorkersRound(t, db, progressLayout)
		signProgressEstate(t, w)
		p, err := w.svc.GetProgress(context.Background(), w.worker, w.roundID)
		if err != nil {
			t.Fatal(err)
		}
		// Round: E=10; visited: 1-1 all 4, 1-2 all 3, 2-1 101 (visits) and 102 (a withdrawn sign-off still was a visit) = 9.
		// Participated 6 (5 agree, 1 disagree). Two-80 needs P >= 8: two more agreements.
		want := ProgressCounts{Electorate: 10, Visited: 9, Participated: 6, Agree: 5, Disagree: 1}
		if p.ProgressCounts != want {
			t.Errorf("round counts = %+v, want %+v", p.ProgressCounts, want)
		}
		if p.VisitRate() != "90.00%" || p.Passed || !p.Shortfall.Possible || p.Shortfall.AgreeHouseholdsNeeded != 2 {
			t.Errorf("visit rate %s, passed %v, shortfall %+v; want 90.00%%, false, 2", p.VisitRate(), p.Passed, p.Shortfall)
		}
		// Units, most held back first: 2-1 (3 pending), 1-1 (1 pending), 1-2 (0).
		wantUnits := []struct {
			name   string
			counts ProgressCounts
			rooms  string
		}{
			{"2-1", ProgressCounts{Electorate: 3, Visited: 2}, "[101 102 103]"},
			{"1-1", ProgressCounts{Electorate: 4, Visited: 4, Participated: 3, Agree: 2, Disagree: 1}, "[104]"},
			{"1-2", ProgressCounts{Electorate: 3, Visited: 3, Participated: 3, Agree: 3}, "[]"},
		}
		if len(p.ByUnit) != len(wantUnits) {
			t.Fatalf("%d units, want %d", len(p.ByUnit), len(wantUnits))
		}
		for i, wu := range wantUnits {
			u := p.ByUnit[i]
			var rooms []string
			for _, h := range u.ToReach {
				rooms = append(rooms, h.Room)
			}
			if u.Building+"-"+u.Unit != wu.name || u.ProgressCounts != wu.counts || fmt.Sprint(rooms) != wu.rooms {
				t.Errorf("unit %d = %s-%s %+v to reach %v; want %s %+v %s", i, u.Building, u.Unit, u.ProgressCounts, rooms,
					wu.name, wu.counts, wu.rooms)
			}
		}
		pending := p.ByUnit[0].ToReach[0]
		if pending.OwnerName != "业主21101" || pending.LastVisitOutcome != VisitNotHome || pending.LastVisitAt == nil {
			t.Errorf("2-1-101 to reach = %+v, want its owner and the latest visit (not_home)", pending)
		}
		if p.ByUnit[0].ToReach[2].LastVisitOutcome != "" {
			t.Errorf("2-1-103 was never visited: %+v", p.ByUnit[0].ToReach[2])
		}
		// Buildings: 2 (3 pending) before 1 (1 pending).
		if len(p.ByBuilding) != 2 || p.ByBuilding[0].Building != "2" ||
			p.ByBuilding[1].ProgressCounts != (ProgressCounts{Electorate: 7, Visited: 7, Participated: 6, Agree: 5, Disagree: 1}) {
			t.Errorf("buildings = %+v", p.ByBuilding)
		}
	})
}

func TestProgressRefusals(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		w := newWorkersRound(t, db, oneUnit)
		if _, err := w.svc.RecordVisit(ctx, w.worker, w.roundID, VisitInput{HouseholdID: w.ids["1-1-101"], Outcome: "maybe"}); codeOf(err) != "validation_failed" {
			t.Errorf("bad outcome: %v", err)
		}
		if _, err := w.svc.RecordVisit(ctx, w.worker, w.roundID, VisitInput{HouseholdID: "nope", Outcome: VisitConsulted}); codeOf(err) != "household_not_in_round" {
			t.Errorf("unknown household: %v", err)
		}
		designer := Actor{Kind: ActorUser, ID: "d", Role: RoleDesigner}
		if _, err := w.svc.GetProgress(ctx, designer, w.roundID); codeOf(err) != "forbidden" {
			t.Errorf("designer progress: %v, want forbidden", err)
		}
		if _, err := w.svc.CloseRound(ctx, SystemActor(), w.roundID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.RecordVisit(ctx, w.worker, w.roundID, VisitInput{HouseholdID: w.ids["1-1-101"], Outcome: VisitConsulted}); codeOf(err) != "round_not_open" {
			t.Errorf("visit after close: %v, want round_not_open", err)
		}
		p, err := w.svc.GetProgress(ctx, w.worker, w.roundID)
		if err != nil || p.Status != RoundClosed || p.Electorate != 6 {
			t.Errorf("closed round progress = %+v, %v", p, err)
		}
	})
}
