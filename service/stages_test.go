package service

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/store"
)

// lifecycleEstate is an estate of five eligible households with a draft
// plan round, a worker, a designer and an admin, for the lifecycle tests.
type lifecycleEstate struct {
	*deadlineRound
	admin, designer Actor
}

func newLifecycleEstate(t *testing.T, db *model.DB) *lifecycleEstate {
	t.Helper()
	ctx := context.Background()
	draft := "draft"
	d := newDeadlineRound(t, db, 5, 0, RoundFields{Title: &draft})
	plan := KindPlan
	if _, err := d.svc.UpdateRound(ctx, SystemActor(), d.roundID, RoundFields{Kind: &plan}); err != nil {
		t.Fatal(err)
	}
	e := &lifecycleEstate{deadlineRound: d}
	for _, role := range []string{RoleAdmin, RoleDesigner} {
		u, err := d.svc.CreateUser(ctx, SystemActor(), NewUser{Username: role[:1] + "-" + uuid.NewString()[:8], Password: "staff-password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		a := Actor{Kind: ActorUser, ID: u.ID, Role: role, Channel: ChannelAPI}
		if role == RoleAdmin {
			e.admin = a
			continue
		}
		if err := d.svc.AssignStaff(ctx, SystemActor(), d.estateID, u.ID, role); err != nil {
			t.Fatal(err)
		}
		e.designer = a
	}
	return e
}

// finishPlanRound opens the plan round, records agree for the first n of the
// five households, closes it at its deadline and lets the notice period end,
// so that the round becomes final (passed when n reaches the two-80 rule).
func (e *lifecycleEstate) finishPlanRound(t *testing.T, agree int) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.svc.OpenRound(ctx, SystemActor(), e.roundID, false); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		decision := DecisionAgree
		if i >= agree {
			decision = "disagree"
		}
		if err := e.sign(i, decision); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.set(e.closesAt.Add(25 * time.Hour)) // after the late-sync period
	if n, err := e.svc.CloseDueRounds(ctx); err != nil || n != 1 {
		t.Fatalf("CloseDueRounds = %d, %v", n, err)
	}
	e.clock.set(e.clock.Now().Add(8 * 24 * time.Hour))
	if n, err := e.svc.FinalizeDueRounds(ctx); err != nil || n != 1 {
		t.Fatalf("FinalizeDueRounds = %d, %v", n, err)
	}
}

func auditActions(t *testing.T, svc *Service, estateID string) []string {
	t.Helper()
	events, _, err := svc.ListAuditEvents(context.Background(), SystemActor(), estateID, Page{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	return actions
}

func strPtr(s string) *string { return &s }

// TestStagesMoveForwardOnly: an estate has the eleven stages, all pending at
// first; an admin moves one forward with its dates set by the clock; going
// back, an unknown stage, a worker and bad fields are refused and change nothing.
func TestStagesMoveForwardOnly(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		e := newLifecycleEstate(t, db)
		stages, err := e.svc.ListStages(ctx, e.designer, e.estateID)
		if err != nil || len(stages) != 11 || stages[0].Stage != "survey" || stages[10].Stage != "maintenance" {
			t.Fatalf("stages = %+v, %v", stages, err)
		}
		for _, s := range stages {
			if s.Status != StagePending || s.StartedAt != nil || s.Label == "" {
				t.Errorf("stage %+v: want pending with a label", s)
			}
		}
		_, err = e.svc.UpdateStage(ctx, e.worker, e.estateID, "survey", StageInput{Status: strPtr(StageInProgress)})
		wantCode(t, "a worker", err, "forbidden")
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, "demolition", StageInput{Status: strPtr(StageInProgress)})
		wantCode(t, "an unknown stage", err, "stage_not_found")
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, "survey", StageInput{Status: strPtr("started")})
		wantCode(t, "an unknown status", err, "validation_failed")

		started := e.clock.Now()
		v, err := e.svc.UpdateStage(ctx, e.admin, e.estateID, "survey", StageInput{Status: strPtr(StageInProgress), Note: strPtr(" 入户摸底 ")})
		if err != nil || v.Status != StageInProgress || v.StartedAt == nil || !v.StartedAt.Equal(started) || v.Note != "入户摸底" {
			t.Fatalf("start = %+v, %v", v, err)
		}
		e.clock.set(started.Add(48 * time.Hour))
		v, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, "survey", StageInput{Status: strPtr(StageDone)})
		if err != nil || v.FinishedAt == nil || !v.FinishedAt.Equal(started.Add(48*time.Hour)) || !v.StartedAt.Equal(started) {
			t.Fatalf("finish = %+v, %v", v, err)
		}
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, "survey", StageInput{Status: strPtr(StageInProgress)})
		wantCode(t, "done → in_progress", err, "stage_transition_invalid")
		future := e.clock.Now().Add(time.Hour)
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, "needs", StageInput{Status: strPtr(StageDone), FinishedAt: &future})
		wantCode(t, "a finishing date in the future", err, "validation_failed")
		late, early := started.Add(-time.Hour), started.Add(-48*time.Hour)
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, "needs", StageInput{Status: strPtr(StageDone), StartedAt: &late, FinishedAt: &early})
		wantCode(t, "finished before started", err, "validation_failed")

		stages, _ = e.svc.ListStages(ctx, e.admin, e.estateID)
		if stages[0].Status != StageDone || stages[1].Status != StagePending {
			t.Errorf("after the refusals: survey %s, needs %s; want done, pending", stages[0].Status, stages[1].Status)
		}
		if n := strings.Count(strings.Join(auditActions(t, e.svc, e.estateID), ","), "stage.update"); n != 2 {
			t.Errorf("%d stage.update audit events, want 2", n)
		}
	})
}

