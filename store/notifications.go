package store

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minyi/model"
)

// Statements of subscribe messages: residents' acceptances, the outbox and
// its sender's claims.

// AcceptSubscription banks one more message of this kind for the resident,
// up to max acceptances.
func (t *Tx) AcceptSubscription(residentID, kind string, at time.Time, max int) error {
	row := model.ResidentSubscription{ResidentID: residentID, Kind: kind, Remaining: 1, UpdatedAt: at}
	return result(t.g.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "resident_id"}, {Name: "kind"}},
		DoUpdates: clause.Assignments(map[string]any{
			"remaining":  gorm.Expr("CASE WHEN remaining < ? THEN remaining + 1 ELSE remaining END", max),
			"updated_at": at}),
	}).Create(&row))
}

// SubscriptionsOfResident reads the resident's acceptances, one row per kind.
func (t *Tx) SubscriptionsOfResident(residentID string) ([]model.ResidentSubscription, error) {
	var rows []model.ResidentSubscription
	err := result(t.g.Where("resident_id = ?", residentID).Find(&rows))
	return rows, err
}

// SubscribedResidents picks, among these residents, those with an
// acceptance of the kind left.
func (t *Tx) SubscribedResidents(kind string, residentIDs []string) ([]string, error) {
	var subscribed []string
	err := result(t.g.Model(&model.ResidentSubscription{}).Where("kind = ? AND remaining > 0 AND resident_id IN ?", kind, residentIDs).
		Pluck("resident_id", &subscribed))
	return subscribed, err
}

// EnqueueNotifications adds messages to the outbox, skipping those whose
// dedupe key is there already.
func (t *Tx) EnqueueNotifications(rows []model.Notification) error {
	// Batches of 100 rows: the SQLite driver binds parameters in time that
	// grows with the square of their number (BenchmarkOpenRoundNotifying).
	return result(t.g.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 100))
}

// RoundRecipients says which residents of a round's electorate a message goes to.
type RoundRecipients struct {
	RoundID string
	// Kind is the message's kind: only residents with an acceptance of it left.
	Kind string
	// SignersOnly: only each household's designated signer (else every bound resident).
	SignersOnly bool
	// UndecidedOnly: only of households without one of the CountedDecisions.
	UndecidedOnly    bool
	CountedDecisions []string
}

// ResidentsOfRound lists the residents bound to households of the round's
// electorate that the recipients ask for, in id order.
func (t *Tx) ResidentsOfRound(r RoundRecipients) ([]string, error) {
	q := t.g.Table("round_members m").Where("m.round_id = ?", r.RoundID)
	if r.SignersOnly {
		q = q.Joins("JOIN household_signers b ON b.household_id = m.household_id")
	} else {
		q = q.Joins("JOIN resident_bindings b ON b.household_id = m.household_id")
	}
	q = q.Joins("JOIN resident_subscriptions rs ON rs.resident_id = b.resident_id AND rs.kind = ? AND rs.remaining > 0", r.Kind)
	if r.UndecidedOnly {
		q = q.Joins("LEFT JOIN sign_offs so ON so.round_id = m.round_id AND so.household_id = m.household_id AND so.decision IN ?", r.CountedDecisions).
			Where("so.id IS NULL")
	}
	var ids []string
	err := result(q.Distinct("b.resident_id").Order("b.resident_id").Pluck("b.resident_id", &ids))
	return ids, err
}

// ListNotifications reads a page of the outbox in these statuses (all when
// none), in id order.
func (t *Tx) ListNotifications(statuses []string, page Page) ([]model.Notification, error) {
	q := t.g.Model(&model.Notification{})
	switch len(statuses) {
	case 0:
	case 1:
		q = q.Where("status = ?", statuses[0])
	default:
		q = q.Where("status IN ?", statuses)
	}
	return findPage[model.Notification](q, page, "id")
}

// RoundsDueForReminder reads the rounds in this status whose closes_at is
// after from and at most until, and whose reminder was not enqueued yet.
func (t *Tx) RoundsDueForReminder(status string, from, until time.Time) ([]model.Round, error) {
	var due []model.Round
	err := result(t.g.Where("status = ? AND closes_at IS NOT NULL AND closes_at > ? AND closes_at <= ?", status, from, until).
		Where("NOT EXISTS (SELECT 1 FROM round_reminders rr WHERE rr.round_id = rounds.id)").Find(&due))
	return due, err
}

