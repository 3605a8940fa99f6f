package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/service/rule"
	"minyi/store"
)

// Round statuses: draft → open → closed → final | voided.
const (
	RoundDraft  = "draft"
	RoundOpen   = "open"
	RoundClosed = "closed"
	// RoundFinal is a closed round whose notice period ended with every result objection answered.
	RoundFinal = "final"
	// RoundVoided is a closed round an admin voided by upholding a result objection.
	RoundVoided = "voided"
)

// RoundEnded reports whether a round with this status has closed (closed, final or voided):
// nothing more is recorded and its result is frozen.
func RoundEnded(status string) bool {
	return status == RoundClosed || status == RoundFinal || status == RoundVoided
}

// Electorate bases: which households the electorate frozen at open takes.
const (
	// BasisEligible takes the households marked eligible (the two-80 standard).
	BasisEligible = "eligible"
	// BasisAll takes every household in scope (a Civil Code vote counts every exclusive part).
	BasisAll = "all"
)

// Bounds and defaults of a round's deadline settings.
const (
	DefaultLateSyncHours = 24
	MaxLateSyncHours     = 72
	DefaultNoticeDays    = 7
	MaxNoticeDays        = 30
)

// defaultBasis is the electorate basis a rule takes when none is given.
func defaultBasis(r rule.Rule) string {
	if r.Preset == rule.PresetCivilCodeMajor || r.Preset == rule.PresetCivilCodeOrdinary {
		return BasisAll
	}
	return BasisEligible
}

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
	// ElectorateBasis is "eligible" or "all"; nil takes the rule's default.
	ElectorateBasis *string
	LateSyncHours   *int // 0..72, default 24
	NoticeDays      *int // 0..30, default 7
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
	if f.ElectorateBasis != nil && *f.ElectorateBasis != BasisEligible && *f.ElectorateBasis != BasisAll {
		fields["electorate_basis"] = "must be eligible or all"
	}
	if f.LateSyncHours != nil && (*f.LateSyncHours < 0 || *f.LateSyncHours > MaxLateSyncHours) {
		fields["late_sync_hours"] = "must be 0 to 72"
	}
	if f.NoticeDays != nil && (*f.NoticeDays < 0 || *f.NoticeDays > MaxNoticeDays) {
		fields["notice_days"] = "must be 0 to 30"
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
		if f.ElectorateBasis == nil {
			r.ElectorateBasis = defaultBasis(*parsed)
		}
	}
	if f.ElectorateBasis != nil {
		r.ElectorateBasis = *f.ElectorateBasis
	}
	if f.LateSyncHours != nil {
		r.LateSyncHours = *f.LateSyncHours
	}
	if f.NoticeDays != nil {
		r.NoticeDays = *f.NoticeDays
	}
	return nil
}

// saveRoundSettings writes the round's deadline settings with a map update: GORM's
// Create leaves out a zero value of a column that has a default (and puts the default in
// the struct), and 0 hours or 0 days is a value here, not "use the default".
func saveRoundSettings(tx *store.Tx, r *model.Round) error {
	return tx.SaveRoundSettings(r)
}

// checkRuleAllowed refuses a custom rule to anyone but an admin: workers draft rounds
// with a preset only, and may not edit a draft whose rule an admin made custom.
// Errors: custom_rule_admin_only (403).
func checkRuleAllowed(actor Actor, current string, parsed *rule.Rule) error {
	if actor.Kind == ActorSystem || RoleAllowed(ActGovernRounds, actor.Role) {
		return nil
	}
	if (parsed != nil && parsed.Preset == rule.PresetCustom) || strings.Contains(current, `"preset":"custom"`) {
		return Forbidden("custom_rule_admin_only")
	}
	return nil
}

func decodeRound(r model.Round) (*RoundView, error) {
	var spec rule.Spec
	if err := json.Unmarshal([]byte(r.RuleJSON), &spec); err != nil {
		return nil, err
	}
	parsed, err := rule.FromStoredSpec(spec)
	if err != nil {
		return nil, err
	}
	return &RoundView{Round: r, Rule: parsed}, nil
}

// CreateRound adds a draft round to an estate, with the two-80 rule unless
// another is given. Errors: estate_not_found, validation_failed, revision_not_found,
// custom_rule_admin_only.
func (s *Service) CreateRound(ctx context.Context, actor Actor, estateID string, in RoundFields) (*RoundView, error) {
	parsed, err := in.validate(true, s.Now())
	if err != nil {
		return nil, err
	}
	if parsed == nil {
		r, _ := rule.Preset(rule.PresetTwo80)
		parsed = &r
	}
	if err := checkRuleAllowed(actor, "", parsed); err != nil {
		return nil, err
	}
	now := s.Now()
	var round model.Round
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActManageRounds); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		round = model.Round{ID: newID(), EstateID: estateID, Status: RoundDraft, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now,
			LateSyncHours: DefaultLateSyncHours, NoticeDays: DefaultNoticeDays}
		if err := in.apply(&round, parsed); err != nil {
			return err
		}
		if err := s.checkRoundRevision(tx, &round); err != nil {
			return err
		}
		maxSeq, err := tx.LastRoundSeq(estateID)
		if err != nil {
			return err
		}
		round.Seq = maxSeq + 1
		settings := round // Create replaces a zero that has a column default by the default
		if err := tx.Insert(&round); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return errRetry
			}
			return err
		}
		round.LateSyncHours, round.NoticeDays, round.ElectorateBasis = settings.LateSyncHours, settings.NoticeDays, settings.ElectorateBasis
		if err := saveRoundSettings(tx, &round); err != nil {
			return err
		}
		s.audit(tx, actor, estateID, "round.create", "round", round.ID, nil, map[string]any{"seq": round.Seq, "title": round.Title, "kind": round.Kind, "rule": round.RuleJSON,
			"electorate_basis": round.ElectorateBasis, "late_sync_hours": round.LateSyncHours, "notice_days": round.NoticeDays})
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return &RoundView{Round: round, Rule: *parsed}, nil
}

