package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minyi/model"
	"minyi/service/rule"
)

// Round statuses.
const (
	RoundDraft  = "draft"
	RoundOpen   = "open"
	RoundClosed = "closed"
)

// Round kinds.
const (
	KindWillingness = "willingness"
	KindPlan        = "plan"
)

// RoundFields are the fields of a round; nil means unchanged (or default on creation).
type RoundFields struct {
	Title      *string
	Kind       *string
	RevisionID *string
	Rule       *rule.Spec
	Scope      *Scope
	ClosesAt   *time.Time
}

// Scope limits a round to one building or one building unit; empty means the whole estate.
type Scope struct {
	Building string
	Unit     string
}

// RoundView is a round together with its decoded rule.
type RoundView struct {
	model.Round
	Rule rule.Rule
}

func (f RoundFields) validate(creating bool, now time.Time) (*rule.Rule, error) {
	fields := map[string]string{}
	if f.Title == nil && creating {
		fields["title"] = "is required"
	} else if f.Title != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*f.Title)); n == 0 || n > 200 {
			fields["title"] = "1 to 200 characters"
		}
	}
	if f.Kind == nil && creating {
		fields["kind"] = "is required"
	} else if f.Kind != nil && *f.Kind != KindWillingness && *f.Kind != KindPlan {
		fields["kind"] = "must be willingness or plan"
	}
	if f.Scope != nil {
		if f.Scope.Unit != "" && f.Scope.Building == "" {
			fields["scope.building"] = "is required when scope.unit is given"
		}
		if utf8.RuneCountInString(f.Scope.Building) > 32 || utf8.RuneCountInString(f.Scope.Unit) > 32 {
			fields["scope"] = "building and unit are at most 32 characters"
		}
	}
	if f.ClosesAt != nil && !f.ClosesAt.After(now) {
		fields["closes_at"] = "must be in the future"
	}
	var parsed *rule.Rule
	if f.Rule != nil {
		r, err := rule.FromSpec(*f.Rule)
		var specErr *rule.SpecError
		if errors.As(err, &specErr) {
			for k, v := range specErr.Fields {
				fields[k] = v
			}
		} else if err != nil {
			fields["rule"] = err.Error()
		} else {
			parsed = &r
		}
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	return parsed, nil
}

func (f RoundFields) apply(r *model.Round, parsed *rule.Rule) error {
	if f.Title != nil {
		r.Title = strings.TrimSpace(*f.Title)
	}
	if f.Kind != nil {
		r.Kind = *f.Kind
	}
	if f.RevisionID != nil {
		if *f.RevisionID == "" {
			r.RevisionID = nil
		} else {
			id := *f.RevisionID
			r.RevisionID = &id
		}
	}
	if f.Scope != nil {
		r.ScopeBuilding, r.ScopeUnit = strings.TrimSpace(f.Scope.Building), strings.TrimSpace(f.Scope.Unit)
	}
	if f.ClosesAt != nil {
		t := f.ClosesAt.UTC()
		r.ClosesAt = &t
	}
	if parsed != nil {
		raw, err := json.Marshal(parsed.Spec())
		if err != nil {
			return err
		}
		r.RuleJSON = string(raw)
	}
	return nil
}

func decodeRound(r model.Round) (*RoundView, error) {
	var spec rule.Spec
	if err := json.Unmarshal([]byte(r.RuleJSON), &spec); err != nil {
		return nil, err
	}
	parsed, err := rule.FromSpec(spec)
	if err != nil {
		return nil, err
	}
	return &RoundView{Round: r, Rule: parsed}, nil
}

