package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// TestRoundRulesOverHTTP: a custom check without "of" and a rule without an agreement
// check are refused with fields naming them; 66.67% is accepted with a warning that
// suggests 2/3 (old code: silently accepted, and "of" defaulted to participation).
func TestRoundRulesOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		path := "/api/v1/estates/" + w.estateID + "/rounds"
		noOf := map[string]any{"title": "电梯", "kind": "plan", "rule": map[string]any{"preset": "custom", "checks": []map[string]any{
			{"measure": "households", "base": "electorate", "ratio": "2/3"}}}}
		bad := expectError(t, w.srv.call("POST", path, w.admin, noOf), http.StatusUnprocessableEntity, "validation_failed")
		if bad.Error.Fields["rule.checks[0].of"] == "" {
			t.Errorf("fields %v do not name rule.checks[0].of", bad.Error.Fields)
		}
		participationOnly := map[string]any{"title": "电梯", "kind": "plan", "rule": map[string]any{"preset": "custom", "checks": []map[string]any{
			{"measure": "households", "base": "electorate", "ratio": "2/3", "of": "participated"}}}}
		bad = expectError(t, w.srv.call("POST", path, w.admin, participationOnly), http.StatusUnprocessableEntity, "validation_failed")
		if bad.Error.Fields["rule"] == "" {
			t.Errorf("fields %v do not name rule", bad.Error.Fields)
		}
		badRatio := map[string]any{"title": "电梯", "kind": "plan", "rule": map[string]any{"preset": "custom", "checks": []map[string]any{
			{"measure": "households", "base": "electorate", "ratio": "two thirds", "of": "agree"}}}}
		bad = expectError(t, w.srv.call("POST", path, w.admin, badRatio), http.StatusUnprocessableEntity, "validation_failed")
		if reason := bad.Error.Fields["rule.checks[0].ratio"]; !strings.Contains(reason, "2/3") || strings.Contains(reason, "66.67") {
			t.Errorf("ratio reason %q should suggest 2/3 and never 66.67%%", reason)
		}
		var round roundResponse
		w.srv.must(http.StatusCreated, "POST", path, w.admin, map[string]any{"title": "电梯", "kind": "plan",
			"rule": map[string]any{"preset": "custom", "checks": []map[string]any{
				{"name": "lift", "measure": "households", "base": "electorate", "ratio": "66.67%", "of": "agree"}}}}).decode(t, &round)
		if len(round.Warnings) != 1 || !strings.Contains(round.Warnings[0], "2/3") {
			t.Errorf("warnings = %q, want one suggesting 2/3", round.Warnings)
		}
		if round.ElectorateBasis != "eligible" || round.LateSyncHours != 24 || round.NoticeDays != 7 {
			t.Errorf("defaults: basis %s, %d h, %d days", round.ElectorateBasis, round.LateSyncHours, round.NoticeDays)
		}
		round = roundResponse{}
		w.srv.must(http.StatusCreated, "POST", path, w.worker, map[string]any{"title": "民法典", "kind": "plan",
			"rule": map[string]any{"preset": "civil-code-major"}, "notice_days": 15}).decode(t, &round)
		if round.ElectorateBasis != "all" || round.NoticeDays != 15 || len(round.Warnings) != 0 {
			t.Errorf("civil-code round: basis %s, notice %d, warnings %q", round.ElectorateBasis, round.NoticeDays, round.Warnings)
		}
	})
}

