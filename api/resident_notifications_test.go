package api

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
	"minyi/wechat"
	"minyi/wechat/wechattest"
)

// TestSubscriptionsAndOutboxOverHTTP: a resident records acceptances and
// reads what is left; a message sent through the fake uses one up and
// shows in the admins' outbox.
func TestSubscriptionsAndOutboxOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		w.fake.AddTemplate("tpl-open", "thing1", "time2", "thing3")
		s.svc.SetNotifier(service.NotifierConfig{Sender: w.fake.Client(t), Templates: map[string]string{service.NotifyRoundOpened: "tpl-open"}})
		token, _ := w.bind("o-sub", "101")
		w.fake.Accept("o-sub", "tpl-open", 1)

		var left subscriptionsResponse
		s.must(http.StatusOK, "GET", "/api/v1/me/subscriptions", token, nil).decode(t, &left)
		if len(left.Remaining) != 4 || left.Remaining["round_opened"] != 0 {
			t.Fatalf("before accepting: %+v", left)
		}
		s.must(http.StatusOK, "PUT", "/api/v1/me/subscriptions", token, map[string]any{"accepted": []string{"round_opened", "deadline_reminder"}}).decode(t, &left)
		if left.Remaining["round_opened"] != 1 || left.Remaining["deadline_reminder"] != 1 || left.Remaining["result_published"] != 0 {
			t.Fatalf("after accepting: %+v", left)
		}
		expectCode(t, s.call("PUT", "/api/v1/me/subscriptions", token, map[string]any{"accepted": []string{"spam"}}), http.StatusUnprocessableEntity, "validation_failed")
		expectCode(t, s.call("PUT", "/api/v1/me/subscriptions", token, map[string]any{}), http.StatusUnprocessableEntity, "validation_failed")
		expectCode(t, s.call("GET", "/api/v1/me/subscriptions", w.worker, nil), http.StatusForbidden, "forbidden")

		roundID := w.openRound(w.estateID, "二期征询")
		var outbox listResponse[notificationJSON]
		s.must(http.StatusOK, "GET", "/api/v1/notifications?status=pending", w.admin, nil).decode(t, &outbox)
		if len(outbox.Items) != 1 || outbox.Items[0].Kind != "round_opened" || outbox.Items[0].SubjectID != roundID {
			t.Fatalf("the outbox: %+v", outbox.Items)
		}
		if n, err := s.svc.SendDueNotifications(t.Context()); err != nil || n != 1 {
			t.Fatalf("sent %d: %v", n, err)
		}
		s.must(http.StatusOK, "GET", "/api/v1/notifications?status=sent&limit=10", w.admin, nil).decode(t, &outbox)
		if len(outbox.Items) != 1 || outbox.Items[0].SentAt == nil {
			t.Fatalf("sent messages: %+v", outbox.Items)
		}
		s.must(http.StatusOK, "GET", "/api/v1/me/subscriptions", token, nil).decode(t, &left)
		if left.Remaining["round_opened"] != 0 {
			t.Fatalf("a sent message did not use its acceptance: %+v", left)
		}
		expectCode(t, s.call("GET", "/api/v1/notifications", w.worker, nil), http.StatusForbidden, "forbidden")
		expectCode(t, s.call("GET", "/api/v1/notifications?status=lost", w.admin, nil), http.StatusUnprocessableEntity, "validation_failed")
	})
}

// TestBindingCodeWithMiniProgramCode: ?wxacode=true adds the PNG of the
// mini-program code whose scene is the binding code; WeChat failing leaves
// the code issued and says why.
func TestBindingCodeWithMiniProgramCode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		path := w.bindingCodesPath("102") + "?wxacode=true"
		var out bindingCodeResponse
		s.must(http.StatusCreated, "POST", path, w.worker, nil).decode(t, &out)
		if out.WXACodePNG != "" || out.WXACodeError != "wechat_not_configured" {
			t.Fatalf("without a coder: %+v", out)
		}
		s.svc.SetMiniProgramCoder(w.fake.Client(t), "release")
		s.must(http.StatusCreated, "POST", path, w.worker, nil).decode(t, &out)
		raw, err := base64.StdEncoding.DecodeString(out.WXACodePNG)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Fatalf("wxacode_png is not a PNG: %v", err)
		}
		drawn := w.fake.CodesDrawn()
		if len(drawn) != 1 || drawn[0].Scene != out.Code || drawn[0].Page != "pages/bind/bind" {
			t.Fatalf("codes drawn: %+v, want scene %s", drawn, out.Code)
		}
		var plain bindingCodeResponse
		s.must(http.StatusCreated, "POST", w.bindingCodesPath("102"), w.worker, nil).decode(t, &plain)
		if plain.WXACodePNG != "" || len(w.fake.CodesDrawn()) != 1 {
			t.Fatal("a code without ?wxacode=true asked WeChat")
		}
		w.fake.FailNext(wechattest.EndpointWXACode, wechat.CodeBusy, "system error")
		var busy bindingCodeResponse
		s.must(http.StatusCreated, "POST", path, w.worker, nil).decode(t, &busy)
		if busy.Code == "" || busy.WXACodeError != "wechat_busy" || busy.WXACodePNG != "" {
			t.Fatalf("WeChat busy: code %q, error %q, image %d bytes", busy.Code, busy.WXACodeError, len(busy.WXACodePNG))
		}
	})
}
