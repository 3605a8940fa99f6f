package service

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// maxCloseReasonRunes bounds the reason for closing a round early.
const maxCloseReasonRunes = 500

// CloseRound closes an open round without a reason: allowed once its deadline has
// passed, or for a round without a deadline. See CloseRoundWithReason.
func (s *Service) CloseRound(ctx context.Context, actor Actor, roundID string) (*RoundView, error) {
	return s.CloseRoundWithReason(ctx, actor, roundID, "")
}

// CloseRoundWithReason closes an open round (admins only) and freezes its result;
// nothing can be recorded afterwards and its notice period starts. Closing before
// closes_at is an exceptional act that needs a reason, which is audited and shown on
// the notice board. Errors: round_not_found, forbidden, round_not_open,
// reason_required, validation_failed (reason too long).
func (s *Service) CloseRoundWithReason(ctx context.Context, actor Actor, roundID, reason string) (*RoundView, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxCloseReasonRunes {
		return nil, InvalidField("reason", "at most 500 characters")
	}
	var round model.Round
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.loadRoundFor(tx, actor, roundID, ActGovernRounds, &round); err != nil {
			return err
		}
		early := round.ClosesAt != nil && s.Now().Before(*round.ClosesAt)
		if round.Status == RoundOpen && early && reason == "" {
			return Invalid("reason_required", map[string]string{"reason": "closing before the deadline needs a reason"})
		}
		if !early {
			reason = ""
		}
		closed, err := s.closeRoundTx(tx, actor, &round, reason)
		if err != nil {
			return err
		}
		if !closed {
			return Conflict("round_not_open", "the round is "+round.Status)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return decodeRound(round)
}

// closeRoundTx closes round if it is still open, claiming it with a conditional
// update (status = 'open'), so that of several closers (an admin, the scheduler on
// several instances) exactly one succeeds; closed is false for the others. The status
// update takes the round's row lock, so it waits for the sign-offs in flight (which
// read the round in share mode) to commit. The result is frozen and the notice period
// starts.
func (s *Service) closeRoundTx(tx *store.Tx, actor Actor, round *model.Round, reason string) (closed bool, err error) {
	claimed, err := tx.ClaimRoundStatus(round.ID, RoundOpen, RoundClosed)
	if err != nil || !claimed {
		return false, err
	}
	view, err := decodeRound(*round)
	if err != nil {
		return false, err
	}
	now := s.Now()
	tally, err := s.computeTally(tx, view, now)
	if err != nil {
		return false, err
	}
	tally.Status = RoundClosed
	raw, err := json.Marshal(tally)
	if err != nil {
		return false, err
	}
	noticeEnds := now.Add(time.Duration(round.NoticeDays) * 24 * time.Hour)
	round.Status, round.ClosedAt, round.UpdatedAt, round.ResultJSON = RoundClosed, &now, now, string(raw)
	round.CloseReason, round.NoticeEndsAt = reason, &noticeEnds
	if err := tx.SaveRoundClosing(round); err != nil {
		return false, err
	}
	after := map[string]any{"status": RoundClosed, "passed": tally.Passed, "electorate": tally.Electorate,
		"decisions": tally.Decisions, "notice_ends_at": noticeEnds}
	if reason != "" {
		after["early_close_reason"] = reason
	}
	s.audit(tx, actor, round.EstateID, "round.close", "round", round.ID, map[string]any{"status": RoundOpen}, after)
	s.afterRoundClosed(tx, round, tally.Passed)
	return true, s.touchEstate(tx, round.EstateID)
}

// deadlineError says whether a write at now may still change a round with this
// deadline: nil before closes_at; for a synced paper record (recordedAt not nil) also
// within lateSyncHours after it when the record's own time is before the deadline.
// Errors: round_past_deadline.
func deadlineError(closesAt *time.Time, lateSyncHours int, now time.Time, recordedAt *time.Time) error {
	if closesAt == nil || now.Before(*closesAt) {
		return nil
	}
	if recordedAt != nil && recordedAt.Before(*closesAt) &&
		now.Before(closesAt.Add(time.Duration(lateSyncHours)*time.Hour)) {
		return nil
	}
	return Conflict("round_past_deadline", "the round's deadline has passed")
}
