package service

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// auditShards is the number of hash chains per estate. Every append locks
// its chain's head row until the transaction commits, so one chain per
// estate would serialise all of an estate's writes (sign-offs included) on
// one row; sixteen chains, chosen by the audited object, let sixteen
// transactions commit at once while every object's events stay in one chain
// (see the benchmark figures in BenchmarkSignOffMySQL's comment).
const auditShards = 16

// auditGenesis is the previous hash of the first event of every chain.
const auditGenesis = model.AuditGenesis

// maxSummaryBytes caps the before/after summaries of an event.
const maxSummaryBytes = 2000

// auditChainID names the chain of an estate's events about an object; events
// that concern no estate (staff accounts, residents' logins) go to the
// chains of the pseudo-estate "global".
func auditChainID(estateID, objectID string) string {
	if estateID == "" {
		estateID = "global"
	}
	sum := sha256.Sum256([]byte(objectID))
	return fmt.Sprintf("%s/%02d", estateID, int(sum[0])%auditShards)
}

// audit appends an event to the ledger in the caller's transaction (one
// of Service.inTx): the actor, the action on an object of an estate ("" when
// none) and short summaries of the object before and after (maps or
// structs; keys naming phone numbers, passwords, tokens or codes are
// dropped). The event is written when the transaction's function returns
// without error, just before the commit, so a call is one line anywhere in
// the function; before is encoded at the call, after when the event is
// written, and after may be a func() any (called then), so a call placed
// before a change records the state after it.
func (s *Service) audit(tx *store.Tx, actor Actor, estateID, action, objectType, objectID string, before, after any) {
	tx.QueueAudit(s.newAuditEvent(actor, estateID, action, objectType, objectID, before, nil), after)
}

// writeQueuedAudits writes the events the transaction queued, each with its
// after-summary encoded now: the last step of every write (inTx).
func (s *Service) writeQueuedAudits(tx *store.Tx) error {
	queued := tx.TakeQueuedAudits()
	events := make([]*model.AuditEvent, len(queued))
	for i, q := range queued {
		q.Event.AfterSummary = auditSummary(q.After)
		events[i] = q.Event
	}
	return tx.AppendAuditEvents(events, auditShards)
}

// newAuditEvent builds an event (without its place in the chain).
func (s *Service) newAuditEvent(actor Actor, estateID, action, objectType, objectID string, before, after any) *model.AuditEvent {
	return &model.AuditEvent{ID: newID(), EstateID: clean(estateID, 36), ChainID: auditChainID(estateID, objectID),
		ActorKind: clean(actor.Kind, 16), ActorID: clean(actor.ID, 64), ActorRole: clean(actor.Role, 16),
		Channel: clean(actor.Channel, 16), Action: clean(action, 48), ObjectType: clean(objectType, 32),
		ObjectID: clean(objectID, 64), BeforeSummary: auditSummary(before), AfterSummary: auditSummary(after),
		RequestID: clean(actor.RequestID, 64), OccurredAt: s.Now().Truncate(time.Millisecond)}
}

// chainHash is the hash of an event (model.ChainHash).
func chainHash(prevHash, canonical string) string { return model.ChainHash(prevHash, canonical) }

// canonicalAuditEvent is the encoding an event's hash covers (AuditEvent.Canonical).
func canonicalAuditEvent(e *model.AuditEvent) string { return e.Canonical() }

// clean makes a string safe to store and hash identically on every
// database: valid UTF-8, at most max bytes.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "?")
	for len(s) > max {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// sensitiveKeys are summary keys never written to the ledger.
var sensitiveKeys = []string{"phone", "password", "token", "secret", "code_hash", "session"}

// auditSummary encodes a before/after summary as compact JSON with sorted
// keys, dropping sensitive keys at any depth; nil gives "".
func auditSummary(v any) string {
	if later, ok := v.(func() any); ok {
		v = later()
	}
	if v == nil {
		return ""
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return `{"error":"summary not encodable"}`
	}
	var generic any
	if json.Unmarshal(raw, &generic) != nil {
		return ""
	}
	raw, _ = json.Marshal(dropSensitive(generic))
	if len(raw) > maxSummaryBytes {
		raw, _ = json.Marshal(map[string]any{"truncated": clean(string(raw), maxSummaryBytes-40)})
	}
	return string(raw)
}

func dropSensitive(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, inner := range t {
			lower := strings.ToLower(k)
			for _, bad := range sensitiveKeys {
				if strings.Contains(lower, bad) {
					delete(t, k)
					break
				}
			}
			if _, ok := t[k]; ok {
				t[k] = dropSensitive(inner)
			}
		}
	case []any:
		for i := range t {
			t[i] = dropSensitive(t[i])
		}
	}
	return v
}

