package service

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// DefaultObjectionDueDays is how many days after filing an objection is due
// when Config.ObjectionDueDays is not set.
const DefaultObjectionDueDays = 7

// objectionDuePeriod is how long an objection may stay unclosed.
func (s *Service) objectionDuePeriod() time.Duration {
	days := s.cfg.ObjectionDueDays
	if days <= 0 {
		days = DefaultObjectionDueDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// ObjectionDue is when an objection is due: its own due date, or (for rows
// filed before due dates existed) its filing time plus the default period.
func (s *Service) ObjectionDue(o *model.Objection) time.Time {
	if o.DueAt != nil {
		return o.DueAt.UTC()
	}
	return o.CreatedAt.UTC().Add(s.objectionDuePeriod())
}

// ObjectionOverdue tells whether an objection is past its due date and not closed, at now.
func (s *Service) ObjectionOverdue(o *model.Objection, now time.Time) bool {
	return o.Status != ObjectionClosed && now.After(s.ObjectionDue(o))
}

// overdueCut selects the objections overdue (or, with overdue false, those
// not overdue) at now: not closed and past their due date, or without one
// and filed longer than the default period ago (see ObjectionDue).
func (s *Service) overdueCut(overdue bool, now time.Time) store.OverdueCut {
	return store.OverdueCut{Overdue: overdue, Closed: ObjectionClosed, Now: now, LegacyCutoff: now.Add(-s.objectionDuePeriod())}
}

// AssignInput names an objection's handler and, optionally, moves its due date.
type AssignInput struct {
	// HandlerID is the staff user who handles the objection; nil leaves it,
	// "" clears it.
	HandlerID *string
	// DueAt replaces the due date when set.
	DueAt *time.Time
}

// AssignObjection records who handles an objection and when it is due
// (the dispute table). The handler must be an admin or a worker or designer
// assigned to the objection's estate. Errors: objection_not_found,
// validation_failed (handler_id, due_at), objection_closed.
func (s *Service) AssignObjection(ctx context.Context, actor Actor, objectionID string, in AssignInput) (*ObjectionView, error) {
	if in.HandlerID == nil && in.DueAt == nil {
		return nil, Invalid("validation_failed", map[string]string{"handler_id": "give handler_id, due_at or both"})
	}
	var view ObjectionView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var o model.Objection
		if err := s.loadObjectionFor(tx, actor, objectionID, ActAssignObjection, &o); err != nil {
			return err
		}
		if o.Status == ObjectionClosed {
			return Conflict("objection_closed", "the objection was closed after the follow-up visit")
		}
		before := disputeSummary(s, &o)
		var change store.ObjectionAssignment
		if in.HandlerID != nil {
			if *in.HandlerID != "" {
				if err := s.checkObjectionHandler(tx, o.EstateID, *in.HandlerID); err != nil {
					return err
				}
			}
			o.HandlerID = *in.HandlerID
			change.HandlerID = &o.HandlerID
		}
		if in.DueAt != nil {
			due := in.DueAt.UTC()
			if !due.After(o.CreatedAt) {
				return InvalidField("due_at", "must be after the objection was filed")
			}
			o.DueAt = &due
			change.DueAt = &due
		}
		now := s.Now()
		o.UpdatedAt = now
		change.UpdatedAt = now
		updated, err := tx.AssignObjection(o.ID, change, ObjectionClosed)
		if err != nil {
			return err
		}
		if !updated {
			return errRetry
		}
		s.audit(tx, actor, o.EstateID, "objection.assign", "objection", o.ID, before, disputeSummary(s, &o))
		v, err := s.recordObjectionEvent(tx, actor, &o, "assigned")
		view = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// checkObjectionHandler verifies that a user may handle an estate's
// objections: an admin, or a worker or designer assigned to the estate.
func (s *Service) checkObjectionHandler(tx *store.Tx, estateID, userID string) error {
	user, err := store.ByID[model.User](tx, userID)
	if err != nil {
		if se := AsError(notFoundAs(err, "user_not_found")); se.Kind == KindNotFound {
			return InvalidField("handler_id", "not an admin or a worker or designer of this estate")
		}
		return err
	}
	if user.Role == RoleAdmin {
		return nil
	}
	assigned, err := tx.StaffOfEstateInRoles(estateID, userID, []string{RoleWorker, RoleDesigner})
	if err != nil {
		return err
	}
	if !assigned {
		return InvalidField("handler_id", "not an admin or a worker or designer of this estate")
	}
	return nil
}

// disputeSummary is what the audit ledger keeps of an objection's dispute-table entry.
func disputeSummary(s *Service, o *model.Objection) map[string]any {
	return map[string]any{"status": o.Status, "handler_id": o.HandlerID, "due_at": s.ObjectionDue(o).Format(time.RFC3339)}
}

// ConfirmationInput is the objector's own verdict on how the objection was handled.
type ConfirmationInput struct {
	Satisfied bool
	Note      string
}

// ConfirmObjection records the objector's own confirmation (满意 or not,
// with a note) of an answered or closed objection, from the mini-program;
// confirming again replaces it. Only the objector (the resident who filed
// it, or one bound to its household) may confirm. Errors:
// objection_not_found, validation_failed (note), objection_awaiting_answer.
func (s *Service) ConfirmObjection(ctx context.Context, actor Actor, objectionID string, in ConfirmationInput) (*ObjectionView, error) {
	if actor.Role != RoleResident {
		return nil, Forbidden("forbidden")
	}
	in.Note = strings.TrimSpace(in.Note)
	if n := utf8.RuneCountInString(in.Note); n > MaxObjectionRunes {
		return nil, InvalidField("note", "at most 2000 characters")
	}
	var view ObjectionView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var o model.Objection
		if err := s.loadObjectionFor(tx, actor, objectionID, ActReadObjections, &o); err != nil {
			return err
		}
		if o.Status == ObjectionOpen {
			return Conflict("objection_awaiting_answer", "the objection has not been answered yet")
		}
		now := s.Now()
		satisfied := in.Satisfied
		o.ConfirmationSatisfied, o.ConfirmationNote, o.ConfirmedAt, o.UpdatedAt = &satisfied, in.Note, &now, now
		updated, err := tx.SaveObjectionConfirmation(&o, ObjectionOpen)
		if err != nil {
			return err
		}
		if !updated {
			return errRetry
		}
		s.audit(tx, actor, o.EstateID, "objection.confirm", "objection", o.ID, nil,
			map[string]any{"status": o.Status, "satisfied": satisfied})
		v, err := s.recordObjectionEvent(tx, actor, &o, "confirmed")
		view = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// ObjectionSummary counts an estate's objections for the dispute table.
type ObjectionSummary struct {
	Open, Answered, Closed int64
	// Overdue counts objections past their due date and not closed.
	Overdue int64
	// Unassigned counts objections not closed and without a handler.
	Unassigned int64
	// ConfirmedSatisfied and ConfirmedUnsatisfied count the objectors' own confirmations.
	ConfirmedSatisfied, ConfirmedUnsatisfied int64
	ComputedAt                               time.Time
}

// SummarizeObjections counts an estate's objections by status, the overdue
// and unassigned ones, and the objectors' confirmations. Errors: estate_not_found.
func (s *Service) SummarizeObjections(ctx context.Context, actor Actor, estateID string) (*ObjectionSummary, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadObjectionSummary); err != nil {
		return nil, err
	}
	now := s.Now()
	sum := &ObjectionSummary{ComputedAt: now}
	counts, err := tx.CountObjections(estateID, s.overdueCut(true, now), ObjectionClosed)
	if err != nil {
		return nil, AsError(err)
	}
	sum.Open, sum.Answered, sum.Closed = counts.ByStatus[ObjectionOpen], counts.ByStatus[ObjectionAnswered], counts.ByStatus[ObjectionClosed]
	sum.Overdue, sum.Unassigned = counts.Overdue, counts.Unassigned
	sum.ConfirmedSatisfied, sum.ConfirmedUnsatisfied = counts.ConfirmedSatisfied, counts.ConfirmedUnsatisfied
	return sum, nil
}