// MarkRoundReminded records that the round's reminder is enqueued; false
// when it was already (its primary key makes one instance and one pass win).
func (t *Tx) MarkRoundReminded(roundID string, at time.Time) (bool, error) {
	mark := t.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&model.RoundReminder{RoundID: roundID, EnqueuedAt: at})
	return mark.RowsAffected > 0, result(mark)
}

// DueNotifications reads at most limit messages in this status whose next
// attempt is due at now, the longest due first.
func (t *Tx) DueNotifications(status string, now time.Time, limit int) ([]model.Notification, error) {
	var due []model.Notification
	err := result(t.g.Where("status = ? AND next_attempt_at <= ?", status, now).
		Order("next_attempt_at, id").Limit(limit).Find(&due))
	return due, err
}

// NotificationOutcome is what becomes of a message: its new status and
// error text, and when set its next attempt or the time it was sent.
type NotificationOutcome struct {
	Status, LastError string
	NextAttemptAt     *time.Time
	SentAt            *time.Time
}

// changes are the columns the outcome sets.
func (o NotificationOutcome) changes() map[string]any {
	changes := map[string]any{"status": o.Status, "last_error": o.LastError}
	if o.NextAttemptAt != nil {
		changes["next_attempt_at"] = *o.NextAttemptAt
	}
	if o.SentAt != nil {
		changes["sent_at"] = *o.SentAt
	}
	return changes
}

// SettleStaleNotificationClaims gives the outcome to the messages in status
// claimed whose claim is older than claimedBefore.
func (t *Tx) SettleStaleNotificationClaims(claimed string, claimedBefore time.Time, outcome NotificationOutcome) error {
	return result(t.g.Model(&model.Notification{}).Where("status = ? AND claimed_at < ?", claimed, claimedBefore).
		Updates(outcome.changes()))
}

// ClaimNotification moves a message from status from to status to, setting
// its claim time and counting the attempt; false when it was not in status
// from (another sender has it).
func (t *Tx) ClaimNotification(notificationID, from, to string, at time.Time) (bool, error) {
	claim := t.g.Model(&model.Notification{}).Where("id = ? AND status = ?", notificationID, from).
		Updates(map[string]any{"status": to, "claimed_at": at, "attempts": gorm.Expr("attempts + 1")})
	return claim.RowsAffected > 0, result(claim)
}

// SettleNotification gives the outcome to a message whatever its status.
func (t *Tx) SettleNotification(notificationID string, outcome NotificationOutcome) error {
	return result(t.g.Model(&model.Notification{}).Where("id = ?", notificationID).Updates(outcome.changes()))
}

// SettleClaimedNotification gives the outcome to a message still in status
// claimed; false when it is no longer.
func (t *Tx) SettleClaimedNotification(notificationID, claimed string, outcome NotificationOutcome) (bool, error) {
	res := t.g.Model(&model.Notification{}).Where("id = ? AND status = ?", notificationID, claimed).Updates(outcome.changes())
	return res.RowsAffected > 0, result(res)
}

// UseSubscription takes one of the resident's acceptances of the kind;
// false when none is left.
func (t *Tx) UseSubscription(residentID, kind string, at time.Time) (bool, error) {
	use := t.g.Model(&model.ResidentSubscription{}).Where("resident_id = ? AND kind = ? AND remaining > 0", residentID, kind).
		Updates(map[string]any{"remaining": gorm.Expr("remaining - 1"), "updated_at": at})
	return use.RowsAffected > 0, result(use)
}

// RefundSubscription gives the resident one acceptance of the kind back.
func (t *Tx) RefundSubscription(residentID, kind string, at time.Time) error {
	return result(t.g.Model(&model.ResidentSubscription{}).Where("resident_id = ? AND kind = ?", residentID, kind).
		Updates(map[string]any{"remaining": gorm.Expr("remaining + 1"), "updated_at": at}))
}

// DropSubscription takes every acceptance of the kind from the resident (they refused it).
func (t *Tx) DropSubscription(residentID, kind string) error {
	return result(t.g.Model(&model.ResidentSubscription{}).Where("resident_id = ? AND kind = ?", residentID, kind).
		Update("remaining", 0))
}

// NotificationRecipient reads the id, open id and disabled flag of the
// resident a message goes to; false when there is no such resident.
func (t *Tx) NotificationRecipient(residentID string) (model.Resident, bool, error) {
	var residents []model.Resident
	if err := result(t.g.Select("id", "open_id", "disabled").Where("id = ?", residentID).Limit(1).Find(&residents)); err != nil {
		return model.Resident{}, false, err
	}
	if len(residents) == 0 {
		return model.Resident{}, false, nil
	}
	return residents[0], true, nil
}
