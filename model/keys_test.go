package model_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/fieldcrypt"
	"minyi/model/testdb"
)

// TestDatabasesKeepTheirOwnKeys: two databases opened in one process with
// different data keys seal with their own key and read their own numbers;
// a handle with the other key reads neither the number nor the look-up
// hash of the first (the keys belong to the handle, not to the process).
func TestDatabasesKeepTheirOwnKeys(t *testing.T) {
	keysA, err := fieldcrypt.NewKeys(bytes.Repeat([]byte{0xa1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	keysB, err := fieldcrypt.NewKeys(bytes.Repeat([]byte{0xb2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	testdb.EachURL(t, func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		a := testdb.OpenURL(t, databaseURL, model.WithKeys(keysA))
		if a.Keys() != keysA {
			t.Fatal("the handle does not hold the keys it was opened with")
		}
		const phone = "13800138000"
		now := time.Now().UTC()
		resident := model.Resident{ID: "r-a", OpenID: "openid-a", Phone: phone, CreatedAt: now, UpdatedAt: now}
		if err := a.Gorm.WithContext(ctx).Create(&resident).Error; err != nil {
			t.Fatal(err)
		}
		var raw struct{ Phone, PhoneHash string }
		if err := a.Gorm.Raw("SELECT phone, phone_hash FROM residents WHERE id = 'r-a'").Scan(&raw).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw.Phone, phone) || !fieldcrypt.IsSealed(raw.Phone) {
			t.Fatalf("stored phone %q is not sealed", raw.Phone)
		}
		if opened, err := keysA.Open(raw.Phone); err != nil || opened != phone {
			t.Errorf("the stored number does not open with the handle's key: %q, %v", opened, err)
		}
		if raw.PhoneHash != keysA.LookupHash(phone) {
			t.Error("the look-up hash is not the handle's key's")
		}
		var back model.Resident
		if err := a.Gorm.Take(&back, "id = ?", "r-a").Error; err != nil || back.Phone != phone {
			t.Errorf("read back through the same handle: %q, %v", back.Phone, err)
		}

		// Another handle on the same data with another key: no number, no match.
		b := testdb.OpenURL(t, databaseURL, model.WithKeys(keysB))
		var other model.Resident
		if err := b.Gorm.Take(&other, "id = ?", "r-a").Error; err == nil {
			t.Errorf("a handle with another key read the number: %q", other.Phone)
		}
		var n int64
		if err := b.Gorm.Model(&model.Resident{}).Where("phone_hash = ?", keysB.LookupHash(phone)).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("the other key's look-up hash found %d rows, %v", n, err)
		}
		// And what it writes, the first handle cannot read.
		resident = model.Resident{ID: "r-b", OpenID: "openid-b", Phone: phone, CreatedAt: now, UpdatedAt: now}
		if err := b.Gorm.Create(&resident).Error; err != nil {
			t.Fatal(err)
		}
		if err := a.Gorm.Take(&other, "id = ?", "r-b").Error; err == nil {
			t.Error("the first handle read a number sealed with the other key")
		}

		// A handle opened without a key gets a random keyring of its own.
		c := testdb.OpenURL(t, databaseURL)
		if c.Keys() == nil || c.Keys() == keysA || c.Keys() == keysB {
			t.Fatal("a handle opened without a key has no keyring of its own")
		}
		if err := c.Gorm.Take(&other, "id = ?", "r-a").Error; err == nil {
			t.Error("a handle opened without a key read a sealed number")
		}
	})
}
