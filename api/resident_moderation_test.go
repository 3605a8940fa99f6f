package api

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/wechat"
	"minyi/wechat/wechattest"
)

// TestResidentCommentModeration: pass publishes, review holds until a
// worker decides, risky is refused and records nothing, and a failed check holds.
func TestResidentCommentModeration(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		w.fake.SetVerdict("违规广告", wechat.SuggestRisky)
		w.fake.SetVerdict("需要复核", wechat.SuggestReview)
		token, _ := w.bind("o-writer", "106")

		// risky: 422 and nothing recorded
		expectCode(t, s.call("PUT", w.mySignOffPath(), token, map[string]string{"decision": "disagree", "comment": "违规广告 加微信"}),
			http.StatusUnprocessableEntity, "content_rejected")
		if rounds := w.myRounds(token); rounds[0].MyDecision != nil {
			t.Fatalf("a rejected comment recorded a decision: %+v", rounds[0].MyDecision)
		}
		if participated, _ := w.tallyCounts(); participated != 0 {
			t.Fatalf("a rejected comment was counted (%d participated)", participated)
		}
		checked := w.fake.Checked()
		if len(checked) != 1 || checked[0].OpenID != "o-writer" || checked[0].Scene != 2 || checked[0].Version != 2 {
			t.Fatalf("WeChat was asked %+v, want scene 2, version 2 with the author's openid", checked)
		}

		// review: recorded, comment held, queued for the estate's workers
		var mine mySignOffResponse
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "disagree", "comment": "电梯位置需要复核"}).decode(t, &mine)
		if mine.CommentStatus != "held" || mine.Decision != "disagree" {
			t.Fatalf("my sign-off = %+v, want a held comment", mine)
		}
		if got := w.myRounds(token)[0].MyDecision; got.CommentStatus != "held" {
			t.Fatalf("my decision shows the comment as %q, want held", got.CommentStatus)
		}
		var queue listResponse[moderationItemJSON]
		s.must(http.StatusOK, "GET", "/api/v1/estates/"+w.estateID+"/moderation", w.worker, nil).decode(t, &queue)
		if len(queue.Items) != 1 || queue.Items[0].Text != "电梯位置需要复核" || queue.Items[0].SubjectKind != "signoff_comment" || queue.Items[0].Status != "held" {
			t.Fatalf("the moderation queue = %+v", queue.Items)
		}
		item := queue.Items[0]
		expectCode(t, s.call("POST", "/api/v1/moderation/"+item.ID+"/review", w.designer, map[string]string{"outcome": "publish"}), http.StatusForbidden, "forbidden")
		expectCode(t, s.call("POST", "/api/v1/moderation/"+item.ID+"/review", w.worker, map[string]string{"outcome": "maybe"}), http.StatusUnprocessableEntity, "validation_failed")
		var reviewed moderationItemJSON
		s.must(http.StatusOK, "POST", "/api/v1/moderation/"+item.ID+"/review", w.worker, map[string]string{"outcome": "publish"}).decode(t, &reviewed)
		if reviewed.Status != "published" || reviewed.ReviewedAt == nil {
			t.Fatalf("reviewed item = %+v", reviewed)
		}
		expectCode(t, s.call("POST", "/api/v1/moderation/"+item.ID+"/review", w.worker, map[string]string{"outcome": "reject"}), http.StatusConflict, "moderation_already_reviewed")
		if got := w.myRounds(token)[0].MyDecision; got.CommentStatus != "published" {
			t.Fatalf("after publishing, the comment is %q", got.CommentStatus)
		}
		s.must(http.StatusOK, "GET", "/api/v1/estates/"+w.estateID+"/moderation", w.worker, nil).decode(t, &queue)
		if len(queue.Items) != 0 {
			t.Fatalf("the held queue still has %d items", len(queue.Items))
		}

		// pass: published at once, nothing queued
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree", "comment": "同意改造"}).decode(t, &mine)
		if mine.CommentStatus != "published" || mine.Version != 2 {
			t.Fatalf("a passing comment: %+v", mine)
		}

		// the check fails: the decision is recorded, the comment held for review
		w.fake.FailNext(wechattest.EndpointSecCheck, wechat.CodeBusy, "system error")
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree", "comment": "再补充一句"}).decode(t, &mine)
		if mine.CommentStatus != "held" || mine.Version != 3 {
			t.Fatalf("with WeChat busy: %+v, want the comment held", mine)
		}
		s.must(http.StatusOK, "GET", "/api/v1/estates/"+w.estateID+"/moderation?status=held", w.admin, nil).decode(t, &queue)
		if len(queue.Items) != 1 || queue.Items[0].Reason != "check_unavailable" {
			t.Fatalf("held queue = %+v", queue.Items)
		}
		s.must(http.StatusOK, "POST", "/api/v1/moderation/"+queue.Items[0].ID+"/review", w.admin, map[string]string{"outcome": "reject"})
		if got := w.myRounds(token)[0].MyDecision; got.CommentStatus != "rejected" || got.Decision != "agree" {
			t.Fatalf("after rejection: %+v", got)
		}
		if _, agree := w.tallyCounts(); agree != 1 {
			t.Fatalf("agree = %d, want 1", agree)
		}
		// the queue of another estate is not visible to this estate's worker
		expectCode(t, s.call("GET", "/api/v1/estates/"+w.createEstate("别处", "biechu")+"/moderation", w.worker, nil), http.StatusNotFound, "estate_not_found")
	})
}

