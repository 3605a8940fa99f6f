// Package fieldcrypt encrypts personal data (phone numbers) before it reaches
// the database: AES-256-GCM for the value and an HMAC-SHA256 keyed hash for
// look-ups, both derived from one data key (MINYI_DATA_KEY).
//
// Columns tagged `gorm:"serializer:secret"` are sealed on write and opened on
// read. The key is process-wide: the program sets it once at start with
// SetKey; a process that never sets it (unit tests) uses a random key of its
// own, so nothing is ever stored in clear.
package fieldcrypt

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm/schema"
)

// KeySize is the size of a data key in bytes.
const KeySize = 32

// sealedPrefix marks a sealed value; the version allows another scheme later.
const sealedPrefix = "v1:"

// Keys is a data key with the keys derived from it.
type Keys struct {
	aead           cipher.AEAD
	hashKey        []byte
	fingerprintKey []byte
}

var (
	mu       sync.RWMutex
	current  *Keys
	previous []*Keys
)

// ParseKey reads a data key written as base64 (standard or URL alphabet) or
// hex; it must decode to exactly 32 bytes.
func ParseKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if b, err := hex.DecodeString(text); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("decodes to %d bytes, need %d", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("is not %d bytes in base64 or hex (make one with: openssl rand -base64 32)", KeySize)
}

// NewKeys derives the encryption and look-up keys from a 32-byte data key.
func NewKeys(dataKey []byte) (*Keys, error) {
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("data key has %d bytes, need %d", len(dataKey), KeySize)
	}
	block, err := aes.NewCipher(derive(dataKey, "minyi/field-encryption/v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{aead: aead, hashKey: derive(dataKey, "minyi/lookup-hash/v1"),
		fingerprintKey: derive(dataKey, "minyi/fingerprint/v1")}, nil
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// SetKey makes dataKey the process-wide key; older keys, if given, are still
// accepted for reading (during a rotation).
func SetKey(dataKey []byte, older ...[]byte) error {
	k, err := NewKeys(dataKey)
	if err != nil {
		return err
	}
	var olds []*Keys
	for _, o := range older {
		ok, err := NewKeys(o)
		if err != nil {
			return err
		}
		olds = append(olds, ok)
	}
	mu.Lock()
	current, previous = k, olds
	mu.Unlock()
	return nil
}

// active returns the current keys, creating a random per-process key when
// none was set (tests).
func active() (*Keys, []*Keys) {
	mu.RLock()
	k, olds := current, previous
	mu.RUnlock()
	if k != nil {
		return k, olds
	}
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			panic("fieldcrypt: no randomness: " + err.Error())
		}
		current, _ = NewKeys(key)
	}
	return current, previous
}

// Seal encrypts a value with the current key; the empty string stays empty
// (so "no phone number" needs no key to read).
func Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	k, _ := active()
	return k.Seal(plain)
}

// Seal encrypts a value with these keys.
func (k *Keys) Seal(plain string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plain), nil)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// ErrNotSealed is returned by Open for a stored value that was never sealed.
var ErrNotSealed = errors.New("value is not sealed")

// Open decrypts a sealed value with the current key or, failing that, an
// older one. The empty string opens to itself.
func Open(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	k, olds := active()
	plain, err := k.Open(stored)
	if err == nil || errors.Is(err, ErrNotSealed) {
		return plain, err
	}
	for _, o := range olds {
		if plain, oerr := o.Open(stored); oerr == nil {
			return plain, nil
		}
	}
	return "", err
}

// Open decrypts a sealed value with these keys.
func (k *Keys) Open(stored string) (string, error) {
	body, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return "", ErrNotSealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", errors.New("fieldcrypt: sealed value is damaged")
	}
	plain, err := k.aead.Open(nil, raw[:k.aead.NonceSize()], raw[k.aead.NonceSize():], nil)
	if err != nil {
		return "", errors.New("fieldcrypt: sealed value does not open with the data key (wrong MINYI_DATA_KEY?)")
	}
	return string(plain), nil
}

// IsSealed tells whether a stored value is sealed (or empty).
func IsSealed(stored string) bool {
	return stored == "" || strings.HasPrefix(stored, sealedPrefix)
}

// LookupHash is the keyed hash of a phone number for equality look-ups
// (hex HMAC-SHA256 of the number without spaces and dashes); "" for "".
func LookupHash(phone string) string {
	k, _ := active()
	return k.LookupHash(phone)
}

// LookupHash is the keyed hash of a phone number under these keys.
func (k *Keys) LookupHash(phone string) string {
	normal := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(phone))
	if normal == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.hashKey)
	m.Write([]byte(normal))
	return hex.EncodeToString(m.Sum(nil))
}

// Fingerprint is a keyed hash (hex HMAC-SHA256) of any text, exactly as
// given, for values that are counted or matched but never read back (such
// as the username and address of a failed login): without the data key it
// cannot be reversed by trying likely values.
func Fingerprint(text string) string {
	k, _ := active()
	m := hmac.New(sha256.New, k.fingerprintKey)
	m.Write([]byte(text))
	return hex.EncodeToString(m.Sum(nil))
}

// Fingerprints are the fingerprints of a text under the current key and
// then each older key, for matching a value stored before a rotation.
func Fingerprints(text string) []string {
	k, olds := active()
	out := make([]string, 0, 1+len(olds))
	for _, keys := range append([]*Keys{k}, olds...) {
		m := hmac.New(sha256.New, keys.fingerprintKey)
		m.Write([]byte(text))
		out = append(out, hex.EncodeToString(m.Sum(nil)))
	}
	return out
}

// serializer seals string fields tagged `serializer:secret`.
type serializer struct{}

// Scan opens the stored value into the field; a value written before
// encryption was turned on is read as it is (rotate-data-key seals it).
func (serializer) Scan(ctx context.Context, field *schema.Field, dst reflect.Value, dbValue any) error {
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
	plain, err := Open(stored)
	if errors.Is(err, ErrNotSealed) {
		plain, err = stored, nil
	}
	if err != nil {
		return fmt.Errorf("column %s: %w", field.DBName, err)
	}
	return field.Set(ctx, dst, plain)
}

// Value seals the field's value for the database.
func (serializer) Value(_ context.Context, field *schema.Field, _ reflect.Value, fieldValue any) (any, error) {
	plain, ok := fieldValue.(string)
	if !ok {
		return nil, fmt.Errorf("fieldcrypt: field %s is %T, want string", field.Name, fieldValue)
	}
	return Seal(plain)
}

func init() { schema.RegisterSerializer("secret", serializer{}) }
