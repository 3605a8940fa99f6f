package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/wechat/wechattest"
)

// disputeWorld is the resident world on a clock the test moves, with the
// ids of its worker and designer, for the dispute table's tests.
type disputeWorld struct {
	*residentWorld
	clock                *fixedClock
	workerID, designerID string
}

func newDisputeWorld(t *testing.T, db *model.DB) *disputeWorld {
	t.Helper()
	srv, clock := newClockedServer(t, db)
	fake := wechattest.NewServer(t)
	srv.svc.SetWeChat(fake.Client(t))
	w := &residentWorld{t: t, srv: srv, fake: fake, household: map[string]string{}}
	w.admin = srv.adminToken()
	d := &disputeWorld{residentWorld: w, clock: clock}
	d.workerID, w.worker = srv.staff(w.admin, "dispute-worker", "worker")
	d.designerID, w.designer = srv.staff(w.admin, "dispute-designer", "designer")
	w.estateID = w.createEstate("会同小区", "huitong")
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+w.estateID+"/staff/"+d.workerID, w.admin, map[string]string{"role": "worker"})
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+w.estateID+"/staff/"+d.designerID, w.admin, map[string]string{"role": "designer"})
	for room, id := range w.createHouseholds(w.estateID, "101", "102", "103") {
		w.household[room] = id
	}
	w.roundID = w.openRound(w.estateID, "加装电梯意愿征询")
	return d
}

// relogin gives the staff fresh tokens after the clock moved past their lifetime.
func (d *disputeWorld) relogin() {
	d.admin = d.srv.login("admin", "admin-password")
	d.worker = d.srv.login("dispute-worker", "password-dispute-worker")
	d.designer = d.srv.login("dispute-designer", "password-dispute-designer")
}

// file has the worker file an objection for a room's household.
func (d *disputeWorld) file(room string) objectionResponse {
	d.t.Helper()
	var o objectionResponse
	d.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+d.estateID+"/objections", d.worker, map[string]any{
		"household_id": d.household[room], "category": "elevator", "content": "电梯井挡住我家窗户"}).decode(d.t, &o)
	return o
}

func (d *disputeWorld) objection(token, id string) objectionResponse {
	d.t.Helper()
	var o objectionResponse
	d.srv.must(http.StatusOK, "GET", "/api/v1/objections/"+id, token, nil).decode(d.t, &o)
	return o
}

// listIDs lists the estate's objections with a query and gives their ids.
func (d *disputeWorld) listIDs(token, query string) []string {
	d.t.Helper()
	var list listResponse[objectionResponse]
	d.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+d.estateID+"/objections"+query, token, nil).decode(d.t, &list)
	ids := []string{}
	for _, o := range list.Items {
		ids = append(ids, o.ID)
	}
	return ids
}

func (d *disputeWorld) summary(token string) objectionSummaryResponse {
	d.t.Helper()
	var sum objectionSummaryResponse
	d.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+d.estateID+"/objections/summary", token, nil).decode(d.t, &sum)
	return sum
}

// auditActions lists the actions of the estate's audit ledger.
func (d *disputeWorld) auditActions() string {
	d.t.Helper()
	var list listResponse[auditEventResponse]
	d.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+d.estateID+"/audit?limit=500", d.admin, nil).decode(d.t, &list)
	var actions []string
	for _, e := range list.Items {
		actions = append(actions, e.Action)
	}
	return strings.Join(actions, " ")
}

func historyKinds(o objectionResponse) string {
	var kinds []string
	for _, e := range o.History {
		kinds = append(kinds, e.Kind)
	}
	return strings.Join(kinds, " ")
}

