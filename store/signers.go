package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// The designated signers of households.

// ClaimHouseholdSignerIfNone makes the resident the household's signer when
// it has none yet (a conditional insert: of two owners binding at once,
// exactly one becomes the signer).
func (t *Tx) ClaimHouseholdSignerIfNone(householdID, residentID string, at time.Time) error {
	return result(t.g.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&model.HouseholdSigner{HouseholdID: householdID, ResidentID: residentID, SetAt: at}))
}

// EarliestBindingWithRelation reads the household's earliest binding of one
// of these relations; false when there is none.
func (t *Tx) EarliestBindingWithRelation(householdID string, relations []string) (model.ResidentBinding, bool, error) {
	var next []model.ResidentBinding
	err := t.g.Where("household_id = ? AND relation IN ?", householdID, relations).
		Order("created_at, id").Limit(1).Find(&next).Error
	if err != nil || len(next) == 0 {
		return model.ResidentBinding{}, false, model.Translate(err)
	}
	return next[0], true, nil
}

// IsHouseholdSigner tells whether the resident is the household's designated signer.
func (t *Tx) IsHouseholdSigner(householdID, residentID string) (bool, error) {
	var n int64
	err := t.g.Model(&model.HouseholdSigner{}).Where("household_id = ? AND resident_id = ?", householdID, residentID).Count(&n).Error
	return n > 0, model.Translate(err)
}

// ResidentBoundToHousehold tells whether the resident is bound to the household.
func (t *Tx) ResidentBoundToHousehold(householdID, residentID string) (bool, error) {
	var n int64
	err := t.g.Model(&model.ResidentBinding{}).Where("household_id = ? AND resident_id = ?", householdID, residentID).Count(&n).Error
	return n > 0, model.Translate(err)
}

// SignersOfHousehold reads the household's signer rows (none or one).
func (t *Tx) SignersOfHousehold(householdID string) ([]model.HouseholdSigner, error) {
	var rows []model.HouseholdSigner
	err := t.g.Where("household_id = ?", householdID).Find(&rows).Error
	return rows, model.Translate(err)
}

// SetHouseholdSigner writes the household's signer, replacing the one it had.
func (t *Tx) SetHouseholdSigner(row *model.HouseholdSigner) error {
	return result(t.g.Clauses(clause.OnConflict{UpdateAll: true}).Create(row))
}

// RemoveHouseholdSigner deletes the resident as the household's signer;
// false when they were not its signer.
func (t *Tx) RemoveHouseholdSigner(householdID, residentID string) (bool, error) {
	res := t.g.Where("household_id = ? AND resident_id = ?", householdID, residentID).Delete(&model.HouseholdSigner{})
	return res.RowsAffected > 0, result(res)
}
