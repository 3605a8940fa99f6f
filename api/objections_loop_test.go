package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestObjectionLoop walks the loop between round one and round two: residents'
// objections (filed by a worker on their behalf) and a disagree comment in
// round 1, the designer's answers, revision 2 addressing some, the 409 while
// one is unanswered, round 2 opening once all are answered, an amended
// answer kept in history, follow-up visits closing them, and the feedback
// view's counts at each step.
func TestObjectionLoop(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		admin := srv.adminToken()
		e := newObjectionEstate(t, srv, admin, "loop")
		other := newObjectionEstate(t, srv, admin, "other")

		rev1 := e.revision(e.designer, "初步设计方案")
		if rev1.Version != 1 {
			t.Fatalf("first revision has version %d, want 1", rev1.Version)
		}
		round1 := e.planRound("第一轮方案征询", rev1.ID)
		srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round1+"/open", e.admin, nil)
		srv.must(http.StatusOK, "PUT", "/api/v1/rounds/"+round1+"/signoffs/"+e.household["301"], e.worker, map[string]any{
			"decision": "disagree", "channel": "paper", "signer_name": "业主3", "comment": "电梯占用绿地，不同意"})
		srv.must(http.StatusOK, "PUT", "/api/v1/rounds/"+round1+"/signoffs/"+e.household["501"], e.worker, map[string]any{
			"decision": "agree", "channel": "door", "signer_name": "业主5", "comment": "同意"})

		elevator1 := e.object(round1, "101", "elevator", "1号楼2单元电梯", "电梯井挡住我家窗户采光")
		parking := e.object(round1, "201", "parking", "地面停车位", "停车位太少")
		elevator2 := e.object(round1, "401", "elevator", "1号楼2单元电梯", "电梯费用分摊不合理")
		if elevator1.Status != "open" || elevator1.Channel != "proxy" || elevator1.FiledBy.Role != "worker" ||
			elevator1.Household == nil || elevator1.Household.Room != "101" || elevator1.CategoryLabel != "加装电梯" {
			t.Fatalf("filed objection %+v", elevator1)
		}
		checkFilingErrors(t, e, other, round1)

		counts := feedbackCounts(t, e, e.designer, round1)
		if c := counts["elevator/1号楼2单元电梯"]; c.Total != 2 || c.Open != 2 || c.Answered != 0 {
			t.Fatalf("elevator counts before answers %+v", c)
		}
		srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round1+"/close", e.admin, nil)

		rev2 := e.revision(e.designer, "修改后方案", elevator1.ID, parking.ID)
		if rev2.Version != 2 || len(rev2.Addresses) != 2 {
			t.Fatalf("second revision %+v, want version 2 addressing two objections", rev2)
		}
		otherRev := other.revision(other.designer, "别的小区方案")

		e.answer(elevator1.ID, "adopted", "", &rev2.ID)
		expectError(t, srv.call("POST", "/api/v1/objections/"+parking.ID+"/response", e.designer, map[string]any{
			"outcome": "not_adopted", "explanation": "  ", "public_summary": "停车位不足"}), http.StatusUnprocessableEntity, "validation_failed")
		env := expectError(t, srv.call("POST", "/api/v1/objections/"+parking.ID+"/response", e.designer, map[string]any{
			"outcome": "adopted", "revision_id": otherRev.ID, "public_summary": "停车位不足"}), http.StatusUnprocessableEntity, "revision_not_found")
		if env.Error.Fields["revision_id"] == "" {
			t.Errorf("revision_not_found names no field: %+v", env.Error)
		}
		expectError(t, srv.call("POST", "/api/v1/objections/"+parking.ID+"/response", e.worker, map[string]any{
			"outcome": "adopted", "public_summary": "停车位不足"}), http.StatusForbidden, "forbidden")
		expectError(t, srv.call("POST", "/api/v1/objections/"+parking.ID+"/response", other.designer, map[string]any{
			"outcome": "adopted", "public_summary": "停车位不足"}), http.StatusNotFound, "objection_not_found")
		e.answer(parking.ID, "partially_adopted", "增加10个车位，地下车库不在本次改造范围", nil)
		expectError(t, srv.call("POST", "/api/v1/objections/"+elevator2.ID+"/follow-up", e.worker, map[string]any{
			"satisfied": true, "note": "已回访"}), http.StatusConflict, "objection_not_answered")

		round2 := e.planRound("第二轮方案征询", rev2.ID)
		env = expectError(t, srv.call("POST", "/api/v1/rounds/"+round2+"/open", e.admin, nil), http.StatusConflict, "objections_unanswered")
		listed, _ := env.Error.Details["objections"].([]any)
		if len(listed) != 1 || listed[0].(map[string]any)["id"] != elevator2.ID || env.Error.Details["count"] != float64(1) {
			t.Fatalf("objections_unanswered details %v, want exactly %s", env.Error.Details, elevator2.ID)
		}
		// Opening is an admin action (contract 1.1), so a worker cannot force it either.
		expectError(t, srv.call("POST", "/api/v1/rounds/"+round2+"/open?force=true", e.worker, nil), http.StatusForbidden, "forbidden")
		checkObjectionFilters(t, e, round1, elevator2.ID)

		e.answer(elevator2.ID, "not_adopted", "费用按国家补助政策分摊，无法调整", nil)
		amended := e.answer(parking.ID, "adopted", "改为增加20个车位", &rev2.ID)
		if amended.Answer == nil || amended.Answer.Version != 2 || amended.Answer.Outcome != "adopted" {
			t.Fatalf("amended answer %+v", amended.Answer)
		}
		checkAnswerHistory(t, e, parking.ID)
		var opened roundResponse
		srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round2+"/open", e.admin, nil).decode(t, &opened)
		if opened.Status != "open" {
			t.Fatalf("round 2 is %s after every objection was answered", opened.Status)
		}

		var closed objectionResponse
		srv.must(http.StatusOK, "POST", "/api/v1/objections/"+elevator1.ID+"/follow-up", e.worker, map[string]any{
			"satisfied": true, "note": "居民对采光方案满意"}).decode(t, &closed)
		if closed.Status != "closed" || closed.FollowUp == nil || !closed.FollowUp.Satisfied || closed.FollowUp.ClosedBy == nil || closed.FollowUp.ClosedBy.ID != e.workerID {
			t.Fatalf("closed objection %+v", closed)
		}
		expectError(t, srv.call("POST", "/api/v1/objections/"+parking.ID+"/follow-up", e.worker, map[string]any{
			"satisfied": false}), http.StatusUnprocessableEntity, "validation_failed")
		srv.must(http.StatusOK, "POST", "/api/v1/objections/"+parking.ID+"/follow-up", e.worker, map[string]any{
			"satisfied": false, "note": "居民希望有充电桩"})
		expectError(t, srv.call("POST", "/api/v1/objections/"+elevator1.ID+"/response", e.designer, map[string]any{
			"outcome": "adopted", "public_summary": "加装电梯"}), http.StatusConflict, "objection_closed")

		counts = feedbackCounts(t, e, e.designer, round1)
		want := map[string]feedbackCountsJSON{
			"elevator/1号楼2单元电梯": {Total: 2, Objections: 2, Answered: 2, Adopted: 1, NotAdopted: 1, Closed: 1},
			"parking/地面停车位":     {Total: 1, Objections: 1, Answered: 1, Adopted: 1, Closed: 1},
			"disagree_comment/": {Total: 1, Comments: 1},
			"totals":            {Total: 4, Objections: 3, Comments: 1, Answered: 3, Adopted: 2, NotAdopted: 1, Closed: 2},
		}
		for key, w := range want {
			if counts[key] != w {
				t.Errorf("feedback %s: %+v, want %+v", key, counts[key], w)
			}
		}
		if len(counts) != len(want) {
			t.Errorf("feedback has groups %v, want %d", counts, len(want)-1)
		}
		var round2Feedback feedbackResponse
		srv.must(http.StatusOK, "GET", "/api/v1/estates/"+e.estateID+"/feedback?round_id="+round2, e.designer, nil).decode(t, &round2Feedback)
		if len(round2Feedback.Groups) != 0 || round2Feedback.Totals.Total != 0 {
			t.Errorf("round 2 has feedback already: %+v", round2Feedback)
		}
		expectError(t, srv.call("GET", "/api/v1/estates/"+e.estateID+"/feedback", other.designer, nil), http.StatusNotFound, "estate_not_found")
		expectError(t, srv.call("GET", "/api/v1/estates/"+e.estateID+"/feedback?round_id="+round2, e.designer+"x", nil), http.StatusUnauthorized, "invalid_token")
	})
}

