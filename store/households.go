package store

import "minyi/model"

// Statements about the households of an estate's roster.

// HouseholdFilter narrows a roster listing; nil fields do not filter.
type HouseholdFilter struct {
	Building, Unit *string
}

// InsertHouseholds writes new households in statements of 500 rows.
func (t *Tx) InsertHouseholds(households []model.Household) error {
	return result(t.g.CreateInBatches(households, 500))
}

// SaveHousehold writes every column of an existing household.
func (t *Tx) SaveHousehold(household *model.Household) error { return result(t.g.Save(household)) }

// ListHouseholds reads a page of an estate's households, in id order.
func (t *Tx) ListHouseholds(estateID string, filter HouseholdFilter, page Page) ([]model.Household, error) {
	q := t.g.Model(&model.Household{}).Where("estate_id = ?", estateID)
	if filter.Building != nil {
		q = q.Where("building = ?", *filter.Building)
	}
	if filter.Unit != nil {
		q = q.Where("unit = ?", *filter.Unit)
	}
	return findPage[model.Household](q, page, "id")
}

// CountEligibleHouseholds counts an estate's households that take part in decisions.
func (t *Tx) CountEligibleHouseholds(estateID string) (int64, error) {
	var n int64
	err := result(t.g.Model(&model.Household{}).Where("estate_id = ? AND eligible = ?", estateID, true).Count(&n))
	return n, err
}
