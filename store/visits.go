package store

import "minyi/model"

// ListVisitsOfRound reads one page of a round's visits (of one household
// when householdID is set), in id order.
func (t *Tx) ListVisitsOfRound(roundID string, householdID *string, page Page) ([]model.Visit, error) {
	q := t.g.Model(&model.Visit{}).Where("round_id = ?", roundID)
	if householdID != nil {
		q = q.Where("household_id = ?", *householdID)
	}
	return findPage[model.Visit](q, page, "id")
}