// TestObjectionHandlerAndDueDate: a filed objection is due 7 days later; a
// worker names its handler (an admin, or a worker or designer of the estate)
// and may move the due date; bad handlers, dates and callers change nothing
// and get Chinese field reasons; residents see the handler's name without
// the user id; every assignment is audited and in the history. Fails on the
// old code (no handler_id, due_at, PATCH route).
func TestObjectionHandlerAndDueDate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		d := newDisputeWorld(t, db)
		filedAt := d.clock.Now()
		o := d.file("101")
		if want := filedAt.Add(7 * 24 * time.Hour); !time.Time(o.DueAt).Equal(want) || o.Overdue || o.Handler != nil || o.HandlerID != nil {
			t.Fatalf("filed: due %v (want %v), overdue %v, handler %v", time.Time(o.DueAt), want, o.Overdue, o.Handler)
		}
		path := "/api/v1/objections/" + o.ID

		// Refusals change nothing.
		otherEstate := d.createEstate("别的小区", "bieder")
		strangerID, _ := d.srv.staff(d.admin, "dispute-stranger", "worker")
		d.srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+otherEstate+"/staff/"+strangerID, d.admin, map[string]string{"role": "worker"})
		supervisorID, _ := d.srv.staff(d.admin, "dispute-supervisor", "supervisor")
		d.srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+d.estateID+"/staff/"+supervisorID, d.admin, map[string]string{"role": "supervisor"})
		for name, handler := range map[string]string{"worker of another estate": strangerID, "supervisor": supervisorID, "unknown": placeholderID} {
			env := expectError(t, d.srv.call("PATCH", path, d.worker, map[string]any{"handler_id": handler}), http.StatusUnprocessableEntity, "validation_failed")
			if env.Error.Fields["handler_id"] != "不是管理员，也不是本小区的工作人员或设计师" {
				t.Errorf("%s: fields %v", name, env.Error.Fields)
			}
		}
		env := expectError(t, d.srv.call("PATCH", path, d.worker, map[string]any{"due_at": filedAt.Add(-time.Hour).Format(time.RFC3339)}),
			http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["due_at"] != "应晚于意见提交的时间" {
			t.Errorf("due_at before filing: %v", env.Error.Fields)
		}
		env = expectError(t, d.srv.call("PATCH", path, d.worker, map[string]any{}), http.StatusUnprocessableEntity, "validation_failed")
		if !strings.Contains(env.Error.Fields["handler_id"], "经办人") {
			t.Errorf("empty body: %v", env.Error.Fields)
		}
		expectError(t, d.srv.call("PATCH", path, d.designer, map[string]any{"handler_id": d.designerID}), http.StatusForbidden, "forbidden")
		resident, _ := d.bind("openid-dispute-101", "101")
		expectError(t, d.srv.call("PATCH", path, resident, map[string]any{"handler_id": d.designerID}), http.StatusForbidden, "forbidden")
		if got := d.objection(d.worker, o.ID); got.Handler != nil || !time.Time(got.DueAt).Equal(time.Time(o.DueAt)) {
			t.Fatalf("a refused assignment changed the objection: %+v", got)
		}

		// The worker names the designer and gives three days.
		due := filedAt.Add(72 * time.Hour)
		var assigned objectionResponse
		d.srv.must(http.StatusOK, "PATCH", path, d.worker, map[string]any{"handler_id": d.designerID, "due_at": due.Format(time.RFC3339)}).decode(t, &assigned)
		if assigned.HandlerID == nil || *assigned.HandlerID != d.designerID || assigned.Handler == nil ||
			assigned.Handler.DisplayName != "dispute-designer" || !time.Time(assigned.DueAt).Equal(due) {
			t.Fatalf("assigned: %+v", assigned)
		}
		// An admin may handle it too.
		var me struct {
			ID string `json:"id"`
		}
		d.srv.must(http.StatusOK, "GET", "/api/v1/me", d.admin, nil).decode(t, &me)
		d.srv.must(http.StatusOK, "PATCH", path, d.worker, map[string]any{"handler_id": me.ID})
		d.srv.must(http.StatusOK, "PATCH", path, d.worker, map[string]any{"handler_id": d.designerID})

		seen := d.objection(resident, o.ID)
		if seen.HandlerID != nil || seen.Handler == nil || seen.Handler.ID != "" || seen.Handler.DisplayName != "dispute-designer" {
			t.Errorf("the resident sees the handler as %+v / %v", seen.Handler, seen.HandlerID)
		}
		if kinds := historyKinds(d.objection(d.worker, o.ID)); kinds != "filed assigned assigned assigned" {
			t.Errorf("history: %s", kinds)
		}
		if actions := d.auditActions(); strings.Count(actions, "objection.assign") != 3 {
			t.Errorf("audit: %s", actions)
		}

		// Closed objections take no new handler.
		d.srv.must(http.StatusOK, "POST", path+"/response", d.designer, map[string]any{"outcome": "adopted", "public_summary": "电梯位置"})
		d.srv.must(http.StatusOK, "POST", path+"/follow-up", d.worker, map[string]any{"satisfied": true})
		expectError(t, d.srv.call("PATCH", path, d.worker, map[string]any{"handler_id": d.workerID}), http.StatusConflict, "objection_closed")
	})
}

