package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// ActReadNotifications is reading the outbox.
var ActReadNotifications = defineAction("read_notifications", RoleAdmin)

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
	err := s.inTx(ctx, func(tx *store.Tx) error {
		now := s.Now()
		s.audit(tx, actor, "", "resident.subscriptions_accept", "resident", actor.ID, nil, map[string]any{"accepted": kinds})
		for _, k := range NotificationKinds {
			if !seen[k] {
				continue
			}
			row := model.ResidentSubscription{ResidentID: actor.ID, Kind: k, Remaining: 1, UpdatedAt: now}
			err := tx.Gorm().Clauses(clause.OnConflict{
				Columns: []clause.Column{{Name: "resident_id"}, {Name: "kind"}},
				DoUpdates: clause.Assignments(map[string]any{
					"remaining":  gorm.Expr("CASE WHEN remaining < ? THEN remaining + 1 ELSE remaining END", maxAcceptances),
					"updated_at": now}),
			}).Create(&row).Error
			if err != nil {
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
	var rows []model.ResidentSubscription
	if err := s.read(ctx).Gorm().Where("resident_id = ?", actor.ID).Find(&rows).Error; err != nil {
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
		subscribed = nil
		if err := tx.Gorm().Model(&model.ResidentSubscription{}).Where("kind = ? AND remaining > 0 AND resident_id IN ?", m.kind, residentIDs).
			Pluck("resident_id", &subscribed).Error; err != nil {
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
	// Batches of 100 rows: the SQLite driver binds parameters in time that
	// grows with the square of their number (BenchmarkOpenRoundNotifying).
	return tx.Gorm().Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 100).Error
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
	q := tx.Gorm().Table("round_members m").Where("m.round_id = ?", roundID)
	if signersOnly {
		q = q.Joins("JOIN household_signers b ON b.household_id = m.household_id")
	} else {
		q = q.Joins("JOIN resident_bindings b ON b.household_id = m.household_id")
	}
	q = q.Joins("JOIN resident_subscriptions rs ON rs.resident_id = b.resident_id AND rs.kind = ? AND rs.remaining > 0", kind)
	if undecidedOnly {
		q = q.Joins("LEFT JOIN sign_offs so ON so.round_id = m.round_id AND so.household_id = m.household_id AND so.decision IN ?", decisions).
			Where("so.id IS NULL")
	}
	var ids []string
	err := q.Distinct("b.resident_id").Order("b.resident_id").Pluck("b.resident_id", &ids).Error
	return ids, err
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
	q := s.read(ctx).Gorm().Model(&model.Notification{})
	switch filter.Status {
	case "":
	case NotificationPending:
		q = q.Where("status IN ?", []string{NotificationPending, NotificationSending})
	case NotificationSent, NotificationFailed:
		q = q.Where("status = ?", filter.Status)
	default:
		return nil, "", InvalidField("status", "must be pending, sent or failed")
	}
	rows, next, err := findPage(q, page, func(n model.Notification) string { return n.ID })
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
