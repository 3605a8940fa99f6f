package service

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"minyi/model"
	"minyi/model/testdb"
)

// checkSyncWrites asserts what a chunk's batched write must leave: counters
// equal to a recount (w.tally), audit chains that verify, and the estate's
// audit events counted by action.
func checkSyncWrites(t *testing.T, db *model.DB, w *workersRound, actions map[string]int64) {
	t.Helper()
	w.tally(t)
	var code string
	if err := db.Gorm.Model(&model.Estate{}).Where("id = ?", w.estateID).Pluck("code", &code).Error; err != nil {
		t.Fatal(err)
	}
	report, err := w.svc.VerifyAudit(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Broken) != 0 {
		t.Fatalf("audit chains broken: %+v", report.Broken)
	}
	for action, want := range actions {
		var n int64
		if err := db.Gorm.Model(&model.AuditEvent{}).Where("estate_id = ? AND action = ?", w.estateID, action).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%d audit events %s, want %d", n, action, want)
		}
	}
}

// TestSyncMixedChunkWritesEachRecord sends one chunk with visits, sign-offs
// changed twice, a withdrawal, a superseded record, the same decision again,
// rejected records and duplicates, and checks every row the batched write
// leaves: results, sign-offs with their device times, history, visits,
// remembered records, counters against a recount and the audit chains.
func TestSyncMixedChunkWritesEachRecord(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		w := newWorkersRound(t, db, []unitLayout{{"1", "1", 6}})
		earlierAgree := w.signOffRecord("1-1-102", DecisionAgree, 50)
		sameAgain := w.signOffRecord("1-1-105", DecisionAgree, 10)
		if r := w.sync(t, earlierAgree, sameAgain); r.Applied != 2 {
			t.Fatalf("first batch = %+v", r.Results)
		}

		agree101 := w.signOffRecord("1-1-101", DecisionAgree, 10)
		abstain101 := w.signOffRecord("1-1-101", DecisionAbstain, 15)
		disagree101 := w.signOffRecord("1-1-101", DecisionDisagree, 20)
		visit101 := w.visitRecord("1-1-101", VisitConsulted, 9)
		visitAgain101 := w.visitRecord("1-1-101", VisitRefused, 21)
		visit102 := w.visitRecord("1-1-102", VisitNotHome, 8)
		stale102 := w.signOffRecord("1-1-102", DecisionDisagree, 40) // older than the first batch's agree at 50
		agree103 := w.signOffRecord("1-1-103", DecisionAgree, 10)
		withdraw103 := SyncRecordInput{ClientID: uuid.NewString(), Type: SyncWithdraw, HouseholdID: w.ids["1-1-103"], RecordedAt: w.at(30)}
		nothingToWithdraw := SyncRecordInput{ClientID: uuid.NewString(), Type: SyncWithdraw, HouseholdID: w.ids["1-1-104"], RecordedAt: w.at(30)}
		outsider := w.signOffRecord("1-1-104", DecisionAgree, 11)
		outsider.HouseholdID = uuid.NewString()
		unchanged105 := w.signOffRecord("1-1-105", DecisionAgree, 60) // the same decision, fields and all
		repeated := agree103                                          // sent twice in the batch
		records := []SyncRecordInput{disagree101, agree101, visit101, abstain101, visitAgain101, visit102, stale102,
			withdraw103, agree103, nothingToWithdraw, outsider, unchanged105, earlierAgree, repeated}
		report := w.sync(t, append([]SyncRecordInput(nil), records...)...) // validation rewrites records: keep these for the resend
		want := []struct {
			status, decision string
			version          int
			superseded       bool
			code             string
		}{
			{SyncApplied, DecisionDisagree, 3, false, ""},
			{SyncApplied, DecisionAgree, 1, false, ""},
			{SyncApplied, "", 0, false, ""},
			{SyncApplied, DecisionAbstain, 2, false, ""},
			{SyncApplied, "", 0, false, ""},
			{SyncApplied, "", 0, false, ""},
			{SyncApplied, DecisionAgree, 1, true, ""},
			{SyncApplied, DecisionWithdrawn, 2, false, ""},
			{SyncApplied, DecisionAgree, 1, false, ""},
			{SyncRejected, "", 0, false, "signoff_not_found"},
			{SyncRejected, "", 0, false, "household_not_in_round"},
			{SyncApplied, DecisionAgree, 1, false, ""},
			{SyncDuplicate, DecisionAgree, 1, false, ""},
			{SyncDuplicate, DecisionAgree, 1, false, ""},
		}
		for i, wnt := range want {
			r := report.Results[i]
			decision, version, code := "", 0, ""
			if r.SignOff != nil {
				decision, version = r.SignOff.Decision, r.SignOff.Version
			}
			if r.Error != nil {
				code = r.Error.Code
			}
			if r.Status != wnt.status || decision != wnt.decision || version != wnt.version || r.Superseded != wnt.superseded || code != wnt.code {
				t.Errorf("result %d = %+v (signoff %+v), want %+v", i, r, r.SignOff, wnt)
			}
			if records[i].Type == SyncVisit && r.VisitID == "" {
				t.Errorf("visit result %d has no visit id", i)
			}
		}
		if report.Applied != 10 || report.Duplicates != 2 || report.Rejected != 2 {
			t.Fatalf("counts = %d applied, %d duplicates, %d rejected", report.Applied, report.Duplicates, report.Rejected)
		}

		// The sign-offs carry the device time of the record that changed them last.
		wantSignOffs := map[string]struct {
			decision string
			version  int
			minutes  int
			channel  string
		}{
			"1-1-101": {DecisionDisagree, 3, 20, ChannelPaper}, "1-1-102": {DecisionAgree, 1, 50, ChannelPaper},
			"1-1-103": {DecisionWithdrawn, 2, 30, ChannelSync}, "1-1-105": {DecisionAgree, 1, 10, ChannelPaper},
		}
		var rows []model.SignOff
		if err := db.Gorm.Where("round_id = ?", w.roundID).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(wantSignOffs) {
			t.Fatalf("%d sign-offs, want %d", len(rows), len(wantSignOffs))
		}
		for address, wnt := range wantSignOffs {
			var found bool
			for _, so := range rows {
				if so.HouseholdID != w.ids[address] {
					continue
				}
				found = true
				if so.Decision != wnt.decision || so.Version != wnt.version || !so.RecordedAt.Equal(w.at(wnt.minutes)) ||
					so.Building != "1" || so.Channel != wnt.channel {
					t.Errorf("%s = %s v%d at %v via %s, want %s v%d at %v via %s", address, so.Decision, so.Version,
						so.RecordedAt, so.Channel, wnt.decision, wnt.version, w.at(wnt.minutes), wnt.channel)
				}
			}
			if !found {
				t.Errorf("%s has no sign-off", address)
			}
		}

		// One history row per change and one for the superseded record, in order.
		type entry struct {
			version         int
			old, new, reqID string
		}
		wantHistory := map[string][]entry{
			"1-1-101": {{1, "", DecisionAgree, "sync:" + agree101.ClientID}, {2, DecisionAgree, DecisionAbstain, "sync:" + abstain101.ClientID},
				{3, DecisionAbstain, DecisionDisagree, "sync:" + disagree101.ClientID}},
			"1-1-102": {{1, "", DecisionAgree, "sync:" + earlierAgree.ClientID}, {1, DecisionAgree, DecisionDisagree, "sync-superseded:" + stale102.ClientID}},
			"1-1-103": {{1, "", DecisionAgree, "sync:" + agree103.ClientID}, {2, DecisionAgree, DecisionWithdrawn, "sync:" + withdraw103.ClientID}},
			"1-1-105": {{1, "", DecisionAgree, "sync:" + sameAgain.ClientID}},
		}
		for address, wnt := range wantHistory {
			history, err := w.svc.SignOffHistory(ctx, SystemActor(), w.roundID, w.ids[address])
			if err != nil {
				t.Fatal(err)
			}
			if len(history) != len(wnt) {
				t.Errorf("%s has %d history rows, want %d: %+v", address, len(history), len(wnt), history)
				continue
			}
			for i, e := range history {
				got := entry{e.Version, e.OldDecision, e.NewDecision, e.RequestID}
				if got != wnt[i] || e.ActorID != w.worker.ID || e.ActorRole != RoleWorker {
					t.Errorf("%s history[%d] = %+v by %s, want %+v by the worker", address, i, got, e.ActorID, wnt[i])
				}
			}
		}

		// Visits at their device times, through the sync channel.
		var visits []model.Visit
		if err := db.Gorm.Where("round_id = ?", w.roundID).Order("visited_at").Find(&visits).Error; err != nil {
			t.Fatal(err)
		}
		wantVisits := []struct {
			address, outcome string
			minutes          int
			clientID         string
		}{{"1-1-102", VisitNotHome, 8, visit102.ClientID}, {"1-1-101", VisitConsulted, 9, visit101.ClientID},
			{"1-1-101", VisitRefused, 21, visitAgain101.ClientID}}
		if len(visits) != len(wantVisits) {
			t.Fatalf("%d visits, want %d", len(visits), len(wantVisits))
		}
		for i, v := range visits {
			wnt := wantVisits[i]
			if v.HouseholdID != w.ids[wnt.address] || v.Outcome != wnt.outcome || !v.VisitedAt.Equal(w.at(wnt.minutes)) ||
				v.Channel != ChannelSync || v.RequestID != "sync:"+wnt.clientID || v.ActorID != w.worker.ID || v.Note != "上门" {
				t.Errorf("visit %d = %+v, want %s %s at %v", i, v, wnt.address, wnt.outcome, w.at(wnt.minutes))
			}
		}

		// Applied records are remembered (2 before, 10 now); rejected ones are not.
		var remembered int64
		if err := db.Gorm.Model(&model.SyncRecord{}).Where("round_id = ?", w.roundID).Count(&remembered).Error; err != nil {
			t.Fatal(err)
		}
		if remembered != 12 {
			t.Errorf("%d remembered records, want 12", remembered)
		}
		tally := w.tally(t)
		if tally.Decisions[DecisionAgree].Households != 2 || tally.Decisions[DecisionDisagree].Households != 1 ||
			tally.Decisions[DecisionAbstain].Households != 0 || tally.Participated.Households != 3 {
			t.Errorf("tally = %+v, want agree 2 (102, 105), disagree 1 (101)", tally.Decisions)
		}
		checkSyncWrites(t, db, w, map[string]int64{"visit.record": 3, "signoff.record": 6, "signoff.withdraw": 1,
			"signoff.sync_superseded": 1})

		// The whole batch again: every applied record a duplicate, nothing written.
		again := w.sync(t, records...)
		if again.Applied != 0 || again.Duplicates != 12 || again.Rejected != 2 {
			t.Fatalf("resent: %d applied, %d duplicates, %d rejected: %+v", again.Applied, again.Duplicates, again.Rejected, again.Results)
		}
		checkSyncWrites(t, db, w, map[string]int64{"visit.record": 3, "signoff.record": 6, "signoff.withdraw": 1,
			"signoff.sync_superseded": 1})
	})
}

