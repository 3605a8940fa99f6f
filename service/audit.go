package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm/clause"

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
const auditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// skipSignOffAudit turns the sign-offs' audit events off; only the
// benchmark that measures their cost sets it.
var skipSignOffAudit = false

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
	e := s.newAuditEvent(actor, estateID, action, objectType, objectID, before, nil)
	if scope := scopeOf(tx); scope != nil {
		scope.mu.Lock()
		scope.pending = append(scope.pending, pendingEvent{event: e, after: after})
		scope.mu.Unlock()
		return
	}
	e.AfterSummary = auditSummary(after)
	// Outside inTx (never in the service's own code): write at once.
	if statements, err := s.appendAuditEvent(tx, e); err == nil {
		_, err = tx.ExecBatch(statements)
		if err != nil {
			tx.Gorm().AddError(err)
		}
	} else {
		tx.Gorm().AddError(err)
	}
}

// auditStatements returns the statements that append an audit event, for a
// caller that sends its writes as one batch (model.DB.ExecBatch).
func (s *Service) auditStatements(tx *store.Tx, actor Actor, estateID, action, objectType, objectID string, before, after any) ([]model.Statement, error) {
	markAudited(tx)
	return s.appendAuditEvent(tx, s.newAuditEvent(actor, estateID, action, objectType, objectID, before, after))
}

// newAuditEvent builds an event (without its place in the chain).
func (s *Service) newAuditEvent(actor Actor, estateID, action, objectType, objectID string, before, after any) *model.AuditEvent {
	return &model.AuditEvent{ID: newID(), EstateID: clean(estateID, 36), ChainID: auditChainID(estateID, objectID),
		ActorKind: clean(actor.Kind, 16), ActorID: clean(actor.ID, 64), ActorRole: clean(actor.Role, 16),
		Channel: clean(actor.Channel, 16), Action: clean(action, 48), ObjectType: clean(objectType, 32),
		ObjectID: clean(objectID, 64), BeforeSummary: auditSummary(before), AfterSummary: auditSummary(after),
		RequestID: clean(actor.RequestID, 64), OccurredAt: s.Now().Truncate(time.Millisecond)}
}

