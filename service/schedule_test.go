package service

import (
	"context"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// waitForStatus polls the round until it has the status; it gives up (and fails) after
// a generous limit, so a scheduler that never acts fails the test instead of hanging it.
func waitForStatus(t *testing.T, db *model.DB, roundID, status string) {
	t.Helper()
	limit := time.Now().Add(30 * time.Second)
	for {
		var round model.Round
		if err := db.Gorm.Select("status").Where("id = ?", roundID).Take(&round).Error; err != nil {
			t.Fatal(err)
		}
		if round.Status == status {
			return
		}
		if time.Now().After(limit) {
			t.Fatalf("the round is still %s, never became %s", round.Status, status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countAudit(t *testing.T, db *model.DB, roundID, action string) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm.Model(&model.AuditEvent{}).Where("object_id = ? AND action = ?", roundID, action).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTwoSchedulersOnOneDatabase runs the scheduler loop of two service instances (as two
// `minyi serve` processes would) against one database: when the clock passes the deadline
// plus the late period the round is closed exactly once, and when it passes the end of
// the notice period the result becomes final exactly once.
func TestTwoSchedulersOnOneDatabase(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		zero := 0
		d := newDeadlineRound(t, db, 3, 0, RoundFields{LateSyncHours: &zero, NoticeDays: &zero})
		if err := d.sign(0, DecisionAgree); err != nil {
			t.Fatal(err)
		}
		other := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, d.clock)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{}, 2)
		for _, svc := range []*Service{d.svc, other} {
			go func() {
				svc.RunScheduler(ctx, 2*time.Millisecond, svc.ScheduledJobs())
				done <- struct{}{}
			}()
		}
		defer func() { stop(); <-done; <-done }()

		d.clock.set(d.closesAt) // late_sync_hours 0: due now; notice_days 0: final at once
		waitForStatus(t, db, d.roundID, RoundFinal)
		if c, f := countAudit(t, db, d.roundID, "round.close"), countAudit(t, db, d.roundID, "round.final"); c != 1 || f != 1 {
			t.Errorf("%d close and %d final events, want exactly one each", c, f)
		}
	})
}
