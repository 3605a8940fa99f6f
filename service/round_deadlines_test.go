package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service/rule"
)

// deadlineRound is an estate of `households` households (the last `ineligible` of them
// not eligible), a pinned clock, a worker, and a round with a deadline.
type deadlineRound struct {
	svc      *Service
	clock    *pinnedClock
	estateID string
	roundID  string
	ids      []string
	opened   time.Time
	closesAt time.Time
	worker   Actor
}

var deadlineStart = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)

// newDeadlineRound creates the round with the given fields added (closes_at is opened + 48 h)
// and opens it unless fields.Title is "draft".
func newDeadlineRound(tb testing.TB, db *model.DB, households, ineligible int, fields RoundFields) *deadlineRound {
	tb.Helper()
	ctx := context.Background()
	clock := &pinnedClock{now: deadlineStart}
	svc := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)
	system := SystemActor()
	d := &deadlineRound{svc: svc, clock: clock, opened: deadlineStart, closesAt: deadlineStart.Add(48 * time.Hour)}
	d.estateID = newEmptyEstate(tb, svc)
	var items []HouseholdFields
	for i := range households {
		b, u, r := "1", "1", fmt.Sprint(101+i)
		area := int64(8000 + 100*i)
		eligible := i < households-ineligible
		items = append(items, HouseholdFields{Building: &b, Unit: &u, Room: &r, AreaHundredths: &area, Eligible: &eligible})
	}
	created, err := svc.CreateHouseholds(ctx, system, d.estateID, items)
	if err != nil {
		tb.Fatal(err)
	}
	for _, h := range created {
		d.ids = append(d.ids, h.ID)
	}
	title, kind := "加装电梯", KindWillingness
	if fields.Title == nil {
		fields.Title = &title
	}
	fields.Kind = &kind
	if fields.ClosesAt == nil {
		fields.ClosesAt = &d.closesAt
	}
	round, err := svc.CreateRound(ctx, system, d.estateID, fields)
	if err != nil {
		tb.Fatal(err)
	}
	d.roundID = round.ID
	user, err := svc.CreateUser(ctx, system, NewUser{Username: "w-" + uuid.NewString()[:8], Password: "worker-password", Role: RoleWorker})
	if err != nil {
		tb.Fatal(err)
	}
	if err := svc.AssignStaff(ctx, system, d.estateID, user.ID, RoleWorker); err != nil {
		tb.Fatal(err)
	}
	d.worker = Actor{Kind: ActorUser, ID: user.ID, Role: RoleWorker, Channel: ChannelAPI}
	if *fields.Title != "draft" {
		if _, err := svc.OpenRound(ctx, system, round.ID, false); err != nil {
			tb.Fatal(err)
		}
	}
	return d
}

func (d *deadlineRound) sign(i int, decision string) error {
	_, err := d.svc.RecordSignOff(context.Background(), d.worker, d.roundID, d.ids[i],
		SignOffInput{Decision: decision, Channel: ChannelPaper, SignerName: "户主"})
	return err
}

func (d *deadlineRound) round(tb testing.TB) *RoundView {
	tb.Helper()
	r, err := d.svc.GetRound(context.Background(), SystemActor(), d.roundID)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// wantCode fails unless err is a service error with the code.
func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	var se *Error
	if !errors.As(err, &se) || se.Code != code {
		tb.Errorf("%s: error %v, want %s", what, err, code)
	}
}

