package service

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

var estateCodePattern = regexp.MustCompile(`^[a-z0-9-]{3,32}$`)

// EstateFields are the editable fields of an estate; nil means unchanged
// (or empty on creation).
type EstateFields struct {
	Name, Code, District, Street, Community, Address, ContactPhone *string
	BuiltYear                                                      *int
}

func (f EstateFields) validate(creating bool) map[string]string {
	fields := map[string]string{}
	if creating && f.Name == nil {
		fields["name"] = "is required"
	}
	if f.Name != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*f.Name)); n == 0 || n > 100 {
			fields["name"] = "1 to 100 characters"
		}
	}
	if f.Code != nil && !estateCodePattern.MatchString(*f.Code) {
		fields["code"] = "3 to 32 characters of a-z, 0-9 and '-'"
	}
	for name, v := range map[string]*string{"district": f.District, "street": f.Street, "community": f.Community, "address": f.Address} {
		limit := 100
		if name == "address" {
			limit = 255
		}
		if v != nil && utf8.RuneCountInString(*v) > limit {
			fields[name] = "too long"
		}
	}
	if f.ContactPhone != nil && len(*f.ContactPhone) > 32 {
		fields["contact_phone"] = "at most 32 characters"
	}
	if f.BuiltYear != nil && (*f.BuiltYear < 1900 || *f.BuiltYear > 2100) {
		fields["built_year"] = "must be a year between 1900 and 2100"
	}
	return fields
}

func (f EstateFields) apply(e *model.Estate) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&e.Name, f.Name)
	set(&e.Code, f.Code)
	set(&e.District, f.District)
	set(&e.Street, f.Street)
	set(&e.Community, f.Community)
	set(&e.Address, f.Address)
	set(&e.ContactPhone, f.ContactPhone)
	if f.BuiltYear != nil {
		e.BuiltYear = f.BuiltYear
	}
}

// CreateEstate adds an estate; without a code one is generated.
// Errors: validation_failed, duplicate_code.
func (s *Service) CreateEstate(ctx context.Context, actor Actor, in EstateFields) (*model.Estate, error) {
	if err := s.authorizeGlobal(actor, ActManageEstates); err != nil {
		return nil, err
	}
	if fields := in.validate(true); len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	now := s.Now()
	estate := model.Estate{ID: newID(), CreatedAt: now, UpdatedAt: now}
	in.apply(&estate)
	if estate.Code == "" {
		code, err := s.randomCode(8)
		if err != nil {
			return nil, err
		}
		estate.Code = "e-" + code
	}
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		s.audit(tx, actor, estate.ID, "estate.create", "estate", estate.ID, nil, estateSummary(estate))
		if err := tx.Insert(&estate); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return Conflict("duplicate_code", estate.Code)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &estate, nil
}

// UpdateEstate edits an estate. Errors: estate_not_found, validation_failed, duplicate_code.
func (s *Service) UpdateEstate(ctx context.Context, actor Actor, estateID string, in EstateFields) (*model.Estate, error) {
	if fields := in.validate(false); len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	var estate model.Estate
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActManageEstates); err != nil {
			return err
		}
		found, err := store.ByID[model.Estate](tx, estateID)
		if err != nil {
			return notFoundAs(err, "estate_not_found")
		}
		estate = found
		s.audit(tx, actor, estate.ID, "estate.update", "estate", estate.ID, estateSummary(estate), func() any { return estateSummary(estate) })
		in.apply(&estate)
		estate.UpdatedAt = s.Now()
		if err := tx.SaveEstate(&estate); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return Conflict("duplicate_code", estate.Code)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &estate, nil
}

// GetEstate returns an estate the caller may see. Errors: estate_not_found.
func (s *Service) GetEstate(ctx context.Context, actor Actor, estateID string) (*model.Estate, error) {
	tx := s.read(ctx)
	if err := s.authorize(tx, actor, estateID, ActReadEstate); err != nil {
		return nil, estateNotFound(err)
	}
	estate, err := store.ByID[model.Estate](tx, estateID)
	if err != nil {
		return nil, AsError(notFoundAs(err, "estate_not_found"))
	}
	return &estate, nil
}

