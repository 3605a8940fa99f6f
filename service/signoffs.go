package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Decisions a household can give, and the state of a withdrawn sign-off.
const (
	DecisionAgree     = "agree"
	DecisionDisagree  = "disagree"
	DecisionAbstain   = "abstain"
	DecisionWithdrawn = "withdrawn"
)

// decisions are the counted decisions, in display order.
var decisions = []string{DecisionAgree, DecisionDisagree, DecisionAbstain}

func counted(decision string) bool {
	return decision == DecisionAgree || decision == DecisionDisagree || decision == DecisionAbstain
}

// SignOffInput is a decision to record for a household.
type SignOffInput struct {
	Decision    string
	Channel     string
	SignerName  string
	EvidenceURL string
	Comment     string
	// PrincipalName and EvidenceUploadID are required for a proxy sign-off.
	PrincipalName    string
	EvidenceUploadID string
}

// staffChannels are the channels staff name when they record a decision or
// an objection (the contract's paper|door|proxy), in every path: the staff
// PUT, the offline sync's records, objections. "sync" is not one of them:
// the service sets it on what arrives through the sync.
var staffChannels = map[string]bool{ChannelPaper: true, ChannelDoor: true, ChannelProxy: true}

func (in *SignOffInput) validate(resident bool) error {
	fields := map[string]string{}
	if !counted(in.Decision) {
		fields["decision"] = "must be agree, disagree or abstain"
	}
	in.SignerName = strings.TrimSpace(in.SignerName)
	if resident {
		in.Channel = ChannelOnline
	} else {
		if !staffChannels[in.Channel] {
			fields["channel"] = "must be paper, door or proxy"
		}
		if in.SignerName == "" {
			fields["signer_name"] = "is required"
		}
	}
	if utf8.RuneCountInString(in.SignerName) > 100 {
		fields["signer_name"] = "at most 100 characters"
	}
	if len(in.EvidenceURL) > 500 || in.EvidenceURL != "" && !strings.HasPrefix(in.EvidenceURL, "https://") &&
		!strings.HasPrefix(in.EvidenceURL, "http://") && !strings.HasPrefix(in.EvidenceURL, "/api/v1/uploads/") {
		fields["evidence_url"] = "an http(s) URL or an upload path, at most 500 characters"
	}
	if utf8.RuneCountInString(in.Comment) > 2000 {
		fields["comment"] = "at most 2000 characters"
	}
	in.validateProxy(fields)
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// signOffTarget is what a sign-off transaction learns about its round and
// household before writing.
type signOffTarget struct {
	RoundID        string
	EstateID       string
	Status         string
	HouseholdID    string
	Building       string
	AreaHundredths int64
	InElectorate   bool
	ClosesAt       *time.Time // the round's deadline, if any
	LateSyncHours  int        // how long after it paper records dated before it may be synced
}

// loadSignOffTarget reads, in one statement, the round (in share mode on
// MySQL, so that closing the round waits for this transaction), the
// household's electorate entry and the caller's assignment to the estate;
// then it checks access, that the round is open and that its deadline has not
// passed (for synced records planSyncRecord checks the record's own time).
// Errors: round_not_found, round_not_open, round_past_deadline, household_not_in_round.
func (s *Service) loadSignOffTarget(tx *store.Tx, actor Actor, roundID, householdID string, action Action) (*signOffTarget, error) {
	row, err := tx.SignOffTarget(roundID, householdID, actor.ID, actor.Role)
	return s.checkSignOffTarget(tx, actor, householdID, action, row, err)
}

// checkSignOffTarget is loadSignOffTarget's checks of what it read (row,
// or the error of reading it).
func (s *Service) checkSignOffTarget(tx *store.Tx, actor Actor, householdID string, action Action, row store.SignOffTarget, err error) (*signOffTarget, error) {
	if errors.Is(err, model.ErrNotFound) {
		return nil, NotFound("round_not_found")
	}
	if err != nil {
		return nil, err
	}
	if actor.Role == RoleWorker || actor.Role == RoleDesigner {
		err = s.decide(actor, action, row.Assigned) // the assignment was read above
	} else {
		err = s.authorize(tx, actor, row.EstateID, action)
	}
	return s.checkSeenSignOffTarget(actor, householdID, row, err)
}

// checkSeenSignOffTarget is checkSignOffTarget's checks once the actor's
// access to the round's estate is decided (denied: the error of that decision).
func (s *Service) checkSeenSignOffTarget(actor Actor, householdID string, row store.SignOffTarget, err error) (*signOffTarget, error) {
	if err != nil {
		return nil, hiddenAs(err, "round_not_found")
	}
	if row.Status != RoundOpen {
		return nil, Conflict("round_not_open", "the round is "+row.Status)
	}
	if actor.Channel != ChannelSync { // a synced record is checked against its own time (planSyncRecord)
		if err := deadlineError(row.ClosesAt, row.LateSyncHours, s.Now(), nil); err != nil {
			return nil, err
		}
	}
	if !row.InElectorate {
		return nil, NotFound("household_not_in_round")
	}
	return &signOffTarget{RoundID: row.RoundID, EstateID: row.EstateID, Status: row.Status, HouseholdID: householdID,
		Building: *row.Building, AreaHundredths: *row.AreaHundredths, InElectorate: true,
		ClosesAt: row.ClosesAt, LateSyncHours: row.LateSyncHours}, nil
}

// RecordSignOff records (or changes) a household's decision in an open round
// on behalf of staff (paper, door, proxy), committed with the concurrent
// sign-offs of the service in one transaction (signoff_batches.go). Errors: validation_failed,
// round_not_found, round_not_open, household_not_in_round.
func (s *Service) RecordSignOff(ctx context.Context, actor Actor, roundID, householdID string, in SignOffInput) (*model.SignOff, error) {
	if err := in.validate(false); err != nil {
		return nil, err
	}
	result, err := s.commitSignOff(s.staffSignOffRequest(ctx, actor, roundID, householdID, in))
	if err != nil {
		return nil, err
	}
	return &result, nil
}

// staffSignOffRequest is a staff sign-off (validated) waiting for its batch.
func (s *Service) staffSignOffRequest(ctx context.Context, actor Actor, roundID, householdID string, in SignOffInput) *signOffRequest {
	return &signOffRequest{ctx: ctx, actor: actor, staff: &staffSignOff{roundID: roundID, householdID: householdID, in: in},
		prepare: func(tx *store.Tx) (*signOffTarget, SignOffInput, error) {
			target, err := s.loadSignOffTarget(tx, actor, roundID, householdID, ActRecordSignOffs)
			return target, in, err
		},
		alone: func(ctx context.Context) (model.SignOff, error) {
			return s.recordSignOffAlone(ctx, actor, roundID, householdID, in)
		},
	}
}

// recordSignOffAlone is RecordSignOff in a transaction of its own (a batch
// of one request, or a request of a batch that failed as a whole).
func (s *Service) recordSignOffAlone(ctx context.Context, actor Actor, roundID, householdID string, in SignOffInput) (model.SignOff, error) {
	var result model.SignOff
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		target, err := s.loadSignOffTarget(tx, actor, roundID, householdID, ActRecordSignOffs)
		if err != nil {
			return err
		}
		return s.applyDecision(tx, actor, target, in, &result)
	})
	return result, err
}

