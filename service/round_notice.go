package service

import (
	"time"

	"minyi/model"
	"minyi/store"
)

// NoticePeriod is what the public board says about a closed round's result: when its
// notice period ends, whether the result is final, why it was voided, and why it was
// closed before its deadline. It names no person and quotes no resident.
type NoticePeriod struct {
	EndsAt *time.Time
	// Final is true once the period ended with every result objection answered.
	Final bool
	// Voided is true when an admin upheld a result objection; VoidedExplanation is the admin's answer.
	Voided            bool
	VoidedExplanation string
	// CloseReason is an admin's reason for closing before the deadline ("" otherwise).
	CloseReason string
}

// fillNoticePeriod sets a board round's notice period from the round (nothing while it is open).
func (s *Service) fillNoticePeriod(tx *store.Tx, out *NoticeRound, r model.Round) error {
	if !RoundEnded(r.Status) {
		return nil
	}
	p := &NoticePeriod{EndsAt: r.NoticeEndsAt, Final: r.Status == RoundFinal, Voided: r.Status == RoundVoided, CloseReason: r.CloseReason}
	if p.Voided {
		explanation, err := tx.VoidingExplanation(r.ID, ResultObjectionUpheld)
		if err != nil {
			return err
		}
		p.VoidedExplanation = explanation
	}
	out.NoticePeriod = p
	return nil
}
