package service

import (
	"context"
	"errors"

	"minyi/model"
	"minyi/store"
)

// A chunk of an offline batch is written as one batch of sign-offs
// (signoff_batches.go): its households' targets and sign-offs are read in
// three statements, each record is checked and planned against its
// household's state so far in the chunk, and the plan (sign-offs, history,
// visits, audit events, counters and the rows that remember the applied
// records) is written in a few multi-row statements.

// syncChunk applies records in one transaction, retried as a whole when it
// loses a race. Results are written only once the transaction commits.
func (s *Service) syncChunk(ctx context.Context, actor Actor, roundID string, records []SyncRecordInput, chunk []int, results []SyncResult) error {
	caller := actor.Kind + ":" + actor.ID
	var outcome map[int]SyncResult
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		outcome = make(map[int]SyncResult, len(chunk))
		remembered, err := s.rememberedResults(tx, caller, records, chunk)
		if err != nil {
			return err
		}
		var fresh []int
		for _, i := range chunk {
			rec := &records[i]
			if first, ok := remembered[rec.ClientID]; ok {
				first.ClientID, first.Type, first.HouseholdID = rec.ClientID, rec.Type, rec.HouseholdID
				outcome[i] = first.asDuplicate()
				continue
			}
			fresh = append(fresh, i)
		}
		if len(fresh) == 0 {
			return nil
		}
		plan := &signOffBatchPlan{households: map[householdKey]*batchedHousehold{}, counters: map[store.CounterMove]*store.CounterMove{}}
		if err := plan.readSyncTargets(tx, actor, roundID, records, fresh); err != nil {
			return err
		}
		for _, i := range fresh {
			rec := &records[i]
			result := SyncResult{ClientID: rec.ClientID, Type: rec.Type, HouseholdID: rec.HouseholdID, Status: SyncApplied}
			err := s.planSyncRecord(tx, actor, roundID, rec, plan, &result)
			var se *Error
			if errors.As(err, &se) {
				result.reject(se) // a record's own problem: it added nothing to the plan
				outcome[i] = result
				continue
			}
			if err != nil {
				return err
			}
			outcome[i] = result
			row, err := s.syncRecordOf(caller, actor, roundID, rec, result)
			if err != nil {
				return err
			}
			plan.syncRecords = append(plan.syncRecords, row)
		}
		return s.writeSignOffBatch(tx, plan)
	})
	if err != nil {
		return err
	}
	for i, r := range outcome {
		results[i] = r
	}
	return nil
}

// readSyncTargets reads the round, the households' electorate entries and
// the caller's assignments for the chunk's records, then locks the
// sign-offs of the households that sign-off and withdrawal records touch:
// the round in share mode first, then the rows, the same order as a single
// sign-off, so the two never deadlock.
func (p *signOffBatchPlan) readSyncTargets(tx *store.Tx, actor Actor, roundID string, records []SyncRecordInput, chunk []int) error {
	p.read = map[store.SignOffKey]bool{}
	targeted := map[store.SignOffKey]bool{}
	var keys, signed []store.SignOffKey
	for _, i := range chunk {
		key := store.SignOffKey{RoundID: roundID, HouseholdID: records[i].HouseholdID}
		if !targeted[key] {
			targeted[key] = true
			keys = append(keys, key)
		}
		if records[i].Type != SyncVisit && !p.read[key] {
			p.read[key] = true
			signed = append(signed, key)
		}
	}
	var err error
	if p.targets, err = tx.SignOffTargetsOf(keys, []string{actor.ID}); err != nil {
		return err
	}
	p.locked, err = tx.LockSignOffs(signed)
	return err
}

// planSyncRecord checks one validated record and adds its writes to the
// plan. A sign-off or withdrawal dated before the household's current
// decision only adds a history entry ("sync-superseded:<client_id>", the
// current version) and an audit event; an applied one dates the sign-off by
// the device's time. A *Error is the record's own problem, found before it
// added anything.
func (s *Service) planSyncRecord(tx *store.Tx, actor Actor, roundID string, rec *SyncRecordInput, plan *signOffBatchPlan, result *SyncResult) error {
	synced := actor
	synced.Channel, synced.RequestID = ChannelSync, "sync:"+rec.ClientID
	action := ActRecordSignOffs
	if rec.Type == SyncVisit {
		action = ActRecordVisits
	}
	row, readErr := plan.targets.Target(roundID, rec.HouseholdID, actor.ID, actor.Role)
	target, err := s.checkSignOffTarget(tx, synced, rec.HouseholdID, action, row, readErr)
	if err != nil {
		return err
	}
	now := s.Now()
	if err := deadlineError(target.ClosesAt, target.LateSyncHours, now, &rec.RecordedAt); err != nil {
		return err
	}
	if rec.Type == SyncVisit {
		visit := &model.Visit{ID: newID(), RoundID: target.RoundID, HouseholdID: target.HouseholdID, Outcome: rec.Visit.Outcome,
			Note: rec.Visit.Note, Channel: synced.Channel, ActorKind: synced.Kind, ActorID: synced.ID, RequestID: synced.RequestID,
			VisitedAt: rec.RecordedAt, RecordedAt: now}
		plan.visits = append(plan.visits, visit)
		plan.audit = append(plan.audit, s.newAuditEvent(synced, target.EstateID, "visit.record", "visit", visit.ID, nil,
			map[string]any{"round_id": target.RoundID, "household_id": target.HouseholdID, "outcome": visit.Outcome}))
		result.VisitID = visit.ID
		return nil
	}
	in := rec.SignOff
	if rec.Type == SyncWithdraw {
		in = SignOffInput{Decision: DecisionWithdrawn, Channel: rec.SignOff.Channel}
	}
	key := householdKey{target.RoundID, target.HouseholdID}
	h := plan.households[key]
	if h == nil {
		existing := plan.locked[store.SignOffKey{RoundID: target.RoundID, HouseholdID: target.HouseholdID}]
		h = &batchedHousehold{signOff: existing, existed: existing != nil, building: target.Building}
	}
	latest := h.signOff
	if latest != nil && rec.RecordedAt.Before(latest.RecordedAt) {
		result.Superseded = true
		result.SignOff = &SyncDecision{Decision: latest.Decision, Version: latest.Version, RecordedAt: latest.RecordedAt}
		plan.audit = append(plan.audit, s.newAuditEvent(synced, target.EstateID, "signoff.sync_superseded", "sign_off", latest.ID, nil,
			map[string]any{"decision": in.Decision, "client_id": rec.ClientID}))
		plan.events = append(plan.events, model.SignOffEvent{ID: newID(), RoundID: latest.RoundID, HouseholdID: latest.HouseholdID,
			Version: latest.Version, OldDecision: latest.Decision, NewDecision: in.Decision, Channel: in.Channel,
			SignerName: in.SignerName, Comment: in.Comment, ActorKind: synced.Kind, ActorID: synced.ID,
			ActorRole: synced.Role, RequestID: "sync-superseded:" + rec.ClientID, RecordedAt: now})
		return nil
	}
	if err := s.checkProxyEvidence(tx, target, in); err != nil {
		return err
	}
	next, old, changed, err := nextSignOff(latest, target, synced, in, rec.RecordedAt)
	if err != nil {
		return err
	}
	plan.keep(key, h, next, changed)
	if changed {
		s.planChange(plan, synced, target, old, in, &next, now)
		s.noteSignOff(tx, &next)
	}
	result.SignOff = &SyncDecision{Decision: next.Decision, Version: next.Version, RecordedAt: next.RecordedAt}
	return nil
}
