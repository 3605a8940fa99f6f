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

// IdempotencyClaim is a write request's Idempotency-Key: its caller, the
// key and the hash of the request. It travels in the Actor; the first write
// transaction of the request records it, so the key is taken if and only if
// the write commits.
type IdempotencyClaim struct {
	Caller      string
	Key         string
	RequestHash string
	// recorded is set once a committed transaction holds the record.
	recorded bool
}

// NewIdempotencyClaim makes the claim of a request with this key and body hash.
func NewIdempotencyClaim(caller, key, requestHash string) *IdempotencyClaim {
	return &IdempotencyClaim{Caller: caller, Key: key, RequestHash: requestHash}
}

// responseGrace is how long after its write committed a record may wait for
// the response (the handler writing it): a repeat within it is told the
// first is in progress; after it, that the write was applied and its
// response lost (the server stopped between the two).
const responseGrace = time.Minute

// LookupIdempotencyKey answers a repeated write from its record: the stored
// response when there is one. It returns nil when the key is new (or
// expired): the request runs. Errors: idempotency_key_reused (same key,
// different request), idempotency_in_progress (the first request's write
// committed moments ago and its response is on its way),
// idempotency_response_lost (the write was applied but the server stopped
// before storing its response).
//
// Nothing of the request or response is stored readable: the request hash
// is keyed with the data key (a short body such as a binding code cannot be
// found again by hashing guesses) and the response body is sealed with it
// (it can hold phone numbers and new binding codes).
func (s *Service) LookupIdempotencyKey(ctx context.Context, claim *IdempotencyClaim) (*Replay, error) {
	rec, err := s.read(ctx).IdempotencyRecord(claim.Caller, claim.Key)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, AsError(err)
	}
	now := s.Now()
	if now.Sub(rec.CreatedAt) >= IdempotencyTTL {
		return nil, nil
	}
	switch {
	case !slices.Contains(s.requestFingerprints(claim.RequestHash), rec.RequestHash):
		return nil, Invalid("idempotency_key_reused", map[string]string{"Idempotency-Key": "was used for a different request"})
	case rec.Status == 0 && now.Sub(rec.CreatedAt) < responseGrace:
		return nil, Conflict("idempotency_in_progress", "")
	case rec.Status == 0:
		return nil, Conflict("idempotency_response_lost", "")
	}
	body, err := s.openReplayBody(rec.Body)
	if err != nil {
		return nil, AsError(err)
	}
	return &Replay{Status: rec.Status, ContentType: rec.ContentType, Body: body}, nil
}

// requestFingerprints are the keyed hashes of a request hash under the
// current data key and, during a rotation, the older ones (current first).
func (s *Service) requestFingerprints(requestHash string) []string {
	return s.keys.Fingerprints("idempotency-request\x00" + requestHash)
}

// recordIdempotencyClaim takes the request's key in its write transaction:
// the record commits with the write or not at all. A concurrent request
// with the same key that committed first makes this one fail with
// idempotency_in_progress (its retry gets the first one's response).
func (s *Service) recordIdempotencyClaim(tx *store.Tx, claim *IdempotencyClaim) error {
	now := s.Now()
	if err := tx.DeleteIdempotencyRecordBefore(claim.Caller, claim.Key, now.Add(-IdempotencyTTL)); err != nil {
		return err
	}
	err := tx.Insert(&model.IdempotencyRecord{Caller: claim.Caller, Key: claim.Key,
		RequestHash: s.requestFingerprints(claim.RequestHash)[0], CreatedAt: now})
	if errors.Is(err, model.ErrConflict) {
		return Conflict("idempotency_in_progress", "")
	}
	return err
}

// CompleteIdempotencyKey stores the response to a request sent with a key:
// on the record its write committed, or, for a request that wrote nothing
// (refused by a rule), on a new record so that a repeat gets the same
// answer. Server errors of requests that wrote nothing are not kept: the
// retry runs again. The body is stored sealed with the data key.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, claim *IdempotencyClaim, r Replay) error {
	sealed, err := s.sealReplayBody(r.Body)
	if err != nil {
		return err
	}
	return s.store.Transaction(ctx, func(tx *store.Tx) error {
		if claim.recorded {
			_, err := tx.CompleteIdempotencyRecord(claim.Caller, claim.Key, r.Status, r.ContentType, sealed)
			return err
		}
		if r.Status >= 500 {
			return nil
		}
		err := tx.Insert(&model.IdempotencyRecord{Caller: claim.Caller, Key: claim.Key,
			RequestHash: s.requestFingerprints(claim.RequestHash)[0], Status: r.Status,
			ContentType: r.ContentType, Body: sealed, CreatedAt: s.Now()})
		if errors.Is(err, model.ErrConflict) {
			return nil // a concurrent request with the key answered first
		}
		return err
	})
}

// sealReplayBody encrypts a stored response body with the data key.
func (s *Service) sealReplayBody(body []byte) ([]byte, error) {
	if len(body) == 0 {
		return []byte{}, nil
	}
	sealed, err := s.keys.Seal(string(body))
	if err != nil {
		return nil, err
	}
	return []byte(sealed), nil
}

// openReplayBody decrypts a stored response body; a body stored in clear by
// an older version (within its last 24 hours) is returned as it is.
func (s *Service) openReplayBody(stored []byte) ([]byte, error) {
	if len(stored) == 0 {
		return stored, nil
	}
	plain, err := s.keys.Open(string(stored))
	if errors.Is(err, fieldcrypt.ErrNotSealed) {
		return stored, nil
	}
	if err != nil {
		return nil, err
	}
	return []byte(plain), nil
}
