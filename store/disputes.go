package store

import (
	"time"

	"gorm.io/gorm"

	"minyi/model"
)

// The dispute table (会同): who handles an objection, when it is due, the
// objector's own confirmation, and the counts of an estate's objections.

// ObjectionAssignment is a change of an objection's handler and due date;
// a nil field is left as it is.
type ObjectionAssignment struct {
	HandlerID *string
	DueAt     *time.Time
	UpdatedAt time.Time
}

// AssignObjection writes an objection's handler and due date unless it is
// in status closed; it reports whether the row changed.
func (t *Tx) AssignObjection(objectionID string, change ObjectionAssignment, closed string) (bool, error) {
	updates := map[string]any{"updated_at": change.UpdatedAt}
	if change.HandlerID != nil {
		updates["handler_id"] = *change.HandlerID
	}
	if change.DueAt != nil {
		updates["due_at"] = *change.DueAt
	}
	res := t.g.Model(&model.Objection{}).Where("id = ? AND status <> ?", objectionID, closed).Updates(updates)
	return res.RowsAffected > 0, result(res)
}

// StaffOfEstateInRoles tells whether the user is assigned to the estate in one of the roles.
func (t *Tx) StaffOfEstateInRoles(estateID, userID string, roles []string) (bool, error) {
	var n int64
	err := result(t.g.Model(&model.EstateStaff{}).
		Where("estate_id = ? AND user_id = ? AND role IN ?", estateID, userID, roles).Count(&n))
	return n > 0, err
}

// SaveObjectionConfirmation writes the objector's confirmation of o
// (satisfied, note, times) unless the objection is in status open; it
// reports whether the row changed.
func (t *Tx) SaveObjectionConfirmation(o *model.Objection, open string) (bool, error) {
	res := t.g.Model(&model.Objection{}).Where("id = ? AND status <> ?", o.ID, open).
		Updates(map[string]any{"confirmation_satisfied": *o.ConfirmationSatisfied, "confirmation_note": o.ConfirmationNote,
			"confirmed_at": *o.ConfirmedAt, "updated_at": o.UpdatedAt})
	return res.RowsAffected > 0, result(res)
}

// ObjectionCounts counts an estate's objections for the dispute table.
type ObjectionCounts struct {
	ByStatus map[string]int64
	// Overdue counts those the cut selects; Unassigned those not closed and
	// without a handler.
	Overdue, Unassigned int64
	// ConfirmedSatisfied and ConfirmedUnsatisfied count the objectors' own confirmations.
	ConfirmedSatisfied, ConfirmedUnsatisfied int64
}

// CountObjections counts an estate's objections by status, the overdue
// ones (by the cut), the unassigned ones (not in status closed, no handler)
// and the objectors' confirmations: five statements.
func (t *Tx) CountObjections(estateID string, overdue OverdueCut, closed string) (ObjectionCounts, error) {
	base := func() *gorm.DB { return t.g.Model(&model.Objection{}).Where("estate_id = ?", estateID) }
	var byStatus []struct {
		Status string
		N      int64
	}
	if err := result(base().Select("status, COUNT(*) AS n").Group("status").Scan(&byStatus)); err != nil {
		return ObjectionCounts{}, err
	}
	counts := ObjectionCounts{ByStatus: make(map[string]int64, len(byStatus))}
	for _, row := range byStatus {
		counts.ByStatus[row.Status] = row.N
	}
	queries := []struct {
		q   *gorm.DB
		out *int64
	}{
		{overdue.where(base()), &counts.Overdue},
		{base().Where("status <> ? AND handler_id = ''", closed), &counts.Unassigned},
		{base().Where("confirmation_satisfied = ?", true), &counts.ConfirmedSatisfied},
		{base().Where("confirmation_satisfied = ?", false), &counts.ConfirmedUnsatisfied},
	}
	for _, c := range queries {
		if err := result(c.q.Count(c.out)); err != nil {
			return ObjectionCounts{}, err
		}
	}
	return counts, nil
}