// UpdateRound edits a draft round. Errors: round_not_found, round_not_draft, validation_failed,
// custom_rule_admin_only.
func (s *Service) UpdateRound(ctx context.Context, actor Actor, roundID string, in RoundFields) (*RoundView, error) {
	parsed, err := in.validate(false, s.Now())
	if err != nil {
		return nil, err
	}
	var round model.Round
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.loadRoundFor(tx, actor, roundID, ActManageRounds, &round); err != nil {
			return err
		}
		if round.Status != RoundDraft {
			return Conflict("round_not_draft", "only a draft round can be edited")
		}
		if err := checkRuleAllowed(actor, round.RuleJSON, parsed); err != nil {
			return err
		}
		if err := in.apply(&round, parsed); err != nil {
			return err
		}
		if err := s.checkRoundRevision(tx, &round); err != nil {
			return err
		}
		round.UpdatedAt = s.Now()
		settings := round
		if err := tx.SaveRound(&round); err != nil {
			return err
		}
		round.LateSyncHours, round.NoticeDays, round.ElectorateBasis = settings.LateSyncHours, settings.NoticeDays, settings.ElectorateBasis
		if err := saveRoundSettings(tx, &round); err != nil {
			return err
		}
		s.audit(tx, actor, round.EstateID, "round.update", "round", round.ID, nil, map[string]any{"title": round.Title, "kind": round.Kind, "rule": round.RuleJSON, "scope_building": round.ScopeBuilding, "scope_unit": round.ScopeUnit,
			"electorate_basis": round.ElectorateBasis, "late_sync_hours": round.LateSyncHours, "notice_days": round.NoticeDays})
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
	if err := s.loadRoundFor(s.read(ctx), actor, roundID, ActReadRounds, &round); err != nil {
		return nil, AsError(err)
	}
	return decodeRound(round)
}

// ListRounds lists an estate's rounds, oldest first. Errors: estate_not_found.
func (s *Service) ListRounds(ctx context.Context, actor Actor, estateID string, page Page) ([]RoundView, string, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadRounds); err != nil {
		return nil, "", err
	}
	rounds, next, err := listPage(page, func(r model.Round) string { return r.ID }, func(p store.Page) ([]model.Round, error) {
		return tx.ListRoundsOfEstate(estateID, p)
	})
	if err != nil {
		return nil, "", err
	}
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

// OpenRound opens a draft round (admins only): the rule, scope and electorate (the
// households in scope on the round's basis: eligible ones, or all) are frozen. force
// is passed to the checks a plan round must pass first (an admin may override them;
// it is recorded). Errors: round_not_found, forbidden, round_not_draft, empty_electorate.
func (s *Service) OpenRound(ctx context.Context, actor Actor, roundID string, force bool) (*RoundView, error) {
	var round model.Round
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.loadRoundFor(tx, actor, roundID, ActGovernRounds, &round); err != nil {
			return err
		}
		claimed, err := tx.ClaimRoundStatus(roundID, RoundDraft, RoundOpen)
		if err != nil {
			return err
		}
		if !claimed {
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
		if err := tx.SaveRoundOpening(&round); err != nil {
			return err
		}
		s.audit(tx, actor, round.EstateID, "round.open", "round", round.ID, map[string]any{"status": RoundDraft}, map[string]any{"status": RoundOpen, "forced": force,
			"electorate_basis": round.ElectorateBasis, "electorate_households": round.ElectorateHouseholds, "electorate_area_hundredths": round.ElectorateArea})
		s.afterRoundOpened(tx, &round)
		return s.touchEstate(tx, round.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return decodeRound(round)
}

// freezeElectorate copies the households in the round's scope into its electorate
// (only the eligible ones unless the basis is "all") and creates its tally counters.
// It returns the household count.
func (s *Service) freezeElectorate(tx *store.Tx, round *model.Round) (int64, error) {
	households, err := tx.HouseholdsInScope(store.ElectorateScope{EstateID: round.EstateID,
		EligibleOnly: round.ElectorateBasis != BasisAll, Building: round.ScopeBuilding, Unit: round.ScopeUnit})
	if err != nil {
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
	counters := make([]model.TallyCounter, 0, 4*len(buildings))
	for _, b := range buildings {
		counters = append(counters, *byBuilding[b])
		for _, d := range decisions {
			counters = append(counters, model.TallyCounter{RoundID: round.ID, Building: b, Decision: d})
		}
	}
	return int64(len(members)), tx.InsertElectorate(members, counters)
}

// loadRoundFor reads a round and checks the actor may perform the action on
// its estate; a round of an estate the actor cannot see is not found.
func (s *Service) loadRoundFor(tx *store.Tx, actor Actor, roundID string, action Action, round *model.Round) error {
	found, err := store.ByID[model.Round](tx, roundID)
	if err != nil {
		return notFoundAs(err, "round_not_found")
	}
	*round = found
	if err := s.authorize(tx, actor, round.EstateID, action); err != nil {
		return hiddenAs(err, "round_not_found")
	}
	return nil
}
