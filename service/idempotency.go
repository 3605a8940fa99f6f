package service

import (
	"context"
	"errors"
	"slices"
	"time"

	"minyi/model"
	"minyi/model/fieldcrypt"
	"minyi/store"
)

// IdempotencyTTL is how long a write's first response is kept for replays;
// PurgeExpired deletes older records.
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
//
// Nothing of the request or response is stored readable: the request hash
// is keyed with the data key (a short body such as a binding code cannot be
// found again by hashing guesses) and the response body is sealed with it
// (it can hold phone numbers and new binding codes).
func (s *Service) ReserveIdempotencyKey(ctx context.Context, caller, key, requestHash string) (*Replay, error) {
	// Under the current data key, or an older one during a rotation.
	hashes := fieldcrypt.Fingerprints("idempotency-request\x00" + requestHash)
	requestHash = hashes[0]
	var replay *Replay
	err := s.inTx(ctx, func(tx *store.Tx) error {
		now := s.Now()
		var existing []model.IdempotencyRecord
		if err := tx.Gorm().Where("caller = ? AND `key` = ?", caller, key).Limit(1).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) == 1 {
			rec := existing[0]
			if now.Sub(rec.CreatedAt) < IdempotencyTTL {
				switch {
				case !slices.Contains(hashes, rec.RequestHash):
					return Invalid("idempotency_key_reused", map[string]string{"Idempotency-Key": "was used for a different request"})
				case rec.Status == 0:
					return Conflict("idempotency_in_progress", "")
				}
				body, err := openReplayBody(rec.Body)
				if err != nil {
					return err
				}
				replay = &Replay{Status: rec.Status, ContentType: rec.ContentType, Body: body}
				return nil
			}
			if err := tx.Gorm().Where("caller = ? AND `key` = ?", caller, key).Delete(&model.IdempotencyRecord{}).Error; err != nil {
				return err
			}
		}
		err := tx.Gorm().Create(&model.IdempotencyRecord{Caller: caller, Key: key, RequestHash: requestHash, CreatedAt: now}).Error
		if errors.Is(model.Translate(err), model.ErrConflict) {
			return Conflict("idempotency_in_progress", "")
		}
		return err
	})
	return replay, err
}

// CompleteIdempotencyKey stores the response of the request that reserved the key.
// The body is stored sealed with the data key.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, caller, key string, r Replay) error {
	sealed, err := sealReplayBody(r.Body)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		return tx.Gorm().Model(&model.IdempotencyRecord{}).Where("caller = ? AND `key` = ?", caller, key).
			Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "body": sealed}).Error
	})
}

// sealReplayBody encrypts a stored response body with the data key.
func sealReplayBody(body []byte) ([]byte, error) {
	if len(body) == 0 {
		return []byte{}, nil
	}
	sealed, err := fieldcrypt.Seal(string(body))
	if err != nil {
		return nil, err
	}
	return []byte(sealed), nil
}

// openReplayBody decrypts a stored response body; a body stored in clear by
// an older version (within its last 24 hours) is returned as it is.
func openReplayBody(stored []byte) ([]byte, error) {
	if len(stored) == 0 {
		return stored, nil
	}
	plain, err := fieldcrypt.Open(string(stored))
	if errors.Is(err, fieldcrypt.ErrNotSealed) {
		return stored, nil
	}
	if err != nil {
		return nil, err
	}
	return []byte(plain), nil
}

// ReleaseIdempotencyKey forgets a reservation whose request failed in a way
// worth retrying (a server error), so the retry can run.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, caller, key string) error {
	return s.inTx(ctx, func(tx *store.Tx) error {
		return tx.Gorm().Where("caller = ? AND `key` = ? AND status = 0", caller, key).Delete(&model.IdempotencyRecord{}).Error
	})
}
