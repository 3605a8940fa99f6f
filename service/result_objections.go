package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Result objection outcomes.
const (
	ResultObjectionUpheld   = "upheld"
	ResultObjectionRejected = "rejected"
)

// maxResultObjectionRunes bounds an objection's text and an answer's explanation.
const maxResultObjectionRunes = 2000

// ResultObjectionInput is a written objection to a round's result.
type ResultObjectionInput struct {
	Text        string
	HouseholdID string // required for staff; a resident bound to one household of the round may leave it out
}

// FileResultObjection records an objection to a closed round's result during its notice
// period, by a resident for a bound household in the round's electorate or by staff on a
// household's behalf. Errors: round_not_found, validation_failed, household_required,
// household_not_in_round, round_not_closed, notice_period_over.
func (s *Service) FileResultObjection(ctx context.Context, actor Actor, roundID string, in ResultObjectionInput) (*model.ResultObjection, error) {
	text := strings.TrimSpace(in.Text)
	if n := utf8.RuneCountInString(text); n == 0 || n > maxResultObjectionRunes {
		return nil, InvalidField("text", "1 to 2000 characters")
	}
	var objection model.ResultObjection
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var round model.Round
		if err := s.loadRoundFor(tx, actor, roundID, ActFileResultObjection, &round); err != nil {
			return err
		}
		householdID, err := s.objectingHousehold(tx, actor, round.ID, in.HouseholdID)
		if err != nil {
			return err
		}
		if err := s.noticePeriodOpen(&round); err != nil {
			return err
		}
		kind := "staff"
		if actor.Kind == ActorResident {
			kind = ActorResident
		}
		objection = model.ResultObjection{ID: newID(), RoundID: round.ID, EstateID: round.EstateID, HouseholdID: householdID,
			Text: text, FiledByKind: kind, FiledByID: actor.ID, CreatedAt: s.Now()}
		if err := tx.Insert(&objection); err != nil {
			return err
		}
		s.audit(tx, actor, round.EstateID, "round.result_objection", "result_objection", objection.ID, nil,
			map[string]any{"round_id": round.ID, "household_id": householdID})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &objection, nil
}

// noticePeriodOpen says whether a round's result may still be objected to.
// Errors: round_not_closed, notice_period_over.
func (s *Service) noticePeriodOpen(round *model.Round) error {
	switch {
	case round.Status == RoundDraft || round.Status == RoundOpen:
		return Conflict("round_not_closed", "the result can be objected to once the round has closed")
	case round.Status != RoundClosed || round.NoticeEndsAt == nil || !s.Now().Before(*round.NoticeEndsAt):
		return Conflict("notice_period_over", "the result's notice period is over")
	}
	return nil
}

// objectingHousehold picks the household an objection is filed for: a resident's bound
// household in the round's electorate (the only one when none is named), or the one
// staff name. Errors: validation_failed, household_required, household_not_in_round.
func (s *Service) objectingHousehold(tx *store.Tx, actor Actor, roundID, householdID string) (string, error) {
	var residentID string
	if actor.Kind == ActorResident {
		residentID = actor.ID
	} else if householdID == "" {
		return "", InvalidField("household_id", "is required when staff object for a household")
	}
	members, err := tx.ObjectingHouseholds(roundID, residentID, householdID)
	if err != nil {
		return "", err
	}
	switch {
	case len(members) == 0:
		return "", NotFound("household_not_in_round")
	case len(members) > 1:
		return "", Invalid("household_required", map[string]string{"household_id": "you act for several households of this round; name one"})
	}
	return members[0], nil
}

// ListResultObjections lists a round's result objections, oldest first: all of them for
// staff, a resident's own for residents. Errors: round_not_found.
func (s *Service) ListResultObjections(ctx context.Context, actor Actor, roundID string) ([]model.ResultObjection, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActReadResultObjections, &round); err != nil {
		return nil, AsError(err)
	}
	var filter store.ResultObjectionFilter
	if actor.Kind == ActorResident {
		filter.FiledByKind, filter.FiledByID = ActorResident, actor.ID
	}
	out, err := tx.ListResultObjections(roundID, filter, MaxPageLimit)
	if err != nil {
		return nil, AsError(err)
	}
	return out, nil
}

// ResolveResultObjection records an admin's answer to a result objection. Upholding it
// voids the round (its explanation is shown publicly); once the notice period has ended
// and every objection is answered the scheduler makes the round final.
// Errors: result_objection_not_found, forbidden, validation_failed, result_objection_resolved.
func (s *Service) ResolveResultObjection(ctx context.Context, actor Actor, objectionID, outcome, explanation string) (*model.ResultObjection, error) {
	explanation = strings.TrimSpace(explanation)
	fields := map[string]string{}
	if outcome != ResultObjectionUpheld && outcome != ResultObjectionRejected {
		fields["outcome"] = "must be upheld or rejected"
	}
	if n := utf8.RuneCountInString(explanation); n == 0 || n > maxResultObjectionRunes {
		fields["explanation"] = "1 to 2000 characters"
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	var objection model.ResultObjection
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		found, err := store.ByID[model.ResultObjection](tx, objectionID)
		if err != nil {
			return notFoundAs(err, "result_objection_not_found")
		}
		objection = found
		if err := s.authorize(tx, actor, objection.EstateID, ActResolveResultObjection); err != nil {
			return hiddenAs(err, "result_objection_not_found")
		}
		now := s.Now()
		answer := objection
		answer.Outcome, answer.Explanation, answer.ResolvedBy, answer.ResolvedAt = outcome, explanation, actor.ID, &now
		answered, err := tx.SaveResultObjectionAnswer(&answer)
		if err != nil {
			return err
		}
		if !answered {
			return Conflict("result_objection_resolved", "the objection has already been answered")
		}
		objection = answer
		s.audit(tx, actor, objection.EstateID, "round.result_objection_resolved", "result_objection", objection.ID, nil,
			map[string]any{"round_id": objection.RoundID, "outcome": outcome, "explanation": explanation})
		if outcome != ResultObjectionUpheld {
			return nil
		}
		voided, err := tx.VoidRoundOfResultObjection(objection.RoundID, RoundClosed, RoundVoided, now)
		if err != nil {
			return err
		}
		if voided {
			s.audit(tx, actor, objection.EstateID, "round.void", "round", objection.RoundID,
				map[string]any{"status": RoundClosed}, map[string]any{"status": RoundVoided, "result_objection_id": objection.ID})
		}
		return s.touchEstate(tx, objection.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return &objection, nil
}
