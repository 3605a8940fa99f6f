package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Occupancy values of a household.
var occupancies = map[string]bool{"owner": true, "rented": true, "vacant": true}

// MaxAreaHundredths bounds a household's area (100,000 m²) to catch typos.
const MaxAreaHundredths = 100_000_00

// HouseholdFields are the fields of a household; nil means unchanged (or
// the default on creation: occupancy "owner", eligible true).
type HouseholdFields struct {
	Building, Unit, Room *string
	AreaHundredths       *int64
	OwnerName, Phone     *string
	Occupancy            *string
	Eligible             *bool
}

// validate checks the fields; prefix names them in errors (e.g. "items[3].").
func (f HouseholdFields) validate(prefix string, creating bool, fields map[string]string) {
	for name, v := range map[string]*string{"building": f.Building, "unit": f.Unit, "room": f.Room} {
		if v == nil {
			if creating && name != "unit" {
				fields[prefix+name] = "is required"
			}
			continue
		}
		t := strings.TrimSpace(*v)
		if (t == "" && name != "unit") || utf8.RuneCountInString(t) > 32 {
			fields[prefix+name] = "1 to 32 characters"
		}
	}
	if f.AreaHundredths == nil {
		if creating {
			fields[prefix+"area_m2"] = "is required"
		}
	} else if *f.AreaHundredths <= 0 || *f.AreaHundredths > MaxAreaHundredths {
		fields[prefix+"area_m2"] = "must be more than 0 and at most 100000"
	}
	if f.OwnerName != nil && utf8.RuneCountInString(*f.OwnerName) > 100 {
		fields[prefix+"owner_name"] = "at most 100 characters"
	}
	if f.Phone != nil && !validPhone(*f.Phone) {
		fields[prefix+"phone"] = "digits, spaces, '+' and '-', at most 32"
	}
	if f.Occupancy != nil && !occupancies[*f.Occupancy] {
		fields[prefix+"occupancy"] = "must be owner, rented or vacant"
	}
}

func validPhone(p string) bool {
	if len(p) > 32 {
		return false
	}
	for _, r := range p {
		if !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == ' ') {
			return false
		}
	}
	return true
}

func (f HouseholdFields) apply(h *model.Household) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&h.Building, f.Building)
	set(&h.Unit, f.Unit)
	set(&h.Room, f.Room)
	set(&h.OwnerName, f.OwnerName)
	set(&h.Phone, f.Phone)
	set(&h.Occupancy, f.Occupancy)
	if f.AreaHundredths != nil {
		h.AreaHundredths = *f.AreaHundredths
	}
	if f.Eligible != nil {
		h.Eligible = *f.Eligible
	}
}

// MaxHouseholdsPerRequest bounds one roster request.
const MaxHouseholdsPerRequest = 5000

// CreateHouseholds adds households to an estate's roster, all or nothing.
// Errors: estate_not_found, validation_failed, duplicate_household.
func (s *Service) CreateHouseholds(ctx context.Context, actor Actor, estateID string, items []HouseholdFields) ([]model.Household, error) {
	if len(items) == 0 || len(items) > MaxHouseholdsPerRequest {
		return nil, InvalidField("items", fmt.Sprintf("1 to %d households", MaxHouseholdsPerRequest))
	}
	fields := map[string]string{}
	seen := map[string]int{}
	now := s.Now()
	households := make([]model.Household, len(items))
	for i, item := range items {
		prefix := fmt.Sprintf("items[%d].", i)
		item.validate(prefix, true, fields)
		h := model.Household{ID: newID(), EstateID: estateID, Occupancy: "owner", Eligible: true, CreatedAt: now, UpdatedAt: now}
		item.apply(&h)
		key := h.Building + "\x00" + h.Unit + "\x00" + h.Room
		if j, dup := seen[key]; dup {
			fields[prefix+"room"] = fmt.Sprintf("repeats items[%d]", j)
		}
		seen[key] = i
		households[i] = h
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActEditRoster); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		if err := tx.InsertHouseholds(households); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return Conflict("duplicate_household", "a household with this building, unit and room exists")
			}
			return err
		}
		s.auditHouseholds(tx, actor, "household.create", households)
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return households, nil
}

// HouseholdFilter narrows a roster listing.
type HouseholdFilter struct {
	Building, Unit *string
}

// ListHouseholds lists an estate's roster. Errors: estate_not_found.
func (s *Service) ListHouseholds(ctx context.Context, actor Actor, estateID string, filter HouseholdFilter, page Page) ([]model.Household, string, error) {
	tx := s.read(ctx)
	if err := s.authorize(tx, actor, estateID, ActReadRoster); err != nil {
		return nil, "", estateNotFound(err)
	}
	if err := s.mustFindEstate(tx, estateID); err != nil {
		return nil, "", AsError(err)
	}
	return listPage(page, func(h model.Household) string { return h.ID }, func(p store.Page) ([]model.Household, error) {
		return tx.ListHouseholds(estateID, store.HouseholdFilter{Building: filter.Building, Unit: filter.Unit}, p)
	})
}

// GetHousehold returns one household. Errors: household_not_found.
func (s *Service) GetHousehold(ctx context.Context, actor Actor, householdID string) (*model.Household, error) {
	tx := s.read(ctx)
	h, err := store.ByID[model.Household](tx, householdID)
	if err != nil {
		return nil, AsError(notFoundAs(err, "household_not_found"))
	}
	if err := s.authorize(tx, actor, h.EstateID, ActReadRoster); err != nil {
		return nil, householdNotFound(err)
	}
	return &h, nil
}

// UpdateHousehold edits a household. Rounds already open keep their frozen
// electorate. Errors: household_not_found, validation_failed, duplicate_household.
func (s *Service) UpdateHousehold(ctx context.Context, actor Actor, householdID string, in HouseholdFields) (*model.Household, error) {
	fields := map[string]string{}
	in.validate("", false, fields)
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	var h model.Household
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		found, err := store.ByID[model.Household](tx, householdID)
		if err != nil {
			return notFoundAs(err, "household_not_found")
		}
		h = found
		if err := s.authorize(tx, actor, h.EstateID, ActEditRoster); err != nil {
			return householdNotFound(err)
		}
		s.audit(tx, actor, h.EstateID, "household.update", "household", h.ID, householdSummary(h), func() any { return householdSummary(h) })
		in.apply(&h)
		h.UpdatedAt = s.Now()
		if err := tx.SaveHousehold(&h); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return Conflict("duplicate_household", "a household with this building, unit and room exists")
			}
			return err
		}
		return s.touchEstate(tx, h.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return &h, nil
}

func householdNotFound(err error) error { return hiddenAs(err, "household_not_found") }

// touchEstate marks the estate changed, so public caches (ETags) move on.
func (s *Service) touchEstate(tx *store.Tx, estateID string) error {
	return tx.TouchEstate(estateID, s.Now())
}
