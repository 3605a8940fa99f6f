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
// in clear, as an older release left it), rotates to a new key with the old
// one kept for reading, drops the old key, and reads every number back; the
// look-up hashes follow the new key.
func TestResealPhonesRotatesTheKey(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{0x11}, 32), bytes.Repeat([]byte{0x22}, 32)
	t.Cleanup(func() { fieldcrypt.SetKey(bytes.Repeat([]byte{0x33}, 32)) })
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		if err := fieldcrypt.SetKey(oldKey); err != nil {
			t.Fatal(err)
		}
		svc := newService(db)
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
		if err := db.Gorm.Exec("UPDATE households SET phone = ?, phone_hash = '' WHERE id = ?", phones[legacy], legacy).Error; err != nil {
			t.Fatal(err)
		}

		if err := fieldcrypt.SetKey(newKey, oldKey); err != nil {
			t.Fatal(err)
		}
		report, err := svc.ResealPhones(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if report.Households != 3 {
			t.Errorf("resealed %d households, want 3", report.Households)
		}
		if err := fieldcrypt.SetKey(newKey); err != nil { // the old key is gone
			t.Fatal(err)
		}
		newKeys, _ := fieldcrypt.NewKeys(newKey)
		for id, phone := range phones {
			var raw struct{ Phone, PhoneHash string }
			if err := db.Gorm.Raw("SELECT phone, phone_hash FROM households WHERE id = ?", id).Scan(&raw).Error; err != nil {
				t.Fatal(err)
			}
			if opened, err := newKeys.Open(raw.Phone); err != nil || opened != phone {
				t.Errorf("household %s: %q opens to %q, %v under the new key", id, raw.Phone, opened, err)
			}
			if raw.PhoneHash != newKeys.LookupHash(phone) {
				t.Errorf("household %s: look-up hash not recomputed under the new key", id)
			}
			h, err := svc.GetHousehold(ctx, system, id)
			if err != nil || h.Phone != phone {
				t.Errorf("household %s through the service: %v %v", id, h, err)
			}
		}
		// Running it again changes nothing that matters.
		if _, err := svc.ResealPhones(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
