package service

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/wechat"
	"minyi/wechat/wechattest"
)

// notifyWorld is an estate of three households with residents bound to
// them, the fake WeChat server with the four templates, and a service on a
// pinned clock that sends through the fake.
type notifyWorld struct {
	t          *testing.T
	svc        *Service
	fake       *wechattest.Server
	clock      *pinnedClock
	estateID   string
	households []string
	admin      Actor
	residents  map[string]Actor // by openid
}

var testTemplates = map[string]string{NotifyRoundOpened: "tpl-open", NotifyObjectionAnswered: "tpl-answer",
	NotifyResultPublished: "tpl-result", NotifyDeadlineReminder: "tpl-remind"}

func newNotifyWorld(t *testing.T, db *model.DB) *notifyWorld {
	t.Helper()
	ctx := context.Background()
	clock := &pinnedClock{now: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)}
	w := &notifyWorld{t: t, clock: clock, fake: wechattest.NewServer(t), residents: map[string]Actor{},
		svc: New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)}
	w.fake.AddTemplate("tpl-open", "thing1", "time2", "thing3")
	w.fake.AddTemplate("tpl-answer", "thing1", "phrase2", "time3")
	w.fake.AddTemplate("tpl-result", "thing1", "phrase2", "time3")
	w.fake.AddTemplate("tpl-remind", "thing1", "time2", "thing3")
	w.svc.SetNotifier(NotifierConfig{Sender: w.fake.Client(t), Templates: testTemplates, Backoff: time.Minute, MaxAttempts: 3})
	name := "通知小区"
	estate, err := w.svc.CreateEstate(ctx, SystemActor(), EstateFields{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	w.estateID = estate.ID
	var items []HouseholdFields
	for i := 0; i < 3; i++ {
		b, u, r, area := "1", "1", fmt.Sprint(101+i), int64(8000)
		items = append(items, HouseholdFields{Building: &b, Unit: &u, Room: &r, AreaHundredths: &area})
	}
	created, err := w.svc.CreateHouseholds(ctx, SystemActor(), estate.ID, items)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range created {
		w.households = append(w.households, h.ID)
	}
	admin, err := w.svc.CreateUser(ctx, SystemActor(), NewUser{Username: "admin-" + estate.Code, Password: "admin-password", Role: RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	w.admin = Actor{Kind: ActorUser, ID: admin.ID, Role: RoleAdmin, Channel: ChannelAPI}
	return w
}

// resident logs a resident in, binds them to household i and, when
// accepting, records one acceptance of every kind (in WeChat and with us).
func (w *notifyWorld) resident(openid string, i int, relation string, accepting bool) Actor {
	w.t.Helper()
	ctx := context.Background()
	r := residentActor(w.t, w.svc, openid)
	issued, err := w.svc.IssueBindingCode(ctx, w.admin, w.estateID, w.households[i])
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.RedeemBindingCode(ctx, r, issued.Code, relation); err != nil {
		w.t.Fatal(err)
	}
	if accepting {
		if _, err := w.svc.AcceptSubscriptions(ctx, r, NotificationKinds); err != nil {
			w.t.Fatal(err)
		}
		for _, tpl := range testTemplates {
			w.fake.Accept(openid, tpl, 1)
		}
	}
	w.residents[openid] = r
	return r
}

// openRound creates and opens a round closing in the given time.
func (w *notifyWorld) openRound(title string, closesIn time.Duration) string {
	w.t.Helper()
	ctx := context.Background()
	kind, closes := KindWillingness, w.clock.Now().Add(closesIn)
	round, err := w.svc.CreateRound(ctx, SystemActor(), w.estateID, RoundFields{Title: &title, Kind: &kind, ClosesAt: &closes})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.OpenRound(ctx, w.admin, round.ID, false); err != nil {
		w.t.Fatal(err)
	}
	return round.ID
}

// outbox lists the outbox with a status filter ("" for all).
func (w *notifyWorld) outbox(status string) []model.Notification {
	w.t.Helper()
	rows, _, err := w.svc.ListNotifications(context.Background(), w.admin, NotificationFilter{Status: status}, Page{Limit: 500})
	if err != nil {
		w.t.Fatal(err)
	}
	return rows
}

// send runs one pass of the sender and returns how many were sent.
func (w *notifyWorld) send() int {
	w.t.Helper()
	n, err := w.svc.SendDueNotifications(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// sentTo lists the openids a template's delivered messages went to.
func (w *notifyWorld) sentTo(template string) map[string]int {
	out := map[string]int{}
	for _, m := range w.fake.Sent() {
		if m.TemplateID == template {
			out[m.ToUser]++
		}
	}
	return out
}

// TestEveryKindOfNotification: each kind reaches whom the contract says,
// through the fake WeChat server, once, and uses up one acceptance.
func TestEveryKindOfNotification(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newNotifyWorld(t, db)
		ctx := context.Background()
		owner := w.resident("o-owner", 0, RelationOwner, true)
		w.resident("o-family", 0, RelationFamily, true)
		neighbour := w.resident("o-neighbour", 1, RelationOwner, true)
		w.resident("o-silent", 2, RelationOwner, false) // accepted nothing: never enqueued

		roundID := w.openRound("加装电梯意愿征询", 10*24*time.Hour)
		if pending := w.outbox(NotificationPending); len(pending) != 3 {
			t.Fatalf("%d round_opened messages pending, want 3 (the silent resident accepted nothing)", len(pending))
		}
		if n := w.send(); n != 3 {
			t.Fatalf("sent %d, want 3", n)
		}
		if got := w.sentTo("tpl-open"); len(got) != 3 || got["o-owner"] != 1 || got["o-family"] != 1 || got["o-neighbour"] != 1 {
			t.Fatalf("round_opened went to %v", got)
		}
		first := w.fake.Sent()[0]
		if first.Data["thing1"] != "加装电梯意愿征询" || first.Page != "pages/rounds/rounds?round_id="+roundID || first.Data["time2"] != "2026-12-11 09:00" {
			t.Fatalf("round_opened message = %+v", first)
		}
		if n := w.send(); n != 0 {
			t.Fatalf("a second pass sent %d, want 0", n)
		}
		left, err := w.svc.MySubscriptions(ctx, owner)
		if err != nil || left[NotifyRoundOpened] != 0 || left[NotifyResultPublished] != 1 {
			t.Fatalf("the owner's acceptances after one message: %v %v", left, err)
		}

		// Three days before the deadline: the signers of undecided households.
		if _, err := w.svc.RecordMySignOff(ctx, owner, roundID, MySignOffInput{Decision: DecisionAgree}); err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.EnqueueDeadlineReminders(ctx); err != nil || n != 0 {
			t.Fatalf("reminders ten days early: %d %v", n, err)
		}
		w.clock.set(w.clock.Now().Add(7*24*time.Hour + time.Minute))
		if n, err := w.svc.EnqueueDeadlineReminders(ctx); err != nil || n != 1 {
			t.Fatalf("reminders: %d rounds %v, want 1", n, err)
		}
		if n, err := w.svc.EnqueueDeadlineReminders(ctx); err != nil || n != 0 {
			t.Fatalf("reminders again: %d rounds %v, want 0 (once per round)", n, err)
		}
		w.send()
		if got := w.sentTo("tpl-remind"); len(got) != 1 || got["o-neighbour"] != 1 {
			t.Fatalf("deadline_reminder went to %v, want the undecided neighbour only", got)
		}

		// The neighbour objects; the answer reaches them alone.
		household := w.households[1]
		objection, err := w.svc.FileObjection(ctx, neighbour, w.estateID, ObjectionInput{RoundID: &roundID, HouseholdID: &household,
			Category: "elevator", Content: "电梯井道挡住了我家的采光，希望换到楼梯间北侧"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AnswerObjection(ctx, w.admin, objection.ID, AnswerInput{Outcome: OutcomePartiallyAdopted, Explanation: "井道改用玻璃幕墙", PublicSummary: "电梯井道影响采光"}); err != nil {
			t.Fatal(err)
		}
		w.send()
		answered := w.sentTo("tpl-answer")
		if len(answered) != 1 || answered["o-neighbour"] != 1 {
			t.Fatalf("objection_answered went to %v", answered)
		}
		for _, m := range w.fake.Sent() {
			if m.TemplateID == "tpl-answer" && (m.Data["phrase2"] != "部分采纳" || m.Data["thing1"] != "电梯井道挡住了我家的采光，希望换到楼梯…") {
				t.Fatalf("objection_answered message = %+v", m)
			}
		}

		// Closing publishes the result to every bound resident who accepted.
		if _, err := w.svc.CloseRoundWithReason(ctx, w.admin, roundID, "居民已全部表态，提前结束"); err != nil {
			t.Fatal(err)
		}
		w.send()
		if got := w.sentTo("tpl-result"); len(got) != 3 {
			t.Fatalf("result_published went to %v, want the three who accepted", got)
		}
		if failed := w.outbox(NotificationFailed); len(failed) != 0 {
			t.Fatalf("failed messages: %+v", failed)
		}
		if sent := w.outbox(NotificationSent); len(sent) != 3+1+1+3 {
			t.Fatalf("%d messages sent, want 8", len(sent))
		}
	})
}

// TestNotificationRetryAndRefusal: WeChat busy (-1) or over quota (45009)
// → tried again after a back-off that doubles, the acceptance kept; 43101
// → failed, and nothing more of that kind goes to the resident; the last
// try fails for good.
func TestNotificationRetryAndRefusal(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newNotifyWorld(t, db)
		ctx := context.Background()
		owner := w.resident("o-owner", 0, RelationOwner, true)
		w.openRound("第一轮", 30*24*time.Hour)

		w.fake.FailNext(wechattest.EndpointSend, wechat.CodeBusy, "system error")
		if n := w.send(); n != 0 {
			t.Fatalf("sent %d while WeChat was busy", n)
		}
		pending := w.outbox(NotificationPending)
		if len(pending) != 1 || pending[0].Attempts != 1 || !pending[0].NextAttemptAt.Equal(w.clock.Now().Add(time.Minute)) {
			t.Fatalf("after busy: %+v, want pending for one minute", pending)
		}
		if left, _ := w.svc.MySubscriptions(ctx, owner); left[NotifyRoundOpened] != 1 {
			t.Fatalf("the acceptance was used by an undelivered message: %v", left)
		}
		if n := w.send(); n != 0 {
			t.Fatal("sent before the back-off ended")
		}
		w.clock.set(w.clock.Now().Add(time.Minute))
		w.fake.FailNext(wechattest.EndpointSend, wechat.CodeDailyQuota, "reach max api daily quota limit")
		w.send()
		pending = w.outbox(NotificationPending)
		if len(pending) != 1 || pending[0].Attempts != 2 || !pending[0].NextAttemptAt.Equal(w.clock.Now().Add(2*time.Minute)) {
			t.Fatalf("after 45009: %+v, want pending for two minutes", pending)
		}
		w.clock.set(w.clock.Now().Add(2 * time.Minute))
		if n := w.send(); n != 1 || len(w.fake.Sent()) != 1 {
			t.Fatalf("after the back-off: sent %d, fake has %d", n, len(w.fake.Sent()))
		}

		// The resident withdrew consent in WeChat: 43101 stops messages of that kind.
		other := w.resident("o-other", 1, RelationOwner, true)
		if _, err := w.svc.AcceptSubscriptions(ctx, other, []string{NotifyRoundOpened}); err != nil {
			t.Fatal(err)
		}
		w.fake.FailNext(wechattest.EndpointSend, wechat.CodeUserRefused, "user refuse to accept the msg")
		w.openRound("第二轮", 30*24*time.Hour)
		w.send()
		failed := w.outbox(NotificationFailed)
		if len(failed) != 1 || failed[0].ResidentID != other.ID {
			t.Fatalf("failed after 43101: %+v", failed)
		}
		if left, _ := w.svc.MySubscriptions(ctx, other); left[NotifyRoundOpened] != 0 {
			t.Fatalf("after 43101 the resident still has %d acceptances", left[NotifyRoundOpened])
		}
		if _, err := w.svc.AcceptSubscriptions(ctx, owner, []string{NotifyRoundOpened}); err != nil {
			t.Fatal(err)
		}
		w.fake.Accept("o-owner", "tpl-open", 1)
		calls := w.fake.Calls(wechattest.EndpointSend)
		w.openRound("第三轮", 30*24*time.Hour)
		w.send()
		if got := w.fake.Calls(wechattest.EndpointSend) - calls; got != 1 {
			t.Fatalf("%d calls after the refusal, want 1 (the owner only)", got)
		}

		// Busy on every try: failed after MaxAttempts (3), the acceptance kept.
		if _, err := w.svc.AcceptSubscriptions(ctx, owner, []string{NotifyRoundOpened}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			w.fake.FailNext(wechattest.EndpointSend, wechat.CodeBusy, "system error")
		}
		w.openRound("第四轮", 30*24*time.Hour)
		for range 3 {
			w.send()
			w.clock.set(w.clock.Now().Add(time.Hour))
		}
		failed = w.outbox(NotificationFailed)
		if len(failed) != 2 || failed[1].Attempts != 3 {
			t.Fatalf("after three busy answers: %+v", failed)
		}
		if left, _ := w.svc.MySubscriptions(ctx, owner); left[NotifyRoundOpened] != 1 {
			t.Fatalf("acceptances after a message that never went: %v", left)
		}
	})
}

// TestNotificationAtMostOnce: a message another sender claimed is not sent
// by this one, and a claim left by a crash ends as failed, never resent.
func TestNotificationAtMostOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newNotifyWorld(t, db)
		w.resident("o-owner", 0, RelationOwner, true)
		w.openRound("第一轮", 30*24*time.Hour)
		// A sender claims the message and crashes before WeChat answers.
		res := db.Gorm.Model(&model.Notification{}).Where("status = ?", NotificationPending).
			Updates(map[string]any{"status": NotificationSending, "claimed_at": w.clock.Now(), "attempts": 1})
		if res.Error != nil || res.RowsAffected != 1 {
			t.Fatalf("claim: %v %d", res.Error, res.RowsAffected)
		}
		if n := w.send(); n != 0 || w.fake.Calls(wechattest.EndpointSend) != 0 {
			t.Fatal("a claimed message was sent again")
		}
		if pending := w.outbox(NotificationPending); len(pending) != 1 {
			t.Fatalf("a claimed message shows as %+v, want pending", pending)
		}
		w.clock.set(w.clock.Now().Add(11 * time.Minute))
		w.send()
		failed := w.outbox(NotificationFailed)
		if len(failed) != 1 || w.fake.Calls(wechattest.EndpointSend) != 0 {
			t.Fatalf("the abandoned claim: %+v, %d calls", failed, w.fake.Calls(wechattest.EndpointSend))
		}

		// Two senders read the same pending message; the second one's claim
		// finds it taken and sends nothing.
		w.resident("o-second", 1, RelationOwner, true)
		w.openRound("第二轮", 30*24*time.Hour)
		var stale []model.Notification
		if err := db.Gorm.Where("status = ?", NotificationPending).Find(&stale).Error; err != nil || len(stale) != 2 {
			t.Fatalf("pending: %+v %v", stale, err)
		}
		if n := w.send(); n != 2 {
			t.Fatalf("the first sender sent %d", n)
		}
		// (The resident accepts again, so that only the claim can stop it.)
		if _, err := w.svc.AcceptSubscriptions(context.Background(), w.residents["o-owner"], []string{NotifyRoundOpened}); err != nil {
			t.Fatal(err)
		}
		w.fake.Accept("o-owner", "tpl-open", 1)
		calls := w.fake.Calls(wechattest.EndpointSend)
		if ok, err := w.svc.sendOne(context.Background(), w.svc.notifier(), &stale[0]); ok || err != nil || w.fake.Calls(wechattest.EndpointSend) != calls {
			t.Fatalf("the second sender: sent %v, err %v, WeChat calls %d → %d", ok, err, calls, w.fake.Calls(wechattest.EndpointSend))
		}
		if sent := w.outbox(NotificationSent); len(sent) != 2 {
			t.Fatalf("after the second sender, %d messages show as sent, want 2", len(sent))
		}

		// Two senders at once: one delivery per message (the new resident
		// and the owner, who accepted again).
		w.resident("o-third", 2, RelationOwner, true)
		w.openRound("第三轮", 30*24*time.Hour)
		done := make(chan int, 2)
		for range 2 {
			go func() {
				n, err := w.svc.SendDueNotifications(context.Background())
				if err != nil {
					t.Error(err)
				}
				done <- n
			}()
		}
		total := <-done + <-done
		if total != 2 || len(w.fake.Sent()) != 4 {
			t.Fatalf("two senders sent %d (fake received %d in all), want 2 (4 in all)", total, len(w.fake.Sent()))
		}
	})
}

