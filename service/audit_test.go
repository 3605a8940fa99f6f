package service

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/store"
)

// verifyClean verifies every chain and fails on any break; it returns the report.
func verifyClean(t *testing.T, svc *Service) *AuditReport {
	t.Helper()
	report, err := svc.VerifyAudit(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Broken) > 0 {
		t.Fatalf("the untouched ledger does not verify: %+v", report.Broken)
	}
	return report
}

func TestAuditLedgerRecordsEveryWrite(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 6, 2, "")
		f.sign(t, 0, DecisionAgree)
		f.sign(t, 0, DecisionDisagree)
		if err := f.svc.WithdrawSignOff(ctx, f.worker, f.roundID, f.households[0]); err != nil {
			t.Fatal(err)
		}
		phone := "13812345678"
		if _, err := f.svc.UpdateHousehold(ctx, f.worker, f.households[1], HouseholdFields{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		events, next, err := f.svc.ListAuditEvents(ctx, SystemActor(), f.estateID, Page{Limit: 500})
		if err != nil || next != "" {
			t.Fatalf("list: %v (next %q)", err, next)
		}
		seen := map[string]int{}
		for _, e := range events {
			seen[e.Action]++
			if strings.Contains(e.BeforeSummary+e.AfterSummary, phone) {
				t.Fatalf("event %s keeps a phone number: %s / %s", e.Action, e.BeforeSummary, e.AfterSummary)
			}
			if e.EstateID != f.estateID || e.Hash == "" || e.ActorKind == "" {
				t.Fatalf("incomplete event: %+v", e)
			}
		}
		want := map[string]int{"estate.create": 1, "household.create": 6, "round.create": 1, "round.open": 1,
			"estate.assign_staff": 1, "signoff.record": 2, "signoff.withdraw": 1, "household.update": 1}
		for action, n := range want {
			if seen[action] != n {
				t.Errorf("%d events %s, want %d (all: %v)", seen[action], action, n, seen)
			}
		}
		var withdraw model.AuditEvent
		for _, e := range events {
			if e.Action == "signoff.withdraw" {
				withdraw = e
			}
		}
		if withdraw.ActorID != f.worker.ID || withdraw.ActorRole != RoleWorker ||
			withdraw.BeforeSummary != `{"decision":"disagree","version":2}` || !strings.Contains(withdraw.AfterSummary, `"decision":"withdrawn"`) {
			t.Fatalf("withdrawal event: %+v", withdraw)
		}
		report := verifyClean(t, f.svc)
		if report.Events < len(events) {
			t.Fatalf("verified %d events, the estate alone has %d", report.Events, len(events))
		}
		// Paging: two at a time reaches the same events.
		var paged int
		page := Page{Limit: 2}
		for {
			got, next, err := f.svc.ListAuditEvents(ctx, SystemActor(), f.estateID, page)
			if err != nil {
				t.Fatal(err)
			}
			paged += len(got)
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if paged != len(events) {
			t.Fatalf("paging saw %d events, want %d", paged, len(events))
		}
		// A worker may not read the ledger.
		if _, _, err := f.svc.ListAuditEvents(ctx, f.worker, f.estateID, Page{}); codeOf(err) != "forbidden" {
			t.Fatalf("worker reads the ledger: %v, want forbidden", err)
		}
	})
}

// tamper runs one statement directly against the database, as someone with
// database access would.
func tamper(t *testing.T, db *model.DB, sql string, args ...any) {
	t.Helper()
	res := db.Gorm.Exec(sql, args...)
	if res.Error != nil || res.RowsAffected != 1 {
		t.Fatalf("tamper %q: %v (%d rows)", sql, res.Error, res.RowsAffected)
	}
}

// signOffEvents returns the audit events of the sign-off of household i, in chain order.
func signOffEvents(t *testing.T, f *fixture, db *model.DB, i int) []model.AuditEvent {
	t.Helper()
	var signOff model.SignOff
	if err := db.Gorm.Where("round_id = ? AND household_id = ?", f.roundID, f.households[i]).Take(&signOff).Error; err != nil {
		t.Fatal(err)
	}
	var events []model.AuditEvent
	if err := db.Gorm.Where("object_id = ?", signOff.ID).Order("seq").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	return events
}