// TestOverdueObjectionsMoveWithTheClock: an objection is overdue once the
// injected clock passes its due date and until it is closed; the list flags
// it and filters on ?overdue=, the summary counts it (and the unassigned
// ones); a row from before due dates (due_at NULL) is due 7 days after
// filing. Fails on the old code (no overdue flag, filter or summary).
func TestOverdueObjectionsMoveWithTheClock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		d := newDisputeWorld(t, db)
		soon := d.file("101")
		later := d.file("102")
		d.srv.must(http.StatusOK, "PATCH", "/api/v1/objections/"+soon.ID, d.worker, map[string]any{
			"handler_id": d.workerID, "due_at": d.clock.Now().Add(30 * time.Minute).Format(time.RFC3339)})
		if got := d.listIDs(d.worker, "?overdue=true"); len(got) != 0 {
			t.Fatalf("overdue before the due date: %v", got)
		}
		if sum := d.summary(d.admin); sum.Open != 2 || sum.Overdue != 0 || sum.Unassigned != 1 {
			t.Fatalf("summary before: %+v", sum)
		}

		d.clock.advance(31 * time.Minute)
		if got := d.listIDs(d.worker, "?overdue=true"); len(got) != 1 || got[0] != soon.ID {
			t.Fatalf("overdue after the due date: %v, want [%s]", got, soon.ID)
		}
		if got := d.listIDs(d.worker, "?overdue=false"); len(got) != 1 || got[0] != later.ID {
			t.Fatalf("not overdue: %v, want [%s]", got, later.ID)
		}
		if o := d.objection(d.worker, soon.ID); !o.Overdue {
			t.Errorf("the objection is not flagged overdue")
		}
		if sum := d.summary(d.admin); sum.Overdue != 1 {
			t.Errorf("summary after: %+v", sum)
		}
		env := expectError(t, d.srv.call("GET", "/api/v1/estates/"+d.estateID+"/objections?overdue=soon", d.worker, nil),
			http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["overdue"] != "应为 true 或 false" {
			t.Errorf("bad filter: %v", env.Error.Fields)
		}

		// Closing ends it.
		d.srv.must(http.StatusOK, "POST", "/api/v1/objections/"+soon.ID+"/response", d.designer, map[string]any{"outcome": "adopted", "public_summary": "电梯位置"})
		d.srv.must(http.StatusOK, "POST", "/api/v1/objections/"+soon.ID+"/follow-up", d.worker, map[string]any{"satisfied": true})
		if got := d.listIDs(d.worker, "?overdue=true"); len(got) != 0 {
			t.Fatalf("a closed objection is still overdue: %v", got)
		}

		// The default period, on the new row and on a row without due_at.
		if err := db.Gorm.Model(&model.Objection{}).Where("id = ?", later.ID).Update("due_at", nil).Error; err != nil {
			t.Fatal(err)
		}
		legacy := d.file("103")
		d.clock.advance(7*24*time.Hour - 32*time.Minute) // one minute before both are due
		d.relogin()
		if got := d.listIDs(d.worker, "?overdue=true"); len(got) != 0 {
			t.Fatalf("overdue a minute early: %v", got)
		}
		d.clock.advance(2 * time.Minute)
		if got := d.listIDs(d.worker, "?overdue=true"); len(got) != 1 || got[0] != later.ID {
			t.Fatalf("the row without due_at: %v, want [%s]", got, later.ID)
		}
		d.clock.advance(31 * time.Minute)
		if got := d.listIDs(d.worker, "?overdue=true"); len(got) != 2 {
			t.Fatalf("both: %v (want %s and %s)", got, later.ID, legacy.ID)
		}
		if sum := d.summary(d.admin); sum.Overdue != 2 || sum.Closed != 1 || sum.Open != 2 {
			t.Errorf("summary at the end: %+v", sum)
		}
	})
}