// checkFilingErrors tries the ways an objection can be refused.
func checkFilingErrors(t *testing.T, e, other *objectionEstate, roundID string) {
	t.Helper()
	path := "/api/v1/estates/" + e.estateID + "/objections"
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown category", map[string]any{"category": "noise", "content": "太吵"}, "category"},
		{"empty content", map[string]any{"category": "other", "content": "   "}, "content"},
		{"content over 2000 characters", map[string]any{"category": "other", "content": strings.Repeat("长", 2001)}, "content"},
		{"ten photos", map[string]any{"category": "other", "content": "照片", "photos": []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}}, "photos"},
		{"a photo that does not exist", map[string]any{"category": "other", "content": "照片", "photos": []string{"no-such-upload"}}, "photos"},
		{"another estate's household", map[string]any{"category": "other", "content": "x", "household_id": other.household["101"]}, "household_id"},
		{"a round of another estate", map[string]any{"category": "other", "content": "x", "round_id": "no-such-round"}, "round_id"},
		{"an unknown channel", map[string]any{"category": "other", "content": "x", "channel": "fax"}, "channel"},
	}
	for _, tt := range tests {
		env := expectError(t, e.srv.call("POST", path, e.worker, tt.body), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields[tt.field] == "" {
			t.Errorf("%s: fields %v do not name %s", tt.name, env.Error.Fields, tt.field)
		}
	}
	expectError(t, e.srv.call("POST", path, e.designer, map[string]any{"category": "other", "content": "x"}), http.StatusForbidden, "forbidden")
	expectError(t, e.srv.call("POST", path, other.worker, map[string]any{"category": "other", "content": "x"}), http.StatusNotFound, "estate_not_found")
	expectError(t, e.srv.call("POST", path, e.worker, map[string]any{"category": "other", "content": "x", "votes": 3}), http.StatusUnprocessableEntity, "unknown_field")
}