func TestAuditVerifyNamesTheFirstBrokenEvent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		break_ func(t *testing.T, db *model.DB, events []model.AuditEvent) string // returns the id verify must name
		reason string
	}{
		{"altered summary", func(t *testing.T, db *model.DB, events []model.AuditEvent) string {
			tamper(t, db, "UPDATE audit_events SET after_summary = ? WHERE id = ?", `{"decision":"agree"}`, events[1].ID)
			return events[1].ID
		}, "altered"},
		{"altered actor", func(t *testing.T, db *model.DB, events []model.AuditEvent) string {
			tamper(t, db, "UPDATE audit_events SET actor_id = ? WHERE id = ?", "someone-else", events[0].ID)
			return events[0].ID
		}, "altered"},
		{"recomputed hash", func(t *testing.T, db *model.DB, events []model.AuditEvent) string {
			e := events[0]
			e.AfterSummary = `{"decision":"agree"}`
			tamper(t, db, "UPDATE audit_events SET after_summary = ?, hash = ? WHERE id = ?", e.AfterSummary,
				chainHash(e.PrevHash, canonicalAuditEvent(&e)), e.ID)
			return events[1].ID // the next event's link no longer matches
		}, "previous hash"},
		{"deleted event", func(t *testing.T, db *model.DB, events []model.AuditEvent) string {
			tamper(t, db, "DELETE FROM audit_events WHERE id = ?", events[1].ID)
			return events[2].ID
		}, "missing"},
		{"deleted last event", func(t *testing.T, db *model.DB, events []model.AuditEvent) string {
			var last model.AuditEvent
			db.Gorm.Where("chain_id = ?", events[2].ChainID).Order("seq DESC").Take(&last)
			tamper(t, db, "DELETE FROM audit_events WHERE id = ?", last.ID)
			return ""
		}, "removed at the end"},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *model.DB) {
				f := newFixture(t, db, 3, 1, "")
				f.sign(t, 0, DecisionAgree)
				f.sign(t, 0, DecisionDisagree)
				f.sign(t, 0, DecisionAbstain)
				verifyClean(t, f.svc)
				events := signOffEvents(t, f, db, 0)
				if len(events) != 3 {
					t.Fatalf("%d events for the sign-off, want 3", len(events))
				}
				wantID := tc.break_(t, db, events)
				var estate model.Estate
				if err := db.Gorm.Where("id = ?", f.estateID).Take(&estate).Error; err != nil {
					t.Fatal(err)
				}
				report, err := f.svc.VerifyAudit(context.Background(), estate.Code)
				if err != nil {
					t.Fatal(err)
				}
				if len(report.Broken) != 1 {
					t.Fatalf("verify found %d broken chains, want 1: %+v", len(report.Broken), report.Broken)
				}
				got := report.Broken[0]
				if got.EventID != wantID || !strings.Contains(got.Reason, tc.reason) || got.ChainID != events[0].ChainID {
					t.Fatalf("verify reported %+v, want event %q with a reason about %q", got, wantID, tc.reason)
				}
			})
		})
	}
}

func TestAuditGuardRefusesUnauditedWrites(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		svc := newService(db)
		now := svc.Now()
		err := svc.inTx(context.Background(), SystemActor(), func(tx *store.Tx) error {
			return tx.Insert(&model.Estate{ID: newID(), Code: "forgot", Name: "x", CreatedAt: now, UpdatedAt: now})
		})
		if err == nil || !strings.Contains(err.Error(), "without an audit event") {
			t.Fatalf("an unaudited write committed: %v", err)
		}
		var n int64
		db.Gorm.Model(&model.Estate{}).Where("code = ?", "forgot").Count(&n)
		if n != 0 {
			t.Fatal("the unaudited write was committed")
		}
		// Raw statements are seen too.
		err = svc.inTx(context.Background(), SystemActor(), func(tx *store.Tx) error {
			_, err := tx.ExecBatch([]model.Statement{{SQL: "UPDATE users SET display_name = 'x' WHERE id <> ''"}})
			return err
		})
		if err != nil {
			t.Fatalf("an update of no rows is not a write: %v", err)
		}
	})
}

// TestAuditChainsUnderConcurrency signs many households at once (the chain
// heads are contended) and verifies every chain afterwards.
func TestAuditChainsUnderConcurrency(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 60, 3, "")
		var wg sync.WaitGroup
		errs := make(chan error, 240)
		for c := 0; c < 40; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := 0; i < 6; i++ {
					h := (c*7 + i) % len(f.households)
					_, err := f.svc.RecordSignOff(context.Background(), f.worker, f.roundID, f.households[h],
						SignOffInput{Decision: decisions[(c+i)%3], Channel: ChannelPaper, SignerName: fmt.Sprint(c)})
					if err != nil {
						errs <- err
					}
				}
			}(c)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		report := verifyClean(t, f.svc)
		var signOffEvents int64
		db.Gorm.Model(&model.AuditEvent{}).Where("action = ?", "signoff.record").Count(&signOffEvents)
		var history int64
		db.Gorm.Model(&model.SignOffEvent{}).Count(&history)
		if signOffEvents != history {
			t.Fatalf("%d sign-off audit events for %d history entries", signOffEvents, history)
		}
		t.Logf("%d chains, %d events verified", report.Chains, report.Events)
		f.tally(t)
	})
}

// TestNoCodeChangesAuditEvents reads every Go file of the module (tests
// aside) and fails on a statement that updates or deletes audit events.
func TestNoCodeChangesAuditEvents(t *testing.T) {
	t.Parallel()
	forbidden := regexp.MustCompile("(?i)(UPDATE\\s+`?audit_events|DELETE\\s+FROM\\s+`?audit_events|AuditEvent\\{\\}\\)\\.(Update|Delete|Save)|Delete\\(&model\\.AuditEvent|Save\\(&?model\\.AuditEvent)")
	var checked int
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		if loc := forbidden.FindIndex(src); loc != nil {
			t.Errorf("%s changes audit events: %q", path, src[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d Go files read: wrong directory?", checked)
	}
}
