package service

import (
	"sort"

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
	if err := tx.InsertAuditEvents(events); err != nil {
		return err
	}
	return s.saveChainHeads(tx, heads)
}

// lockChainHeads reads the heads of the events' chains, locked until the
// commit on MySQL (in chain order, as every bulk writer takes them); a
// chain without a head starts at the genesis hash.
func (s *Service) lockChainHeads(tx *store.Tx, estateID string, events []*model.AuditEvent) (map[string]*model.AuditChain, error) {
	heads := map[string]*model.AuditChain{}
	var chainIDs []string
	for _, e := range events {
		if heads[e.ChainID] == nil {
			heads[e.ChainID] = &model.AuditChain{ChainID: e.ChainID, EstateID: e.EstateID, HeadHash: auditGenesis}
			chainIDs = append(chainIDs, e.ChainID)
		}
	}
	sort.Strings(chainIDs)
	stored, err := tx.LockAuditChainHeads(estateID, auditShards, chainIDs)
	if err != nil {
		return nil, err
	}
	for i := range stored {
		heads[stored[i].ChainID] = &stored[i]
	}
	return heads, nil
}

// saveChainHeads writes each head's new sequence number and hashes, in chain order.
func (s *Service) saveChainHeads(tx *store.Tx, heads map[string]*model.AuditChain) error {
	chainIDs := make([]string, 0, len(heads))
	for id := range heads {
		chainIDs = append(chainIDs, id)
	}
	sort.Strings(chainIDs)
	ordered := make([]*model.AuditChain, len(chainIDs))
	for i, id := range chainIDs {
		ordered[i] = heads[id]
	}
	return tx.SaveAuditChainHeads(ordered)
}
