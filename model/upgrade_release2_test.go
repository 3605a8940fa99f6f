package model_test

import (
	"context"
	"testing"

	"minyi/model"
	"minyi/service"
)

// release2Bindings is a release-2 estate whose households residents bound
// to before anyone could say how they relate to it: two residents on h-1
// (r-late bound an hour after r-early), one on h-2, and two on h-3 bound in
// the same second (the binding with the smaller id counts as first).
var release2Bindings = []string{
	`INSERT INTO estates (id, code, name, district, street, community, address, contact_phone, created_at, updated_at)
		VALUES ('e-1', 'old', '老小区', '江汉区', '', '', '幸福路1号', '', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO households (id, estate_id, building, unit, room, area_hundredths, owner_name, phone, occupancy, eligible, created_at, updated_at)
		VALUES ('h-1', 'e-1', '1', '1', '101', 8950, '', '', 'owner', 1, '2026-01-02 03:04:05', '2026-01-02 03:04:05'),
		('h-2', 'e-1', '1', '1', '102', 7000, '', '', 'owner', 1, '2026-01-02 03:04:05', '2026-01-02 03:04:05'),
		('h-3', 'e-1', '1', '1', '103', 6000, '', '', 'owner', 1, '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO residents (id, open_id, union_id, phone, phone_hash, disabled, created_at, updated_at) VALUES
		('r-early', 'o-early', '', '', '', 0, '2026-01-03 00:00:00', '2026-01-03 00:00:00'),
		('r-late', 'o-late', '', '', '', 0, '2026-01-03 00:00:00', '2026-01-03 00:00:00'),
		('r-only', 'o-only', '', '', '', 0, '2026-01-03 00:00:00', '2026-01-03 00:00:00'),
		('r-tie-a', 'o-tie-a', '', '', '', 0, '2026-01-03 00:00:00', '2026-01-03 00:00:00'),
		('r-tie-b', 'o-tie-b', '', '', '', 0, '2026-01-03 00:00:00', '2026-01-03 00:00:00')`,
	`INSERT INTO resident_bindings (id, resident_id, household_id, estate_id, binding_code_id, created_at) VALUES
		('b-2', 'r-late', 'h-1', 'e-1', '', '2026-01-04 11:00:00'),
		('b-1', 'r-early', 'h-1', 'e-1', '', '2026-01-04 10:00:00'),
		('b-3', 'r-only', 'h-2', 'e-1', '', '2026-01-04 10:00:00'),
		('b-5', 'r-tie-b', 'h-3', 'e-1', '', '2026-01-04 12:00:00'),
		('b-4', 'r-tie-a', 'h-3', 'e-1', '', '2026-01-04 12:00:00')`,
}

// TestUpgradeFromRelease2NamesSigners migrates a release-2 database with
// bindings: every binding becomes an owner's and each household's first
// binding its designated signer, once (a signer removed later is not
// brought back by the next start).
func TestUpgradeFromRelease2NamesSigners(t *testing.T) {
	bareDatabases(t, func(t *testing.T, open func() *model.DB) {
		ctx := context.Background()
		db := open()
		if err := db.MigrateTo(ctx, 2); err != nil {
			t.Fatal(err)
		}
		for _, statement := range release2Bindings {
			if err := db.Gorm.Exec(statement).Error; err != nil {
				t.Fatalf("release 2 data: %v\n%s", err, statement)
			}
		}
		if err := db.MigrateTo(ctx, 0); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		var bindings []model.ResidentBinding
		if err := db.Gorm.Order("id").Find(&bindings).Error; err != nil || len(bindings) != 5 {
			t.Fatalf("bindings after the upgrade: %+v %v", bindings, err)
		}
		for _, b := range bindings {
			if b.Relation != "owner" {
				t.Errorf("binding %s has relation %q, want owner", b.ID, b.Relation)
			}
		}
		signers := map[string]string{}
		var rows []model.HouseholdSigner
		if err := db.Gorm.Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			signers[r.HouseholdID] = r.ResidentID
		}
		want := map[string]string{"h-1": "r-early", "h-2": "r-only", "h-3": "r-tie-a"}
		if len(signers) != len(want) {
			t.Fatalf("signers = %v, want %v", signers, want)
		}
		for h, r := range want {
			if signers[h] != r {
				t.Errorf("signer of %s = %q, want %q", h, signers[h], r)
			}
		}

		// The service sees the same: r-early signs for h-1, r-late does not.
		svc := service.New(db, service.Config{JWTSecret: []byte("upgrade-test-secret-0123456789abcdef")}, nil)
		for resident, isSigner := range map[string]bool{"r-early": true, "r-late": false} {
			profile, err := svc.GetResidentProfile(ctx, service.Actor{Kind: service.ActorResident, ID: resident, Role: service.RoleResident})
			if err != nil || len(profile.Households) != 1 || profile.Households[0].Relation != "owner" || profile.Households[0].IsSigner != isSigner {
				t.Fatalf("%s after the upgrade: %+v %v", resident, profile, err)
			}
		}

		// Run once: a signer removed since is not named again at the next start.
		if err := db.Gorm.Where("household_id = ?", "h-2").Delete(&model.HouseholdSigner{}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var n int64
		db.Gorm.Model(&model.HouseholdSigner{}).Where("household_id = ?", "h-2").Count(&n)
		if n != 0 {
			t.Fatal("the data migration ran again")
		}
	})
}
