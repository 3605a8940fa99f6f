package store

import (
	"time"

	"minyi/model"
)

// IdempotencyRecord reads the record of a caller's key; model.ErrNotFound when none.
func (t *Tx) IdempotencyRecord(caller, key string) (model.IdempotencyRecord, error) {
	var rec model.IdempotencyRecord
	err := first(t.g.Where("caller = ? AND `key` = ?", caller, key), &rec)
	return rec, err
}

// DeleteIdempotencyRecordBefore deletes a caller's record of the key if it
// was created before the cut-off (an expired record whose key is used again).
func (t *Tx) DeleteIdempotencyRecordBefore(caller, key string, before time.Time) error {
	return result(t.g.Where("caller = ? AND `key` = ? AND created_at < ?", caller, key, before).
		Delete(&model.IdempotencyRecord{}))
}

// CompleteIdempotencyRecord stores the response of the write that inserted
// the record (status 0 until now) and reports whether there was one.
func (t *Tx) CompleteIdempotencyRecord(caller, key string, status int, contentType string, body []byte) (bool, error) {
	q := t.g.Model(&model.IdempotencyRecord{}).Where("caller = ? AND `key` = ? AND status = 0", caller, key).
		Updates(map[string]any{"status": status, "content_type": contentType, "body": body})
	return q.RowsAffected > 0, result(q)
}
