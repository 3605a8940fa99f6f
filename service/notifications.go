package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Kinds of subscribe messages (WeChat templates a resident can accept).
const (
	NotifyRoundOpened       = "round_opened"
	NotifyObjectionAnswered = "objection_answered"
	NotifyResultPublished   = "result_published"
	NotifyDeadlineReminder  = "deadline_reminder"
)

// NotificationKinds lists the kinds, in display order.
var NotificationKinds = []string{NotifyRoundOpened, NotifyObjectionAnswered, NotifyResultPublished, NotifyDeadlineReminder}

// Statuses of an outbox message. A message is claimed (sending) before it
// goes to WeChat; a claim left behind by a crash ends as failed, never sent again.
const (
	NotificationPending = "pending"
	NotificationSending = "sending"
	NotificationSent    = "sent"
	NotificationFailed  = "failed"
)

// maxAcceptances bounds the acceptances a resident can bank per kind.
const maxAcceptances = 100

// notifierHolder keeps the notification settings (see SetNotifier).
type notifierHolder struct {
	mu    sync.RWMutex
	cfg   *NotifierConfig
	codes codeImages // mini-program codes of binding slips (notifications_wxacode.go)
}

func (s *Service) notifier() *NotifierConfig {
	s.notifications.mu.RLock()
	defer s.notifications.mu.RUnlock()
	return s.notifications.cfg
}

// notificationKindValid tells whether kind is a kind of subscribe message.
func notificationKindValid(kind string) bool {
	for _, k := range NotificationKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// AcceptSubscriptions records what the calling resident accepted in
// wx.requestSubscribeMessage: one more message for each kind listed (a kind
// listed twice counts once), and returns the remaining count per kind.
// Errors: forbidden, validation_failed (accepted).
func (s *Service) AcceptSubscriptions(ctx context.Context, actor Actor, kinds []string) (map[string]int, error) {
	if actor.Kind != ActorResident {
		return nil, Forbidden("forbidden")
	}
	seen := map[string]bool{}
	for _, k := range kinds {
		if !notificationKindValid(k) {
			return nil, InvalidField("accepted", "each kind must be one of "+strings.Join(NotificationKinds, ", "))
		}
		seen[k] = true
	}
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		now := s.Now()
		s.audit(tx, actor, "", "resident.subscriptions_accept", "resident", actor.ID, nil, map[string]any{"accepted": kinds})
		for _, k := range NotificationKinds {
			if !seen[k] {
				continue
			}
			if err := tx.AcceptSubscription(actor.ID, k, now, maxAcceptances); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.MySubscriptions(ctx, actor)
}

// MySubscriptions returns how many messages of each kind the calling
// resident may still receive. Errors: forbidden.
func (s *Service) MySubscriptions(ctx context.Context, actor Actor) (map[string]int, error) {
	if actor.Kind != ActorResident {
		return nil, Forbidden("forbidden")
	}
	rows, err := s.read(ctx).SubscriptionsOfResident(actor.ID)
	if err != nil {
		return nil, AsError(err)
	}
	out := make(map[string]int, len(NotificationKinds))
	for _, k := range NotificationKinds {
		out[k] = 0
	}
	for _, r := range rows {
		if notificationKindValid(r.Kind) {
			out[r.Kind] = r.Remaining
		}
	}
	return out, nil
}

// outboxMessage is what enqueueing needs to know about one message.
type outboxMessage struct {
	kind        string
	estateID    string
	subjectKind string
	subjectID   string
	event       string // part of the dedupe key: what happened to the subject
	page        string
	data        map[string]string
	// subscribed says the recipients were chosen among residents with an acceptance left.
	subscribed bool
}

// storedMessage is the JSON kept in a notification's data column.
type storedMessage struct {
	Page string            `json:"page"`
	Data map[string]string `json:"data"`
}

// enqueue adds a message for each resident to the outbox, in the caller's
// transaction, unless the kind has no template configured or the resident
// has no acceptance left. The same event never enqueues a resident twice.
// An error is logged and swallowed: a notification never fails the write
// that causes it.
func (s *Service) enqueue(tx *store.Tx, m outboxMessage, residentIDs []string) {
	cfg := s.notifier()
	if cfg == nil || cfg.Templates[m.kind] == "" || len(residentIDs) == 0 {
		return
	}
	if err := s.insertOutbox(tx, m, residentIDs); err != nil {
		s.notifyLog().Warn("notification not enqueued", "kind", m.kind, "subject", m.subjectID, "error", err)
	}
}

func (s *Service) insertOutbox(tx *store.Tx, m outboxMessage, residentIDs []string) error {
	subscribed := residentIDs
	if !m.subscribed {
		var err error
		if subscribed, err = tx.SubscribedResidents(m.kind, residentIDs); err != nil {
			return err
		}
	}
	if len(subscribed) == 0 {
		return nil
	}
	raw, err := json.Marshal(storedMessage{Page: m.page, Data: m.data})
	if err != nil {
		return err
	}
	now := s.Now()
	rows := make([]model.Notification, len(subscribed))
	for i, residentID := range subscribed {
		rows[i] = model.Notification{ID: newID(), Kind: m.kind, ResidentID: residentID, EstateID: m.estateID,
			SubjectKind: m.subjectKind, SubjectID: m.subjectID,
			DedupeKey: fmt.Sprintf("%s:%s:%s:%s", m.kind, m.subjectID, m.event, residentID),
			Data:      string(raw), Status: NotificationPending, NextAttemptAt: now, CreatedAt: now}
	}
	return tx.EnqueueNotifications(rows)
}

// templateText shortens a text to what a template field of kind "thing" takes.
func templateText(text string) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) <= 20 {
		return text
	}
	r := []rune(text)
	return string(r[:19]) + "…"
}