// TestSubscriptionsValidation: unknown kinds are refused and change nothing;
// staff cannot use the resident's subscriptions; the outbox is admins' only.
func TestSubscriptionsValidation(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newNotifyWorld(t, db)
		ctx := context.Background()
		r := w.resident("o-owner", 0, RelationOwner, false)
		if _, err := w.svc.AcceptSubscriptions(ctx, r, []string{NotifyRoundOpened, "marketing"}); errorCode(err) != "validation_failed" || AsError(err).Fields["accepted"] == "" {
			t.Fatalf("an unknown kind: %v", err)
		}
		left, err := w.svc.AcceptSubscriptions(ctx, r, []string{NotifyRoundOpened, NotifyRoundOpened, NotifyDeadlineReminder})
		if err != nil || left[NotifyRoundOpened] != 1 || left[NotifyDeadlineReminder] != 1 || left[NotifyResultPublished] != 0 || len(left) != 4 {
			t.Fatalf("after one acceptance: %v %v", left, err)
		}
		if _, err := w.svc.AcceptSubscriptions(ctx, w.admin, []string{NotifyRoundOpened}); errorCode(err) != "forbidden" {
			t.Fatalf("staff: %v", err)
		}
		if _, _, err := w.svc.ListNotifications(ctx, r, NotificationFilter{}, Page{}); errorCode(err) != "forbidden" {
			t.Fatalf("a resident reading the outbox: %v", err)
		}
		if _, _, err := w.svc.ListNotifications(ctx, w.admin, NotificationFilter{Status: "lost"}, Page{}); errorCode(err) != "validation_failed" {
			t.Fatalf("a bad status: %v", err)
		}
	})
}

// TestNotificationLoop: the loop that serve runs sends what is due and
// returns when its context ends.
func TestNotificationLoop(t *testing.T) {
	t.Parallel()
	db := testdb.OpenSQLite(t)
	w := newNotifyWorld(t, db)
	w.resident("o-owner", 0, RelationOwner, true)
	w.openRound("第一轮", 30*24*time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		w.svc.RunNotifications(ctx, 10*time.Millisecond)
		close(stopped)
	}()
	// Wait until the message is sent and settled (WeChat has it before the
	// sender hears back: stopping the loop in between would cancel the call).
	for i := 0; len(w.outbox(NotificationSent)) == 0; i++ {
		if i == 1000 {
			t.Fatalf("the loop sent nothing within ten seconds (WeChat got %d)", len(w.fake.Sent()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-stopped
	if sent := w.outbox(NotificationSent); len(sent) != 1 || len(w.fake.Sent()) != 1 {
		t.Fatalf("sent = %+v, WeChat got %d", sent, len(w.fake.Sent()))
	}
}