// TestDeadlineRefusesLateWrites: after closes_at a sign-off, a withdrawal and a visit are
// refused with round_past_deadline (old code: accepted); a paper record synced within the
// late period is applied when its own time is before the deadline, refused otherwise.
func TestDeadlineRefusesLateWrites(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		d := newDeadlineRound(t, db, 5, 0, RoundFields{})
		if err := d.sign(0, DecisionAgree); err != nil {
			t.Fatal(err)
		}
		d.clock.set(d.closesAt) // exactly at the deadline: too late
		wantCode(t, "sign-off at the deadline", d.sign(1, DecisionAgree), "round_past_deadline")
		wantCode(t, "withdrawal after the deadline", d.svc.WithdrawSignOff(ctx, d.worker, d.roundID, d.ids[0]), "round_past_deadline")
		_, err := d.svc.RecordVisit(ctx, d.worker, d.roundID, VisitInput{HouseholdID: d.ids[2], Outcome: "not_home"})
		wantCode(t, "visit after the deadline", err, "round_past_deadline")

		d.clock.set(d.closesAt.Add(23 * time.Hour))
		report, err := d.svc.SyncRecords(ctx, d.worker, d.roundID, []SyncRecordInput{
			{ClientID: uuid.NewString(), Type: SyncSignOff, HouseholdID: d.ids[3], RecordedAt: d.closesAt.Add(-time.Minute),
				SignOff: SignOffInput{Decision: DecisionDisagree, Channel: ChannelPaper, SignerName: "户主"}},
			{ClientID: uuid.NewString(), Type: SyncSignOff, HouseholdID: d.ids[4], RecordedAt: d.closesAt.Add(time.Minute),
				SignOff: SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "户主"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if report.Results[0].Status != SyncApplied || report.Results[1].Status != SyncRejected ||
			report.Results[1].Error == nil || report.Results[1].Error.Code != "round_past_deadline" {
			t.Errorf("late sync = %+v; want the record dated before the deadline applied, the other refused", report.Results)
		}

		d.clock.set(d.closesAt.Add(24 * time.Hour)) // the late period is over
		report, err = d.svc.SyncRecords(ctx, d.worker, d.roundID, []SyncRecordInput{
			{ClientID: uuid.NewString(), Type: SyncSignOff, HouseholdID: d.ids[1], RecordedAt: d.closesAt.Add(-time.Hour),
				SignOff: SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "户主"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if report.Rejected != 1 || report.Results[0].Error.Code != "round_past_deadline" {
			t.Errorf("sync after the late period = %+v, want round_past_deadline", report.Results)
		}
		tally, err := d.svc.GetTally(ctx, SystemActor(), d.roundID, true)
		if err != nil {
			t.Fatal(err)
		}
		if tally.Participated.Households != 2 || !tally.Recount.Matches {
			t.Errorf("participated = %d (recount %+v), want 2: only the early sign-off and the paper record before the deadline", tally.Participated.Households, tally.Recount)
		}
	})
}

// TestRoundClosesByItselfExactlyOnce runs the closing job of two service instances on one
// database at the same moment, several times: the round closes once, with one audit event,
// at closes_at + late_sync_hours and not a moment before.
func TestRoundClosesByItselfExactlyOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		late := 2
		d := newDeadlineRound(t, db, 4, 0, RoundFields{LateSyncHours: &late})
		if err := d.sign(0, DecisionAgree); err != nil {
			t.Fatal(err)
		}
		other := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, d.clock)
		d.clock.set(d.closesAt.Add(2*time.Hour - time.Millisecond))
		if n, err := d.svc.CloseDueRounds(ctx); err != nil || n != 0 {
			t.Fatalf("before closes_at + late_sync_hours: closed %d, %v", n, err)
		}
		d.clock.set(d.closesAt.Add(2 * time.Hour))
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, svc := range []*Service{d.svc, other, d.svc, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := svc.CloseDueRounds(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 1 {
			t.Errorf("the round was closed %d times, want exactly once", total)
		}
		r := d.round(t)
		wantEnds := d.closesAt.Add(2*time.Hour + 7*24*time.Hour)
		if r.Status != RoundClosed || r.NoticeEndsAt == nil || !r.NoticeEndsAt.Equal(wantEnds) || r.CloseReason != "" {
			t.Errorf("round = status %s notice_ends_at %v reason %q; want closed, notice ends %v", r.Status, r.NoticeEndsAt, r.CloseReason, wantEnds)
		}
		var closes int64
		if err := db.Gorm.Model(&model.AuditEvent{}).Where("object_id = ? AND action = ?", d.roundID, "round.close").Count(&closes).Error; err != nil {
			t.Fatal(err)
		}
		if closes != 1 {
			t.Errorf("%d round.close audit events, want 1", closes)
		}
	})
}

// TestEarlyCloseNeedsAReasonFromAnAdmin: before closes_at only an admin closes, with a reason.
func TestEarlyCloseNeedsAReasonFromAnAdmin(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		d := newDeadlineRound(t, db, 3, 0, RoundFields{})
		_, err := d.svc.CloseRoundWithReason(ctx, d.worker, d.roundID, "想提前结束")
		wantCode(t, "a worker closing", err, "forbidden")
		_, err = d.svc.CloseRoundWithReason(ctx, SystemActor(), d.roundID, "  ")
		wantCode(t, "an early close without a reason", err, "reason_required")
		if r := d.round(t); r.Status != RoundOpen {
			t.Fatalf("a refused close changed the round: %s", r.Status)
		}
		r, err := d.svc.CloseRoundWithReason(ctx, SystemActor(), d.roundID, "规划调整，本轮作废重来")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != RoundClosed || r.CloseReason != "规划调整，本轮作废重来" {
			t.Errorf("closed round = %s, reason %q", r.Status, r.CloseReason)
		}
		var events []model.AuditEvent
		if err := db.Gorm.Where("object_id = ? AND action = ?", d.roundID, "round.close").Find(&events).Error; err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 {
			t.Fatalf("%d close events", len(events))
		}
	})
}

