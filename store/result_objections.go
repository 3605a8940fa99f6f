package store

import (
	"time"

	"minyi/model"
)

// Objections to a closed round's result.

// ObjectingHouseholds reads at most two households of the round's
// electorate, in id order: only those the resident is bound to when
// residentID is set, only householdID when that is set.
func (t *Tx) ObjectingHouseholds(roundID, residentID, householdID string) ([]string, error) {
	q := t.g.Table("round_members m").Where("m.round_id = ?", roundID)
	if residentID != "" {
		q = q.Joins("JOIN resident_bindings b ON b.household_id = m.household_id AND b.resident_id = ?", residentID)
	}
	if householdID != "" {
		q = q.Where("m.household_id = ?", householdID)
	}
	var members []string
	err := result(q.Order("m.household_id").Limit(2).Pluck("m.household_id", &members))
	return members, err
}

// ResultObjectionFilter narrows a round's result objections; empty fields do not filter.
type ResultObjectionFilter struct {
	// FiledByKind and FiledByID, when FiledByID is set, keep only those this actor filed.
	FiledByKind, FiledByID string
}

// ListResultObjections reads at most limit of a round's result objections, oldest first.
func (t *Tx) ListResultObjections(roundID string, filter ResultObjectionFilter, limit int) ([]model.ResultObjection, error) {
	q := t.g.Where("round_id = ?", roundID)
	if filter.FiledByID != "" {
		q = q.Where("filed_by_kind = ? AND filed_by_id = ?", filter.FiledByKind, filter.FiledByID)
	}
	var out []model.ResultObjection
	err := result(q.Order("created_at, id").Limit(limit).Find(&out))
	return out, err
}

// SaveResultObjectionAnswer writes o's outcome, explanation, resolver and
// time if the objection has no outcome yet; it reports whether the row changed.
func (t *Tx) SaveResultObjectionAnswer(o *model.ResultObjection) (bool, error) {
	res := t.g.Model(&model.ResultObjection{}).Where("id = ? AND outcome = ?", o.ID, "").
		Updates(map[string]any{"outcome": o.Outcome, "explanation": o.Explanation, "resolved_by": o.ResolvedBy, "resolved_at": *o.ResolvedAt})
	return res.RowsAffected > 0, result(res)
}

// VoidRoundOfResultObjection moves a round from status closed to status
// voided, final at the given time; it reports whether the round was closed.
func (t *Tx) VoidRoundOfResultObjection(roundID, closed, voided string, at time.Time) (bool, error) {
	res := t.g.Model(&model.Round{}).Where("id = ? AND status = ?", roundID, closed).
		Updates(map[string]any{"status": voided, "finalized_at": at, "updated_at": at})
	return res.RowsAffected > 0, result(res)
}
