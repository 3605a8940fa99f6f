package service

import (
	"context"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// bindResident logs a resident in and binds them to household i of the round's estate.
func (d *deadlineRound) bindResident(t *testing.T, openid string, i int) Actor {
	t.Helper()
	ctx := context.Background()
	resident := residentActor(t, d.svc, openid)
	code, err := d.svc.IssueBindingCode(ctx, d.worker, d.estateID, d.ids[i])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.RedeemBindingCode(ctx, resident, code.Code, ""); err != nil {
		t.Fatal(err)
	}
	return resident
}

// TestNoticePeriodMakesTheResultFinal walks the notice period (old code: a closed round
// stayed "closed" for ever and no one could object to its result): objections during the
// period from a resident and from a worker, none after it, none from outside the
// electorate; the round becomes final only once the period has ended and every objection
// is answered.
func TestNoticePeriodMakesTheResultFinal(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		notice := 3
		d := newDeadlineRound(t, db, 5, 1, RoundFields{NoticeDays: &notice})
		resident := d.bindResident(t, "o-notice-resident", 0)
		outsider := d.bindResident(t, "o-notice-outsider", 4) // household 4 is not eligible
		_, err := d.svc.FileResultObjection(ctx, resident, d.roundID, ResultObjectionInput{Text: "还没结束"})
		wantCode(t, "objection while open", err, "round_not_closed")

		d.clock.set(d.closesAt.Add(24 * time.Hour))
		if n, err := d.svc.CloseDueRounds(ctx); err != nil || n != 1 {
			t.Fatalf("CloseDueRounds = %d, %v", n, err)
		}
		closedAt := d.clock.Now()
		mine, err := d.svc.FileResultObjection(ctx, resident, d.roundID, ResultObjectionInput{Text: "统计漏了我家的纸质签字"})
		if err != nil {
			t.Fatal(err)
		}
		byWorker, err := d.svc.FileResultObjection(ctx, d.worker, d.roundID, ResultObjectionInput{Text: "住户口头异议，代为提交", HouseholdID: d.ids[2]})
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.svc.FileResultObjection(ctx, d.worker, d.roundID, ResultObjectionInput{Text: "无户号"})
		wantCode(t, "a worker without household_id", err, "validation_failed")
		_, err = d.svc.FileResultObjection(ctx, outsider, d.roundID, ResultObjectionInput{Text: "我也要异议"})
		wantCode(t, "a resident outside the electorate", err, "household_not_in_round")
		_, err = d.svc.FileResultObjection(ctx, resident, d.roundID, ResultObjectionInput{Text: "别家", HouseholdID: d.ids[1]})
		wantCode(t, "a resident for another household", err, "household_not_in_round")

		own, err := d.svc.ListResultObjections(ctx, resident, d.roundID)
		if err != nil || len(own) != 1 || own[0].ID != mine.ID {
			t.Errorf("the resident's list = %+v, %v; want only their own", own, err)
		}
		all, err := d.svc.ListResultObjections(ctx, d.worker, d.roundID)
		if err != nil || len(all) != 2 {
			t.Errorf("the worker's list = %d, %v; want 2", len(all), err)
		}

		d.clock.set(closedAt.Add(3 * 24 * time.Hour)) // the period ends
		_, err = d.svc.FileResultObjection(ctx, resident, d.roundID, ResultObjectionInput{Text: "晚了"})
		wantCode(t, "objection after the period", err, "notice_period_over")
		if n, err := d.svc.FinalizeDueRounds(ctx); err != nil || n != 0 {
			t.Fatalf("finalized %d, %v with objections unanswered", n, err)
		}
		_, err = d.svc.ResolveResultObjection(ctx, d.worker, mine.ID, ResultObjectionRejected, "已核对")
		wantCode(t, "a worker answering", err, "forbidden")
		for _, o := range []string{mine.ID, byWorker.ID} {
			if _, err := d.svc.ResolveResultObjection(ctx, SystemActor(), o, ResultObjectionRejected, "经核对纸质表，统计无误"); err != nil {
				t.Fatal(err)
			}
		}
		_, err = d.svc.ResolveResultObjection(ctx, SystemActor(), mine.ID, ResultObjectionUpheld, "改判")
		wantCode(t, "answering twice", err, "result_objection_resolved")
		other := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, d.clock)
		n1, err1 := d.svc.FinalizeDueRounds(ctx)
		n2, err2 := other.FinalizeDueRounds(ctx)
		if err1 != nil || err2 != nil || n1+n2 != 1 {
			t.Fatalf("finalized %d + %d (%v, %v), want once", n1, n2, err1, err2)
		}
		if r := d.round(t); r.Status != RoundFinal || r.FinalizedAt == nil {
			t.Errorf("round = %s, finalized %v; want final", r.Status, r.FinalizedAt)
		}
	})
}

// TestUpheldObjectionVoidsTheRound: an admin upholding a result objection voids the round at once.
func TestUpheldObjectionVoidsTheRound(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		d := newDeadlineRound(t, db, 3, 0, RoundFields{})
		if _, err := d.svc.CloseRoundWithReason(ctx, SystemActor(), d.roundID, "测试提前结束"); err != nil {
			t.Fatal(err)
		}
		o, err := d.svc.FileResultObjection(ctx, d.worker, d.roundID, ResultObjectionInput{Text: "签字人并非业主本人", HouseholdID: d.ids[1]})
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.svc.ResolveResultObjection(ctx, SystemActor(), o.ID, "maybe", "")
		wantCode(t, "a bad resolution", err, "validation_failed")
		if _, err := d.svc.ResolveResultObjection(ctx, SystemActor(), o.ID, ResultObjectionUpheld, "核实签字人非业主，本轮结果作废"); err != nil {
			t.Fatal(err)
		}
		if r := d.round(t); r.Status != RoundVoided || r.FinalizedAt == nil {
			t.Errorf("round = %s; want voided", r.Status)
		}
		d.clock.set(d.clock.Now().Add(30 * 24 * time.Hour))
		if n, err := d.svc.FinalizeDueRounds(ctx); err != nil || n != 0 {
			t.Errorf("a voided round was finalized: %d, %v", n, err)
		}
		tally, err := d.svc.GetTally(ctx, SystemActor(), d.roundID, false)
		if err != nil || tally.Status != RoundClosed {
			t.Errorf("the voided round's frozen result: %+v, %v", tally, err)
		}
	})
}
