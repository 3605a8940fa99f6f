package service

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"minyi/model"
	"minyi/model/testdb"
)

var oneUnit = []unitLayout{{"1", "1", 6}}

func TestSyncAppliesEachRecordOnceAndAnswersDuplicates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newWorkersRound(t, db, oneUnit)
		first := w.signOffRecord("1-1-101", DecisionAgree, 10)
		second := w.signOffRecord("1-1-102", DecisionDisagree, 11)
		visit := w.visitRecord("1-1-103", VisitNotHome, 12)
		repeated := first
		repeated.ClientID = strings.ToUpper(first.ClientID) // the same UUID, written differently
		report := w.sync(t, first, second, visit, repeated)
		statuses := []string{SyncApplied, SyncApplied, SyncApplied, SyncDuplicate}
		for i, want := range statuses {
			if got := report.Results[i].Status; got != want {
				t.Fatalf("result %d = %+v, want %s", i, report.Results[i], want)
			}
		}
		if report.Applied != 3 || report.Duplicates != 1 || report.Rejected != 0 {
			t.Fatalf("counts = %d applied, %d duplicates, %d rejected", report.Applied, report.Duplicates, report.Rejected)
		}
		if report.Results[2].VisitID == "" || report.Results[0].SignOff == nil || report.Results[0].SignOff.Version != 1 {
			t.Fatalf("results lack their outcome: %+v", report.Results)
		}
		// The whole batch again (a retry after a lost response): all duplicates, nothing changes.
		again := w.sync(t, first, second, visit)
		for i, r := range again.Results {
			if r.Status != SyncDuplicate || r.FirstStatus != SyncApplied {
				t.Fatalf("resent result %d = %+v, want duplicate of applied", i, r)
			}
		}
		if again.Results[0].SignOff == nil || again.Results[0].SignOff.Decision != DecisionAgree {
			t.Fatalf("a duplicate must carry its first result: %+v", again.Results[0])
		}
		tally := w.tally(t)
		if tally.Participated.Households != 2 || tally.Decisions[DecisionAgree].Households != 1 {
			t.Fatalf("tally after duplicates: %+v", tally.Decisions)
		}
		var visits int64
		db.Gorm.Model(&model.Visit{}).Where("round_id = ?", w.roundID).Count(&visits)
		if visits != 1 {
			t.Fatalf("%d visits stored, want 1", visits)
		}
	})
}

func TestSyncLaterRecordWinsAndHistoryKeepsBoth(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		w := newWorkersRound(t, db, oneUnit)
		household := w.ids["1-1-101"]
		// Two phones disagree about one household; the later one is listed first.
		later := w.signOffRecord("1-1-101", DecisionDisagree, 30)
		earlier := w.signOffRecord("1-1-101", DecisionAgree, 20)
		report := w.sync(t, later, earlier)
		if report.Applied != 2 {
			t.Fatalf("report = %+v, want both applied", report.Results)
		}
		tally := w.tally(t)
		if tally.Decisions[DecisionDisagree].Households != 1 || tally.Decisions[DecisionAgree].Households != 0 {
			t.Fatalf("the later record (disagree) must win: %+v", tally.Decisions)
		}
		var current model.SignOff
		if err := db.Gorm.Where("round_id = ? AND household_id = ?", w.roundID, household).Take(&current).Error; err != nil {
			t.Fatal(err)
		}
		if !current.RecordedAt.Equal(w.at(30)) || current.Version != 2 {
			t.Fatalf("sign-off = v%d at %v, want v2 at the device time %v", current.Version, current.RecordedAt, w.at(30))
		}
		// A record older than the current decision, in a later batch: kept in
		// the history, changes nothing.
		stale := w.signOffRecord("1-1-101", DecisionAbstain, 25)
		report = w.sync(t, stale)
		if r := report.Results[0]; r.Status != SyncApplied || !r.Superseded || r.SignOff.Decision != DecisionDisagree {
			t.Fatalf("stale record result = %+v, want applied but superseded by disagree", r)
		}
		if tally := w.tally(t); tally.Decisions[DecisionDisagree].Households != 1 || tally.Decisions[DecisionAbstain].Households != 0 {
			t.Fatalf("a stale record moved the tally: %+v", tally.Decisions)
		}
		history, err := w.svc.SignOffHistory(ctx, SystemActor(), w.roundID, household)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ old, new, requestID string }{
			{"", DecisionAgree, "sync:" + earlier.ClientID},
			{DecisionAgree, DecisionDisagree, "sync:" + later.ClientID},
			{DecisionDisagree, DecisionAbstain, "sync-superseded:" + stale.ClientID},
		}
		if len(history) != len(want) {
			t.Fatalf("history has %d entries, want %d: %+v", len(history), len(want), history)
		}
		for i, e := range history {
			if e.OldDecision != want[i].old || e.NewDecision != want[i].new || e.RequestID != want[i].requestID || e.Channel != ChannelPaper {
				t.Errorf("history[%d] = %s→%s %s via %s, want %s→%s %s via paper", i, e.OldDecision, e.NewDecision,
					e.RequestID, e.Channel, want[i].old, want[i].new, want[i].requestID)
			}
		}
		// A newer record than the stale one, later than the current decision, wins again.
		newest := w.signOffRecord("1-1-101", DecisionAgree, 40)
		if r := w.sync(t, newest).Results[0]; r.Superseded || r.SignOff.Decision != DecisionAgree || r.SignOff.Version != 3 {
			t.Fatalf("newest record = %+v, want agree v3", r)
		}
	})
}

