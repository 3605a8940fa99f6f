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
//
// AccountHash and AddressHash key the same failure by the canonical
// username alone and by the client's address alone, for the per-account
// back-off and the per-address limit.
type LoginFailure struct {
	ID          string    `gorm:"type:varchar(36);primaryKey"`
	PairHash    string    `gorm:"type:varchar(64);not null;index:ix_login_failures_pair,priority:1"`
	AccountHash string    `gorm:"type:varchar(64);not null;default:'';index:ix_login_failures_account,priority:1"`
	AddressHash string    `gorm:"type:varchar(64);not null;default:'';index:ix_login_failures_address,priority:1"`
	FailedAt    time.Time `gorm:"not null;index:ix_login_failures_pair,priority:2;index:ix_login_failures_account,priority:2;index:ix_login_failures_address,priority:2"`
}

// LoginAddress is an address an account has logged in from successfully
// (PairHash as in LoginFailure). The per-account back-off does not apply to
// these addresses, so that guesses from elsewhere cannot lock a worker out.
type LoginAddress struct {
	PairHash      string    `gorm:"type:varchar(64);primaryKey"`
	LastSuccessAt time.Time `gorm:"not null;index:ix_login_addresses_last"`
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
