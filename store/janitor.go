package store

import (
	"time"

	"gorm.io/gorm"

	"minyi/model"
)

// Statements of the janitor: conditional deletes of what is kept only for a
// while, so that several instances may purge at once.

// DeleteIdempotencyRecordsBefore deletes the idempotency records created
// before cutoff and returns how many it deleted.
func (t *Tx) DeleteIdempotencyRecordsBefore(cutoff time.Time) (int64, error) {
	return deleted(t.g.Where("created_at < ?", cutoff).Delete(&model.IdempotencyRecord{}))
}

// DeleteLoginFailuresUntil deletes the login failures at or before cutoff.
func (t *Tx) DeleteLoginFailuresUntil(cutoff time.Time) (int64, error) {
	return deleted(t.g.Where("failed_at <= ?", cutoff).Delete(&model.LoginFailure{}))
}

// DeleteBindingFailuresUntil deletes the binding failures at or before cutoff.
func (t *Tx) DeleteBindingFailuresUntil(cutoff time.Time) (int64, error) {
	return deleted(t.g.Where("attempted_at <= ?", cutoff).Delete(&model.BindingFailure{}))
}

// DeleteRefreshTokensExpiredBefore deletes the refresh tokens that expired before now.
func (t *Tx) DeleteRefreshTokensExpiredBefore(now time.Time) (int64, error) {
	return deleted(t.g.Where("expires_at < ?", now).Delete(&model.RefreshToken{}))
}

// UnattachedUploadsBefore reads the id and stored name of at most limit
// uploads attached to nothing and created before cutoff, oldest first.
func (t *Tx) UnattachedUploadsBefore(cutoff time.Time, limit int) ([]model.Upload, error) {
	var stale []model.Upload
	err := result(t.g.Select("id", "stored_name").Where("owner_kind = ? AND created_at < ?", "", cutoff).
		Order("created_at").Limit(limit).Find(&stale))
	return stale, err
}

// DeleteUnattachedUpload deletes the upload's row if it is still attached to
// nothing; false when it was attached or deleted meanwhile.
func (t *Tx) DeleteUnattachedUpload(uploadID string) (bool, error) {
	n, err := deleted(t.g.Where("id = ? AND owner_kind = ?", uploadID, "").Delete(&model.Upload{}))
	return n > 0, err
}

// UnsealedIdempotencyRecords reads at most limit idempotency records whose stored
// response body is not sealed (does not start with "v1:").
func (t *Tx) UnsealedIdempotencyRecords(limit int) ([]model.IdempotencyRecord, error) {
	var rows []model.IdempotencyRecord
	// Sealed bodies start with "v1:" (hex 76313A); compared as hex because
	// SQLite's LIKE does not match a BLOB.
	err := result(t.g.Where("status <> 0 AND LENGTH(body) > 0 AND HEX(SUBSTR(body, 1, 3)) <> ?", "76313A").Limit(limit).Find(&rows))
	return rows, err
}

// SealReplayBody replaces a record's body by its sealed form if the body is
// still the clear one read; it returns the rows changed (0 or 1).
func (t *Tx) SealReplayBody(record model.IdempotencyRecord, sealed []byte) (int64, error) {
	q := t.g.Model(&model.IdempotencyRecord{}).Where("caller = ? AND `key` = ? AND body = ?", record.Caller, record.Key, record.Body).
		Update("body", sealed)
	return q.RowsAffected, result(q)
}

// deleted is the rows a delete removed and its translated error.
func deleted(q *gorm.DB) (int64, error) { return q.RowsAffected, result(q) }