// WithdrawSignOff withdraws a household's decision while the round is open;
// the withdrawal is kept in the history. Errors: round_not_found,
// round_not_open, household_not_in_round, signoff_not_found.
func (s *Service) WithdrawSignOff(ctx context.Context, actor Actor, roundID, householdID string) error {
	return s.inTx(ctx, actor, func(tx *store.Tx) error {
		target, err := s.loadSignOffTarget(tx, actor, roundID, householdID, ActRecordSignOffs)
		if err != nil {
			return err
		}
		var result model.SignOff
		return s.applyDecision(tx, actor, target, SignOffInput{Decision: DecisionWithdrawn, Channel: actor.Channel}, &result)
	})
}

// applyDecision writes a household's new decision (or withdrawal), its
// history entry and the tally counters, in the caller's transaction. The
// sign-off row is locked first (MySQL) so that concurrent changes of one
// household serialise; a concurrent first insert loses on the unique index
// and the transaction is retried. The three writes travel together
// (model.DB.ExecBatch: one round trip on MySQL).
func (s *Service) applyDecision(tx *store.Tx, actor Actor, t *signOffTarget, in SignOffInput, result *model.SignOff) error {
	existing, err := tx.LockSignOff(t.RoundID, t.HouseholdID)
	if err != nil {
		return err
	}
	if err := s.checkProxyEvidence(tx, t, in); err != nil {
		return err
	}
	now := s.Now()
	old := ""
	if existing != nil {
		*result = *existing
		old = result.Decision
		if in.Decision == DecisionWithdrawn && !counted(old) {
			return NotFound("signoff_not_found")
		}
		if old == in.Decision && result.Channel == in.Channel && result.SignerName == in.SignerName &&
			result.Comment == in.Comment && result.EvidenceURL == in.EvidenceURL &&
			result.PrincipalName == in.PrincipalName && result.EvidenceUploadID == in.EvidenceUploadID {
			return nil // the same decision again: nothing changes
		}
		result.Version++
	} else {
		if in.Decision == DecisionWithdrawn {
			return NotFound("signoff_not_found")
		}
		*result = model.SignOff{ID: newID(), RoundID: t.RoundID, HouseholdID: t.HouseholdID, Building: t.Building, Version: 1}
	}
	result.Decision, result.Channel, result.SignerName = in.Decision, in.Channel, in.SignerName
	result.EvidenceURL, result.Comment = in.EvidenceURL, in.Comment
	result.PrincipalName, result.EvidenceUploadID = in.PrincipalName, in.EvidenceUploadID
	result.ActorKind, result.ActorID, result.RecordedAt = actor.Kind, actor.ID, now

	change := store.SignOffChange{SignOff: result, Event: model.SignOffEvent{ID: newID(), RoundID: t.RoundID,
		HouseholdID: t.HouseholdID, Version: result.Version, OldDecision: old, NewDecision: in.Decision, Channel: in.Channel,
		SignerName: in.SignerName, Comment: in.Comment, ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: actor.Role,
		RequestID: actor.RequestID, RecordedAt: now}}
	audit := s.signOffAuditEvent(actor, t, old, result)
	change.CountersTouched = countersMoved(old, in.Decision)
	change.CountersTo, change.Building, change.AreaHundredths = in.Decision, t.Building, t.AreaHundredths
	moved, err := tx.ApplySignOffChange(change, audit)
	if err != nil {
		if errors.Is(err, model.ErrConflict) && result.Version == 1 {
			return errRetry // another request inserted this household first
		}
		return err
	}
	if touched := int64(len(change.CountersTouched)); touched > 0 && moved != touched {
		return fmt.Errorf("tally counters missing for round %s building %s", t.RoundID, t.Building)
	}
	s.noteSignOff(tx, result)
	return nil
}