// TestConstructionNeedsPreconditionsAndAPassedPlan: construction cannot start
// without the six preconditions met and a final plan round that passed
// (preconditions_unmet names what is missing); an admin may force it with a
// note, audited as stage.force; once everything is met it starts unforced.
func TestConstructionNeedsPreconditionsAndAPassedPlan(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		e := newLifecycleEstate(t, db)
		start := StageInput{Status: strPtr(StageInProgress)}
		_, err := e.svc.UpdateStage(ctx, e.admin, e.estateID, StageConstruction, start)
		wantCode(t, "nothing met", err, "preconditions_unmet")
		if se := AsError(err); se.Extra == nil || len(se.Extra["missing"].([]string)) != 6 || se.Extra["final_plan_round_passed"] != false {
			t.Errorf("details = %v, want six missing and no passed plan", se.Extra)
		}
		for _, key := range PreconditionKeys[:5] {
			if _, err := e.svc.RecordPrecondition(ctx, e.worker, e.estateID, key, PreconditionInput{Met: true}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, StageConstruction, start)
		if se := AsError(err); se.Code != "preconditions_unmet" || !slices.Equal(se.Extra["missing"].([]string), []string{"property_fee_commitment"}) {
			t.Errorf("five met: %v %v, want property_fee_commitment missing", err, se.Extra)
		}
		if _, err := e.svc.RecordPrecondition(ctx, e.worker, e.estateID, "property_fee_commitment", PreconditionInput{Met: true}); err != nil {
			t.Fatal(err)
		}
		// A final plan round that did not pass (2 of 5 agree) is not enough.
		e.finishPlanRound(t, 2)
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, StageConstruction, start)
		if se := AsError(err); se.Code != "preconditions_unmet" || len(se.Extra["missing"].([]string)) != 0 || se.Extra["final_plan_round_passed"] != false {
			t.Errorf("six met, plan failed: %v %v", err, se.Extra)
		}
		_, err = e.svc.UpdateStage(ctx, e.admin, e.estateID, StageConstruction, StageInput{Status: strPtr(StageInProgress), Force: true})
		wantCode(t, "force without a note", err, "validation_failed")
		v, err := e.svc.UpdateStage(ctx, e.admin, e.estateID, StageConstruction,
			StageInput{Status: strPtr(StageInProgress), Force: true, Note: strPtr("区政府专题会议决定先行施工")})
		if err != nil || v.Status != StageInProgress || !v.Forced {
			t.Fatalf("forced start = %+v, %v", v, err)
		}
		if !slices.Contains(auditActions(t, e.svc, e.estateID), "stage.force") {
			t.Error("no stage.force audit event")
		}
	})
}

// TestConstructionStartsAfterAPassedFinalPlanRound: with the six met and a
// plan round passed and final, construction starts without force.
func TestConstructionStartsAfterAPassedFinalPlanRound(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		e := newLifecycleEstate(t, db)
		for _, key := range PreconditionKeys {
			if _, err := e.svc.RecordPrecondition(ctx, e.admin, e.estateID, key, PreconditionInput{Met: true}); err != nil {
				t.Fatal(err)
			}
		}
		e.finishPlanRound(t, 5)
		v, err := e.svc.UpdateStage(ctx, e.admin, e.estateID, StageConstruction, StageInput{Status: strPtr(StageInProgress)})
		if err != nil || v.Status != StageInProgress || v.Forced {
			t.Fatalf("start = %+v, %v", v, err)
		}
		if slices.Contains(auditActions(t, e.svc, e.estateID), "stage.force") {
			t.Error("an unforced start was audited as forced")
		}
	})
}

