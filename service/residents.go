package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"minyi/model"
	"minyi/store"
)

// ResidentIdentity is who WeChat says a resident is.
type ResidentIdentity struct {
	OpenID  string
	UnionID string
}

// BoundHousehold is a household a resident acts for, with its estate.
type BoundHousehold struct {
	Household  model.Household
	EstateName string
	EstateCode string
	BoundAt    time.Time
	Relation   string // owner, co_owner, tenant or family
	IsSigner   bool   // the resident is the household's designated signer
}

// ResidentProfile is a resident with the households they are bound to.
type ResidentProfile struct {
	Resident   model.Resident
	Households []BoundHousehold
}

// residentCanSeeEstate tells whether a resident is bound to a household of the estate.
func (s *Service) residentCanSeeEstate(tx *store.Tx, residentID, estateID string) (bool, error) {
	return tx.ResidentBoundInEstate(residentID, estateID)
}

// residentActive tells whether a resident account exists and is not blocked.
func (s *Service) residentActive(tx *store.Tx, residentID string) (bool, error) {
	r, found, err := tx.ResidentStatus(residentID)
	return found && !r.Disabled, err
}

// LoginResident finds the resident with this openid, or creates one, and
// issues tokens with the role resident. A unionid WeChat newly reports is
// kept. Errors: validation_failed, account_disabled.
func (s *Service) LoginResident(ctx context.Context, who ResidentIdentity) (*Tokens, error) {
	who.OpenID, who.UnionID = strings.TrimSpace(who.OpenID), strings.TrimSpace(who.UnionID)
	if who.OpenID == "" || len(who.OpenID) > 64 || len(who.UnionID) > 64 {
		return nil, InvalidField("openid", "1 to 64 characters")
	}
	var tokens *Tokens
	var residentID string
	err := s.inTx(ctx, Actor{}, func(tx *store.Tx) error {
		now := s.Now()
		resident, found, err := tx.ResidentByOpenID(who.OpenID)
		if err != nil {
			return err
		}
		if !found {
			resident = model.Resident{ID: newID(), OpenID: who.OpenID, UnionID: who.UnionID, LastLoginAt: &now, CreatedAt: now, UpdatedAt: now}
			if err := tx.Insert(&resident); err != nil {
				if errors.Is(err, model.ErrConflict) {
					return errRetry // the same person logged in twice at once
				}
				return err
			}
		} else {
			if resident.Disabled {
				return Unauthenticated("account_disabled")
			}
			newUnionID := "" // kept as it is
			if who.UnionID != "" && who.UnionID != resident.UnionID {
				newUnionID = who.UnionID
			}
			if err := tx.RecordResidentLogin(resident.ID, now, newUnionID); err != nil {
				return err
			}
		}
		s.audit(tx, Actor{Kind: ActorResident, ID: resident.ID, Role: RoleResident, Channel: ChannelOnline}, "", "resident.login", "resident", resident.ID, nil, nil)
		residentID = resident.ID
		tokens, err = s.issueTokens(tx, ActorResident, resident.ID, RoleResident, newID())
		return err
	})
	if err != nil {
		return nil, err
	}
	tokens.ResidentID = residentID
	return tokens, nil
}

// GetResidentProfile returns the calling resident and their households.
// Errors: forbidden (not a resident), not_found.
func (s *Service) GetResidentProfile(ctx context.Context, actor Actor) (*ResidentProfile, error) {
	if actor.Kind != ActorResident {
		return nil, Forbidden("forbidden")
	}
	profile, err := s.residentProfile(s.read(ctx), actor.ID)
	if err != nil {
		return nil, AsError(err)
	}
	return profile, nil
}

// residentProfile reads a resident and their bound households, in binding order.
func (s *Service) residentProfile(tx *store.Tx, residentID string) (*ResidentProfile, error) {
	var profile ResidentProfile
	var err error
	if profile.Resident, err = store.ByID[model.Resident](tx, residentID); err != nil {
		return nil, notFoundAs(err, "not_found")
	}
	households, err := s.boundHouseholds(tx, residentID, "")
	if err != nil {
		return nil, err
	}
	profile.Households = households
	return &profile, nil
}

// boundHouseholds lists the households a resident is bound to, with their
// estates; only the given household when householdID is not empty.
func (s *Service) boundHouseholds(tx *store.Tx, residentID, householdID string) ([]BoundHousehold, error) {
	rows, err := tx.HouseholdsOfResident(residentID, householdID)
	if err != nil {
		return nil, err
	}
	out := make([]BoundHousehold, len(rows))
	for i, r := range rows {
		out[i] = BoundHousehold{Household: r.Household, EstateName: r.EstateName, EstateCode: r.EstateCode, BoundAt: r.BoundAt.UTC(),
			Relation: r.Relation, IsSigner: r.IsSigner}
	}
	return out, nil
}

// SetResidentPhone stores the phone number the calling resident shared
// through WeChat and returns their profile. Errors: forbidden, validation_failed.
func (s *Service) SetResidentPhone(ctx context.Context, actor Actor, phone string) (*ResidentProfile, error) {
	if actor.Kind != ActorResident {
		return nil, Forbidden("forbidden")
	}
	phone = strings.TrimSpace(phone)
	if phone == "" || len(phone) > 32 {
		return nil, InvalidField("code", "WeChat returned no usable phone number")
	}
	var profile *ResidentProfile
	sealed, phoneHash, err := model.SealedPhone(s.keys, phone) // the store writes the sealed number as it is
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
		found, err := tx.SetResidentPhone(actor.ID, sealed, phoneHash, s.Now())
		if err != nil {
			return err
		}
		if !found {
			return NotFound("not_found")
		}
		s.audit(tx, actor, "", "resident.set_phone", "resident", actor.ID, nil, map[string]any{"number_verified": true})
		profile, err = s.residentProfile(tx, actor.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return profile, nil
}
