package fieldcrypt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func dataKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustKeys(t *testing.T, current byte, older ...byte) *Keys {
	t.Helper()
	var olds [][]byte
	for _, o := range older {
		olds = append(olds, dataKey(o))
	}
	k, err := NewKeys(dataKey(current), olds...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpensOnlyWithItsKey(t *testing.T) {
	t.Parallel()
	keys := mustKeys(t, 1)
	const phone = "13800138000"
	a, err := keys.Seal(phone)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := keys.Seal(phone)
	if a == b {
		t.Error("two seals of one number are equal: the nonce is not random")
	}
	if strings.Contains(a, phone) || !strings.HasPrefix(a, sealedPrefix) || !IsSealed(a) {
		t.Errorf("sealed value %q", a)
	}
	if got, err := keys.Open(a); err != nil || got != phone {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if s, err := keys.Seal(""); s != "" || err != nil {
		t.Errorf("Seal(\"\") = %q, %v", s, err)
	}

	// A changed byte fails the authentication tag.
	raw, _ := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(a, sealedPrefix))
	raw[len(raw)-1] ^= 1
	if _, err := keys.Open(sealedPrefix + base64.RawStdEncoding.EncodeToString(raw)); err == nil {
		t.Error("a tampered value opened")
	}
	if _, err := keys.Open("v1:!!"); err == nil {
		t.Error("a damaged value opened")
	}
	if _, err := keys.Open(phone); err != ErrNotSealed {
		t.Errorf("Open of a clear value: %v, want ErrNotSealed", err)
	}

	// Another key cannot open it; with the old key kept for reading, it can.
	if _, err := mustKeys(t, 2).Open(a); err == nil || !strings.Contains(err.Error(), "MINYI_DATA_KEY") {
		t.Errorf("another key opened it, or the error does not name the key: %v", err)
	}
	rotated := mustKeys(t, 2, 1)
	if got, err := rotated.Open(a); err != nil || got != phone {
		t.Errorf("with the previous key kept: %q, %v", got, err)
	}
	// What the rotated keyring seals, it seals with the new key.
	c, _ := rotated.Seal(phone)
	if _, err := keys.Open(c); err == nil {
		t.Error("a rotated keyring sealed with the old key")
	}
}

// TestRandomKeysAreTheirOwn: two keyrings made without a key (two test
// databases in one process) read nothing of each other's.
func TestRandomKeysAreTheirOwn(t *testing.T) {
	t.Parallel()
	a, b := RandomKeys(), RandomKeys()
	sealed, err := a.Seal("13800138000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(sealed); err == nil {
		t.Error("one random keyring opened what another sealed")
	}
	if a.LookupHash("13800138000") == b.LookupHash("13800138000") || a.Fingerprint("x") == b.Fingerprint("x") {
		t.Error("two random keyrings hash alike")
	}
}

func TestLookupHashIsKeyedAndNormalised(t *testing.T) {
	t.Parallel()
	keys := mustKeys(t, 3)
	h := keys.LookupHash("138 0013-8000")
	if h != keys.LookupHash("13800138000") || len(h) != 64 {
		t.Errorf("hash %q is not the hash of the same number written without separators", h)
	}
	if keys.LookupHash("") != "" {
		t.Error("empty numbers must hash to empty")
	}
	if mustKeys(t, 4).LookupHash("13800138000") == h {
		t.Error("the look-up hash does not depend on the key")
	}
}

func TestParseKey(t *testing.T) {
	k := dataKey(7)
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
	if _, err := NewKeys(k, k[:31]); err == nil {
		t.Error("NewKeys accepted a 31-byte older key")
	}
}

func TestFingerprintIsKeyedAndExact(t *testing.T) {
	t.Parallel()
	keys := mustKeys(t, 5)
	a := keys.Fingerprint("admin\x00203.0.113.7")
	if a != keys.Fingerprint("admin\x00203.0.113.7") || len(a) != 64 {
		t.Errorf("fingerprint %q is not stable", a)
	}
	if a == keys.Fingerprint("admin \x00203.0.113.7") {
		t.Error("the fingerprint ignores a space")
	}
	if a == mustKeys(t, 6).Fingerprint("admin\x00203.0.113.7") {
		t.Error("the fingerprint does not depend on the key")
	}
}

// TestFingerprintsCoverOlderKeys: during a rotation a value fingerprinted
// under the old key is still among the fingerprints, the new one first.
func TestFingerprintsCoverOlderKeys(t *testing.T) {
	t.Parallel()
	old := mustKeys(t, 7).Fingerprint("binding-code\x00K7M2Q9XH")
	rotated := mustKeys(t, 8, 7)
	got := rotated.Fingerprints("binding-code\x00K7M2Q9XH")
	if len(got) != 2 || got[0] != rotated.Fingerprint("binding-code\x00K7M2Q9XH") || got[1] != old || got[0] == old {
		t.Fatalf("fingerprints %v, old %s", got, old)
	}
	alone := mustKeys(t, 8)
	if got := alone.Fingerprints("x"); len(got) != 1 || got[0] != alone.Fingerprint("x") {
		t.Fatalf("without older keys: %v", got)
	}
}