// TestPreconditionEvidence: evidence is the recorder's own unattached
// uploads; someone else's upload, an unknown key and a designer are
// refused and change nothing; the estate's staff then read the evidence,
// residents do not.
func TestPreconditionEvidence(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		e := newLifecycleEstate(t, db)
		uploadedFirst := uploadLetter(t, e.svc, e.worker, e.estateID) // attached later, as further evidence
		mine := uploadLetter(t, e.svc, e.worker, e.estateID)
		others := uploadLetter(t, e.svc, e.admin, e.estateID)
		_, err := e.svc.RecordPrecondition(ctx, e.worker, e.estateID, "residents_pact", PreconditionInput{Met: true, Evidence: []string{mine, others}})
		wantCode(t, "someone else's upload", err, "validation_failed")
		_, err = e.svc.RecordPrecondition(ctx, e.worker, e.estateID, "street_lights", PreconditionInput{Met: true})
		wantCode(t, "an unknown key", err, "precondition_not_found")
		_, err = e.svc.RecordPrecondition(ctx, e.designer, e.estateID, "residents_pact", PreconditionInput{Met: true})
		wantCode(t, "a designer", err, "forbidden")
		list, err := e.svc.ListPreconditions(ctx, e.designer, e.estateID)
		if err != nil || len(list) != 6 || list[2].Met || len(list[2].Evidence) != 0 {
			t.Fatalf("after the refusals: %+v, %v", list, err)
		}

		v, err := e.svc.RecordPrecondition(ctx, e.worker, e.estateID, "residents_pact", PreconditionInput{Met: true, Note: strPtr("居民公约已签"), Evidence: []string{mine}})
		if err != nil || !v.Met || v.Label != "居民公约" || !slices.Equal(v.Evidence, []string{mine}) {
			t.Fatalf("record = %+v, %v", v, err)
		}
		v, err = e.svc.RecordPrecondition(ctx, e.admin, e.estateID, "residents_pact", PreconditionInput{Met: false})
		if err != nil || v.Met || v.Note != "居民公约已签" || len(v.Evidence) != 1 {
			t.Fatalf("unmet again = %+v, %v; want the note and evidence kept", v, err)
		}
		// Later evidence follows the earlier, whatever the uploads' ages (old code: by age).
		v, err = e.svc.RecordPrecondition(ctx, e.worker, e.estateID, "residents_pact", PreconditionInput{Met: true, Evidence: []string{uploadedFirst}})
		if err != nil || !slices.Equal(v.Evidence, []string{mine, uploadedFirst}) {
			t.Fatalf("more evidence = %v, %v; want %v", v.Evidence, err, []string{mine, uploadedFirst})
		}
		resident := e.bindResident(t, "o-precondition-resident", 0)
		ok, err := e.svc.mayReadUpload(store.New(db).Read(context.Background()), e.designer, uploadRow(t, db, mine))
		if err != nil || !ok {
			t.Errorf("the designer may not read the evidence: %v %v", ok, err)
		}
		ok, _ = e.svc.mayReadUpload(store.New(db).Read(context.Background()), resident, uploadRow(t, db, mine))
		if ok {
			t.Error("a resident may read the evidence")
		}
	})
}

func uploadRow(t *testing.T, db *model.DB, id string) *model.Upload {
	t.Helper()
	var u model.Upload
	if err := db.Gorm.Where("id = ?", id).Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	return &u
}

// TestSiteInformation: bad fields are refused with their reasons and change
// nothing; an admin sets it, staff read it, a worker cannot set it.
func TestSiteInformation(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		e := newLifecycleEstate(t, db)
		bad := SiteInput{Builder: strings.Repeat("建", 101), StartsOn: "2027-13-01", EndsOn: "2027-03-01", BudgetFen: -1, ContactPhone: "call me"}
		_, err := e.svc.PutSite(ctx, e.admin, e.estateID, bad)
		if se := AsError(err); se.Code != "validation_failed" || len(se.Fields) != 4 {
			t.Errorf("bad site: %v %v, want four fields", err, se.Fields)
		}
		_, err = e.svc.PutSite(ctx, e.admin, e.estateID, SiteInput{StartsOn: "2027-05-01", EndsOn: "2027-03-01"})
		if se := AsError(err); se.Fields["ends_on"] == "" {
			t.Errorf("ends before it starts: %v", err)
		}
		_, err = e.svc.PutSite(ctx, e.worker, e.estateID, SiteInput{Builder: "某建设公司"})
		wantCode(t, "a worker", err, "forbidden")
		site, err := e.svc.GetSite(ctx, e.designer, e.estateID)
		if err != nil || site.Builder != "" {
			t.Fatalf("before: %+v, %v", site, err)
		}
		in := SiteInput{Builder: "咸宁市某建设公司", SupervisingUnit: "某监理公司", DesignerUnit: "某设计院",
			StartsOn: "2027-03-01", EndsOn: "2027-09-30", BudgetFen: 123456789, ContactPhone: "0715-1234567"}
		if _, err := e.svc.PutSite(ctx, e.admin, e.estateID, in); err != nil {
			t.Fatal(err)
		}
		in.BudgetFen = 223456789
		if _, err := e.svc.PutSite(ctx, e.admin, e.estateID, in); err != nil {
			t.Fatal(err)
		}
		site, err = e.svc.GetSite(ctx, e.worker, e.estateID)
		if err != nil || site.Builder != in.Builder || site.BudgetFen != 223456789 || site.EndsOn != "2027-09-30" {
			t.Errorf("after: %+v, %v", site, err)
		}
	})
}
