package service

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"minyi/model"
	"minyi/store"
)

// Binding codes: 8 characters from an alphabet without look-alikes (no 0/O,
// 1/I), 32 letters so that each character carries 5 random bits exactly.
const (
	bindingCodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	bindingCodeLength   = 8
	// BindingCodeTTL is how long a binding code can be redeemed.
	BindingCodeTTL = 14 * 24 * time.Hour
	// MaxBindingFailures wrong codes per resident within BindingFailureWindow
	// make further tries wait.
	MaxBindingFailures   = 10
	BindingFailureWindow = time.Hour
)

// IssuedBindingCode is a new binding code, shown once to the worker.
type IssuedBindingCode struct {
	Code        string
	EstateID    string
	HouseholdID string
	ExpiresAt   time.Time
}

// IssueBindingCode creates a one-time code that binds a resident to a
// household of the estate. Only the code's keyed hash is stored; the code is
// shown once, in the answer.
// Errors: estate_not_found, household_not_found.
func (s *Service) IssueBindingCode(ctx context.Context, actor Actor, estateID, householdID string) (*IssuedBindingCode, error) {
	var issued IssuedBindingCode
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActIssueBindingCodes); err != nil {
			return estateNotFound(err)
		}
		exists, err := tx.BindableHousehold(estateID, householdID)
		if err != nil {
			return err
		}
		if !exists {
			return NotFound("household_not_found")
		}
		code, err := newBindingCode(s.random)
		if err != nil {
			return err
		}
		now := s.Now()
		s.audit(tx, actor, estateID, "binding_code.issue", "household", householdID, nil, nil)
		row := model.BindingCode{ID: newID(), CodeHash: s.bindingCodeHash(code), EstateID: estateID, HouseholdID: householdID,
			ExpiresAt: now.Add(BindingCodeTTL), CreatedBy: actor.ID, CreatedAt: now}
		if err := tx.Insert(&row); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return errRetry // the same code was drawn before: draw again
			}
			return err
		}
		issued = IssuedBindingCode{Code: code, EstateID: estateID, HouseholdID: householdID, ExpiresAt: row.ExpiresAt}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &issued, nil
}

func newBindingCode(random io.Reader) (string, error) {
	buf := make([]byte, bindingCodeLength)
	if _, err := io.ReadFull(random, buf); err != nil {
		return "", err
	}
	for i, b := range buf {
		buf[i] = bindingCodeAlphabet[int(b)%len(bindingCodeAlphabet)]
	}
	return string(buf), nil
}

// normalizeBindingCode forgives what people do when they type a code:
// lower case, spaces and dashes.
func normalizeBindingCode(code string) string {
	code = strings.ToUpper(code)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
}

// RedeemBindingCode binds the calling resident to the household of a
// binding code, with their relation to it ("" means owner), and uses the
// code up. The first owner or co-owner bound becomes the household's
// designated signer. Redeeming a code the same resident already redeemed
// answers the same binding again. A used code is answered exactly like an
// unknown one, so that trying codes tells nothing. Errors:
// validation_failed, binding_code_invalid (unknown or used),
// binding_code_expired (422, each counted as a wrong try),
// too_many_binding_attempts (429 after MaxBindingFailures wrong tries of the
// resident, MaxBindingFailuresPerAddress from the client address or
// MaxBindingFailuresPerCode of the same code, within BindingFailureWindow).
func (s *Service) RedeemBindingCode(ctx context.Context, actor Actor, code, relation string) (*BoundHousehold, error) {
	if actor.Kind != ActorResident {
		return nil, Forbidden("forbidden")
	}
	relation, err := normalizeRelation(relation)
	if err != nil {
		return nil, err
	}
	code = normalizeBindingCode(code)
	if code == "" || len(code) > 32 {
		return nil, InvalidField("code", "is required (8 characters)")
	}
	attempt, err := s.reserveBindingAttempt(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	var bound *BoundHousehold
	var wrong *Error // a wrong code: the attempt becomes the resident's failure (committed), then reported
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
		bound, wrong = nil, nil
		if err := s.lockResident(tx, actor.ID); err != nil {
			return err
		}
		now := s.Now()
		if err := s.checkBindingFailures(tx, actor.ID, now); err != nil {
			return err
		}
		// The keyed hash (under the current or an older data key), or the
		// plain SHA-256 of a code issued before codes were keyed.
		hashes := append(s.keys.Fingerprints(bindingCodePurpose+code), hashToken(code))
		found, exists, err := tx.BindingCodeByHashes(hashes)
		if err != nil {
			return err
		}
		var row model.BindingCode
		switch {
		case !exists:
			wrong = unknownBindingCode()
		case found.UsedAt != nil && found.UsedBy == actor.ID:
			row = found // the same resident again (a repeated request): answer the binding
		case found.UsedAt != nil:
			wrong = unknownBindingCode()
		case !now.Before(found.ExpiresAt):
			wrong = Invalid("binding_code_expired", map[string]string{"code": "the code has expired"})
		default:
			row = found
			s.audit(tx, actor, row.EstateID, "binding.redeem", "household", row.HouseholdID, nil, map[string]any{"resident_id": actor.ID, "relation": relation})
			if err := s.consumeBindingCode(tx, actor.ID, relation, &row, now); err != nil {
				return err
			}
		}
		if wrong == nil {
			households, err := s.boundHouseholds(tx, actor.ID, row.HouseholdID)
			if err != nil {
				return err
			}
			if len(households) == 1 {
				bound = &households[0]
				return nil
			}
			// redeemed by this resident earlier, but the binding was removed since
			wrong = unknownBindingCode()
		}
		return tx.RecordBindingFailure(attempt.ID, actor.ID, now)
	})
	if err != nil || wrong == nil {
		// Not a wrong code (bound, refused or failed): the attempt is no failure.
		s.dropBindingAttempt(context.WithoutCancel(ctx), attempt)
	}
	if err != nil {
		return nil, err
	}
	if wrong != nil {
		return nil, wrong
	}
	return bound, nil
}