// TestDeadlineAndNoticePeriodOverHTTP: after the deadline a resident's online sign-off is
// refused; an admin closes; the resident objects to the result and sees only their own
// objection; the admin upholds it and the round is voided, which the board shows.
func TestDeadlineAndNoticePeriodOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		token, _ := w.bind("openid-deadline", "101")
		w.staffSignOff("102", "agree", "业主102")
		// Move the round's deadline into the past (as if the clock had passed it).
		past := time.Now().UTC().Add(-time.Minute)
		if err := db.Gorm.WithContext(context.Background()).Model(&model.Round{}).Where("id = ?", w.roundID).Update("closes_at", past).Error; err != nil {
			t.Fatal(err)
		}
		expectError(t, s.call("PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree"}), http.StatusConflict, "round_past_deadline")
		expectError(t, s.call("PUT", "/api/v1/rounds/"+w.roundID+"/signoffs/"+w.household["103"], w.worker,
			map[string]string{"decision": "agree", "channel": "paper", "signer_name": "业主"}), http.StatusConflict, "round_past_deadline")
		expectError(t, s.call("DELETE", "/api/v1/rounds/"+w.roundID+"/signoffs/"+w.household["102"], w.worker, nil), http.StatusConflict, "round_past_deadline")

		objections := "/api/v1/rounds/" + w.roundID + "/result-objections"
		expectError(t, s.call("POST", objections, token, map[string]string{"text": "太早"}), http.StatusConflict, "round_not_closed")
		expectError(t, s.call("POST", "/api/v1/rounds/"+w.roundID+"/close", w.worker, nil), http.StatusForbidden, "forbidden")
		var closed roundResponse
		s.must(http.StatusOK, "POST", "/api/v1/rounds/"+w.roundID+"/close", w.admin, nil).decode(t, &closed)
		if closed.Status != "closed" || closed.NoticeEndsAt == nil {
			t.Fatalf("closed round = %+v", closed)
		}
		var mine resultObjectionResponse
		s.must(http.StatusCreated, "POST", objections, token, map[string]string{"text": "我家的纸质签字没有录入"}).decode(t, &mine)
		s.must(http.StatusCreated, "POST", objections, w.worker, map[string]string{"text": "代住户提出", "household_id": w.household["104"]})
		var list listResponse[resultObjectionResponse]
		s.must(http.StatusOK, "GET", objections, token, nil).decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != mine.ID || list.Items[0].Status != "open" {
			t.Errorf("the resident's list = %+v", list.Items)
		}
		s.must(http.StatusOK, "GET", objections, w.designer, nil).decode(t, &list)
		if len(list.Items) != 2 {
			t.Errorf("staff list has %d objections, want 2", len(list.Items))
		}
		resolution := "/api/v1/result-objections/" + mine.ID + "/resolution"
		expectError(t, s.call("POST", resolution, w.worker, map[string]string{"outcome": "upheld", "explanation": "x"}), http.StatusForbidden, "forbidden")
		expectError(t, s.call("POST", resolution, w.admin, map[string]string{"outcome": "upheld"}), http.StatusUnprocessableEntity, "validation_failed")
		var answered resultObjectionResponse
		s.must(http.StatusOK, "POST", resolution, w.admin, map[string]string{"outcome": "upheld", "explanation": "核实漏录一户，本轮结果作废"}).decode(t, &answered)
		if answered.Outcome != "upheld" || answered.Status != "answered" {
			t.Errorf("answered = %+v", answered)
		}
		var round roundResponse
		s.must(http.StatusOK, "GET", "/api/v1/rounds/"+w.roundID, w.admin, nil).decode(t, &round)
		if round.Status != "voided" || round.Result == nil {
			t.Errorf("round after an upheld objection: status %s, result %v", round.Status, round.Result != nil)
		}
		board := string(s.must(http.StatusOK, "GET", "/api/v1/public/estates/hepingli", "", nil).Body)
		if !strings.Contains(board, "核实漏录一户，本轮结果作废") || !strings.Contains(board, `"voided"`) {
			t.Errorf("the board does not show the voided result and its reason: %.600s", board)
		}
		if strings.Contains(board, "我家的纸质签字没有录入") {
			t.Error("the board shows a resident's own words")
		}
	})
}

// TestEarlyCloseOverHTTP: before the deadline an admin closes only with a reason, which
// the round and the public board show.
func TestEarlyCloseOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		future := time.Now().UTC().Add(72 * time.Hour)
		if err := db.Gorm.WithContext(context.Background()).Model(&model.Round{}).Where("id = ?", w.roundID).Update("closes_at", future).Error; err != nil {
			t.Fatal(err)
		}
		close := "/api/v1/rounds/" + w.roundID + "/close"
		bad := expectError(t, s.call("POST", close, w.admin, nil), http.StatusUnprocessableEntity, "reason_required")
		if bad.Error.Fields["reason"] == "" {
			t.Errorf("fields %v do not name reason", bad.Error.Fields)
		}
		var round roundResponse
		s.must(http.StatusOK, "POST", close, w.admin, map[string]string{"reason": "规划调整，提前结束"}).decode(t, &round)
		if round.CloseReason != "规划调整，提前结束" {
			t.Errorf("close_reason = %q", round.CloseReason)
		}
		board := string(s.must(http.StatusOK, "GET", "/notice/hepingli", "", nil).Body)
		if !strings.Contains(board, "规划调整，提前结束") || !strings.Contains(board, "公示期") {
			t.Errorf("the board does not show the early close's reason and the notice period")
		}
	})
}
