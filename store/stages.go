package store

import (
	"gorm.io/gorm"

	"minyi/model"
)

// The statements of an estate's renovation lifecycle: its stages, the six
// preconditions of construction with their evidence, and the site information.

// EstateStages reads the estate's stage rows (stages never moved have none).
func (t *Tx) EstateStages(estateID string) ([]model.EstateStage, error) {
	var rows []model.EstateStage
	err := t.g.Where("estate_id = ?", estateID).Find(&rows).Error
	return rows, model.Translate(err)
}

// EstateStageOf reads one stage row of the estate; model.ErrNotFound when the stage never moved.
func (t *Tx) EstateStageOf(estateID, stage string) (model.EstateStage, error) {
	var row model.EstateStage
	err := first(t.g.Where("estate_id = ? AND stage = ?", estateID, stage), &row)
	return row, err
}

// SaveEstateStage writes every column of an existing stage row.
func (t *Tx) SaveEstateStage(row *model.EstateStage) error { return result(t.g.Save(row)) }

// RoundResultsInStatus reads the result JSON of the estate's rounds of this
// kind in this status (the final plan rounds, for construction).
func (t *Tx) RoundResultsInStatus(estateID, kind, status string) ([]string, error) {
	var results []string
	err := t.g.Model(&model.Round{}).Where("estate_id = ? AND kind = ? AND status = ?", estateID, kind, status).
		Pluck("result_json", &results).Error
	return results, model.Translate(err)
}

// EstatePreconditions reads the estate's recorded preconditions (unrecorded ones have no row).
func (t *Tx) EstatePreconditions(estateID string) ([]model.EstatePrecondition, error) {
	var rows []model.EstatePrecondition
	err := t.g.Where("estate_id = ?", estateID).Find(&rows).Error
	return rows, model.Translate(err)
}

// MetPreconditionKeys reads the keys of the estate's preconditions recorded as met.
func (t *Tx) MetPreconditionKeys(estateID string) ([]string, error) {
	var met []string
	err := t.g.Model(&model.EstatePrecondition{}).Where("estate_id = ? AND met = ?", estateID, true).
		Pluck("precondition_key", &met).Error
	return met, model.Translate(err)
}

// PreconditionOf reads the estate's precondition with this key; model.ErrNotFound when never recorded.
func (t *Tx) PreconditionOf(estateID, key string) (model.EstatePrecondition, error) {
	var row model.EstatePrecondition
	err := first(t.g.Where("estate_id = ? AND precondition_key = ?", estateID, key), &row)
	return row, err
}

// UpdatePrecondition writes a recorded precondition's verdict, note and who and when.
func (t *Tx) UpdatePrecondition(row model.EstatePrecondition) error {
	return result(t.g.Model(&model.EstatePrecondition{}).Where("id = ?", row.ID).
		Updates(map[string]any{"met": row.Met, "note": row.Note, "updated_by": row.UpdatedBy, "updated_at": row.UpdatedAt}))
}

// CountPreconditionEvidence counts the uploads attached to a precondition
// (ownerKind is the precondition's upload owner kind).
func (t *Tx) CountPreconditionEvidence(ownerKind, preconditionID string) (int64, error) {
	var n int64
	err := t.g.Model(&model.Upload{}).Where("owner_kind = ? AND owner_id = ?", ownerKind, preconditionID).Count(&n).Error
	return n, model.Translate(err)
}

// ShiftPreconditionEvidence moves these uploads of a precondition by places
// positions, so that evidence added later follows the earlier.
func (t *Tx) ShiftPreconditionEvidence(ownerKind, preconditionID string, uploadIDs []string, places int64) error {
	return result(t.g.Model(&model.Upload{}).Where("owner_kind = ? AND owner_id = ? AND id IN ?", ownerKind, preconditionID, uploadIDs).
		Update("position", gorm.Expr("position + ?", places)))
}

// SiteOfEstate reads the estate's site information; model.ErrNotFound before it is set.
func (t *Tx) SiteOfEstate(estateID string) (model.EstateSite, error) {
	var site model.EstateSite
	err := first(t.g.Where("estate_id = ?", estateID), &site)
	return site, err
}

// SaveEstateSite writes every column of the estate's existing site information.
func (t *Tx) SaveEstateSite(site *model.EstateSite) error { return result(t.g.Save(site)) }