// unknownBindingCode is the answer to a code that does not exist or was
// used by someone else: one answer for both.
func unknownBindingCode() *Error {
	return Invalid("binding_code_invalid", map[string]string{"code": "no such binding code"})
}

// bindingCodeHash is what is stored of a binding code: an HMAC-SHA256 keyed
// with the data key, so that a copy of the table cannot be turned back into
// codes by hashing all 2^40 of them.
func (s *Service) bindingCodeHash(code string) string {
	return s.keys.Fingerprint(bindingCodePurpose + code)
}

// bindingCodePurpose keeps binding-code fingerprints apart from others.
const bindingCodePurpose = "binding-code\x00"

// Limits on wrong binding codes besides the resident's own
// (MaxBindingFailures): from one client address (many accounts behind one
// address) and of one code value (one code tried from many accounts), each
// within BindingFailureWindow.
const (
	MaxBindingFailuresPerAddress = 30
	MaxBindingFailuresPerCode    = 5
)

// reserveBindingAttempt writes the attempt (keyed by address and code, not
// yet by resident) before anything is checked, then counts the other
// attempts of its address and code in the window: concurrent guesses see
// each other, so none of these limits can be passed by sending at once. A
// refused attempt removes its row, so hammering does not push the window
// forward. Errors: too_many_binding_attempts.
func (s *Service) reserveBindingAttempt(ctx context.Context, actor Actor, code string) (*model.BindingFailure, error) {
	now := s.Now()
	attempt := &model.BindingFailure{ID: newID(), AttemptedAt: now, CodeHash: s.bindingCodeHash(code)}
	if actor.ClientIP != "" {
		attempt.AddressHash = s.keys.Fingerprint("binding-address\x00" + actor.ClientIP)
	}
	// Written in a transaction of its own (committed before the counts, and
	// serialised with SQLite's other writes).
	if err := s.store.Transaction(ctx, func(tx *store.Tx) error { return tx.Insert(attempt) }); err != nil {
		return nil, AsError(err)
	}
	tx := s.read(ctx)
	limits := []struct {
		by    store.BindingAttemptKey
		value string
		limit int
	}{{store.BindingAttemptCode, attempt.CodeHash, MaxBindingFailuresPerCode}, {store.BindingAttemptAddress, attempt.AddressHash, MaxBindingFailuresPerAddress}}
	for _, l := range limits {
		if l.value == "" {
			continue
		}
		recent, err := tx.RecentBindingAttempts(l.by, l.value, now.Add(-BindingFailureWindow), attempt.ID, l.limit)
		if err == nil && len(recent) < l.limit {
			continue
		}
		s.dropBindingAttempt(ctx, attempt)
		if err != nil {
			return nil, AsError(err)
		}
		wait := int(recent[len(recent)-1].Add(BindingFailureWindow).Sub(now)/time.Second) + 1
		return nil, RateLimited("too_many_binding_attempts", max(wait, 1))
	}
	return attempt, nil
}

// dropBindingAttempt deletes an attempt that turned out no failure.
func (s *Service) dropBindingAttempt(ctx context.Context, attempt *model.BindingFailure) {
	s.store.Transaction(ctx, func(tx *store.Tx) error { return tx.DeleteBindingAttempt(attempt) })
}

