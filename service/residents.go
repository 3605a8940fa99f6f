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
	var n int64
	err := tx.Gorm().Model(&model.ResidentBinding{}).Where("resident_id = ? AND estate_id = ?", residentID, estateID).Count(&n).Error
	return n > 0, model.Translate(err)
}

// residentActive tells whether a resident account exists and is not blocked.
func (s *Service) residentActive(tx *store.Tx, residentID string) (bool, error) {
	var rows []model.Resident
	if err := tx.Gorm().Select("id", "disabled").Where("id = ?", residentID).Limit(1).Find(&rows).Error; err != nil {
		return false, model.Translate(err)
	}
	return len(rows) == 1 && !rows[0].Disabled, nil
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
	err := s.inTx(ctx, func(tx *store.Tx) error {
		now := s.Now()
		var found []model.Resident
		if err := tx.Gorm().Where("open_id = ?", who.OpenID).Limit(1).Find(&found).Error; err != nil {
			return err
		}
		var resident model.Resident
		if len(found) == 0 {
			resident = model.Resident{ID: newID(), OpenID: who.OpenID, UnionID: who.UnionID, LastLoginAt: &now, CreatedAt: now, UpdatedAt: now}
			if err := tx.Gorm().Create(&resident).Error; err != nil {
				if errors.Is(model.Translate(err), model.ErrConflict) {
					return errRetry // the same person logged in twice at once
				}
				return err
			}
		} else {
			resident = found[0]
			if resident.Disabled {
				return Unauthenticated("account_disabled")
			}
			changes := map[string]any{"last_login_at": now, "updated_at": now}
			if who.UnionID != "" && who.UnionID != resident.UnionID {
				changes["union_id"] = who.UnionID
			}
			if err := tx.Gorm().Model(&model.Resident{}).Where("id = ?", resident.ID).Updates(changes).Error; err != nil {
				return err
			}
		}
		s.audit(tx, Actor{Kind: ActorResident, ID: resident.ID, Role: RoleResident, Channel: ChannelOnline}, "", "resident.login", "resident", resident.ID, nil, nil)
		var err error
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
	if err := tx.Gorm().Where("id = ?", residentID).Take(&profile.Resident).Error; err != nil {
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
	var rows []struct {
		model.Household
		EstateName string
		EstateCode string
		BoundAt    time.Time
		Relation   string
		IsSigner   bool
	}
	q := tx.Gorm().Table("resident_bindings b").
		Select("h.*, e.name AS estate_name, e.code AS estate_code, b.created_at AS bound_at, b.relation, hs.resident_id IS NOT NULL AS is_signer").
		Joins("JOIN households h ON h.id = b.household_id").
		Joins("JOIN estates e ON e.id = h.estate_id").
		Joins("LEFT JOIN household_signers hs ON hs.household_id = b.household_id AND hs.resident_id = b.resident_id").
		Where("b.resident_id = ?", residentID)
	if householdID != "" {
		q = q.Where("b.household_id = ?", householdID)
	}
	err := q.Order("b.created_at, b.id").Scan(&rows).Error
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
	sealed, phoneHash, err := model.SealedPhone(phone) // a map update bypasses the model's serializer
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		res := tx.Gorm().Model(&model.Resident{}).Where("id = ?", actor.ID).Updates(map[string]any{"phone": sealed, "phone_hash": phoneHash, "updated_at": s.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return NotFound("not_found")
		}
		s.audit(tx, actor, "", "resident.set_phone", "resident", actor.ID, nil, map[string]any{"number_verified": true})
		var err error
		profile, err = s.residentProfile(tx, actor.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return profile, nil
}
