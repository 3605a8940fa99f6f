package store

import (
	"fmt"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// AppendAuditEvents puts events at the ends of their chains, in order. On
// MySQL the chain heads of each estate are made sure of first and all
// events travel in one round trip (each chain's new hash computed by the
// statements themselves); on SQLite, whose writers are serialised, each head
// is read and each hash computed here.
func (t *Tx) AppendAuditEvents(events []*model.AuditEvent, shards int) error {
	if len(events) == 0 {
		return nil
	}
	if t.MySQL() {
		ensured := map[string]bool{}
		var batch []model.Statement
		for _, e := range events {
			if !ensured[e.EstateID] {
				if err := t.EnsureAuditChainHeads(e.EstateID, shards); err != nil {
					return err
				}
				ensured[e.EstateID] = true
			}
			statements, err := t.AuditEventStatements(e)
			if err != nil {
				return err
			}
			batch = append(batch, statements...)
		}
		_, err := t.ExecBatch(batch)
		return err
	}
	for _, e := range events {
		statements, err := t.AuditEventStatements(e)
		if err != nil {
			return err
		}
		if _, err := t.ExecBatch(statements); err != nil {
			return err
		}
	}
	return nil
}

// auditColumns are the columns an event's INSERT writes, in order.
const auditColumns = `id, chain_id, estate_id, actor_kind, actor_id, actor_role, channel, action, object_type,
		object_id, before_summary, after_summary, request_id, occurred_at, seq, prev_hash, hash`

// AuditEventStatements returns the statements that put an event at the end
// of its chain, for a caller that sends them in its own batch. On MySQL the
// chain's new hash is computed by the statements: an UPDATE of the chain's
// head row (SHA2 over its hash and the event's encoding), then an INSERT
// that copies the head's sequence number and hashes; the head row is locked
// only from that UPDATE to the commit. The head rows must exist
// (EnsureAuditChainHeads): a missing one makes the INSERT fail on its NOT
// NULL columns rather than lose the event. On SQLite the head is read and
// the hash computed here (the event gets its Seq, PrevHash and Hash).
func (t *Tx) AuditEventStatements(e *model.AuditEvent) ([]model.Statement, error) {
	canonical := e.Canonical()
	fields := []any{e.ID, e.ChainID, e.EstateID, e.ActorKind, e.ActorID, e.ActorRole, e.Channel, e.Action,
		e.ObjectType, e.ObjectID, e.BeforeSummary, e.AfterSummary, e.RequestID, e.OccurredAt}
	if t.MySQL() {
		return []model.Statement{{
			SQL:  `UPDATE audit_chains SET seq = seq + 1, prev_hash = head_hash, head_hash = SHA2(CONCAT(head_hash, ?), 256) WHERE chain_id = ?`,
			Args: []any{canonical, e.ChainID},
		}, {
			SQL: `INSERT INTO audit_events (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				(SELECT seq FROM audit_chains WHERE chain_id = ?), (SELECT prev_hash FROM audit_chains WHERE chain_id = ?),
				(SELECT head_hash FROM audit_chains WHERE chain_id = ?))`,
			Args: append(fields, e.ChainID, e.ChainID, e.ChainID),
		}}, nil
	}
	var heads []model.AuditChain
	if err := t.g.Where("chain_id = ?", e.ChainID).Limit(1).Find(&heads).Error; err != nil {
		return nil, model.Translate(err)
	}
	e.Seq, e.PrevHash = 1, model.AuditGenesis
	if len(heads) == 1 {
		e.Seq, e.PrevHash = heads[0].Seq+1, heads[0].HeadHash
	}
	e.Hash = model.ChainHash(e.PrevHash, canonical)
	return []model.Statement{{
		SQL: `INSERT INTO audit_chains (chain_id, estate_id, seq, prev_hash, head_hash) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (chain_id) DO UPDATE SET seq = excluded.seq, prev_hash = excluded.prev_hash, head_hash = excluded.head_hash`,
		Args: []any{e.ChainID, e.EstateID, e.Seq, e.PrevHash, e.Hash},
	}, {
		SQL:  `INSERT INTO audit_events (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		Args: append(fields, e.Seq, e.PrevHash, e.Hash),
	}}, nil
}

// EnsureAuditChainHeads creates the head rows of an estate's chains (or of
// the global chains, for "") that do not exist yet, at seq 0 with the
// genesis hash.
func (t *Tx) EnsureAuditChainHeads(estateID string, shards int) error {
	var n int64
	if err := t.g.Model(&model.AuditChain{}).Where("estate_id = ?", estateID).Count(&n).Error; err != nil {
		return model.Translate(err)
	}
	if n >= int64(shards) {
		return nil
	}
	heads := make([]model.AuditChain, shards)
	for i := range heads {
		id := estateID
		if id == "" {
			id = "global"
		}
		heads[i] = model.AuditChain{ChainID: fmt.Sprintf("%s/%02d", id, i), EstateID: estateID, HeadHash: model.AuditGenesis}
	}
	return result(t.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&heads))
}

// EstatesMissingChainHeads lists the estates (and "" for the global chains)
// that have fewer than shards chain heads.
func (t *Tx) EstatesMissingChainHeads(shards int) ([]string, error) {
	var estateIDs []string
	if err := t.g.Model(&model.Estate{}).Pluck("id", &estateIDs).Error; err != nil {
		return nil, model.Translate(err)
	}
	var complete []string
	if err := t.g.Model(&model.AuditChain{}).Group("estate_id").Having("COUNT(*) >= ?", shards).
		Pluck("estate_id", &complete).Error; err != nil {
		return nil, model.Translate(err)
	}
	done := map[string]bool{}
	for _, id := range complete {
		done[id] = true
	}
	var missing []string
	for _, id := range append([]string{""}, estateIDs...) {
		if !done[id] {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// ListAuditEvents reads a page of an estate's audit events in id order.
func (t *Tx) ListAuditEvents(estateID string, page Page) ([]model.AuditEvent, error) {
	return findPage[model.AuditEvent](t.g.Where("estate_id = ?", estateID), page, "id")
}

// HouseholdEstateID is the estate of a household ("" when there is no such household).
func (t *Tx) HouseholdEstateID(householdID string) (string, error) {
	var estateIDs []string
	err := t.g.Model(&model.Household{}).Where("id = ?", householdID).Limit(1).Pluck("estate_id", &estateIDs).Error
	if err != nil || len(estateIDs) == 0 {
		return "", model.Translate(err)
	}
	return estateIDs[0], nil
}
