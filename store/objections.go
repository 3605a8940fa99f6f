package store

import (
	"time"

	"gorm.io/gorm"

	"minyi/model"
)

// Objections: residents' objections to an estate's plan, their history and
// the checks of what they refer to. Status values are the service's; the
// methods that depend on one take it as an argument.

// ObjectionFilter narrows a list of an estate's objections; empty fields do not filter.
type ObjectionFilter struct {
	// OwnerKind and OwnerID, when OwnerID is set, keep only a resident's own
	// objections: filed by them, or for a household they are bound to.
	OwnerKind, OwnerID string
	Status             string
	RoundID            string
	Category           string
	// Overdue, when set, keeps only the objections that are (or are not) overdue.
	Overdue *OverdueCut
}

// OverdueCut tells which objections are overdue at Now: not in status Closed,
// and due before Now or, without a due date, filed before LegacyCutoff.
// Overdue false selects the others.
type OverdueCut struct {
	Overdue      bool
	Closed       string
	Now          time.Time
	LegacyCutoff time.Time
}

// where restricts a query of objections to those the cut selects.
func (c OverdueCut) where(q *gorm.DB) *gorm.DB {
	cond := "(status <> ? AND ((due_at IS NOT NULL AND due_at < ?) OR (due_at IS NULL AND created_at < ?)))"
	if !c.Overdue {
		return q.Where("NOT "+cond, c.Closed, c.Now, c.LegacyCutoff)
	}
	return q.Where(cond, c.Closed, c.Now, c.LegacyCutoff)
}

// ownObjections restricts a query of objections to a resident's own: those
// they filed and those filed for a household they are bound to.
func (t *Tx) ownObjections(q *gorm.DB, ownerKind, ownerID string) *gorm.DB {
	bound := t.g.Model(&model.ResidentBinding{}).Select("household_id").Where("resident_id = ?", ownerID)
	return q.Where("((filed_by_kind = ? AND filed_by_id = ?) OR household_id IN (?))", ownerKind, ownerID, bound)
}

// ListObjections reads one page of an estate's objections in id order.
func (t *Tx) ListObjections(estateID string, filter ObjectionFilter, page Page) ([]model.Objection, error) {
	q := t.g.Model(&model.Objection{}).Where("estate_id = ?", estateID)
	if filter.OwnerID != "" {
		q = t.ownObjections(q, filter.OwnerKind, filter.OwnerID)
	}
	if filter.Status != "" {
		q = q.Where("status = ?", filter.Status)
	}
	if filter.RoundID != "" {
		q = q.Where("round_id = ?", filter.RoundID)
	}
	if filter.Category != "" {
		q = q.Where("category = ?", filter.Category)
	}
	if filter.Overdue != nil {
		q = filter.Overdue.where(q)
	}
	return findPage[model.Objection](q, page, "id")
}

// ListResidentObjections reads one page of a resident's own objections, in
// every estate, in id order.
func (t *Tx) ListResidentObjections(ownerKind, residentID string, page Page) ([]model.Objection, error) {
	return findPage[model.Objection](t.ownObjections(t.g.Model(&model.Objection{}), ownerKind, residentID), page, "id")
}

// ObjectionHistory reads an objection's history, oldest entry first.
func (t *Tx) ObjectionHistory(objectionID string) ([]model.ObjectionEvent, error) {
	var events []model.ObjectionEvent
	err := result(t.g.Where("objection_id = ?", objectionID).Order("recorded_at, id").Find(&events))
	return events, err
}

// HouseholdAddressesOf reads the id, building, unit and room of the households.
func (t *Tx) HouseholdAddressesOf(householdIDs []string) ([]model.Household, error) {
	var households []model.Household
	err := result(t.g.Select("id", "building", "unit", "room").Where("id IN ?", householdIDs).Find(&households))
	return households, err
}

// RoundInEstate tells whether the round exists and belongs to the estate.
func (t *Tx) RoundInEstate(roundID, estateID string) (bool, error) {
	var n int64
	err := result(t.g.Model(&model.Round{}).Where("id = ? AND estate_id = ?", roundID, estateID).Count(&n))
	return n > 0, err
}

// HouseholdInEstate tells whether the household exists and belongs to the estate.
func (t *Tx) HouseholdInEstate(householdID, estateID string) (bool, error) {
	var n int64
	err := result(t.g.Model(&model.Household{}).Where("id = ? AND estate_id = ?", householdID, estateID).Count(&n))
	return n > 0, err
}

// ResidentMaySpeakFor tells whether the resident is bound to the household.
func (t *Tx) ResidentMaySpeakFor(residentID, householdID string) (bool, error) {
	var n int64
	err := result(t.g.Model(&model.ResidentBinding{}).Where("resident_id = ? AND household_id = ?", residentID, householdID).Count(&n))
	return n > 0, err
}

// SaveObjectionAnswer writes o's answer (status, outcome, explanation,
// public summary, revision, answer version, answerer and times) unless a
// concurrent answer moved the version past previousVersion or the objection
// is in status closed; it reports whether the row changed.
func (t *Tx) SaveObjectionAnswer(o *model.Objection, previousVersion int, closed string) (bool, error) {
	res := t.g.Model(&model.Objection{}).Where("id = ? AND answer_version = ? AND status <> ?", o.ID, previousVersion, closed).
		Updates(map[string]any{"status": o.Status, "outcome": o.Outcome, "explanation": o.Explanation, "public_summary": o.PublicSummary,
			"revision_id": o.RevisionID, "answer_version": o.AnswerVersion, "answered_by": o.AnsweredBy,
			"answered_at": *o.AnsweredAt, "updated_at": o.UpdatedAt})
	return res.RowsAffected > 0, result(res)
}

// SaveObjectionFollowUp writes o's follow-up visit and closing (status,
// satisfied, note, closer and times) if the objection is still in status
// answered; it reports whether the row changed.
func (t *Tx) SaveObjectionFollowUp(o *model.Objection, answered string) (bool, error) {
	res := t.g.Model(&model.Objection{}).Where("id = ? AND status = ?", o.ID, answered).
		Updates(map[string]any{"status": o.Status, "follow_up_satisfied": *o.FollowUpSatisfied, "follow_up_note": o.FollowUpNote,
			"closed_by": o.ClosedBy, "closed_at": *o.ClosedAt, "updated_at": o.UpdatedAt})
	return res.RowsAffected > 0, result(res)
}

// SetObjectionModeration sets the moderation state of an objection's text.
func (t *Tx) SetObjectionModeration(objectionID, moderation string) error {
	return result(t.g.Model(&model.Objection{}).Where("id = ?", objectionID).Update("moderation", moderation))
}