// CreateRound adds a draft round to an estate, with the two-80 rule unless
// another is given. Errors: estate_not_found, validation_failed, revision_not_found.
func (s *Service) CreateRound(ctx context.Context, actor Actor, estateID string, in RoundFields) (*RoundView, error) {
	parsed, err := in.validate(true, s.Now())
	if err != nil {
		return nil, err
	}
	if parsed == nil {
		r, _ := rule.Preset(rule.PresetTwo80)
		parsed = &r
	}
	now := s.Now()
	var round model.Round
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		if err := s.authorize(tx, actor, estateID, ActManageRounds); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		round = model.Round{ID: newID(), EstateID: estateID, Status: RoundDraft, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
		if err := in.apply(&round, parsed); err != nil {
			return err
		}
		if err := s.checkRoundRevision(tx, &round); err != nil {
			return err
		}
		var maxSeq int
		if err := tx.Model(&model.Round{}).Where("estate_id = ?", estateID).Select("COALESCE(MAX(seq), 0)").Scan(&maxSeq).Error; err != nil {
			return err
		}
		round.Seq = maxSeq + 1
		if err := tx.Create(&round).Error; err != nil {
			if errors.Is(model.Translate(err), model.ErrConflict) {
				return errRetry
			}
			return err
		}
		s.audit(tx, actor, estateID, "round.create", "round", round.ID, nil, map[string]any{"seq": round.Seq, "title": round.Title, "kind": round.Kind, "rule": round.RuleJSON})
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return &RoundView{Round: round, Rule: *parsed}, nil
}

// UpdateRound edits a draft round. Errors: round_not_found, round_not_draft, validation_failed.
func (s *Service) UpdateRound(ctx context.Context, actor Actor, roundID string, in RoundFields) (*RoundView, error) {
	parsed, err := in.validate(false, s.Now())
	if err != nil {
		return nil, err
	}
	var round model.Round
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		if err := s.loadRoundFor(tx, actor, roundID, ActManageRounds, &round); err != nil {
			return err
		}
		if round.Status != RoundDraft {
			return Conflict("round_not_draft", "only a draft round can be edited")
		}
		if err := in.apply(&round, parsed); err != nil {
			return err
		}
		if err := s.checkRoundRevision(tx, &round); err != nil {
			return err
		}
		round.UpdatedAt = s.Now()
		if err := tx.Save(&round).Error; err != nil {
			return err
		}
		s.audit(tx, actor, round.EstateID, "round.update", "round", round.ID, nil, map[string]any{"title": round.Title, "kind": round.Kind, "rule": round.RuleJSON, "scope_building": round.ScopeBuilding, "scope_unit": round.ScopeUnit})
		return s.touchEstate(tx, round.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return decodeRound(round)
}

// GetRound returns one round. Errors: round_not_found.
func (s *Service) GetRound(ctx context.Context, actor Actor, roundID string) (*RoundView, error) {
	var round model.Round
	if err := s.loadRoundFor(s.db.Gorm.WithContext(ctx), actor, roundID, ActReadRounds, &round); err != nil {
		return nil, AsError(err)
	}
	return decodeRound(round)
}

// ListRounds lists an estate's rounds, oldest first. Errors: estate_not_found.
func (s *Service) ListRounds(ctx context.Context, actor Actor, estateID string, page Page) ([]RoundView, string, error) {
	tx := s.db.Gorm.WithContext(ctx)
	if err := s.authorize(tx, actor, estateID, ActReadRounds); err != nil {
		return nil, "", AsError(estateNotFound(err))
	}
	if err := s.mustFindEstate(tx, estateID); err != nil {
		return nil, "", AsError(err)
	}
	q, limit, err := page.apply(tx.Model(&model.Round{}).Where("estate_id = ?", estateID), "id")
	if err != nil {
		return nil, "", err
	}
	var rounds []model.Round
	if err := q.Find(&rounds).Error; err != nil {
		return nil, "", AsError(err)
	}
	rounds, next := nextCursor(rounds, limit, func(r model.Round) string { return r.ID })
	views := make([]RoundView, 0, len(rounds))
	for _, r := range rounds {
		v, err := decodeRound(r)
		if err != nil {
			return nil, "", AsError(err)
		}
		views = append(views, *v)
	}
	return views, next, nil
}

// OpenRound opens a draft round: the rule, scope and electorate (the
// eligible households in scope) are frozen. force is passed to the checks a
// plan round must pass first (an admin may override them; it is recorded).
// Errors: round_not_found, round_not_draft, empty_electorate.
func (s *Service) OpenRound(ctx context.Context, actor Actor, roundID string, force bool) (*RoundView, error) {
	var round model.Round
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := s.loadRoundFor(tx, actor, roundID, ActManageRounds, &round); err != nil {
			return err
		}
		claimed := tx.Model(&model.Round{}).Where("id = ? AND status = ?", roundID, RoundDraft).Update("status", RoundOpen)
		if claimed.Error != nil {
			return claimed.Error
		}
		if claimed.RowsAffected == 0 {
			return Conflict("round_not_draft", "the round is "+round.Status)
		}
		if err := s.beforeOpenRound(tx, actor, &round, force); err != nil {
			return err
		}
		members, err := s.freezeElectorate(tx, &round)
		if err != nil {
			return err
		}
		if members == 0 {
			return Conflict("empty_electorate", "no eligible household is in the round's scope")
		}
		now := s.Now()
		round.Status, round.OpenedAt, round.UpdatedAt = RoundOpen, &now, now
		if err := tx.Model(&model.Round{}).Where("id = ?", round.ID).Updates(map[string]any{
			"opened_at": now, "updated_at": now,
			"electorate_households": round.ElectorateHouseholds, "electorate_area": round.ElectorateArea,
		}).Error; err != nil {
			return err
		}
		s.audit(tx, actor, round.EstateID, "round.open", "round", round.ID, map[string]any{"status": RoundDraft}, map[string]any{"status": RoundOpen, "forced": force, "electorate_households": round.ElectorateHouseholds, "electorate_area_hundredths": round.ElectorateArea})
		s.afterRoundOpened(tx, &round)
		return s.touchEstate(tx, round.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return decodeRound(round)
}

// freezeElectorate copies the eligible households in the round's scope into
// its electorate and creates its tally counters. It returns the household count.
func (s *Service) freezeElectorate(tx *gorm.DB, round *model.Round) (int64, error) {
	q := tx.Model(&model.Household{}).Where("estate_id = ? AND eligible = ?", round.EstateID, true)
	if round.ScopeBuilding != "" {
		q = q.Where("building = ?", round.ScopeBuilding)
	}
	if round.ScopeUnit != "" {
		q = q.Where("unit = ?", round.ScopeUnit)
	}
	var households []model.Household
	if err := q.Select("id", "building", "unit", "area_hundredths").Find(&households).Error; err != nil {
		return 0, err
	}
	members := make([]model.RoundMember, len(households))
	byBuilding := map[string]*model.TallyCounter{}
	var buildings []string
	for i, h := range households {
		members[i] = model.RoundMember{RoundID: round.ID, HouseholdID: h.ID, Building: h.Building, Unit: h.Unit, AreaHundredths: h.AreaHundredths}
		c, ok := byBuilding[h.Building]
		if !ok {
			c = &model.TallyCounter{RoundID: round.ID, Building: h.Building, Decision: counterElectorate}
			byBuilding[h.Building] = c
			buildings = append(buildings, h.Building)
		}
		c.Households++
		c.AreaHundredths += h.AreaHundredths
		round.ElectorateHouseholds++
		round.ElectorateArea += h.AreaHundredths
	}
	if len(members) == 0 {
		return 0, nil
	}
	if err := tx.CreateInBatches(members, 500).Error; err != nil {
		return 0, err
	}
	counters := make([]model.TallyCounter, 0, 4*len(buildings))
	for _, b := range buildings {
		counters = append(counters, *byBuilding[b])
		for _, d := range decisions {
			counters = append(counters, model.TallyCounter{RoundID: round.ID, Building: b, Decision: d})
		}
	}
	return int64(len(members)), tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(counters, 500).Error
}

// CloseRound closes an open round and freezes its result. Nothing can be
// recorded afterwards. Errors: round_not_found, round_not_open.
func (s *Service) CloseRound(ctx context.Context, actor Actor, roundID string) (*RoundView, error) {
	var round model.Round
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := s.loadRoundFor(tx, actor, roundID, ActManageRounds, &round); err != nil {
			return err
		}
		// The status update takes the round's row lock, so it waits for the
		// sign-offs in flight (which read the round in share mode) to commit.
		claimed := tx.Model(&model.Round{}).Where("id = ? AND status = ?", roundID, RoundOpen).Update("status", RoundClosed)
		if claimed.Error != nil {
			return claimed.Error
		}
		if claimed.RowsAffected == 0 {
			return Conflict("round_not_open", "the round is "+round.Status)
		}
		view, err := decodeRound(round)
		if err != nil {
			return err
		}
		now := s.Now()
		tally, err := s.computeTally(tx, view, now)
		if err != nil {
			return err
		}
		tally.Status = RoundClosed
		raw, err := json.Marshal(tally)
		if err != nil {
			return err
		}
		round.Status, round.ClosedAt, round.UpdatedAt, round.ResultJSON = RoundClosed, &now, now, string(raw)
		if err := tx.Model(&model.Round{}).Where("id = ?", round.ID).Updates(map[string]any{
			"closed_at": now, "updated_at": now, "result_json": round.ResultJSON,
		}).Error; err != nil {
			return err
		}
		s.audit(tx, actor, round.EstateID, "round.close", "round", round.ID, map[string]any{"status": RoundOpen}, map[string]any{"status": RoundClosed, "passed": tally.Passed, "electorate": tally.Electorate, "decisions": tally.Decisions})
		s.afterRoundClosed(tx, &round, tally.Passed)
		return s.touchEstate(tx, round.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return decodeRound(round)
}

// loadRoundFor reads a round and checks the actor may perform the action on
// its estate; a round of an estate the actor cannot see is not found.
func (s *Service) loadRoundFor(tx *gorm.DB, actor Actor, roundID string, action Action, round *model.Round) error {
	if err := tx.Where("id = ?", roundID).Take(round).Error; err != nil {
		return notFoundAs(err, "round_not_found")
	}
	if err := s.authorize(tx, actor, round.EstateID, action); err != nil {
		return hiddenAs(err, "round_not_found")
	}
	return nil
}
