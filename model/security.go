package model

import (
	"time"

	"gorm.io/gorm"

	"minyi/model/fieldcrypt"
)

// LoginFailure is one failed staff login, kept for the brute-force limit.
// PairHash is a keyed hash (fieldcrypt.Fingerprint) of the username and the
// client's address, so that a password typed into the username field is
// never stored.
type LoginFailure struct {
	ID       string    `gorm:"type:varchar(36);primaryKey"`
	PairHash string    `gorm:"type:varchar(64);not null;index:ix_login_failures_pair,priority:1"`
	FailedAt time.Time `gorm:"not null;index:ix_login_failures_pair,priority:2"`
}

// BeforeSave keeps the household's phone look-up hash in step with its phone.
func (h *Household) BeforeSave(*gorm.DB) error {
	h.PhoneHash = fieldcrypt.LookupHash(h.Phone)
	return nil
}

// BeforeSave keeps the resident's phone look-up hash in step with its phone.
func (r *Resident) BeforeSave(*gorm.DB) error {
	r.PhoneHash = fieldcrypt.LookupHash(r.Phone)
	return nil
}

// SealedPhone returns a phone number as it is stored (sealed) and its
// look-up hash, for writes that bypass the models (plain SQL, map updates).
func SealedPhone(phone string) (sealed, lookupHash string, err error) {
	sealed, err = fieldcrypt.Seal(phone)
	return sealed, fieldcrypt.LookupHash(phone), err
}
