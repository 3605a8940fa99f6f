package service

import (
	"context"
	"fmt"
	"time"

	"minyi/store"
)

// Default daily upload quota of one account (Config.UploadDailyFiles and
// Config.UploadDailyBytes; MINYI_UPLOAD_DAILY_FILES, MINYI_UPLOAD_DAILY_MB).
const (
	DefaultUploadDailyFiles = 30
	DefaultUploadDailyBytes = 100 << 20
	// UploadQuotaWindow is the rolling window the quota counts over.
	UploadQuotaWindow = 24 * time.Hour
)

// MayUpload tells, before a file is received, whether the actor may upload
// at all now: a resident bound to a household, within the daily quota.
// Errors: household_binding_required (403), upload_quota_exceeded (429).
func (s *Service) MayUpload(ctx context.Context, actor Actor) error {
	g := s.read(ctx)
	if err := s.requireBoundResident(g, actor); err != nil {
		return AsError(err)
	}
	if err := s.checkUploadQuota(g, actor, 0); err != nil {
		return AsError(err)
	}
	return nil
}

// requireBoundResident refuses a resident who is bound to no household:
// only residents of a household may send files. Staff pass.
// Errors: household_binding_required (403).
func (s *Service) requireBoundResident(tx *store.Tx, actor Actor) error {
	if actor.Kind != ActorResident {
		return nil
	}
	bound, err := tx.ResidentIsBound(actor.ID)
	if err != nil {
		return err
	}
	if !bound {
		return Forbidden("household_binding_required")
	}
	return nil
}

// lockUploader takes the uploader's row lock on MySQL, so that one
// account's concurrent uploads are counted against the quota one at a
// time; SQLite has one writer anyway.
func (s *Service) lockUploader(tx *store.Tx, actor Actor) error {
	switch actor.Kind {
	case ActorResident:
		return tx.LockResidentForUpload(actor.ID)
	case ActorUser:
		return tx.LockUserForUpload(actor.ID)
	}
	return nil
}

// checkUploadQuota refuses an upload that would take the account over its
// daily number of files or bytes (incoming bytes more). Errors:
// upload_quota_exceeded (429, with the seconds until the oldest upload of
// the window leaves it).
func (s *Service) checkUploadQuota(tx *store.Tx, actor Actor, incoming int64) error {
	if actor.Kind == ActorSystem {
		return nil
	}
	maxFiles, maxBytes := s.uploadQuota()
	now := s.Now()
	since := now.Add(-UploadQuotaWindow)
	used, err := tx.UploadUsageSince(actor.Kind, actor.ID, since)
	if err != nil {
		return err
	}
	if used.Files+1 <= int64(maxFiles) && used.Bytes+incoming <= maxBytes {
		return nil
	}
	oldest, err := tx.OldestUploadSince(actor.Kind, actor.ID, since)
	if err != nil {
		return err
	}
	wait := int(UploadQuotaWindow / time.Second)
	if !oldest.IsZero() {
		wait = int(oldest.Add(UploadQuotaWindow).Sub(now)/time.Second) + 1
	}
	se := RateLimited("upload_quota_exceeded", max(wait, 1))
	se.Fields = map[string]string{"file": fmt.Sprintf("at most %d files and %d MiB a day per account", maxFiles, maxBytes>>20)}
	return se
}

// uploadQuota is the configured daily quota, or the defaults.
func (s *Service) uploadQuota() (files int, bytes int64) {
	files, bytes = s.cfg.UploadDailyFiles, s.cfg.UploadDailyBytes
	if files <= 0 {
		files = DefaultUploadDailyFiles
	}
	if bytes <= 0 {
		bytes = DefaultUploadDailyBytes
	}
	return files, bytes
}
