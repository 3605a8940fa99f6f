package store

import (
	"time"

	"minyi/model"
)

// The statements of joint acceptances (联合验收): acceptances, their items
// and signatures, and the content types of the photos attached to them.

// PhotoContentTypes reads the id and content type of each upload with one of
// these ids (the photos of an acceptance item, a rectification or a report).
func (t *Tx) PhotoContentTypes(uploadIDs []string) ([]model.Upload, error) {
	var rows []model.Upload
	err := t.g.Select("id", "content_type").Where("id IN ?", uploadIDs).Find(&rows).Error
	return rows, model.Translate(err)
}

// AcceptanceItemAt reads the item of an acceptance at this position; model.ErrNotFound when none.
func (t *Tx) AcceptanceItemAt(acceptanceID string, position int) (model.AcceptanceItem, error) {
	var item model.AcceptanceItem
	err := first(t.g.Where("acceptance_id = ? AND position = ?", acceptanceID, position), &item)
	return item, err
}

// MarkAcceptanceItemRectified records an item's rectification unless one is
// recorded already, and reports whether it was recorded now.
func (t *Tx) MarkAcceptanceItemRectified(itemID string, at time.Time, by, note string) (bool, error) {
	res := t.g.Model(&model.AcceptanceItem{}).Where("id = ? AND rectified_at IS NULL", itemID).
		Updates(map[string]any{"rectified_at": at, "rectified_by": by, "rectify_note": note})
	return res.RowsAffected > 0, result(res)
}

// CountUnrectifiedItems counts an acceptance's items with this result (the
// one that asks for rectification) that are not rectified yet.
func (t *Tx) CountUnrectifiedItems(acceptanceID, rectifyResult string) (int64, error) {
	var n int64
	err := t.g.Model(&model.AcceptanceItem{}).Where("acceptance_id = ? AND result = ? AND rectified_at IS NULL", acceptanceID, rectifyResult).
		Count(&n).Error
	return n, model.Translate(err)
}

// CloseAcceptance sets an acceptance's status (closed) and the time it closed.
func (t *Tx) CloseAcceptance(acceptanceID, closedStatus string, at time.Time) error {
	return result(t.g.Model(&model.Acceptance{}).Where("id = ?", acceptanceID).
		Updates(map[string]any{"status": closedStatus, "closed_at": at}))
}

// ListAcceptances reads one page of an estate's acceptances in id order.
func (t *Tx) ListAcceptances(estateID string, page Page) ([]model.Acceptance, error) {
	return findPage[model.Acceptance](t.g.Model(&model.Acceptance{}).Where("estate_id = ?", estateID), page, "id")
}

// LatestAcceptances reads at most limit of an estate's acceptances, newest first.
func (t *Tx) LatestAcceptances(estateID string, limit int) ([]model.Acceptance, error) {
	var rows []model.Acceptance
	err := t.g.Where("estate_id = ?", estateID).Order("id DESC").Limit(limit).Find(&rows).Error
	return rows, model.Translate(err)
}

// AcceptanceItems reads an acceptance's items in position order.
func (t *Tx) AcceptanceItems(acceptanceID string) ([]model.AcceptanceItem, error) {
	var items []model.AcceptanceItem
	err := t.g.Where("acceptance_id = ?", acceptanceID).Order("position").Find(&items).Error
	return items, model.Translate(err)
}

// AcceptanceSignatures reads an acceptance's signatures in position order.
func (t *Tx) AcceptanceSignatures(acceptanceID string) ([]model.AcceptanceSignature, error) {
	var signatures []model.AcceptanceSignature
	err := t.g.Where("acceptance_id = ?", acceptanceID).Order("position").Find(&signatures).Error
	return signatures, model.Translate(err)
}
