package service

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"minyi/model"
)

// IdempotencyTTL is how long a write's first response is kept for replays.
const IdempotencyTTL = 24 * time.Hour

// Replay is the stored first response to a repeated write.
type Replay struct {
	Status      int
	ContentType string
	Body        []byte
}

// ReserveIdempotencyKey claims a caller's Idempotency-Key for a request with
// the given body hash. It returns a Replay when the key was already used for
// the same request and completed. Errors: idempotency_key_reused (same key,
// different request), idempotency_in_progress (the first request is still running).
func (s *Service) ReserveIdempotencyKey(ctx context.Context, caller, key, requestHash string) (*Replay, error) {
	var replay *Replay
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		var existing []model.IdempotencyRecord
		if err := tx.Where("caller = ? AND `key` = ?", caller, key).Limit(1).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) == 1 {
			rec := existing[0]
			if now.Sub(rec.CreatedAt) < IdempotencyTTL {
				switch {
				case rec.RequestHash != requestHash:
					return Invalid("idempotency_key_reused", map[string]string{"Idempotency-Key": "was used for a different request"})
				case rec.Status == 0:
					return Conflict("idempotency_in_progress", "")
				}
				replay = &Replay{Status: rec.Status, ContentType: rec.ContentType, Body: rec.Body}
				return nil
			}
			if err := tx.Where("caller = ? AND `key` = ?", caller, key).Delete(&model.IdempotencyRecord{}).Error; err != nil {
				return err
			}
		}
		err := tx.Create(&model.IdempotencyRecord{Caller: caller, Key: key, RequestHash: requestHash, CreatedAt: now}).Error
		if errors.Is(model.Translate(err), model.ErrConflict) {
			return Conflict("idempotency_in_progress", "")
		}
		return err
	})
	return replay, err
}

// CompleteIdempotencyKey stores the response of the request that reserved the key.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, caller, key string, r Replay) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&model.IdempotencyRecord{}).Where("caller = ? AND `key` = ?", caller, key).
			Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "body": r.Body}).Error
	})
}

// ReleaseIdempotencyKey forgets a reservation whose request failed in a way
// worth retrying (a server error), so the retry can run.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, caller, key string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		return tx.Where("caller = ? AND `key` = ? AND status = 0", caller, key).Delete(&model.IdempotencyRecord{}).Error
	})
}
