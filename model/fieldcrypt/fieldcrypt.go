// Package fieldcrypt encrypts personal data (phone numbers) before it reaches
// the database: AES-256-GCM for the value and an HMAC-SHA256 keyed hash for
// look-ups, both derived from one data key (MINYI_DATA_KEY).
//
// The keys are a value (Keys) that belongs to an open database, not to the
// process: model.Open takes them and seals the columns tagged
// `gorm:"serializer:secret"` with them; a database opened without a key
// (tests) gets a random keyring of its own, so nothing is stored in clear.
package fieldcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a data key in bytes.
const KeySize = 32

// sealedPrefix marks a sealed value; the version allows another scheme later.
const sealedPrefix = "v1:"

// key is one data key with the keys derived from it.
type key struct {
	aead           cipher.AEAD
	hashKey        []byte
	fingerprintKey []byte
}

// Keys is a keyring: the data key values are sealed and hashed with, and
// the older keys still accepted for reading during a rotation. It is a
// value owned by whoever opens the database (model.Open), never by the
// process, so two databases in one process keep their own keys.
type Keys struct {
	current *key
	older   []*key
}

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

// NewKeys makes a keyring from a 32-byte data key; older keys, if given,
// are still accepted for reading (during a rotation).
func NewKeys(dataKey []byte, older ...[]byte) (*Keys, error) {
	current, err := newKey(dataKey)
	if err != nil {
		return nil, err
	}
	keys := &Keys{current: current}
	for _, o := range older {
		k, err := newKey(o)
		if err != nil {
			return nil, err
		}
		keys.older = append(keys.older, k)
	}
	return keys, nil
}

// RandomKeys is a keyring with a fresh random data key, for a database
// opened without one (tests, tools that never read sealed values): what it
// seals no other keyring opens.
func RandomKeys() *Keys {
	dataKey := make([]byte, KeySize)
	if _, err := rand.Read(dataKey); err != nil {
		panic("fieldcrypt: no randomness: " + err.Error())
	}
	keys, err := NewKeys(dataKey)
	if err != nil {
		panic("fieldcrypt: " + err.Error())
	}
	return keys
}

// newKey derives the encryption and look-up keys from a 32-byte data key.
func newKey(dataKey []byte) (*key, error) {
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
	return &key{aead: aead, hashKey: derive(dataKey, "minyi/lookup-hash/v1"),
		fingerprintKey: derive(dataKey, "minyi/fingerprint/v1")}, nil
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Seal encrypts a value with the current key; the empty string stays empty
// (so "no phone number" needs no key to read).
func (k *Keys) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	return k.current.seal(plain)
}

func (k *key) seal(plain string) (string, error) {
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
// older one. The empty string opens to itself; a value that was never
// sealed returns ErrNotSealed.
func (k *Keys) Open(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	plain, err := k.current.open(stored)
	if err == nil || errors.Is(err, ErrNotSealed) {
		return plain, err
	}
	for _, o := range k.older {
		if plain, oerr := o.open(stored); oerr == nil {
			return plain, nil
		}
	}
	return "", err
}

func (k *key) open(stored string) (string, error) {
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
// (hex HMAC-SHA256 of the number without spaces and dashes) under the
// current key; "" for "".
func (k *Keys) LookupHash(phone string) string {
	normal := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(phone))
	if normal == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.current.hashKey)
	m.Write([]byte(normal))
	return hex.EncodeToString(m.Sum(nil))
}

// Fingerprint is a keyed hash (hex HMAC-SHA256) of any text, exactly as
// given, under the current key, for values that are counted or matched but
// never read back (such as the username and address of a failed login):
// without the data key it cannot be reversed by trying likely values.
func (k *Keys) Fingerprint(text string) string {
	return k.current.fingerprint(text)
}

// Fingerprints are the fingerprints of a text under the current key and
// then each older key, for matching a value stored before a rotation.
func (k *Keys) Fingerprints(text string) []string {
	out := make([]string, 0, 1+len(k.older))
	out = append(out, k.current.fingerprint(text))
	for _, o := range k.older {
		out = append(out, o.fingerprint(text))
	}
	return out
}

func (k *key) fingerprint(text string) string {
	m := hmac.New(sha256.New, k.fingerprintKey)
	m.Write([]byte(text))
	return hex.EncodeToString(m.Sum(nil))
}
