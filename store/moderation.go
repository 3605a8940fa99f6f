package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// The moderation queue of residents' texts.

// ResidentOpenID reads the WeChat openid of a resident; model.ErrNotFound when none.
func (t *Tx) ResidentOpenID(residentID string) (string, error) {
	var resident model.Resident
	err := result(t.g.Select("id", "open_id").Where("id = ?", residentID).Take(&resident))
	return resident.OpenID, err
}

// HoldModerationItem queues a held text for review; an entry already there
// for the same subject version stays as it is.
func (t *Tx) HoldModerationItem(item *model.ModerationItem) error {
	return result(t.g.Clauses(clause.OnConflict{DoNothing: true}).Create(item))
}

// ModerationStatusesOf reads the subject id, version and status of every
// moderation item of the subjects of this kind.
func (t *Tx) ModerationStatusesOf(subjectKind string, subjectIDs []string) ([]model.ModerationItem, error) {
	var items []model.ModerationItem
	err := result(t.g.Select("subject_id", "subject_version", "status").
		Where("subject_kind = ? AND subject_id IN ?", subjectKind, subjectIDs).Find(&items))
	return items, err
}

// ListModerationItems reads one page of an estate's moderation items in a status, in id order.
func (t *Tx) ListModerationItems(estateID, status string, page Page) ([]model.ModerationItem, error) {
	q := t.g.Model(&model.ModerationItem{}).Where("estate_id = ? AND status = ?", estateID, status)
	return findPage[model.ModerationItem](q, page, "id")
}

// ReviewModerationItem moves an item from status from to status to,
// recording the reviewer and time; it reports whether the item was in from.
func (t *Tx) ReviewModerationItem(itemID, from, to, reviewedBy string, at time.Time) (bool, error) {
	res := t.g.Model(&model.ModerationItem{}).Where("id = ? AND status = ?", itemID, from).
		Updates(map[string]any{"status": to, "reviewed_by": reviewedBy, "reviewed_at": at})
	return res.RowsAffected > 0, result(res)
}
