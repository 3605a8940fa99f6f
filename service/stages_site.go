package service

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// maxBudgetFen bounds a site's budget: 10 billion yuan.
const maxBudgetFen = int64(1_000_000_000_000)

// SiteInput is an estate's site information (明白墙 / 公示牌).
type SiteInput struct {
	Builder         string
	SupervisingUnit string
	DesignerUnit    string
	StartsOn        string // YYYY-MM-DD or ""
	EndsOn          string
	BudgetFen       int64
	ContactPhone    string
}

func (in *SiteInput) validate() error {
	fields := map[string]string{}
	for name, v := range map[string]*string{"builder": &in.Builder, "supervising_unit": &in.SupervisingUnit, "designer_unit": &in.DesignerUnit} {
		*v = strings.TrimSpace(*v)
		if utf8.RuneCountInString(*v) > 100 {
			fields[name] = "at most 100 characters"
		}
	}
	var starts, ends time.Time
	for name, v := range map[string]*string{"starts_on": &in.StartsOn, "ends_on": &in.EndsOn} {
		*v = strings.TrimSpace(*v)
		if *v == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, *v)
		if err != nil {
			fields[name] = "must be a date such as 2027-03-01"
			continue
		}
		if name == "starts_on" {
			starts = d
		} else {
			ends = d
		}
	}
	if !starts.IsZero() && !ends.IsZero() && ends.Before(starts) {
		fields["ends_on"] = "must not be before starts_on"
	}
	if in.BudgetFen < 0 || in.BudgetFen > maxBudgetFen {
		fields["budget_fen"] = "must be from 0 to 1000000000000 fen"
	}
	in.ContactPhone = strings.TrimSpace(in.ContactPhone)
	if in.ContactPhone != "" && !validPhone(in.ContactPhone) {
		fields["contact_phone"] = "digits, spaces, '+' and '-', at most 32"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// GetSite gives the estate's site information (empty fields before it is set).
// Errors: estate_not_found.
func (s *Service) GetSite(ctx context.Context, actor Actor, estateID string) (*model.EstateSite, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadLifecycle); err != nil {
		return nil, err
	}
	site, err := siteOf(tx, estateID)
	if err != nil {
		return nil, AsError(err)
	}
	return site, nil
}

func siteOf(tx *store.Tx, estateID string) (*model.EstateSite, error) {
	site, err := tx.SiteOfEstate(estateID)
	if errors.Is(err, model.ErrNotFound) {
		return &model.EstateSite{EstateID: estateID}, nil
	}
	if err != nil {
		return nil, err
	}
	return &site, nil
}

// PutSite replaces the estate's site information (admin).
// Errors: estate_not_found, validation_failed.
func (s *Service) PutSite(ctx context.Context, actor Actor, estateID string, in SiteInput) (*model.EstateSite, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var site model.EstateSite
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActManageStages); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		old, err := siteOf(tx, estateID)
		if err != nil {
			return err
		}
		site = model.EstateSite{EstateID: estateID, Builder: in.Builder, SupervisingUnit: in.SupervisingUnit,
			DesignerUnit: in.DesignerUnit, StartsOn: in.StartsOn, EndsOn: in.EndsOn, BudgetFen: in.BudgetFen,
			ContactPhone: in.ContactPhone, UpdatedBy: actor.ID, UpdatedAt: s.Now()}
		s.audit(tx, actor, estateID, "site.update", "estate", estateID, siteSummary(old), siteSummary(&site))
		if old.UpdatedBy == "" && old.UpdatedAt.IsZero() {
			err = tx.Insert(&site)
		} else {
			err = tx.SaveEstateSite(&site)
		}
		if err != nil {
			if errors.Is(err, model.ErrConflict) {
				return errRetry
			}
			return err
		}
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return &site, nil
}

func siteSummary(s *model.EstateSite) map[string]any {
	return map[string]any{"builder": s.Builder, "supervising_unit": s.SupervisingUnit, "designer_unit": s.DesignerUnit,
		"starts_on": s.StartsOn, "ends_on": s.EndsOn, "budget_fen": s.BudgetFen, "contact_phone": s.ContactPhone}
}
