package model

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"minyi/model/fieldcrypt"
)

// LoginFailure is one failed staff login, kept for the brute-force limit.
// PairHash is a keyed hash (fieldcrypt.Keys.Fingerprint) of the username and the
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
func (h *Household) BeforeSave(tx *gorm.DB) error {
	keys, err := statementKeys(tx)
	if err == nil {
		h.PhoneHash = keys.LookupHash(h.Phone)
	}
	return err
}

// BeforeSave keeps the resident's phone look-up hash in step with its phone.
func (r *Resident) BeforeSave(tx *gorm.DB) error {
	keys, err := statementKeys(tx)
	if err == nil {
		r.PhoneHash = keys.LookupHash(r.Phone)
	}
	return err
}

// SealedPhone returns a phone number as it is stored (sealed with keys) and
// its look-up hash, for writes that bypass the models (plain SQL, map updates).
func SealedPhone(keys *fieldcrypt.Keys, phone string) (sealed, lookupHash string, err error) {
	sealed, err = keys.Seal(phone)
	return sealed, keys.LookupHash(phone), err
}

// The data keys reach the statements of a database through the statement's
// context: a callback of the handle (attachKeys) puts the handle's keyring
// there before any other callback runs, so the serializer and the hooks of
// every statement, whoever gave its context, use the keys of the database
// the statement runs on.

// keysKey is the context key of the keyring of a statement's database.
type keysKey struct{}

// attachKeys installs the callback that gives every statement of g the keys.
func attachKeys(g *gorm.DB, keys *fieldcrypt.Keys) error {
	attach := func(tx *gorm.DB) {
		ctx := tx.Statement.Context
		if ctx == nil {
			ctx = context.Background()
		}
		if ctx.Value(keysKey{}) != keys {
			tx.Statement.Context = context.WithValue(ctx, keysKey{}, keys)
		}
	}
	cb := g.Callback()
	for _, err := range []error{
		cb.Create().Before("*").Register("minyi:data_keys", attach),
		cb.Query().Before("*").Register("minyi:data_keys", attach),
		cb.Update().Before("*").Register("minyi:data_keys", attach),
		cb.Delete().Before("*").Register("minyi:data_keys", attach),
		cb.Row().Before("*").Register("minyi:data_keys", attach),
		cb.Raw().Before("*").Register("minyi:data_keys", attach),
	} {
		if err != nil {
			return fmt.Errorf("install the data keys: %w", err)
		}
	}
	return nil
}

// errNoKeys fails a statement that carries no data keys: one run on a
// handle model.Open did not make.
var errNoKeys = errors.New("fieldcrypt: the statement has no data keys (database not opened by model.Open)")

func contextKeys(ctx context.Context) (*fieldcrypt.Keys, error) {
	if ctx != nil {
		if keys, ok := ctx.Value(keysKey{}).(*fieldcrypt.Keys); ok && keys != nil {
			return keys, nil
		}
	}
	return nil, errNoKeys
}

func statementKeys(tx *gorm.DB) (*fieldcrypt.Keys, error) {
	if tx == nil || tx.Statement == nil {
		return nil, errNoKeys
	}
	return contextKeys(tx.Statement.Context)
}

// registerSecret registers the "secret" serializer once per process; model.Open
// calls it before the first schema is parsed.
var registerSecret sync.Once

// secretSerializer seals string fields tagged `serializer:secret` with the
// keys of the statement's database.
type secretSerializer struct{}

// Scan opens the stored value into the field; a value written before
// encryption was turned on is read as it is (rotate-data-key seals it).
func (secretSerializer) Scan(ctx context.Context, field *schema.Field, dst reflect.Value, dbValue any) error {
	var stored string
	switch v := dbValue.(type) {
	case nil:
	case string:
		stored = v
	case []byte:
		stored = string(v)
	default:
		return fmt.Errorf("fieldcrypt: column %s holds %T, want text", field.DBName, dbValue)
	}
	plain := stored
	if stored != "" {
		keys, err := contextKeys(ctx)
		if err != nil {
			return fmt.Errorf("column %s: %w", field.DBName, err)
		}
		plain, err = keys.Open(stored)
		if errors.Is(err, fieldcrypt.ErrNotSealed) {
			plain, err = stored, nil
		}
		if err != nil {
			return fmt.Errorf("column %s: %w", field.DBName, err)
		}
	}
	return field.Set(ctx, dst, plain)
}

// Value seals the field's value for the database.
func (secretSerializer) Value(ctx context.Context, field *schema.Field, _ reflect.Value, fieldValue any) (any, error) {
	plain, ok := fieldValue.(string)
	if !ok {
		return nil, fmt.Errorf("fieldcrypt: field %s is %T, want string", field.Name, fieldValue)
	}
	if plain == "" {
		return "", nil
	}
	keys, err := contextKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", field.Name, err)
	}
	return keys.Seal(plain)
}
