package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// The staff login limits: failed logins and the addresses accounts logged
// in from. These rows are counters, not records: they are written outside
// the audited write path.

// LoginFailureKey is what a failed login is counted by.
type LoginFailureKey string

// The keys of failed logins.
const (
	LoginFailurePair    LoginFailureKey = "pair_hash"
	LoginFailureAccount LoginFailureKey = "account_hash"
	LoginFailureAddress LoginFailureKey = "address_hash"
)

// ExpiredLoginFailureIDs reads the ids of at most limit failures of a pair
// at or before a time.
func (t *Tx) ExpiredLoginFailureIDs(pairHash string, before time.Time, limit int) ([]string, error) {
	var ids []string
	err := t.g.Model(&model.LoginFailure{}).Where("pair_hash = ? AND failed_at <= ?", pairHash, before).
		Limit(limit).Pluck("id", &ids).Error
	return ids, model.Translate(err)
}

// DeleteLoginFailures deletes the failures with these ids.
func (t *Tx) DeleteLoginFailures(ids []string) error {
	return result(t.g.Where("id IN ?", ids).Delete(&model.LoginFailure{}))
}

// DeleteLoginAttempt deletes one attempt's row (an attempt that was no failure).
func (t *Tx) DeleteLoginAttempt(attempt *model.LoginFailure) error {
	return result(t.g.Delete(attempt))
}

// ForgetLoginFailuresOfPair deletes every failure of a pair.
func (t *Tx) ForgetLoginFailuresOfPair(pairHash string) error {
	return result(t.g.Where("pair_hash = ?", pairHash).Delete(&model.LoginFailure{}))
}

// RememberLoginAddress writes (or moves forward) a pair's last successful login.
func (t *Tx) RememberLoginAddress(known *model.LoginAddress) error {
	return result(t.g.Clauses(clause.OnConflict{UpdateAll: true}).Create(known))
}

// ForgetLoginAddressesBefore deletes the pairs whose last successful login
// was before a time.
func (t *Tx) ForgetLoginAddressesBefore(before time.Time) error {
	return result(t.g.Where("last_success_at < ?", before).Delete(&model.LoginAddress{}))
}

// LoginAddressKnown tells whether a pair logged in successfully after a time.
func (t *Tx) LoginAddressKnown(pairHash string, since time.Time) (bool, error) {
	var known int64
	err := t.g.Model(&model.LoginAddress{}).Where("pair_hash = ? AND last_success_at > ?", pairHash, since).Count(&known).Error
	return known > 0, model.Translate(err)
}

// CountLoginFailuresOfAccount counts an account's failures after a time,
// leaving out the attempt exceptID.
func (t *Tx) CountLoginFailuresOfAccount(accountHash string, since time.Time, exceptID string) (int64, error) {
	var n int64
	err := t.g.Model(&model.LoginFailure{}).
		Where("account_hash = ? AND failed_at > ? AND id <> ?", accountHash, since, exceptID).Count(&n).Error
	return n, model.Translate(err)
}

// RecentLoginFailures reads the times of the latest (at most n) failures
// under a key after a time, newest first, leaving out the attempt exceptID.
func (t *Tx) RecentLoginFailures(by LoginFailureKey, key string, since time.Time, exceptID string, n int) ([]time.Time, error) {
	var recent []time.Time
	err := t.g.Model(&model.LoginFailure{}).
		Where(string(by)+" = ? AND failed_at > ? AND id <> ?", key, since, exceptID).
		Order("failed_at DESC").Limit(n).Pluck("failed_at", &recent).Error
	return recent, model.Translate(err)
}
