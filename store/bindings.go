package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// Binding codes, the residents' bindings to households and the wrong codes tried.

// BindableHousehold tells whether the household belongs to the estate.
func (t *Tx) BindableHousehold(estateID, householdID string) (bool, error) {
	var n int64
	err := t.g.Model(&model.Household{}).Where("id = ? AND estate_id = ?", householdID, estateID).Count(&n).Error
	return n > 0, model.Translate(err)
}

// BindingCodeByHashes reads the binding code stored under one of these
// hashes; false when none.
func (t *Tx) BindingCodeByHashes(hashes []string) (model.BindingCode, bool, error) {
	var rows []model.BindingCode
	if err := t.g.Where("code_hash IN ?", hashes).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return model.BindingCode{}, false, model.Translate(err)
	}
	return rows[0], true, nil
}

// ClaimBindingCode marks an unused code used by the resident; false when it
// was used already (redeemed concurrently).
func (t *Tx) ClaimBindingCode(codeID, residentID string, at time.Time) (bool, error) {
	res := t.g.Model(&model.BindingCode{}).Where("id = ? AND used_at IS NULL", codeID).
		Updates(map[string]any{"used_at": at, "used_by": residentID})
	return res.RowsAffected > 0, result(res)
}

// BindResidentIfUnbound writes the binding unless the resident is bound to
// the household already; false when it was.
func (t *Tx) BindResidentIfUnbound(binding *model.ResidentBinding) (bool, error) {
	res := t.g.Clauses(clause.OnConflict{DoNothing: true}).Create(binding)
	return res.RowsAffected > 0, result(res)
}

// UnbindResident deletes a resident's binding to a household; false when
// there was none.
func (t *Tx) UnbindResident(householdID, residentID string) (bool, error) {
	res := t.g.Where("household_id = ? AND resident_id = ?", householdID, residentID).Delete(&model.ResidentBinding{})
	return res.RowsAffected > 0, result(res)
}

// HouseholdEstateForBinding reads a household's id and estate id;
// model.ErrNotFound when there is no such household.
func (t *Tx) HouseholdEstateForBinding(householdID string) (model.Household, error) {
	var h model.Household
	err := model.Translate(t.g.Select("id", "estate_id").Where("id = ?", householdID).Take(&h).Error)
	return h, err
}

// BindingAttemptKey is what a binding attempt is counted by besides its resident.
type BindingAttemptKey string

// The keys of binding attempts.
const (
	BindingAttemptCode    BindingAttemptKey = "code_hash"
	BindingAttemptAddress BindingAttemptKey = "address_hash"
)

// RecentBindingAttempts reads the times of the latest (at most limit)
// binding attempts with this key since a time, newest first, leaving out
// the attempt exceptID.
func (t *Tx) RecentBindingAttempts(by BindingAttemptKey, value string, since time.Time, exceptID string, limit int) ([]time.Time, error) {
	var recent []time.Time
	err := t.g.Model(&model.BindingFailure{}).
		Where(string(by)+" = ? AND attempted_at > ? AND id <> ?", value, since, exceptID).
		Order("attempted_at DESC").Limit(limit).Pluck("attempted_at", &recent).Error
	return recent, model.Translate(err)
}

// DeleteBindingAttempt deletes an attempt that turned out no failure.
func (t *Tx) DeleteBindingAttempt(attempt *model.BindingFailure) error {
	return result(t.g.Delete(attempt))
}

// RecordBindingFailure makes an attempt the resident's failure at a time.
func (t *Tx) RecordBindingFailure(attemptID, residentID string, at time.Time) error {
	return result(t.g.Model(&model.BindingFailure{}).Where("id = ?", attemptID).
		Updates(map[string]any{"resident_id": residentID, "attempted_at": at}))
}

// RecentBindingFailuresOfResident reads the resident's latest (at most
// limit) failures since a time, newest first.
func (t *Tx) RecentBindingFailuresOfResident(residentID string, since time.Time, limit int) ([]model.BindingFailure, error) {
	var recent []model.BindingFailure
	err := t.g.Where("resident_id = ? AND attempted_at > ?", residentID, since).
		Order("attempted_at DESC").Limit(limit).Find(&recent).Error
	return recent, model.Translate(err)
}