// TestModerationWithoutWeChat: without WeChat every comment is published unchecked.
func TestModerationWithoutWeChat(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		w.srv.svc.SetModerator(nil)
		token, _ := w.bind("o-free", "101")
		var mine mySignOffResponse
		w.srv.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree", "comment": "需要复核"}).decode(t, &mine)
		if mine.CommentStatus != "published" || len(w.fake.Checked()) != 0 {
			t.Fatalf("without a moderator: %+v, checked %d texts", mine, len(w.fake.Checked()))
		}
	})
}

// TestBindingCodes: who may issue codes, expiry, and the limit of wrong tries.
func TestBindingCodes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		expectCode(t, s.call("POST", w.bindingCodesPath("101"), w.designer, nil), http.StatusForbidden, "forbidden")
		_, outsider := s.staff(w.admin, "outsider", "worker")
		expectCode(t, s.call("POST", w.bindingCodesPath("101"), outsider, nil), http.StatusNotFound, "estate_not_found")
		expectCode(t, s.call("POST", "/api/v1/estates/"+w.estateID+"/households/"+w.otherHouse+"/binding-codes", w.worker, nil),
			http.StatusNotFound, "household_not_found")
		var issued bindingCodeResponse
		s.must(http.StatusCreated, "POST", w.bindingCodesPath("101"), w.admin, nil).decode(t, &issued)
		if d := time.Until(time.Time(issued.ExpiresAt)); d < 13*24*time.Hour+23*time.Hour || d > 14*24*time.Hour {
			t.Fatalf("the code expires in %v, want 14 days", d)
		}

		token := w.login("o-guesser").AccessToken
		expectCode(t, s.call("POST", "/api/v1/me/bindings", token, map[string]string{"code": ""}), http.StatusUnprocessableEntity, "validation_failed")

		expired := w.bindingCode("102")
		db.Gorm.Model(&model.BindingCode{}).Where("household_id = ?", w.household["102"]).Update("expires_at", time.Now().Add(-time.Minute))
		expectCode(t, s.call("POST", "/api/v1/me/bindings", token, map[string]string{"code": expired}), http.StatusUnprocessableEntity, "binding_code_expired")

		good := w.bindingCode("103")
		for i := 2; i <= 10; i++ { // the expired try was the first wrong one; one code is limited on its own
			expectCode(t, s.call("POST", "/api/v1/me/bindings", token, map[string]string{"code": "ZZZZZZ" + strconv.Itoa(10+i)}), http.StatusUnprocessableEntity, "binding_code_invalid")
		}
		resp := s.call("POST", "/api/v1/me/bindings", token, map[string]string{"code": good})
		expectCode(t, resp, http.StatusTooManyRequests, "too_many_binding_attempts")
		if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After %q on the 11th try", ra)
		}
		// Another resident is not affected, and the good code still works for them.
		other := w.login("o-honest").AccessToken
		s.must(http.StatusCreated, "POST", "/api/v1/me/bindings", other, map[string]string{"code": good})
		// An hour later the guesser may try again.
		db.Gorm.Model(&model.BindingFailure{}).Where("1 = 1").Update("attempted_at", time.Now().Add(-61*time.Minute))
		expectCode(t, s.call("POST", "/api/v1/me/bindings", token, map[string]string{"code": "ZZZZZZZZ"}), http.StatusUnprocessableEntity, "binding_code_invalid")
	})
}