// ListEstates lists the estates the caller may see.
func (s *Service) ListEstates(ctx context.Context, actor Actor, page Page) ([]model.Estate, string, error) {
	if !RoleAllowed(ActReadEstate, actor.Role) {
		return nil, "", Forbidden("forbidden")
	}
	tx := s.read(ctx)
	return listPage(page, func(e model.Estate) string { return e.ID }, func(p store.Page) ([]model.Estate, error) {
		if actor.Role == RoleAdmin {
			return tx.ListEstates(p)
		}
		return tx.ListAssignedEstates(actor.ID, actor.Role, p)
	})
}

// AssignStaff assigns a worker or designer to an estate (or changes the role
// of an existing assignment). Errors: estate_not_found, user_not_found,
// validation_failed (role does not match the account).
func (s *Service) AssignStaff(ctx context.Context, actor Actor, estateID, userID, role string) error {
	if role != RoleWorker && role != RoleDesigner && role != RoleSupervisor {
		return InvalidField("role", "must be worker, designer or supervisor")
	}
	return s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActManageEstates); err != nil {
			return err
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		user, err := store.ByID[model.User](tx, userID)
		if err != nil {
			return notFoundAs(err, "user_not_found")
		}
		if user.Role != role {
			return InvalidField("role", "the account's role is "+user.Role)
		}
		s.audit(tx, actor, estateID, "estate.assign_staff", "user", userID, nil, map[string]any{"role": role})
		if err := tx.UnassignEstateStaff(estateID, userID); err != nil {
			return err
		}
		return tx.Insert(&model.EstateStaff{EstateID: estateID, UserID: userID, Role: role, CreatedAt: s.Now()})
	})
}

// UnassignStaff removes a user's assignment to an estate; it takes effect on
// the user's next request. Errors: estate_not_found.
func (s *Service) UnassignStaff(ctx context.Context, actor Actor, estateID, userID string) error {
	return s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActManageEstates); err != nil {
			return err
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		s.audit(tx, actor, estateID, "estate.unassign_staff", "user", userID, nil, nil)
		return tx.UnassignEstateStaff(estateID, userID)
	})
}

// authorizeGlobal checks an action that concerns no estate in particular.
func (s *Service) authorizeGlobal(actor Actor, action Action) error {
	if actor.Kind == ActorSystem || RoleAllowed(action, actor.Role) {
		return nil
	}
	return Forbidden("forbidden")
}

// authorizeEstate is authorize for an action on the estate itself (a list of
// its objects): another estate's, or one that does not exist, answers
// estate_not_found alike. Errors: estate_not_found, forbidden.
func (s *Service) authorizeEstate(tx *store.Tx, actor Actor, estateID string, action Action) error {
	if err := s.authorize(tx, actor, estateID, action); err != nil {
		return AsError(estateNotFound(err))
	}
	if err := s.mustFindEstate(tx, estateID); err != nil {
		return AsError(err)
	}
	return nil
}

func (s *Service) mustFindEstate(tx *store.Tx, estateID string) error {
	exists, err := tx.EstateExists(estateID)
	if err != nil {
		return err
	}
	if !exists {
		return NotFound("estate_not_found")
	}
	return nil
}

// estateNotFound gives a not-found error the estate's code.
func estateNotFound(err error) error { return hiddenAs(err, "estate_not_found") }

const codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// randomCode returns n characters of an alphabet without look-alikes.
func (s *Service) randomCode(n int) (string, error) {
	buf := make([]byte, n)
	if _, err := s.random.Read(buf); err != nil {
		return "", err
	}
	for i := range buf {
		buf[i] = codeAlphabet[int(buf[i])%len(codeAlphabet)]
	}
	return string(buf), nil
}
