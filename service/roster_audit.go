package service

import (
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
	chains := map[string]string{}
	for _, e := range events {
		chains[e.ChainID] = e.EstateID
	}
	heads, err := tx.LockAuditChainHeads(chains, auditShards)
	if err != nil {
		return err
	}
	moved, err := store.ChainAuditEvents(events, heads)
	if err != nil {
		return err
	}
	if err := tx.InsertAuditEvents(events); err != nil {
		return err
	}
	return tx.SaveAuditChainHeads(moved)
}