// TestObjectorConfirmsOnceAnswered: only the objector (a resident bound to
// its household) confirms, and only once the objection was answered; the
// confirmation is replaceable, audited, in the history and counted.
// Fails on the old code (no my-confirmation route).
func TestObjectorConfirmsOnceAnswered(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		d := newDisputeWorld(t, db)
		objector, _ := d.bind("openid-objector", "101")
		neighbour, _ := d.bind("openid-neighbour", "102")
		o := d.file("101")
		path := "/api/v1/objections/" + o.ID + "/my-confirmation"

		expectError(t, d.srv.call("PUT", path, objector, map[string]any{"satisfied": true}), http.StatusConflict, "objection_awaiting_answer")
		d.srv.must(http.StatusOK, "POST", "/api/v1/objections/"+o.ID+"/response", d.designer, map[string]any{
			"outcome": "not_adopted", "explanation": "井道位置受结构限制", "public_summary": "电梯位置"})

		expectError(t, d.srv.call("PUT", path, neighbour, map[string]any{"satisfied": true}), http.StatusNotFound, "objection_not_found")
		expectError(t, d.srv.call("PUT", path, d.worker, map[string]any{"satisfied": true}), http.StatusForbidden, "forbidden")
		env := expectError(t, d.srv.call("PUT", path, objector, map[string]any{"note": "x"}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["satisfied"] != "必须填写" {
			t.Errorf("missing satisfied: %v", env.Error.Fields)
		}
		env = expectError(t, d.srv.call("PUT", path, objector, map[string]any{"satisfied": false, "note": strings.Repeat("长", 2001)}),
			http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["note"] != "最多 2000 个字" {
			t.Errorf("long note: %v", env.Error.Fields)
		}
		if got := d.objection(d.worker, o.ID); got.Confirmation != nil {
			t.Fatalf("a refused confirmation was kept: %+v", got.Confirmation)
		}

		var confirmed objectionResponse
		d.srv.must(http.StatusOK, "PUT", path, objector, map[string]any{"satisfied": false, "note": "希望再协商"}).decode(t, &confirmed)
		if c := confirmed.Confirmation; c == nil || c.Satisfied || c.Note != "希望再协商" || confirmed.Status != "answered" {
			t.Fatalf("confirmed: %+v", confirmed)
		}
		if sum := d.summary(d.worker); sum.ConfirmedUnsatisfied != 1 || sum.ConfirmedSatisfied != 0 {
			t.Errorf("summary: %+v", sum)
		}
		d.srv.must(http.StatusOK, "PUT", path, objector, map[string]any{"satisfied": true})
		if got := d.objection(d.worker, o.ID); got.Confirmation == nil || !got.Confirmation.Satisfied || historyKinds(got) != "filed answered confirmed confirmed" {
			t.Errorf("replaced: %+v, history %s", got.Confirmation, historyKinds(got))
		}
		if sum := d.summary(d.worker); sum.ConfirmedUnsatisfied != 0 || sum.ConfirmedSatisfied != 1 {
			t.Errorf("summary after the change: %+v", sum)
		}
		if actions := d.auditActions(); strings.Count(actions, "objection.confirm") != 2 {
			t.Errorf("audit: %s", actions)
		}
	})
}

// TestSupervisorReadsTallyAndProgressWithoutNames: a supervisor assigned
// to the estate reads the tally, the progress (without owner names), the
// objections (without rooms), their summary and the audit ledger, and may
// write nothing (the route × role matrix tries every route). Fails on the
// old code (no supervisor role: POST /users answered 422).
func TestSupervisorReadsTallyAndProgressWithoutNames(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		d := newDisputeWorld(t, db)
		supervisorID, supervisor := d.srv.staff(d.admin, "dispute-supervisor", "supervisor")
		env := expectError(t, d.srv.call("PUT", "/api/v1/estates/"+d.estateID+"/staff/"+supervisorID, d.admin, map[string]string{"role": "auditor"}),
			http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["role"] != "只能是 worker（工作人员）、designer（设计师）或 supervisor（监督员）" {
			t.Errorf("bad role: %v", env.Error.Fields)
		}
		// Not yet assigned: the estate is hidden.
		expectError(t, d.srv.call("GET", "/api/v1/rounds/"+d.roundID+"/tally", supervisor, nil), http.StatusNotFound, "round_not_found")
		d.srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+d.estateID+"/staff/"+supervisorID, d.admin, map[string]string{"role": "supervisor"})
		d.staffSignOff("101", "agree", "业主101")
		d.file("102")

		var estates listResponse[estateResponse]
		d.srv.must(http.StatusOK, "GET", "/api/v1/estates", supervisor, nil).decode(t, &estates)
		if len(estates.Items) != 1 || estates.Items[0].ID != d.estateID {
			t.Errorf("estates: %+v", estates.Items)
		}
		tally := d.srv.must(http.StatusOK, "GET", "/api/v1/rounds/"+d.roundID+"/tally", supervisor, nil)
		if !strings.Contains(string(tally.Body), `"participated"`) {
			t.Errorf("tally: %s", tally.Body)
		}
		var asWorker, asSupervisor progressResponse
		d.srv.must(http.StatusOK, "GET", "/api/v1/rounds/"+d.roundID+"/progress", d.worker, nil).decode(t, &asWorker)
		progress := d.srv.must(http.StatusOK, "GET", "/api/v1/rounds/"+d.roundID+"/progress", supervisor, nil)
		progress.decode(t, &asSupervisor)
		if asSupervisor.Agree != 1 || asSupervisor.Electorate != asWorker.Electorate || len(asSupervisor.ByUnit) == 0 {
			t.Fatalf("supervisor's progress: %s", progress.Body)
		}
		named := 0
		for _, u := range asWorker.ByUnit {
			for _, h := range u.ToReach {
				if h.OwnerName != "" {
					named++
				}
			}
		}
		if named == 0 {
			t.Fatal("the worker's progress names no owner: the comparison proves nothing")
		}
		for _, u := range asSupervisor.ByUnit {
			for _, h := range u.ToReach {
				if h.OwnerName != "" {
					t.Errorf("the supervisor's progress names %q in room %s", h.OwnerName, h.Room)
				}
			}
		}
		if strings.Contains(string(progress.Body), "业") || strings.Contains(string(progress.Body), "1390000") {
			t.Errorf("the supervisor's progress carries a name or phone: %s", progress.Body)
		}
		var objections listResponse[objectionResponse]
		d.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+d.estateID+"/objections", supervisor, nil).decode(t, &objections)
		if len(objections.Items) != 1 || objections.Items[0].Household == nil || objections.Items[0].Household.Room != "" || objections.Items[0].Household.ID != "" {
			t.Errorf("objections: %+v", objections.Items)
		}
		d.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+d.estateID+"/objections/summary", supervisor, nil)
		d.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+d.estateID+"/audit", supervisor, nil)

		// A few writes, each refused (the matrix tries them all).
		expectError(t, d.srv.call("PUT", "/api/v1/rounds/"+d.roundID+"/signoffs/"+d.household["102"], supervisor,
			map[string]any{"decision": "agree", "signer_name": "业主102"}), http.StatusForbidden, "forbidden")
		expectError(t, d.srv.call("PATCH", "/api/v1/objections/"+objections.Items[0].ID, supervisor,
			map[string]any{"handler_id": supervisorID}), http.StatusForbidden, "forbidden")
		expectError(t, d.srv.call("GET", "/api/v1/rounds/"+d.roundID+"/visits", supervisor, nil), http.StatusForbidden, "forbidden")
		if sum := d.summary(d.admin); sum.Open != 1 {
			t.Errorf("a refused write changed something: %+v", sum)
		}
	})
}