// ListAuditEvents lists an estate's audit events, oldest first, a page at a
// time (admin). Errors: estate_not_found, validation_failed (limit, cursor).
func (s *Service) ListAuditEvents(ctx context.Context, actor Actor, estateID string, page Page) ([]model.AuditEvent, string, error) {
	tx := s.read(ctx)
	if err := s.authorize(tx, actor, estateID, ActAudit); err != nil {
		return nil, "", estateNotFound(err)
	}
	if err := s.mustFindEstate(tx, estateID); err != nil {
		return nil, "", AsError(err)
	}
	return listPage(page, func(e model.AuditEvent) string { return e.ID }, func(p store.Page) ([]model.AuditEvent, error) {
		return tx.ListAuditEvents(estateID, p)
	})
}

// signOffAuditEvent is the audit event of a sign-off's change, which the
// store appends in the sign-off's own batch (ApplySignOffChange) or in the
// batch of sign-offs it was committed with (WriteSignOffBatch).
func (s *Service) signOffAuditEvent(actor Actor, t *signOffTarget, old string, so *model.SignOff) *model.AuditEvent {
	action := "signoff.record"
	if so.Decision == DecisionWithdrawn {
		action = "signoff.withdraw"
	}
	var before any
	if old != "" {
		before = map[string]any{"decision": old, "version": so.Version - 1}
	}
	after := map[string]any{"round_id": t.RoundID, "household_id": t.HouseholdID, "decision": so.Decision,
		"version": so.Version, "channel": so.Channel}
	return s.newAuditEvent(actor, t.EstateID, action, "sign_off", so.ID, before, after)
}

// householdSummary is what the ledger keeps of a household: its address,
// area, occupancy and eligibility (no names, no phone numbers).
func householdSummary(h model.Household) map[string]any {
	return map[string]any{"building": h.Building, "unit": h.Unit, "room": h.Room,
		"area_hundredths": h.AreaHundredths, "occupancy": h.Occupancy, "eligible": h.Eligible}
}

// auditHouseholds records the creation (or import) of households, one event each.
func (s *Service) auditHouseholds(tx *store.Tx, actor Actor, action string, households []model.Household) {
	for _, h := range households {
		s.audit(tx, actor, h.EstateID, action, "household", h.ID, nil, householdSummary(h))
	}
}

// estateSummary is what the ledger keeps of an estate (not its contact phone).
func estateSummary(e model.Estate) map[string]any {
	return map[string]any{"code": e.Code, "name": e.Name, "district": e.District, "street": e.Street,
		"community": e.Community, "address": e.Address, "built_year": e.BuiltYear}
}

// auditHousehold records an action on a household whose estate the caller
// has not read (it is looked up here).
func (s *Service) auditHousehold(tx *store.Tx, actor Actor, householdID, action string, before, after any) {
	estateID, err := tx.HouseholdEstateID(householdID)
	if err != nil {
		tx.Fail(err)
		return
	}
	s.audit(tx, actor, estateID, action, "household", householdID, before, after)
}

// objectionSummary is what the ledger keeps of an objection: its state and
// answer, not its text (which may name people).
func objectionSummary(o *model.Objection) map[string]any {
	return map[string]any{"status": o.Status, "category": o.Category, "round_id": o.RoundID,
		"household_id": o.HouseholdID, "outcome": o.Outcome, "revision_id": o.RevisionID, "moderation": o.Moderation}
}

// EnsureAuditChains creates the missing chain heads of every estate and of
// the global chains; the server calls it at start, so that estates created
// before the ledger existed (an upgraded database) can take sign-offs.
func (s *Service) EnsureAuditChains(ctx context.Context) error {
	tx := s.read(ctx)
	missing, err := tx.EstatesMissingChainHeads(auditShards)
	if err != nil {
		return AsError(err)
	}
	for _, id := range missing {
		if err := tx.EnsureAuditChainHeads(id, auditShards); err != nil {
			return AsError(err)
		}
	}
	return nil
}
