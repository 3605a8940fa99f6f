package store

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minyi/model"
)

// Uploads (photos, drawings, letters) and the daily upload quota.

// LockUserForUpload takes the staff user's row lock on MySQL, so that one
// account's concurrent uploads are counted against the quota one at a time;
// on SQLite, which has one writer anyway, it does nothing.
func (t *Tx) LockUserForUpload(userID string) error {
	return t.lockUploaderRow("users", userID)
}

// LockResidentForUpload is LockUserForUpload for a resident.
func (t *Tx) LockResidentForUpload(residentID string) error {
	return t.lockUploaderRow("residents", residentID)
}

func (t *Tx) lockUploaderRow(table, id string) error {
	if !t.MySQL() {
		return nil
	}
	var row struct{ ID string }
	q := t.g.Select("id").Where("id = ?", id).Clauses(clause.Locking{Strength: "UPDATE"})
	return model.Translate(q.Table(table).Take(&row).Error)
}

// UploadUsage is what an account uploaded within a window.
type UploadUsage struct {
	Files int64
	Bytes int64
}

// uploadsOfSince is the uploads of an uploader created after a time.
func (t *Tx) uploadsOfSince(uploaderKind, uploaderID string, since time.Time) *gorm.DB {
	return t.g.Model(&model.Upload{}).Where("uploader_kind = ? AND uploader_id = ? AND created_at > ?", uploaderKind, uploaderID, since)
}

// UploadUsageSince counts the files and bytes an uploader uploaded after a time.
func (t *Tx) UploadUsageSince(uploaderKind, uploaderID string, since time.Time) (UploadUsage, error) {
	var used UploadUsage
	err := t.uploadsOfSince(uploaderKind, uploaderID, since).
		Select("COUNT(*) AS files, COALESCE(SUM(size_bytes), 0) AS bytes").Scan(&used).Error
	return used, model.Translate(err)
}

// OldestUploadSince is the time of an uploader's oldest upload after a
// time; zero when there is none.
func (t *Tx) OldestUploadSince(uploaderKind, uploaderID string, since time.Time) (time.Time, error) {
	var oldest model.Upload
	err := t.uploadsOfSince(uploaderKind, uploaderID, since).Select("created_at").Order("created_at").Limit(1).Take(&oldest).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, model.Translate(err)
	}
	return oldest.CreatedAt, nil
}

// PublicAttachment reads an upload of the estate attached to an owner of
// this kind; model.ErrNotFound when there is none.
func (t *Tx) PublicAttachment(estateID, uploadID, ownerKind string) (model.Upload, error) {
	var upload model.Upload
	err := model.Translate(t.g.Where("id = ? AND estate_id = ? AND owner_kind = ?", uploadID, estateID, ownerKind).
		Take(&upload).Error)
	return upload, err
}

// UploadsToAttach reads the uploads with these ids (those that exist).
func (t *Tx) UploadsToAttach(ids []string) ([]model.Upload, error) {
	var uploads []model.Upload
	err := t.g.Where("id IN ?", ids).Find(&uploads).Error
	return uploads, model.Translate(err)
}

// AttachUpload attaches an unattached upload to an owner at a position;
// false when it was attached already.
func (t *Tx) AttachUpload(uploadID, ownerKind, ownerID, estateID string, position int) (bool, error) {
	res := t.g.Model(&model.Upload{}).Where("id = ? AND owner_kind = ?", uploadID, "").
		Updates(map[string]any{"owner_kind": ownerKind, "owner_id": ownerID, "estate_id": estateID, "position": position})
	return res.RowsAffected > 0, result(res)
}

// AttachedUploads reads the id, owner id and position of the uploads
// attached to these owners of a kind, in owner and position order.
func (t *Tx) AttachedUploads(ownerKind string, ownerIDs []string) ([]model.Upload, error) {
	var rows []model.Upload
	err := t.g.Select("id", "owner_id", "position").
		Where("owner_kind = ? AND owner_id IN ?", ownerKind, ownerIDs).
		Order("owner_id, position, id").Find(&rows).Error
	return rows, model.Translate(err)
}

// ProxyEvidence is what a proxy sign-off's authorisation letter must be: an
// unattached upload by a staff user (UploaderKind) who is an admin
// (AdminRole) or assigned to the estate, for no other estate.
type ProxyEvidence struct {
	UploadID     string
	UploaderKind string
	EstateID     string
	AdminRole    string
}

// ProxyEvidenceExists tells whether the upload is such a letter.
func (t *Tx) ProxyEvidenceExists(e ProxyEvidence) (bool, error) {
	var n int64
	err := t.g.Raw(`SELECT COUNT(*) FROM uploads u WHERE u.id = ? AND u.uploader_kind = ? AND u.owner_kind = ''
		AND (u.estate_id IS NULL OR u.estate_id = ?)
		AND (EXISTS (SELECT 1 FROM users x WHERE x.id = u.uploader_id AND x.role = ?)
			OR EXISTS (SELECT 1 FROM estate_staff es WHERE es.estate_id = ? AND es.user_id = u.uploader_id))`,
		e.UploadID, e.UploaderKind, e.EstateID, e.AdminRole, e.EstateID).Scan(&n).Error
	return n > 0, model.Translate(err)
}
