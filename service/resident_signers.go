package service

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
	"minyi/store"
)

// Relations of a resident to a household they bind to.
const (
	RelationOwner   = "owner"
	RelationCoOwner = "co_owner"
	RelationTenant  = "tenant"
	RelationFamily  = "family"
)

var relations = map[string]bool{RelationOwner: true, RelationCoOwner: true, RelationTenant: true, RelationFamily: true}

// ActManageSigners is choosing who signs for a household.
var ActManageSigners = defineAction("manage_household_signers", RoleAdmin, RoleWorker)

// normalizeRelation returns the relation ("" means owner) or a validation error.
func normalizeRelation(relation string) (string, error) {
	relation = strings.TrimSpace(relation)
	if relation == "" {
		return RelationOwner, nil
	}
	if !relations[relation] {
		return "", InvalidField("relation", "must be owner, co_owner, tenant or family")
	}
	return relation, nil
}

// mayBecomeSigner tells whether a binding of this relation makes its
// resident the signer of a household that has none.
func mayBecomeSigner(relation string) bool {
	return relation == RelationOwner || relation == RelationCoOwner
}

// claimSignerIfNone makes the resident the household's designated signer
// when it has none yet (a conditional insert: of two owners binding at
// once, exactly one becomes the signer).
func claimSignerIfNone(tx *store.Tx, householdID, residentID string, now time.Time) error {
	return tx.Gorm().Clauses(clause.OnConflict{DoNothing: true}).
		Create(&model.HouseholdSigner{HouseholdID: householdID, ResidentID: residentID, SetAt: now}).Error
}

// promoteNextSigner gives a household whose signer left the earliest bound
// remaining owner or co-owner as its signer, if any.
func promoteNextSigner(tx *store.Tx, householdID string, now time.Time) error {
	var next []model.ResidentBinding
	err := tx.Gorm().Where("household_id = ? AND relation IN ?", householdID, []string{RelationOwner, RelationCoOwner}).
		Order("created_at, id").Limit(1).Find(&next).Error
	if err != nil || len(next) == 0 {
		return err
	}
	return claimSignerIfNone(tx, householdID, next[0].ResidentID, now)
}

// checkHouseholdSigner refuses (403 not_household_signer) a resident who is
// not the household's designated signer.
func checkHouseholdSigner(tx *store.Tx, householdID, residentID string) error {
	var n int64
	if err := tx.Gorm().Model(&model.HouseholdSigner{}).Where("household_id = ? AND resident_id = ?", householdID, residentID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return Forbidden("not_household_signer")
	}
	return nil
}

// SetHouseholdSigner makes a resident bound to the household its designated
// signer (the household asked a worker). Errors: household_not_found,
// binding_not_found (the resident is not bound to the household).
func (s *Service) SetHouseholdSigner(ctx context.Context, actor Actor, householdID, residentID string) ([]HouseholdResident, error) {
	var out []HouseholdResident
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if err := s.authorizeHousehold(tx, actor, householdID, ActManageSigners); err != nil {
			return err
		}
		var n int64
		if err := tx.Gorm().Model(&model.ResidentBinding{}).Where("household_id = ? AND resident_id = ?", householdID, residentID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return NotFound("binding_not_found")
		}
		var before []model.HouseholdSigner
		if err := tx.Gorm().Where("household_id = ?", householdID).Find(&before).Error; err != nil {
			return err
		}
		old := map[string]any{}
		if len(before) == 1 {
			old["resident_id"] = before[0].ResidentID
		}
		s.auditHousehold(tx, actor, householdID, "household.signer", old, map[string]any{"resident_id": residentID})
		row := model.HouseholdSigner{HouseholdID: householdID, ResidentID: residentID, SetBy: actor.ID, SetAt: s.Now()}
		if err := tx.Gorm().Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		var err error
		out, err = s.householdResidents(tx, householdID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