func TestSyncWithdrawAndOnlineDecisionOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		w := newWorkersRound(t, db, oneUnit)
		w.sync(t, w.signOffRecord("1-1-101", DecisionAgree, 10))
		withdraw := SyncRecordInput{ClientID: uuid.NewString(), Type: SyncWithdraw, HouseholdID: w.ids["1-1-101"], RecordedAt: w.at(20)}
		if r := w.sync(t, withdraw).Results[0]; r.Status != SyncApplied || r.SignOff.Decision != DecisionWithdrawn {
			t.Fatalf("withdrawal = %+v", r)
		}
		if tally := w.tally(t); tally.Participated.Households != 0 {
			t.Fatalf("participated %d after withdrawal", tally.Participated.Households)
		}
		// A decision recorded at the office now is later than any paper the phone still holds.
		if _, err := w.svc.RecordSignOff(ctx, w.worker, w.roundID, w.ids["1-1-102"],
			SignOffInput{Decision: DecisionAgree, Channel: ChannelDoor, SignerName: "本人"}); err != nil {
			t.Fatal(err)
		}
		if r := w.sync(t, w.signOffRecord("1-1-102", DecisionDisagree, 60)).Results[0]; !r.Superseded {
			t.Fatalf("a phone record older than the office's decision must not overwrite it: %+v", r)
		}
	})
}

func TestSyncRejectsBadRecordsAndKeepsGoing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		w := newWorkersRound(t, db, oneUnit)
		good := w.signOffRecord("1-1-101", DecisionAgree, 10)
		outsider := w.signOffRecord("1-1-101", DecisionAgree, 11)
		outsider.HouseholdID = "00000000-0000-7000-8000-000000000000"
		badDecision := w.signOffRecord("1-1-102", "yes", 12)
		badID := w.signOffRecord("1-1-103", DecisionAgree, 13)
		badID.ClientID = "not-a-uuid"
		future := w.signOffRecord("1-1-104", DecisionAgree, 2*24*60)
		beforeOpen := w.signOffRecord("1-1-105", DecisionAgree, -10)
		noTime := w.signOffRecord("1-1-106", DecisionAgree, 0)
		noTime.RecordedAt = time.Time{} // the client sent no valid time
		badType := w.signOffRecord("1-1-106", DecisionAgree, 14)
		badType.Type = "vote"
		nothingToWithdraw := SyncRecordInput{ClientID: uuid.NewString(), Type: SyncWithdraw, HouseholdID: w.ids["1-1-106"], RecordedAt: w.at(15)}
		outsiderAgain := outsider
		report := w.sync(t, good, outsider, badDecision, badID, future, beforeOpen, noTime, badType, nothingToWithdraw, outsiderAgain)
		want := []struct{ status, code, field string }{
			{SyncApplied, "", ""},
			{SyncRejected, "household_not_in_round", ""},
			{SyncRejected, "validation_failed", "decision"},
			{SyncRejected, "validation_failed", "client_id"},
			{SyncRejected, "validation_failed", "recorded_at"},
			{SyncRejected, "validation_failed", "recorded_at"},
			{SyncRejected, "validation_failed", "recorded_at"},
			{SyncRejected, "validation_failed", "type"},
			{SyncRejected, "signoff_not_found", ""},
			{SyncRejected, "household_not_in_round", ""}, // a repeat of a rejected record is rejected too
		}
		for i, wnt := range want {
			r := report.Results[i]
			code, field := "", ""
			if r.Error != nil {
				code = r.Error.Code
				if wnt.field != "" && r.Error.Fields[wnt.field] != "" {
					field = wnt.field
				}
			}
			if r.Status != wnt.status || code != wnt.code || field != wnt.field {
				t.Errorf("result %d = %+v, want %s %s %s", i, r, wnt.status, wnt.code, wnt.field)
			}
		}
		// A rejected record is not remembered: once fixed, the same id applies.
		badDecision.SignOff.Decision = DecisionDisagree
		if r := w.sync(t, badDecision).Results[0]; r.Status != SyncApplied {
			t.Fatalf("fixed record = %+v, want applied", r)
		}
		// Records for a closed round are rejected.
		if _, err := w.svc.CloseRound(ctx, SystemActor(), w.roundID); err != nil {
			t.Fatal(err)
		}
		late := w.sync(t, w.signOffRecord("1-1-103", DecisionAgree, 20), w.visitRecord("1-1-104", VisitConsulted, 21))
		for i, r := range late.Results {
			if r.Status != SyncRejected || r.Error.Code != "round_not_open" {
				t.Errorf("closed round result %d = %+v, want round_not_open", i, r)
			}
		}
		// ... but an already applied record is still answered as a duplicate.
		if r := w.sync(t, good).Results[0]; r.Status != SyncDuplicate {
			t.Errorf("resent applied record after close = %+v, want duplicate", r)
		}
		if _, err := w.svc.SyncRecords(ctx, w.worker, w.roundID, nil); codeOf(err) != "validation_failed" {
			t.Errorf("empty batch: %v", err)
		}
		if _, err := w.svc.SyncRecords(ctx, w.worker, "no-such-round", []SyncRecordInput{good}); codeOf(err) != "round_not_found" {
			t.Errorf("unknown round: %v", err)
		}
	})
}