// templateTime formats a moment for a template field of kind "time" (Beijing time).
func templateTime(t *time.Time) string {
	if t == nil {
		return "未定"
	}
	return t.In(beijing).Format("2006-01-02 15:04")
}

var beijing = time.FixedZone("CST", 8*3600)

// roundPage is the mini-program page of a round.
func roundPage(roundID string) string { return "pages/rounds/rounds?round_id=" + roundID }

// residentsOfRound lists the residents bound to households of the round's
// electorate who have an acceptance of the kind left (signersOnly: only
// each household's designated signer, and undecidedOnly: only of
// households without a counted decision).
func residentsOfRound(tx *store.Tx, roundID, kind string, signersOnly, undecidedOnly bool) ([]string, error) {
	return tx.ResidentsOfRound(store.RoundRecipients{RoundID: roundID, Kind: kind,
		SignersOnly: signersOnly, UndecidedOnly: undecidedOnly, CountedDecisions: decisions})
}

// notifyRoundOpened enqueues round_opened for the residents of the round's households.
func (s *Service) notifyRoundOpened(tx *store.Tx, round *model.Round) {
	if s.notifier() == nil {
		return
	}
	ids, err := residentsOfRound(tx, round.ID, NotifyRoundOpened, false, false)
	if err != nil {
		s.notifyLog().Warn("round_opened not enqueued", "round", round.ID, "error", err)
		return
	}
	s.enqueue(tx, outboxMessage{kind: NotifyRoundOpened, estateID: round.EstateID, subjectKind: "round", subjectID: round.ID,
		event: "opened", page: roundPage(round.ID), subscribed: true,
		data: map[string]string{"thing1": templateText(round.Title), "time2": templateTime(round.ClosesAt), "thing3": "请在截止前表态"}}, ids)
}

// notifyResultPublished enqueues result_published for the residents of the
// round's households when the round closes.
func (s *Service) notifyResultPublished(tx *store.Tx, round *model.Round, passed bool) {
	if s.notifier() == nil {
		return
	}
	ids, err := residentsOfRound(tx, round.ID, NotifyResultPublished, false, false)
	if err != nil {
		s.notifyLog().Warn("result_published not enqueued", "round", round.ID, "error", err)
		return
	}
	outcome := "未通过"
	if passed {
		outcome = "通过"
	}
	s.enqueue(tx, outboxMessage{kind: NotifyResultPublished, estateID: round.EstateID, subjectKind: "round", subjectID: round.ID,
		event: "closed", page: roundPage(round.ID), subscribed: true,
		data: map[string]string{"thing1": templateText(round.Title), "phrase2": outcome, "time3": templateTime(round.ClosedAt)}}, ids)
}

// objectionOutcomes names an answer's outcome in at most 5 characters (a "phrase" field).
var objectionOutcomes = map[string]string{"adopted": "已采纳", "partially_adopted": "部分采纳", "not_adopted": "未采纳"}

// notifyObjectionAnswered enqueues objection_answered for the resident who
// filed the objection (each answer or amendment once).
func (s *Service) notifyObjectionAnswered(tx *store.Tx, o *model.Objection) {
	if s.notifier() == nil || o.FiledByKind != ActorResident {
		return
	}
	outcome := objectionOutcomes[o.Outcome]
	if outcome == "" {
		outcome = "已答复"
	}
	s.enqueue(tx, outboxMessage{kind: NotifyObjectionAnswered, estateID: o.EstateID, subjectKind: "objection", subjectID: o.ID,
		event: fmt.Sprintf("answer-%d", o.AnswerVersion), page: "pages/objections/objections?objection_id=" + o.ID,
		data: map[string]string{"thing1": templateText(o.Content), "phrase2": outcome, "time3": templateTime(o.AnsweredAt)}},
		[]string{o.FiledByID})
}

// NotificationFilter narrows the outbox listing.
type NotificationFilter struct {
	Status string // pending, sent, failed, or "" for all
}

// ListNotifications lists the outbox (admins), oldest first. A message
// being sent shows as pending. Errors: forbidden, validation_failed.
func (s *Service) ListNotifications(ctx context.Context, actor Actor, filter NotificationFilter, page Page) ([]model.Notification, string, error) {
	if err := s.authorizeGlobal(actor, ActReadNotifications); err != nil {
		return nil, "", err
	}
	var statuses []string
	switch filter.Status {
	case "":
	case NotificationPending:
		statuses = []string{NotificationPending, NotificationSending}
	case NotificationSent, NotificationFailed:
		statuses = []string{filter.Status}
	default:
		return nil, "", InvalidField("status", "must be pending, sent or failed")
	}
	tx := s.read(ctx)
	rows, next, err := listPage(page, func(n model.Notification) string { return n.ID }, func(p store.Page) ([]model.Notification, error) {
		return tx.ListNotifications(statuses, p)
	})
	if err != nil {
		return nil, "", err
	}
	for i := range rows {
		if rows[i].Status == NotificationSending {
			rows[i].Status = NotificationPending
		}
	}
	return rows, next, nil
}