// TestWorkersDraftWithPresetsOnly: a worker may create and edit a draft with a preset, but
// not set a custom rule, edit an admin's custom draft, or open the round (old code: all allowed).
func TestWorkersDraftWithPresetsOnly(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		draft := "draft"
		d := newDeadlineRound(t, db, 3, 0, RoundFields{Title: &draft})
		title, kind := "第二轮", KindPlan
		custom := &rule.Spec{Preset: rule.PresetCustom, Checks: []rule.CheckSpec{
			{Measure: "households", Base: "electorate", Of: "agree", Ratio: "1%"}}}
		_, err := d.svc.CreateRound(ctx, d.worker, d.estateID, RoundFields{Title: &title, Kind: &kind, Rule: custom})
		wantCode(t, "a worker's custom rule", err, "custom_rule_admin_only")
		_, err = d.svc.UpdateRound(ctx, d.worker, d.roundID, RoundFields{Rule: custom})
		wantCode(t, "a worker's custom rule on update", err, "custom_rule_admin_only")
		preset := &rule.Spec{Preset: rule.PresetCivilCodeMajor}
		r, err := d.svc.CreateRound(ctx, d.worker, d.estateID, RoundFields{Title: &title, Kind: &kind, Rule: preset})
		if err != nil {
			t.Fatalf("a worker's preset round: %v", err)
		}
		if _, err := d.svc.UpdateRound(ctx, d.worker, r.ID, RoundFields{Title: &draft}); err != nil {
			t.Errorf("a worker editing a preset draft: %v", err)
		}
		_, err = d.svc.OpenRound(ctx, d.worker, r.ID, false)
		wantCode(t, "a worker opening", err, "forbidden")
		adminCustom, err := d.svc.CreateRound(ctx, SystemActor(), d.estateID, RoundFields{Title: &title, Kind: &kind, Rule: custom})
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.svc.UpdateRound(ctx, d.worker, adminCustom.ID, RoundFields{Title: &draft})
		wantCode(t, "a worker editing an admin's custom draft", err, "custom_rule_admin_only")
	})
}

// TestElectorateFollowsItsBasis: a civil-code round counts every household in scope by
// default (old code: only eligible ones), a two-80 round the eligible ones; both can be set.
func TestElectorateFollowsItsBasis(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		major := &rule.Spec{Preset: rule.PresetCivilCodeMajor}
		eligible, all := BasisEligible, BasisAll
		for _, tt := range []struct {
			name      string
			fields    RoundFields
			wantBasis string
			wantSize  int64
		}{
			{"two80_default_is_eligible", RoundFields{}, BasisEligible, 4},
			{"civil_code_default_is_all", RoundFields{Rule: major}, BasisAll, 6},
			{"civil_code_set_to_eligible", RoundFields{Rule: major, ElectorateBasis: &eligible}, BasisEligible, 4},
			{"two80_set_to_all", RoundFields{ElectorateBasis: &all}, BasisAll, 6},
		} {
			d := newDeadlineRound(t, db, 6, 2, tt.fields)
			r := d.round(t)
			if r.ElectorateBasis != tt.wantBasis || r.ElectorateHouseholds != tt.wantSize {
				t.Errorf("%s: basis %s, electorate %d; want %s, %d", tt.name, r.ElectorateBasis, r.ElectorateHouseholds, tt.wantBasis, tt.wantSize)
			}
		}
		bad := "owners"
		title, kind := "x", KindPlan
		_, err := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, nil).
			CreateRound(context.Background(), SystemActor(), "nope", RoundFields{Title: &title, Kind: &kind, ElectorateBasis: &bad})
		wantCode(t, "an unknown basis", err, "validation_failed")
	})
}

// TestRoundSettingsDefaultsAndBounds: late_sync_hours 0..72 (default 24), notice_days 0..30
// (default 7); a 0 is kept as 0.
func TestRoundSettingsDefaultsAndBounds(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		draft := "draft"
		d := newDeadlineRound(t, db, 2, 0, RoundFields{Title: &draft})
		if r := d.round(t); r.LateSyncHours != 24 || r.NoticeDays != 7 {
			t.Errorf("defaults = %d h, %d days; want 24, 7", r.LateSyncHours, r.NoticeDays)
		}
		zero := 0
		if _, err := d.svc.UpdateRound(context.Background(), d.worker, d.roundID, RoundFields{LateSyncHours: &zero, NoticeDays: &zero}); err != nil {
			t.Fatal(err)
		}
		if r := d.round(t); r.LateSyncHours != 0 || r.NoticeDays != 0 {
			t.Errorf("zeros read back as %d h, %d days", r.LateSyncHours, r.NoticeDays)
		}
		created := newDeadlineRound(t, db, 2, 0, RoundFields{Title: &draft, LateSyncHours: &zero, NoticeDays: &zero})
		if r := created.round(t); r.LateSyncHours != 0 || r.NoticeDays != 0 {
			t.Errorf("zeros given at creation read back as %d h, %d days", r.LateSyncHours, r.NoticeDays)
		}
		for _, n := range []int{-1, 73} {
			_, err := d.svc.UpdateRound(context.Background(), d.worker, d.roundID, RoundFields{LateSyncHours: &n})
			wantCode(t, fmt.Sprintf("late_sync_hours %d", n), err, "validation_failed")
		}
		n := 31
		_, err := d.svc.UpdateRound(context.Background(), d.worker, d.roundID, RoundFields{NoticeDays: &n})
		wantCode(t, "notice_days 31", err, "validation_failed")
	})
}