// lockResident takes the resident's row lock (MySQL), so one resident's
// binding tries are counted one at a time; SQLite has one writer anyway.
func (s *Service) lockResident(tx *store.Tx, residentID string) error {
	return notFoundAs(tx.LockResidentForBinding(residentID), "not_found")
}

// checkBindingFailures refuses a try when the resident made
// MaxBindingFailures wrong tries within the window; Retry-After says when
// the oldest of them leaves it.
func (s *Service) checkBindingFailures(tx *store.Tx, residentID string, now time.Time) error {
	recent, err := tx.RecentBindingFailuresOfResident(residentID, now.Add(-BindingFailureWindow), MaxBindingFailures)
	if err != nil {
		return err
	}
	if len(recent) < MaxBindingFailures {
		return nil
	}
	oldest := recent[len(recent)-1].AttemptedAt
	wait := int(oldest.Add(BindingFailureWindow).Sub(now)/time.Second) + 1
	return RateLimited("too_many_binding_attempts", wait)
}

// consumeBindingCode marks a code used and binds the resident to its
// household; an owner or co-owner becomes the signer of a household without one.
func (s *Service) consumeBindingCode(tx *store.Tx, residentID, relation string, row *model.BindingCode, now time.Time) error {
	claimed, err := tx.ClaimBindingCode(row.ID, residentID, now)
	if err != nil {
		return err
	}
	if !claimed {
		return errRetry // redeemed concurrently: look again
	}
	binding := model.ResidentBinding{ID: newID(), ResidentID: residentID, HouseholdID: row.HouseholdID,
		EstateID: row.EstateID, BindingCodeID: row.ID, Relation: relation, CreatedAt: now}
	// Already bound through another code: the binding stays as it was.
	created, err := tx.BindResidentIfUnbound(&binding)
	if err != nil || !created || !mayBecomeSigner(relation) {
		return err
	}
	return claimSignerIfNone(tx, row.HouseholdID, residentID, now)
}

// HouseholdResident is a resident bound to a household, as staff see it.
type HouseholdResident struct {
	Resident model.Resident
	BoundAt  time.Time
	Relation string
	IsSigner bool
}

// ListHouseholdResidents lists the residents bound to a household, with
// their relations and the designated signer (admins and the estate's
// workers). Errors: household_not_found.
func (s *Service) ListHouseholdResidents(ctx context.Context, actor Actor, householdID string) ([]HouseholdResident, error) {
	tx := s.read(ctx)
	if err := s.authorizeHousehold(tx, actor, householdID, ActManageSigners); err != nil {
		return nil, AsError(err)
	}
	out, err := s.householdResidents(tx, householdID)
	if err != nil {
		return nil, AsError(err)
	}
	return out, nil
}

// householdResidents reads the residents bound to a household, in binding
// order, with their relation and whether each is the designated signer.
func (s *Service) householdResidents(tx *store.Tx, householdID string) ([]HouseholdResident, error) {
	rows, err := tx.ResidentsOfHousehold(householdID)
	if err != nil {
		return nil, err
	}
	out := make([]HouseholdResident, len(rows))
	for i, r := range rows {
		out[i] = HouseholdResident{Resident: r.Resident, BoundAt: r.BoundAt.UTC(), Relation: r.Relation, IsSigner: r.IsSigner}
	}
	return out, nil
}

// UnbindResident removes a resident's binding to a household (the flat was
// sold, the code reached the wrong person). Errors: household_not_found,
// binding_not_found.
func (s *Service) UnbindResident(ctx context.Context, actor Actor, householdID, residentID string) error {
	return s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorizeHousehold(tx, actor, householdID, ActEditRoster); err != nil {
			return err
		}
		s.auditHousehold(tx, actor, householdID, "binding.remove", map[string]any{"resident_id": residentID}, nil)
		unbound, err := tx.UnbindResident(householdID, residentID)
		if err != nil {
			return err
		}
		if !unbound {
			return NotFound("binding_not_found")
		}
		// A signer who leaves hands over to the earliest remaining owner or co-owner.
		left, err := tx.RemoveHouseholdSigner(householdID, residentID)
		if err != nil || !left {
			return err
		}
		return promoteNextSigner(tx, householdID, s.Now())
	})
}

// authorizeHousehold checks the actor may perform the action on the
// household's estate; a household of an invisible estate is not found.
func (s *Service) authorizeHousehold(tx *store.Tx, actor Actor, householdID string, action Action) error {
	h, err := tx.HouseholdEstateForBinding(householdID)
	if err != nil {
		return notFoundAs(err, "household_not_found")
	}
	if err := s.authorize(tx, actor, h.EstateID, action); err != nil {
		if AsError(err).Kind == KindNotFound {
			return NotFound("household_not_found")
		}
		return err
	}
	return nil
}
