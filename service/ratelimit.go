package service

import (
	"context"
	"errors"
	"time"

	"minyi/model"
	"minyi/model/fieldcrypt"
)

// Login brute-force limit: after LoginFailureLimit failed logins for one
// username from one client address within LoginFailureWindow, further logins
// for that pair are refused (even with the right password) until the oldest
// failure leaves the window. The failures are counted in the database, so the
// limit holds across instances.
const (
	LoginFailureLimit  = 10
	LoginFailureWindow = 10 * time.Minute
)

// LoginFrom is Login guarded against password guessing: it refuses with 429
// too_many_login_attempts (and the seconds to wait) once the username has
// failed LoginFailureLimit times from clientIP within LoginFailureWindow,
// keeps each invalid_credentials failure, and forgets the failures of the
// pair on success. Errors: those of Login, too_many_login_attempts.
//
// Each attempt is written as a failure before the password is checked and
// only then counted, so that a burst of concurrent guesses cannot all pass
// the count before any of them is recorded: at most LoginFailureLimit
// passwords are ever checked per pair and window. A refused attempt removes
// its row again, so hammering does not push the window forward.
func (s *Service) LoginFrom(ctx context.Context, username, password, clientIP string) (*Tokens, error) {
	key := loginFailureKey(username, clientIP)
	attempt, err := s.reserveLoginAttempt(ctx, key)
	if err != nil {
		return nil, err
	}
	g := s.db.Gorm.WithContext(ctx)
	if wait, err := s.loginWait(ctx, key, attempt.ID); err != nil || wait > 0 {
		g.Delete(attempt)
		if err != nil {
			return nil, err
		}
		return nil, RateLimited("too_many_login_attempts", int((wait+time.Second-1)/time.Second))
	}
	tokens, err := s.Login(ctx, username, password)
	var se *Error
	switch {
	case err == nil:
		if derr := g.Where("pair_hash = ?", key).Delete(&model.LoginFailure{}).Error; derr != nil {
			return nil, AsError(derr)
		}
		return tokens, nil
	case errors.As(err, &se) && se.Code == "invalid_credentials":
		// The reserved row stays: it is this failure.
	default:
		g.Delete(attempt) // not the caller's failure (e.g. the database)
	}
	return nil, err
}

// reserveLoginAttempt writes the attempt as a failure and drops the pair's
// failures that have left the window, so the table stays small. These rows
// are counters, not records of the consultation: they are written outside
// inTx and its audit ledger, and need no transaction.
func (s *Service) reserveLoginAttempt(ctx context.Context, key string) (*model.LoginFailure, error) {
	now := s.Now()
	g := s.db.Gorm.WithContext(ctx)
	if err := g.Where("pair_hash = ? AND failed_at <= ?", key, now.Add(-LoginFailureWindow)).Delete(&model.LoginFailure{}).Error; err != nil {
		return nil, AsError(err)
	}
	attempt := &model.LoginFailure{ID: newID(), PairHash: key, FailedAt: now}
	if err := g.Create(attempt).Error; err != nil {
		return nil, AsError(err)
	}
	return attempt, nil
}

// loginWait is how long the pair must wait before this attempt may go
// ahead (0: go ahead), from the failures in the window other than the
// attempt's own row.
func (s *Service) loginWait(ctx context.Context, key, attemptID string) (time.Duration, error) {
	now := s.Now()
	var recent []time.Time
	err := s.db.Gorm.WithContext(ctx).Model(&model.LoginFailure{}).
		Where("pair_hash = ? AND failed_at > ? AND id <> ?", key, now.Add(-LoginFailureWindow), attemptID).
		Order("failed_at DESC").Limit(LoginFailureLimit).Pluck("failed_at", &recent).Error
	if err != nil {
		return 0, AsError(err)
	}
	if len(recent) < LoginFailureLimit {
		return 0, nil
	}
	// The pair may try again when the oldest of the last LoginFailureLimit
	// failures leaves the window.
	oldest := recent[len(recent)-1]
	return max(oldest.Add(LoginFailureWindow).Sub(now), time.Second), nil
}

// loginFailureKey identifies a (username, client address) pair without
// storing the username, which may be a mistyped password: a keyed hash, so
// that a reader of the table cannot recover it by trying likely names.
func loginFailureKey(username, clientIP string) string {
	return fieldcrypt.Fingerprint(username + "\x00" + clientIP)
}