// countersMoved are the decisions whose tally counters a change from old
// to new moves the household between (none when the decision is the same).
func countersMoved(old, new string) []string {
	if old == new {
		return nil
	}
	var touched []string
	if counted(old) {
		touched = append(touched, old)
	}
	if counted(new) {
		touched = append(touched, new)
	}
	return touched
}

// SignOffFilter narrows a sign-off listing.
type SignOffFilter struct {
	Decision *string
	Building *string
}

// ListSignOffs lists the current decisions of a round's households
// (withdrawn ones excluded). Errors: round_not_found, validation_failed.
func (s *Service) ListSignOffs(ctx context.Context, actor Actor, roundID string, filter SignOffFilter, page Page) ([]model.SignOff, string, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActReadSignOffs, &round); err != nil {
		return nil, "", AsError(err)
	}
	where := store.SignOffListFilter{Decisions: decisions, Building: filter.Building}
	if filter.Decision != nil {
		if !counted(*filter.Decision) {
			return nil, "", InvalidField("decision", "must be agree, disagree or abstain")
		}
		where.Decision = filter.Decision
	}
	rows, next, err := listPage(page, func(r model.SignOff) string { return r.ID }, func(p store.Page) ([]model.SignOff, error) {
		return tx.ListSignOffs(roundID, where, p)
	})
	if err != nil {
		return nil, "", err
	}
	return rows, next, nil
}

// SignOffHistory lists every recorded change of a household's decision in a
// round, oldest first. Errors: round_not_found.
func (s *Service) SignOffHistory(ctx context.Context, actor Actor, roundID, householdID string) ([]model.SignOffEvent, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActReadSignOffs, &round); err != nil {
		return nil, AsError(err)
	}
	events, err := tx.SignOffHistory(roundID, householdID)
	if err != nil {
		return nil, AsError(err)
	}
	return events, nil
}
