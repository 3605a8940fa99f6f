package store

import (
	"time"

	"minyi/model"
)

// Statements about estates and the staff assigned to them.

// EstateByCode reads the estate with this public code; model.ErrNotFound when none.
func (t *Tx) EstateByCode(code string) (model.Estate, error) {
	var estate model.Estate
	err := first(t.g.Where("code = ?", code), &estate)
	return estate, err
}

// EstateExists reports whether an estate with this id exists.
func (t *Tx) EstateExists(estateID string) (bool, error) {
	var n int64
	err := result(t.g.Model(&model.Estate{}).Where("id = ?", estateID).Count(&n))
	return n > 0, err
}

// SaveEstate writes every column of an existing estate.
func (t *Tx) SaveEstate(estate *model.Estate) error { return result(t.g.Save(estate)) }

// TouchEstate sets the estate's updated_at, so that public caches (ETags) move on.
func (t *Tx) TouchEstate(estateID string, at time.Time) error {
	return result(t.g.Model(&model.Estate{}).Where("id = ?", estateID).Update("updated_at", at))
}

// ListEstates reads a page of every estate, in id order.
func (t *Tx) ListEstates(page Page) ([]model.Estate, error) {
	return findPage[model.Estate](t.g.Model(&model.Estate{}), page, "id")
}

// ListAssignedEstates reads a page of the estates the user is assigned to in
// this role, in id order.
func (t *Tx) ListAssignedEstates(userID, role string, page Page) ([]model.Estate, error) {
	assigned := t.db.Gorm.Model(&model.EstateStaff{}).Select("estate_id").
		Where("user_id = ? AND role = ?", userID, role)
	return findPage[model.Estate](t.g.Model(&model.Estate{}).Where("id IN (?)", assigned), page, "id")
}

// UnassignEstateStaff deletes the user's assignment to the estate, if any.
func (t *Tx) UnassignEstateStaff(estateID, userID string) error {
	return result(t.g.Where("estate_id = ? AND user_id = ?", estateID, userID).Delete(&model.EstateStaff{}))
}