// appendAuditEvent returns the statements that put an event at the end of
// its chain. On MySQL the chain's new hash is computed by the statements
// themselves: an UPDATE of the chain's head row (SHA2 over its hash and the
// event's encoding), then an INSERT that copies the head's sequence number
// and hashes; the head row is locked only from that UPDATE to the commit.
// The head rows must exist (ensureChainHeads): a missing one makes the
// INSERT fail on its NOT NULL columns rather than lose the event. On
// SQLite, whose writers are serialised anyway, the head is read and the hash
// computed here.
func (s *Service) appendAuditEvent(tx *store.Tx, e *model.AuditEvent) ([]model.Statement, error) {
	canonical := canonicalAuditEvent(e)
	fields := []any{e.ID, e.ChainID, e.EstateID, e.ActorKind, e.ActorID, e.ActorRole, e.Channel, e.Action,
		e.ObjectType, e.ObjectID, e.BeforeSummary, e.AfterSummary, e.RequestID, e.OccurredAt}
	const columns = `id, chain_id, estate_id, actor_kind, actor_id, actor_role, channel, action, object_type,
		object_id, before_summary, after_summary, request_id, occurred_at, seq, prev_hash, hash`
	if s.db.Dialect == model.MySQL {
		return []model.Statement{{
			SQL:  `UPDATE audit_chains SET seq = seq + 1, prev_hash = head_hash, head_hash = SHA2(CONCAT(head_hash, ?), 256) WHERE chain_id = ?`,
			Args: []any{canonical, e.ChainID},
		}, {
			SQL: `INSERT INTO audit_events (` + columns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				(SELECT seq FROM audit_chains WHERE chain_id = ?), (SELECT prev_hash FROM audit_chains WHERE chain_id = ?),
				(SELECT head_hash FROM audit_chains WHERE chain_id = ?))`,
			Args: append(fields, e.ChainID, e.ChainID, e.ChainID),
		}}, nil
	}
	var heads []model.AuditChain
	if err := tx.Gorm().Where("chain_id = ?", e.ChainID).Limit(1).Find(&heads).Error; err != nil {
		return nil, err
	}
	e.Seq, e.PrevHash = 1, auditGenesis
	if len(heads) == 1 {
		e.Seq, e.PrevHash = heads[0].Seq+1, heads[0].HeadHash
	}
	e.Hash = chainHash(e.PrevHash, canonical)
	return []model.Statement{{
		SQL: `INSERT INTO audit_chains (chain_id, estate_id, seq, prev_hash, head_hash) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (chain_id) DO UPDATE SET seq = excluded.seq, prev_hash = excluded.prev_hash, head_hash = excluded.head_hash`,
		Args: []any{e.ChainID, e.EstateID, e.Seq, e.PrevHash, e.Hash},
	}, {
		SQL:  `INSERT INTO audit_events (` + columns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		Args: append(fields, e.Seq, e.PrevHash, e.Hash),
	}}, nil
}

// chainHash is the hash of an event: SHA-256 over the previous event's hash
// (64 hex digits) followed by the event's canonical encoding, in hex.
func chainHash(prevHash, canonical string) string {
	sum := sha256.Sum256([]byte(prevHash + canonical))
	return hex.EncodeToString(sum[:])
}

// canonicalAuditEvent is the encoding an event's hash covers: a JSON array
// of its fields in a fixed order, the time in UTC to the millisecond. The
// sequence number and hashes are not part of it; the chain links order the
// events.
func canonicalAuditEvent(e *model.AuditEvent) string {
	encoded, _ := json.Marshal([]string{"minyi-audit-v1", e.ID, e.ChainID, e.EstateID, e.ActorKind, e.ActorID,
		e.ActorRole, e.Channel, e.Action, e.ObjectType, e.ObjectID, e.BeforeSummary, e.AfterSummary, e.RequestID,
		e.OccurredAt.UTC().Format("2006-01-02T15:04:05.000Z")})
	return string(encoded)
}

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
	q, limit, err := page.apply(tx.Gorm().Model(&model.AuditEvent{}).Where("estate_id = ?", estateID), "id")
	if err != nil {
		return nil, "", err
	}
	var events []model.AuditEvent
	if err := q.Find(&events).Error; err != nil {
		return nil, "", AsError(err)
	}
	events, next := nextCursor(events, limit, func(e model.AuditEvent) string { return e.ID })
	return events, next, nil
}

// auditSignOff returns the audit statements of a sign-off's change, for
// applyDecision's batch.
func (s *Service) auditSignOff(tx *store.Tx, actor Actor, t *signOffTarget, old string, so *model.SignOff) ([]model.Statement, error) {
	if skipSignOffAudit {
		markAudited(tx)
		return nil, nil
	}
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
	return s.auditStatements(tx, actor, t.EstateID, action, "sign_off", so.ID, before, after)
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
	var estateIDs []string
	if err := tx.Gorm().Model(&model.Household{}).Where("id = ?", householdID).Limit(1).Pluck("estate_id", &estateIDs).Error; err != nil {
		tx.Gorm().AddError(err)
		return
	}
	estateID := ""
	if len(estateIDs) == 1 {
		estateID = estateIDs[0]
	}
	s.audit(tx, actor, estateID, action, "household", householdID, before, after)
}

// objectionSummary is what the ledger keeps of an objection: its state and
// answer, not its text (which may name people).
func objectionSummary(o *model.Objection) map[string]any {
	return map[string]any{"status": o.Status, "category": o.Category, "round_id": o.RoundID,
		"household_id": o.HouseholdID, "outcome": o.Outcome, "revision_id": o.RevisionID, "moderation": o.Moderation}
}

// ensureChainHeads creates the head rows of an estate's chains (or of the
// global chains, for "") that do not exist yet, at seq 0 with the genesis
// hash. Writes other than sign-offs call it (through writeAuditEvents); an
// estate's first writes (its creation, its rounds' opening) precede any
// sign-off, so the hot path finds its head rows.
func (s *Service) ensureChainHeads(tx *store.Tx, estateID string) error {
	var n int64
	if err := tx.Gorm().Model(&model.AuditChain{}).Where("estate_id = ?", estateID).Count(&n).Error; err != nil {
		return err
	}
	if n >= auditShards {
		return nil
	}
	heads := make([]model.AuditChain, auditShards)
	for i := range heads {
		id := estateID
		if id == "" {
			id = "global"
		}
		heads[i] = model.AuditChain{ChainID: fmt.Sprintf("%s/%02d", id, i), EstateID: estateID, HeadHash: auditGenesis}
	}
	return tx.Gorm().Clauses(clause.OnConflict{DoNothing: true}).Create(&heads).Error
}

// EnsureAuditChains creates the missing chain heads of every estate and of
// the global chains; the server calls it at start, so that estates created
// before the ledger existed (an upgraded database) can take sign-offs.
func (s *Service) EnsureAuditChains(ctx context.Context) error {
	tx := s.read(ctx)
	var estateIDs []string
	if err := tx.Gorm().Model(&model.Estate{}).Pluck("id", &estateIDs).Error; err != nil {
		return AsError(err)
	}
	var complete []string // estates whose heads all exist
	if err := tx.Gorm().Model(&model.AuditChain{}).Group("estate_id").Having("COUNT(*) >= ?", auditShards).
		Pluck("estate_id", &complete).Error; err != nil {
		return AsError(err)
	}
	done := map[string]bool{}
	for _, id := range complete {
		done[id] = true
	}
	for _, id := range append([]string{""}, estateIDs...) {
		if done[id] {
			continue
		}
		if err := s.ensureChainHeads(tx, id); err != nil {
			return AsError(err)
		}
	}
	return nil
}