func TestSyncLargeBatchAcrossChunks(t *testing.T) {
	testdb.EachInTurn(t, func(t *testing.T, db *model.DB) { // in turn: it changes syncChunkSize
		w := newWorkersRound(t, db, []unitLayout{{"1", "1", 30}, {"2", "1", 30}})
		defer func(size int) { syncChunkSize = size }(syncChunkSize)
		syncChunkSize = 7
		var records []SyncRecordInput
		for i := 0; i < 60; i++ {
			building := "1"
			if i >= 30 {
				building = "2"
			}
			address := fmt.Sprintf("%s-1-%d", building, 101+i%30)
			records = append(records, w.signOffRecord(address, decisions[i%3], 100-i)) // newest first
			records = append(records, w.signOffRecord(address, DecisionAgree, 200+i))  // then changed to agree
		}
		report := w.sync(t, records...)
		if report.Applied != 120 {
			t.Fatalf("applied %d of 120", report.Applied)
		}
		tally := w.tally(t)
		if tally.Decisions[DecisionAgree].Households != 60 || tally.Participated.Households != 60 {
			t.Fatalf("every household ends at agree: %+v", tally.Decisions)
		}
	})
}

func TestSyncSameBatchTwiceAtOnceAppliesOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newWorkersRound(t, db, []unitLayout{{"1", "1", 20}})
		var records []SyncRecordInput
		for i := 1; i <= 20; i++ {
			records = append(records, w.signOffRecord(fmt.Sprintf("1-1-%d", 100+i), DecisionAgree, i))
		}
		reports := make([]*SyncReport, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for k := range reports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				batch := append([]SyncRecordInput(nil), records...) // a phone retrying on a second connection
				reports[k], errs[k] = w.svc.SyncRecords(context.Background(), w.worker, w.roundID, batch)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if applied := reports[0].Applied + reports[1].Applied; applied != 20 || reports[0].Duplicates+reports[1].Duplicates != 20 {
			t.Fatalf("applied %d+%d, duplicates %d+%d; want each record applied once", reports[0].Applied, reports[1].Applied,
				reports[0].Duplicates, reports[1].Duplicates)
		}
		var events int64
		db.Gorm.Model(&model.SignOffEvent{}).Where("round_id = ?", w.roundID).Count(&events)
		if events != 20 {
			t.Fatalf("%d history entries, want 20", events)
		}
		if tally := w.tally(t); tally.Decisions[DecisionAgree].Households != 20 {
			t.Fatalf("agree = %d, want 20", tally.Decisions[DecisionAgree].Households)
		}
	})
}
