package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"minyi/store"
)

// UnattachedUploadTTL is how long an upload may stay attached to nothing
// before PurgeExpired deletes it (row and file).
const UnattachedUploadTTL = 24 * time.Hour

// janitorBatch bounds how many unattached uploads one pass deletes.
const janitorBatch = 500

// PurgeReport counts what one PurgeExpired pass deleted.
type PurgeReport struct {
	IdempotencyRecords int64
	LoginFailures      int64
	BindingFailures    int64
	RefreshTokens      int64
	Uploads            int64
	// Sealed counts idempotency bodies left in clear by an older version
	// and sealed by this pass.
	Sealed int64
}

// PurgeExpired deletes what is kept only for a while: idempotency records
// older than IdempotencyTTL, login and binding failures that left their
// windows, expired refresh tokens, and uploads attached to nothing for more
// than UnattachedUploadTTL (their rows, then their files under uploadDir).
// It also seals response bodies an older version stored in clear. Every
// step is a conditional delete, so several instances may run it at once:
// a row is deleted (and its file removed) by exactly one of them.
func (s *Service) PurgeExpired(ctx context.Context, uploadDir string) (PurgeReport, error) {
	var r PurgeReport
	now := s.Now()
	steps := []struct {
		count  *int64
		delete func(tx *store.Tx, cutoff time.Time) (int64, error)
		cutoff time.Time
	}{
		{&r.IdempotencyRecords, (*store.Tx).DeleteIdempotencyRecordsBefore, now.Add(-IdempotencyTTL)},
		{&r.LoginFailures, (*store.Tx).DeleteLoginFailuresUntil, now.Add(-LoginFailureWindow)},
		{&r.BindingFailures, (*store.Tx).DeleteBindingFailuresUntil, now.Add(-BindingFailureWindow)},
		{&r.RefreshTokens, (*store.Tx).DeleteRefreshTokensExpiredBefore, now},
	}
	for _, step := range steps {
		err := s.store.Transaction(ctx, func(tx *store.Tx) error {
			n, err := step.delete(tx, step.cutoff)
			*step.count = n
			return err
		})
		if err != nil {
			return r, AsError(err)
		}
	}
	n, err := s.purgeUnattachedUploads(ctx, uploadDir, now.Add(-UnattachedUploadTTL))
	r.Uploads = n
	if err != nil {
		return r, err
	}
	r.Sealed, err = s.sealClearReplayBodies(ctx)
	return r, err
}

// purgeUnattachedUploads deletes the uploads attached to nothing since
// before cutoff: each row with a delete that still requires it unattached
// (an attach racing with the janitor wins or loses as a whole), then its file.
func (s *Service) purgeUnattachedUploads(ctx context.Context, uploadDir string, cutoff time.Time) (int64, error) {
	stale, err := s.read(ctx).UnattachedUploadsBefore(cutoff, janitorBatch)
	if err != nil {
		return 0, AsError(err)
	}
	var deleted int64
	for _, u := range stale {
		var gone bool
		err := s.store.Transaction(ctx, func(tx *store.Tx) error {
			var err error
			gone, err = tx.DeleteUnattachedUpload(u.ID)
			return err
		})
		if err != nil {
			return deleted, AsError(err)
		}
		if !gone {
			continue // attached meanwhile, or deleted by another instance
		}
		deleted++
		if uploadDir == "" {
			continue
		}
		if err := os.Remove(filepath.Join(uploadDir, u.StoredName)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return deleted, err
		}
	}
	return deleted, nil
}

// sealClearReplayBodies seals the stored response bodies that an older
// version wrote in clear (a one-off after the upgrade; afterwards it finds
// nothing).
func (s *Service) sealClearReplayBodies(ctx context.Context) (int64, error) {
	rows, err := s.read(ctx).UnsealedIdempotencyRecords(janitorBatch)
	if err != nil {
		return 0, AsError(err)
	}
	var sealed int64
	for _, rec := range rows {
		body, err := s.sealReplayBody(rec.Body)
		if err != nil {
			return sealed, err
		}
		err = s.store.Transaction(ctx, func(tx *store.Tx) error {
			n, err := tx.SealReplayBody(rec, body)
			sealed += n
			return err
		})
		if err != nil {
			return sealed, AsError(err)
		}
	}
	return sealed, nil
}
