package service

import (
	"sort"
	"strings"

	"gorm.io/gorm/clause"

	"minyi/model"
	"minyi/store"
)

// auditImport records one event per household an import created or
// changed: household.create with the household, household.update with it
// before and after (area, eligibility, occupancy, address), the events
// single-record writes record (CreateHouseholds, UpdateHousehold). They
// are appended in bulk, as a 2,000-household roster would otherwise take
// a head read and two statements per event: the estate's chain heads are
// read once (locked on MySQL), the hashes computed here as SQLite's path
// computes them, the events inserted in multi-row statements and each
// touched head updated once. VerifyAudit checks the result like any other
// events.
func (s *Service) auditImport(tx *store.Tx, actor Actor, estateID string, plan importPlan) error {
	tx.MarkAudited()
	events := make([]*model.AuditEvent, 0, len(plan.creates)+len(plan.updates))
	for _, h := range plan.creates {
		events = append(events, s.newAuditEvent(actor, estateID, "household.create", "household", h.ID, nil, householdSummary(h)))
	}
	for i, h := range plan.updates {
		events = append(events, s.newAuditEvent(actor, estateID, "household.update", "household", h.ID,
			householdSummary(plan.before[i]), householdSummary(h)))
	}
	if len(events) == 0 {
		return nil
	}
	heads, err := s.lockChainHeads(tx, estateID, events)
	if err != nil {
		return err
	}
	for _, e := range events {
		head := heads[e.ChainID]
		e.Seq, e.PrevHash = head.Seq+1, head.HeadHash
		e.Hash = chainHash(e.PrevHash, canonicalAuditEvent(e))
		head.Seq, head.PrevHash, head.HeadHash = e.Seq, e.PrevHash, e.Hash
	}
	if err := s.insertAuditEvents(tx, events); err != nil {
		return err
	}
	return s.saveChainHeads(tx, heads)
}

// lockChainHeads reads the heads of the events' chains, locked until the
// commit on MySQL (in chain order, as every bulk writer takes them); a
// chain without a head starts at the genesis hash.
func (s *Service) lockChainHeads(tx *store.Tx, estateID string, events []*model.AuditEvent) (map[string]*model.AuditChain, error) {
	if s.db.Dialect == model.MySQL {
		if err := tx.EnsureAuditChainHeads(estateID, auditShards); err != nil {
			return nil, err
		}
	}
	heads := map[string]*model.AuditChain{}
	var chainIDs []string
	for _, e := range events {
		if heads[e.ChainID] == nil {
			heads[e.ChainID] = &model.AuditChain{ChainID: e.ChainID, EstateID: e.EstateID, HeadHash: auditGenesis}
			chainIDs = append(chainIDs, e.ChainID)
		}
	}
	sort.Strings(chainIDs)
	query := tx.Gorm().Where("chain_id IN ?", chainIDs).Order("chain_id")
	if s.db.Dialect == model.MySQL {
		query = query.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var stored []model.AuditChain
	if err := query.Find(&stored).Error; err != nil {
		return nil, err
	}
	for i := range stored {
		heads[stored[i].ChainID] = &stored[i]
	}
	return heads, nil
}

// auditBatchRows bounds the events per insert statement.
const auditBatchRows = 250

// insertAuditEvents writes events whose place in their chain is set, in
// multi-row statements of importBatchSize rows.
func (s *Service) insertAuditEvents(tx *store.Tx, events []*model.AuditEvent) error {
	const columns = `id, chain_id, estate_id, actor_kind, actor_id, actor_role, channel, action, object_type,
		object_id, before_summary, after_summary, request_id, occurred_at, seq, prev_hash, hash`
	const placeholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	size := min(s.importBatchSize(), auditBatchRows)
	for start := 0; start < len(events); start += size {
		batch := events[start:min(start+size, len(events))]
		args := make([]any, 0, 17*len(batch))
		for _, e := range batch {
			args = append(args, e.ID, e.ChainID, e.EstateID, e.ActorKind, e.ActorID, e.ActorRole, e.Channel, e.Action,
				e.ObjectType, e.ObjectID, e.BeforeSummary, e.AfterSummary, e.RequestID, e.OccurredAt, e.Seq, e.PrevHash, e.Hash)
		}
		sql := "INSERT INTO audit_events (" + columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(placeholders+", ", len(batch)), ", ")
		if err := tx.Gorm().Exec(sql, args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// saveChainHeads writes each head's new sequence number and hashes.
func (s *Service) saveChainHeads(tx *store.Tx, heads map[string]*model.AuditChain) error {
	chainIDs := make([]string, 0, len(heads))
	for id := range heads {
		chainIDs = append(chainIDs, id)
	}
	sort.Strings(chainIDs)
	var statements []model.Statement
	for _, id := range chainIDs {
		h := heads[id]
		if h.Seq == 0 {
			continue // not appended to
		}
		if s.db.Dialect == model.MySQL {
			statements = append(statements, model.Statement{
				SQL:  `UPDATE audit_chains SET seq = ?, prev_hash = ?, head_hash = ? WHERE chain_id = ?`,
				Args: []any{h.Seq, h.PrevHash, h.HeadHash, h.ChainID}})
			continue
		}
		statements = append(statements, model.Statement{
			SQL: `INSERT INTO audit_chains (chain_id, estate_id, seq, prev_hash, head_hash) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (chain_id) DO UPDATE SET seq = excluded.seq, prev_hash = excluded.prev_hash, head_hash = excluded.head_hash`,
			Args: []any{h.ChainID, h.EstateID, h.Seq, h.PrevHash, h.HeadHash}})
	}
	_, err := tx.ExecBatch(statements)
	return err
}
