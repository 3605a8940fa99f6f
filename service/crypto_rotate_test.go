package service

import (
	"bytes"
	"context"
	"testing"

	"minyi/model"
	"minyi/model/fieldcrypt"
	"minyi/model/testdb"
)

// TestResealPhonesRotatesTheKey stores phone numbers under one key (and one
// in clear, as an older release left it), rotates to a new key on a handle
// opened with the new key and the old one kept for reading, then reads every
// number back on a handle with the new key alone; the look-up hashes follow
// the new key, and the old key alone no longer opens the numbers. Each step
// is a database handle with its own keyring, as the rotate-data-key command
// and the restarted service are: no key is shared through the process.
func TestResealPhonesRotatesTheKey(t *testing.T) {
	t.Parallel()
	oldKey, newKey := bytes.Repeat([]byte{0x11}, 32), bytes.Repeat([]byte{0x22}, 32)
	keys := func(t *testing.T, current []byte, older ...[]byte) *fieldcrypt.Keys {
		k, err := fieldcrypt.NewKeys(current, older...)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	testdb.EachURL(t, func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		before := testdb.OpenURL(t, databaseURL, model.WithKeys(keys(t, oldKey)))
		svc := newService(before)
		system := SystemActor()
		name := "轮换小区"
		estate, err := svc.CreateEstate(ctx, system, EstateFields{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		phones := map[string]string{}
		var items []HouseholdFields
		for _, room := range []string{"101", "102", "103"} {
			b, u, r, area, phone := "1", "1", room, int64(8000), "1380000"+room+"9"
			items = append(items, HouseholdFields{Building: &b, Unit: &u, Room: &r, AreaHundredths: &area, Phone: &phone})
		}
		created, err := svc.CreateHouseholds(ctx, system, estate.ID, items)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range created {
			phones[h.ID] = *items[i].Phone
		}
		// A row from before encryption: the number in clear, no hash.
		legacy := created[2].ID
		if err := before.Gorm.Exec("UPDATE households SET phone = ?, phone_hash = '' WHERE id = ?", phones[legacy], legacy).Error; err != nil {
			t.Fatal(err)
		}

		// A handle with the new key alone cannot read the old numbers yet.
		newKeys := keys(t, newKey)
		if _, err := newService(testdb.OpenURL(t, databaseURL, model.WithKeys(newKeys))).GetHousehold(ctx, system, created[0].ID); err == nil {
			t.Error("a handle with the new key alone read a number sealed with the old key before the rotation")
		}

		rotating := testdb.OpenURL(t, databaseURL, model.WithKeys(keys(t, newKey, oldKey)))
		report, err := newService(rotating).ResealPhones(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if report.Households != 3 {
			t.Errorf("resealed %d households, want 3", report.Households)
		}

		after := testdb.OpenURL(t, databaseURL, model.WithKeys(newKeys)) // the old key is gone
		afterService := newService(after)
		for id, phone := range phones {
			var raw struct{ Phone, PhoneHash string }
			if err := after.Gorm.Raw("SELECT phone, phone_hash FROM households WHERE id = ?", id).Scan(&raw).Error; err != nil {
				t.Fatal(err)
			}
			if opened, err := newKeys.Open(raw.Phone); err != nil || opened != phone {
				t.Errorf("household %s: %q opens to %q, %v under the new key", id, raw.Phone, opened, err)
			}
			if raw.PhoneHash != newKeys.LookupHash(phone) {
				t.Errorf("household %s: look-up hash not recomputed under the new key", id)
			}
			h, err := afterService.GetHousehold(ctx, system, id)
			if err != nil || h.Phone != phone {
				t.Errorf("household %s through the service: %v %v", id, h, err)
			}
			// The handle still holding only the old key reads the new numbers no more.
			if _, err := svc.GetHousehold(ctx, system, id); err == nil {
				t.Errorf("household %s: the old key alone opened a number resealed with the new key", id)
			}
		}
		// Running it again changes nothing that matters.
		if _, err := newService(rotating).ResealPhones(ctx); err != nil {
			t.Fatal(err)
		}
		if h, err := afterService.GetHousehold(ctx, system, legacy); err != nil || h.Phone != phones[legacy] {
			t.Errorf("after a second run: %v %v", h, err)
		}
	})
}
