package service

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Outcomes of a home visit.
const (
	VisitConsulted   = "consulted"   // the household was consulted (征询到)
	VisitNotHome     = "not_home"    // nobody at home
	VisitRefused     = "refused"     // the household refused to talk
	VisitUnreachable = "unreachable" // the household cannot be reached (moved away, no contact)
)

var visitOutcomes = map[string]bool{VisitConsulted: true, VisitNotHome: true, VisitRefused: true, VisitUnreachable: true}

// VisitOutcomeLabel is the Chinese word for a visit outcome.
func VisitOutcomeLabel(outcome string) string {
	return map[string]string{VisitConsulted: "已征询", VisitNotHome: "不在家", VisitRefused: "拒绝", VisitUnreachable: "无法联系"}[outcome]
}

// VisitInput is a home visit to record.
type VisitInput struct {
	HouseholdID string
	Outcome     string
	Note        string
}

func (in *VisitInput) validate() error {
	fields := map[string]string{}
	in.HouseholdID = strings.TrimSpace(in.HouseholdID)
	if in.HouseholdID == "" || len(in.HouseholdID) > 36 {
		fields["household_id"] = "is required"
	}
	if !visitOutcomes[in.Outcome] {
		fields["outcome"] = "must be consulted, not_home, refused or unreachable"
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 2000 {
		fields["note"] = "at most 2000 characters"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// RecordVisit records a home visit to a household of an open round's
// electorate. Errors: validation_failed, round_not_found, round_not_open,
// household_not_in_round.
func (s *Service) RecordVisit(ctx context.Context, actor Actor, roundID string, in VisitInput) (*model.Visit, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var visit *model.Visit
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		target, err := s.loadSignOffTarget(tx, actor, roundID, in.HouseholdID, ActRecordVisits)
		if err != nil {
			return err
		}
		visit, err = s.insertVisit(tx, actor, target, in, s.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return visit, nil
}

// VisitFilter narrows a visit listing.
type VisitFilter struct {
	HouseholdID *string
}

// ListVisits lists a round's visits in the order they were recorded.
// Errors: round_not_found, validation_failed (limit, cursor).
func (s *Service) ListVisits(ctx context.Context, actor Actor, roundID string, filter VisitFilter, page Page) ([]model.Visit, string, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActReadVisits, &round); err != nil {
		return nil, "", AsError(err)
	}
	return listPage(page, func(v model.Visit) string { return v.ID }, func(p store.Page) ([]model.Visit, error) {
		return tx.ListVisitsOfRound(roundID, filter.HouseholdID, p)
	})
}

// insertVisit writes a validated visit in the caller's transaction; the
// single endpoint and the offline sync share it.
func (s *Service) insertVisit(tx *store.Tx, actor Actor, t *signOffTarget, in VisitInput, visitedAt time.Time) (*model.Visit, error) {
	visit := &model.Visit{ID: newID(), RoundID: t.RoundID, HouseholdID: t.HouseholdID, Outcome: in.Outcome,
		Note: in.Note, Channel: actor.Channel, ActorKind: actor.Kind, ActorID: actor.ID, RequestID: actor.RequestID,
		VisitedAt: visitedAt, RecordedAt: s.Now()}
	s.audit(tx, actor, t.EstateID, "visit.record", "visit", visit.ID, nil, map[string]any{"round_id": t.RoundID, "household_id": t.HouseholdID, "outcome": visit.Outcome})
	if err := tx.Insert(visit); err != nil {
		return nil, err
	}
	return visit, nil
}
