package api

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/fieldcrypt"
	"minyi/model/testdb"
)

// phoneRun finds a mainland mobile number written out in clear.
var phoneRun = regexp.MustCompile(`1[3-9][0-9]{9}`)

// storedPhone is a phone column as the database holds it.
type storedPhone struct {
	ID        string
	Phone     string
	PhoneHash string
}

// TestPhonesAreEncryptedAtRest writes phone numbers through every path that
// stores one (roster creation, a household edit, a roster import, a
// resident's WeChat number), reads the raw columns and finds only sealed
// values and keyed hashes, while the API still shows the numbers and a
// look-up by hash finds the household.
func TestPhonesAreEncryptedAtRest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv := w.srv
		want := map[string]string{} // household id → phone
		for room, id := range w.household {
			want[id] = "1390000" + room + "0"
		}
		// An edit (a full save of the row).
		srv.must(http.StatusOK, "PATCH", "/api/v1/households/"+w.household["102"], w.admin, map[string]any{"phone": "137 0000 1020"})
		want[w.household["102"]] = "137 0000 1020"
		// An import (plain SQL): one row updates 103, one adds 107.
		csv := "building,unit,room,area_m2,owner_name,phone\n1,1,103,80.5,业主103,13500001030\n1,1,107,66,业主107,13600001070\n"
		body, contentType := multipartFile(t, "名册.csv", []byte(csv))
		srv.must(http.StatusOK, "POST", "/api/v1/estates/"+w.estateID+"/households/import", w.admin, body, "Content-Type", contentType)
		want[w.household["103"]] = "13500001030"
		var listed listResponse[householdResponse]
		srv.must(http.StatusOK, "GET", "/api/v1/estates/"+w.estateID+"/households?limit=100", w.admin, nil).decode(t, &listed)
		for _, h := range listed.Items {
			if h.Room == "107" {
				want[h.ID] = "13600001070"
			}
		}
		// A resident's number from WeChat (a map update).
		token, residentID := w.bind("openid-phone-owner", "101")
		srv.must(http.StatusOK, "POST", "/api/v1/me/phone", token, map[string]string{"code": w.fake.PhoneCode("13812345678")})

		var households []storedPhone
		if err := db.Gorm.Raw("SELECT id, phone, phone_hash FROM households WHERE estate_id = ?", w.estateID).Scan(&households).Error; err != nil {
			t.Fatal(err)
		}
		if len(households) != 7 {
			t.Fatalf("%d households, want 7", len(households))
		}
		for _, h := range households {
			checkSealed(t, db.Keys(), "households", h, want[h.ID])
		}
		var residents []storedPhone
		if err := db.Gorm.Raw("SELECT id, phone, phone_hash FROM residents WHERE id = ?", residentID).Scan(&residents).Error; err != nil || len(residents) != 1 {
			t.Fatalf("resident row: %v %d", err, len(residents))
		}
		checkSealed(t, db.Keys(), "residents", residents[0], "13812345678")

		// The API opens them again.
		for id, phone := range want {
			var h householdResponse
			srv.must(http.StatusOK, "GET", "/api/v1/households/"+id, w.admin, nil).decode(t, &h)
			if h.Phone != phone {
				t.Errorf("household %s: phone %q, want %q", id, h.Phone, phone)
			}
		}
		var bound listResponse[householdResidentJSON]
		srv.must(http.StatusOK, "GET", "/api/v1/households/"+w.household["101"]+"/residents", w.worker, nil).decode(t, &bound)
		if len(bound.Items) != 1 || bound.Items[0].Phone != "13812345678" {
			t.Errorf("bound residents: %+v", bound.Items)
		}
		// A look-up by keyed hash finds the household whatever the spacing.
		var found model.Household
		if err := db.Gorm.Where("phone_hash = ?", db.Keys().LookupHash("13700001020")).Take(&found).Error; err != nil || found.ID != w.household["102"] || found.Phone != "137 0000 1020" {
			t.Errorf("look-up by hash: %v, %s %q", err, found.ID, found.Phone)
		}
	})
}

// checkSealed fails unless a stored phone is sealed, holds no number in
// clear, and carries the keyed hash of the expected number under keys.
func checkSealed(t *testing.T, keys *fieldcrypt.Keys, table string, row storedPhone, phone string) {
	t.Helper()
	digits := strings.NewReplacer(" ", "", "-", "").Replace(phone)
	if row.Phone == "" || !fieldcrypt.IsSealed(row.Phone) || phoneRun.MatchString(row.Phone) || strings.Contains(row.Phone, digits) {
		t.Errorf("%s %s: phone column %q is not sealed", table, row.ID, row.Phone)
	}
	if row.PhoneHash != keys.LookupHash(phone) || strings.Contains(row.PhoneHash, digits) {
		t.Errorf("%s %s: phone_hash %q, want the keyed hash of %q", table, row.ID, row.PhoneHash, phone)
	}
	if opened, err := keys.Open(row.Phone); err != nil || opened != phone {
		t.Errorf("%s %s: opens to %q, %v; want %q", table, row.ID, opened, err, phone)
	}
}
