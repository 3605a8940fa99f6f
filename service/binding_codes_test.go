package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// TestBindingCodesAreStoredKeyed: the stored hash is neither the code nor
// its plain SHA-256 (which a copy of the table could reverse by hashing all
// 2^40 codes), and a code issued before, stored as a plain SHA-256, still
// redeems. Before: the plain SHA-256 was stored.
func TestBindingCodesAreStoredKeyed(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 2, 1, "")
		ctx := context.Background()
		issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[0])
		if err != nil {
			t.Fatal(err)
		}
		var row model.BindingCode
		if err := db.Gorm.Where("household_id = ?", f.households[0]).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		plain := sha256.Sum256([]byte(issued.Code))
		if row.CodeHash == hex.EncodeToString(plain[:]) || row.CodeHash == issued.Code || len(row.CodeHash) != 64 {
			t.Fatalf("stored %q for code %s: not keyed", row.CodeHash, issued.Code)
		}
		if _, err := f.svc.RedeemBindingCode(ctx, residentActor(t, f.svc, "o-keyed"), issued.Code, ""); err != nil {
			t.Fatalf("redeem: %v", err)
		}

		const legacyCode = "ABCD2345"
		legacy := sha256.Sum256([]byte(legacyCode))
		now := f.svc.Now()
		if err := db.Gorm.Create(&model.BindingCode{ID: newID(), CodeHash: hex.EncodeToString(legacy[:]), EstateID: f.estateID,
			HouseholdID: f.households[1], ExpiresAt: now.Add(time.Hour), CreatedBy: f.worker.ID, CreatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		if bound, err := f.svc.RedeemBindingCode(ctx, residentActor(t, f.svc, "o-legacy"), "abcd-2345", ""); err != nil || bound.Household.ID != f.households[1] {
			t.Fatalf("a code issued before keying: %+v, %v", bound, err)
		}
	})
}

// TestUsedAndUnknownCodesAnswerAlike: another resident trying a used code
// gets exactly the answer of a code that never existed. Before:
// binding_code_used told a guesser the code was real.
func TestUsedAndUnknownCodesAnswerAlike(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 1, 1, "")
		ctx := context.Background()
		issued, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RedeemBindingCode(ctx, residentActor(t, f.svc, "o-owner"), issued.Code, ""); err != nil {
			t.Fatal(err)
		}
		stranger := residentActor(t, f.svc, "o-stranger")
		_, used := f.svc.RedeemBindingCode(ctx, stranger, issued.Code, "")
		_, unknown := f.svc.RedeemBindingCode(ctx, stranger, "ZZZZ9999", "")
		if used == nil || !reflect.DeepEqual(AsError(used), AsError(unknown)) {
			t.Fatalf("used code: %#v; unknown code: %#v", AsError(used), AsError(unknown))
		}
	})
}

// TestBindingGuessLimitsPerAddressAndCode: accounts cannot be multiplied to
// guess on: one client address gets MaxBindingFailuresPerAddress wrong
// codes an hour over all its accounts, and one code value
// MaxBindingFailuresPerCode wrong tries over all accounts and addresses.
// Before: only each account was limited.
func TestBindingGuessLimitsPerAddressAndCode(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		svc := newService(db)
		ctx := context.Background()
		account := 0
		next := func(ip string) Actor {
			account++
			a := residentActor(t, svc, fmt.Sprintf("o-guesser-%d", account))
			a.ClientIP = ip
			return a
		}
		// One address, fresh accounts: MaxBindingFailures each, then the address is spent.
		guesser, tries := next("203.0.113.7"), 0
		for i := 0; i < MaxBindingFailuresPerAddress; i++ {
			if tries == MaxBindingFailures {
				guesser, tries = next("203.0.113.7"), 0
			}
			if _, err := svc.RedeemBindingCode(ctx, guesser, fmt.Sprintf("YYYY%04d", i), ""); errorCode(err) != "binding_code_invalid" {
				t.Fatalf("try %d: %v", i, err)
			}
			tries++
		}
		_, err := svc.RedeemBindingCode(ctx, next("203.0.113.7"), "YYYYNEXT", "")
		if se := AsError(err); se.Code != "too_many_binding_attempts" || se.RetryAfterSeconds < 1 {
			t.Fatalf("a fresh account at a spent address: %v", err)
		}
		if _, err := svc.RedeemBindingCode(ctx, next("198.51.100.9"), "YYYYNEXT", ""); errorCode(err) != "binding_code_invalid" {
			t.Fatalf("another address: %v", err)
		}

		// One code value from fresh accounts at fresh addresses.
		for i := 0; i < MaxBindingFailuresPerCode; i++ {
			if _, err := svc.RedeemBindingCode(ctx, next(fmt.Sprintf("192.0.2.%d", i)), "WWWW2222", ""); errorCode(err) != "binding_code_invalid" {
				t.Fatalf("try %d of one code: %v", i, err)
			}
		}
		if _, err := svc.RedeemBindingCode(ctx, next("192.0.2.200"), "wwww-2222", ""); errorCode(err) != "too_many_binding_attempts" {
			t.Fatalf("one code tried %d times: %v", MaxBindingFailuresPerCode+1, err)
		}
		var refused int64
		db.Gorm.Model(&model.BindingFailure{}).Where("resident_id = ?", "").Count(&refused)
		if refused != 0 {
			t.Fatalf("%d refused or pending attempts left rows behind", refused)
		}
	})
}
