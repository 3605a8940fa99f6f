package service

import (
	"context"
	"strings"
	"time"

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
	return tx.ClaimHouseholdSignerIfNone(householdID, residentID, now)
}

// promoteNextSigner gives a household whose signer left the earliest bound
// remaining owner or co-owner as its signer, if any.
func promoteNextSigner(tx *store.Tx, householdID string, now time.Time) error {
	next, found, err := tx.EarliestBindingWithRelation(householdID, []string{RelationOwner, RelationCoOwner})
	if err != nil || !found {
		return err
	}
	return claimSignerIfNone(tx, householdID, next.ResidentID, now)
}

// checkHouseholdSigner refuses (403 not_household_signer) a resident who is
// not the household's designated signer.
func checkHouseholdSigner(tx *store.Tx, householdID, residentID string) error {
	signer, err := tx.IsHouseholdSigner(householdID, residentID)
	if err != nil {
		return err
	}
	if !signer {
		return Forbidden("not_household_signer")
	}
	return nil
}

// SetHouseholdSigner makes a resident bound to the household its designated
// signer (the household asked a worker). Errors: household_not_found,
// binding_not_found (the resident is not bound to the household).
func (s *Service) SetHouseholdSigner(ctx context.Context, actor Actor, householdID, residentID string) ([]HouseholdResident, error) {
	var out []HouseholdResident
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorizeHousehold(tx, actor, householdID, ActManageSigners); err != nil {
			return err
		}
		bound, err := tx.ResidentBoundToHousehold(householdID, residentID)
		if err != nil {
			return err
		}
		if !bound {
			return NotFound("binding_not_found")
		}
		before, err := tx.SignersOfHousehold(householdID)
		if err != nil {
			return err
		}
		old := map[string]any{}
		if len(before) == 1 {
			old["resident_id"] = before[0].ResidentID
		}
		s.auditHousehold(tx, actor, householdID, "household.signer", old, map[string]any{"resident_id": residentID})
		row := model.HouseholdSigner{HouseholdID: householdID, ResidentID: residentID, SetBy: actor.ID, SetAt: s.Now()}
		if err := tx.SetHouseholdSigner(&row); err != nil {
			return err
		}
		out, err = s.householdResidents(tx, householdID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