// checkAnswerHistory reads an amended objection and finds both answers in its history.
func checkAnswerHistory(t *testing.T, e *objectionEstate, objectionID string) {
	t.Helper()
	var o objectionResponse
	e.srv.must(http.StatusOK, "GET", "/api/v1/objections/"+objectionID, e.worker, nil).decode(t, &o)
	var kinds []string
	for _, h := range o.History {
		kinds = append(kinds, h.Kind+":"+h.Outcome)
	}
	if got := strings.Join(kinds, " "); got != "filed: answered:partially_adopted amended:adopted" {
		t.Fatalf("history %q, want filed, answered (partially) and amended (adopted)", got)
	}
	if o.History[1].Explanation != "增加10个车位，地下车库不在本次改造范围" || o.History[1].ActorRole != "designer" {
		t.Fatalf("the first answer was not kept: %+v", o.History[1])
	}
}

// feedbackCounts reads the feedback of a round and returns the counts of
// each group by "category/plan item", plus "totals".
func feedbackCounts(t *testing.T, e *objectionEstate, token, roundID string) map[string]feedbackCountsJSON {
	t.Helper()
	var f feedbackResponse
	resp := e.srv.must(http.StatusOK, "GET", "/api/v1/estates/"+e.estateID+"/feedback?round_id="+roundID, token, nil)
	resp.decode(t, &f)
	if token == e.designer && (strings.Contains(string(resp.Body), `"room"`) || strings.Contains(string(resp.Body), "1381234")) {
		t.Fatalf("the designer's feedback shows rooms or phone numbers: %s", resp.Body)
	}
	counts := map[string]feedbackCountsJSON{"totals": f.Totals}
	for _, g := range f.Groups {
		counts[g.Category+"/"+g.PlanItem] = g.Counts
		if len(g.Items) != g.Counts.Total {
			t.Errorf("group %s/%s lists %d items but counts %d", g.Category, g.PlanItem, len(g.Items), g.Counts.Total)
		}
	}
	return counts
}

// checkObjectionFilters lists the estate's objections by status, round and
// category while exactly one (openID, an elevator objection) is open.
func checkObjectionFilters(t *testing.T, e *objectionEstate, roundID, openID string) {
	t.Helper()
	base := "/api/v1/estates/" + e.estateID + "/objections"
	for query, want := range map[string]int{
		"?status=open": 1, "?status=answered": 2, "?round_id=" + roundID: 3, "?category=elevator": 2,
		"?category=elevator&status=answered": 1, "?round_id=no-such-round": 0, "?limit=2": 2,
	} {
		var list listResponse[objectionResponse]
		e.srv.must(http.StatusOK, "GET", base+query, e.designer, nil).decode(t, &list)
		if len(list.Items) != want {
			t.Errorf("objections%s: %d items, want %d", query, len(list.Items), want)
		}
		if query == "?status=open" && len(list.Items) == 1 && list.Items[0].ID != openID {
			t.Errorf("the open objection is %s, want %s", list.Items[0].ID, openID)
		}
		for _, o := range list.Items {
			if o.Household != nil && o.Household.Room != "" {
				t.Errorf("the designer sees room %q", o.Household.Room)
			}
		}
	}
	expectError(t, e.srv.call("GET", base+"?status=pending", e.designer, nil), http.StatusUnprocessableEntity, "validation_failed")
	expectError(t, e.srv.call("GET", base+"?category=noise", e.designer, nil), http.StatusUnprocessableEntity, "validation_failed")
}