// TestSyncConcurrentWithStaffSignOffs runs offline batches of small chunks
// and staff sign-offs on the same households at once: every request
// succeeds (lost races are retried), the counters equal a recount, the audit
// chains verify and each household's versions have a history row each.
func TestSyncConcurrentWithStaffSignOffs(t *testing.T) {
	testdb.EachInTurn(t, func(t *testing.T, db *model.DB) { // in turn: it changes syncChunkSize
		ctx := context.Background()
		w := newWorkersRound(t, db, []unitLayout{{"1", "1", 20}, {"2", "1", 20}})
		defer func(size int) { syncChunkSize = size }(syncChunkSize)
		syncChunkSize = 10
		var addresses []string
		for address := range w.ids {
			addresses = append(addresses, address)
		}
		const phones, staff = 4, 40
		var wg sync.WaitGroup
		errs := make(chan error, phones+staff)
		for p := 0; p < phones; p++ {
			var records []SyncRecordInput
			for i, address := range addresses {
				records = append(records, w.signOffRecord(address, decisions[(i+p)%3], 10*p+i%7))
				if i%5 == p {
					records = append(records, w.visitRecord(address, VisitConsulted, 10*p))
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				report, err := w.svc.SyncRecords(ctx, w.worker, w.roundID, records)
				if err == nil && report.Rejected != 0 {
					err = fmt.Errorf("%d records rejected: %+v", report.Rejected, report.Results)
				}
				errs <- err
			}()
		}
		for i := 0; i < staff; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.svc.RecordSignOff(ctx, w.worker, w.roundID, w.ids[addresses[i]],
					SignOffInput{Decision: decisions[i%3], Channel: ChannelDoor, SignerName: "本人"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var signOffs []model.SignOff
		if err := db.Gorm.Where("round_id = ?", w.roundID).Find(&signOffs).Error; err != nil {
			t.Fatal(err)
		}
		if len(signOffs) != len(addresses) {
			t.Fatalf("%d sign-offs, want %d", len(signOffs), len(addresses))
		}
		var versions, changes int64
		for _, so := range signOffs {
			versions += int64(so.Version)
		}
		if err := db.Gorm.Model(&model.SignOffEvent{}).Where("round_id = ? AND request_id NOT LIKE ?", w.roundID, "sync-superseded:%").
			Count(&changes).Error; err != nil {
			t.Fatal(err)
		}
		if changes != versions {
			t.Errorf("%d history rows of changes, want %d (the sum of the versions)", changes, versions)
		}
		checkSyncWrites(t, db, w, nil)
	})
}
