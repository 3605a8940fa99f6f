package fieldcrypt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpensOnlyWithItsKey(t *testing.T) {
	if err := SetKey(key(1)); err != nil {
		t.Fatal(err)
	}
	const phone = "13800138000"
	a, err := Seal(phone)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Seal(phone)
	if a == b {
		t.Error("two seals of one number are equal: the nonce is not random")
	}
	if strings.Contains(a, phone) || !strings.HasPrefix(a, sealedPrefix) || !IsSealed(a) {
		t.Errorf("sealed value %q", a)
	}
	if got, err := Open(a); err != nil || got != phone {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if s, err := Seal(""); s != "" || err != nil {
		t.Errorf("Seal(\"\") = %q, %v", s, err)
	}

	// A changed byte fails the authentication tag.
	raw, _ := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(a, sealedPrefix))
	raw[len(raw)-1] ^= 1
	if _, err := Open(sealedPrefix + base64.RawStdEncoding.EncodeToString(raw)); err == nil {
		t.Error("a tampered value opened")
	}
	if _, err := Open("v1:!!"); err == nil {
		t.Error("a damaged value opened")
	}
	if _, err := Open(phone); err != ErrNotSealed {
		t.Errorf("Open of a clear value: %v, want ErrNotSealed", err)
	}

	// Another key cannot open it; with the old key kept for reading, it can.
	SetKey(key(2))
	if _, err := Open(a); err == nil || !strings.Contains(err.Error(), "MINYI_DATA_KEY") {
		t.Errorf("another key opened it, or the error does not name the key: %v", err)
	}
	SetKey(key(2), key(1))
	if got, err := Open(a); err != nil || got != phone {
		t.Errorf("with the previous key kept: %q, %v", got, err)
	}
}

func TestLookupHashIsKeyedAndNormalised(t *testing.T) {
	SetKey(key(3))
	h := LookupHash("138 0013-8000")
	if h != LookupHash("13800138000") || len(h) != 64 {
		t.Errorf("hash %q is not the hash of the same number written without separators", h)
	}
	if LookupHash("") != "" {
		t.Error("empty numbers must hash to empty")
	}
	SetKey(key(4))
	if LookupHash("13800138000") == h {
		t.Error("the look-up hash does not depend on the key")
	}
}

func TestParseKey(t *testing.T) {
	k := key(7)
	for _, text := range []string{hex.EncodeToString(k), base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k), " " + hex.EncodeToString(k) + "\n"} {
		got, err := ParseKey(text)
		if err != nil || !bytes.Equal(got, k) {
			t.Errorf("ParseKey(%q) = %x, %v", text, got, err)
		}
	}
	for _, text := range []string{"", "short", base64.StdEncoding.EncodeToString(k[:16]), hex.EncodeToString(k[:31])} {
		if _, err := ParseKey(text); err == nil {
			t.Errorf("ParseKey(%q) accepted a bad key", text)
		}
	}
	if _, err := NewKeys(k[:16]); err == nil {
		t.Error("NewKeys accepted a 16-byte key")
	}
}

func TestFingerprintIsKeyedAndExact(t *testing.T) {
	SetKey(key(5))
	a := Fingerprint("admin\x00203.0.113.7")
	if a != Fingerprint("admin\x00203.0.113.7") || len(a) != 64 {
		t.Errorf("fingerprint %q is not stable", a)
	}
	if a == Fingerprint("admin \x00203.0.113.7") {
		t.Error("the fingerprint ignores a space")
	}
	SetKey(key(6))
	if a == Fingerprint("admin\x00203.0.113.7") {
		t.Error("the fingerprint does not depend on the key")
	}
}

// TestFingerprintsCoverOlderKeys: during a rotation a value fingerprinted
// under the old key is still among the fingerprints, the new one first.
func TestFingerprintsCoverOlderKeys(t *testing.T) {
	SetKey(key(7))
	old := Fingerprint("binding-code\x00K7M2Q9XH")
	SetKey(key(8), key(7))
	got := Fingerprints("binding-code\x00K7M2Q9XH")
	if len(got) != 2 || got[0] != Fingerprint("binding-code\x00K7M2Q9XH") || got[1] != old || got[0] == old {
		t.Fatalf("fingerprints %v, old %s", got, old)
	}
	SetKey(key(8))
	if got := Fingerprints("x"); len(got) != 1 || got[0] != Fingerprint("x") {
		t.Fatalf("without older keys: %v", got)
	}
}
