package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// AnswerInput is a designer's answer to an objection.
type AnswerInput struct {
	Outcome     string
	Explanation string
	// PublicSummary sums the objection up for the notice board in the
	// answerer's words (1..MaxPublicSummaryRunes characters): the resident's
	// own text is never published.
	PublicSummary string
	// RevisionID names the revision that adopts the objection, if any.
	RevisionID *string
}

// MaxPublicSummaryRunes is the longest public summary of an objection.
const MaxPublicSummaryRunes = 200

func (in *AnswerInput) validate() error {
	fields := map[string]string{}
	in.Explanation = strings.TrimSpace(in.Explanation)
	in.PublicSummary = strings.TrimSpace(in.PublicSummary)
	if n := utf8.RuneCountInString(in.PublicSummary); n == 0 || n > MaxPublicSummaryRunes {
		fields["public_summary"] = "is required: 1 to 200 characters summing the objection up for the notice board, in your words"
	}
	switch in.Outcome {
	case OutcomeAdopted:
	case OutcomePartiallyAdopted, OutcomeNotAdopted:
		if in.Explanation == "" {
			fields["explanation"] = "is required unless the objection is adopted: say why"
		}
	default:
		fields["outcome"] = "must be adopted, partially_adopted or not_adopted"
	}
	if utf8.RuneCountInString(in.Explanation) > MaxObjectionRunes {
		fields["explanation"] = "at most 2000 characters"
	}
	if in.RevisionID != nil && *in.RevisionID == "" {
		in.RevisionID = nil
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// AnswerObjection records a designer's or admin's answer: the objection
// becomes answered. Answering again amends the answer; the earlier text stays
// in the history. A linked revision must belong to the objection's estate
// and then lists the objection among those it addresses.
// Errors: objection_not_found, validation_failed, revision_not_found, objection_closed.
func (s *Service) AnswerObjection(ctx context.Context, actor Actor, objectionID string, in AnswerInput) (*ObjectionView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var view ObjectionView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var o model.Objection
		if err := s.loadObjectionFor(tx, actor, objectionID, ActAnswerFeedback, &o); err != nil {
			return err
		}
		if o.Status == ObjectionClosed {
			return Conflict("objection_closed", "the objection was closed after the follow-up visit")
		}
		if in.RevisionID != nil {
			if err := s.checkRevisionOfEstate(tx, *in.RevisionID, o.EstateID); err != nil {
				return err
			}
			link := model.RevisionObjection{RevisionID: *in.RevisionID, ObjectionID: o.ID}
			if err := tx.AddRevisionObjection(link); err != nil {
				return err
			}
		}
		kind := "answered"
		if o.Status == ObjectionAnswered {
			kind = "amended"
		}
		now := s.Now()
		previous := o.AnswerVersion
		o.Status, o.Outcome, o.Explanation, o.RevisionID = ObjectionAnswered, in.Outcome, in.Explanation, in.RevisionID
		o.PublicSummary = in.PublicSummary
		o.AnswerVersion, o.AnsweredBy, o.AnsweredAt, o.UpdatedAt = previous+1, actor.ID, &now, now
		// The version in the condition makes a concurrent answer retry rather than be lost.
		updated, err := tx.SaveObjectionAnswer(&o, previous, ObjectionClosed)
		if err != nil {
			return err
		}
		if !updated {
			return errRetry
		}
		s.audit(tx, actor, o.EstateID, "objection."+kind, "objection", o.ID, nil, objectionSummary(&o))
		s.notifyObjectionAnswered(tx, &o)
		v, err := s.recordObjectionEvent(tx, actor, &o, kind)
		view = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// FollowUpInput is what a worker records after visiting the objector.
type FollowUpInput struct {
	Satisfied bool
	Note      string
}

// FollowUpObjection records the follow-up visit of an answered objection
// (whether the resident is satisfied, and a note) and closes it.
// Errors: objection_not_found, validation_failed, objection_not_answered, objection_closed.
func (s *Service) FollowUpObjection(ctx context.Context, actor Actor, objectionID string, in FollowUpInput) (*ObjectionView, error) {
	in.Note = strings.TrimSpace(in.Note)
	if n := utf8.RuneCountInString(in.Note); n > MaxObjectionRunes || n == 0 && !in.Satisfied {
		return nil, InvalidField("note", "1 to 2000 characters; required when the resident is not satisfied")
	}
	var view ObjectionView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var o model.Objection
		if err := s.loadObjectionFor(tx, actor, objectionID, ActFollowUp, &o); err != nil {
			return err
		}
		switch o.Status {
		case ObjectionOpen:
			return Conflict("objection_not_answered", "answer the objection before the follow-up visit")
		case ObjectionClosed:
			return Conflict("objection_closed", "the follow-up was already recorded")
		}
		now := s.Now()
		satisfied := in.Satisfied
		o.Status, o.FollowUpSatisfied, o.FollowUpNote, o.ClosedBy, o.ClosedAt, o.UpdatedAt =
			ObjectionClosed, &satisfied, in.Note, actor.ID, &now, now
		updated, err := tx.SaveObjectionFollowUp(&o, ObjectionAnswered)
		if err != nil {
			return err
		}
		if !updated {
			return errRetry
		}
		s.audit(tx, actor, o.EstateID, "objection.close", "objection", o.ID, nil, objectionSummary(&o))
		v, err := s.recordObjectionEvent(tx, actor, &o, "closed")
		view = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}
