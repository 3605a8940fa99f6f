package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"minyi/model"
	"minyi/store"
)

// Sign-offs are committed in groups. A request joins the queue; the first
// one in the queue leads: it waits for the batch before it to commit (one
// batch of a service commits at a time), lets the queue fill for up to
// signOffGatherWindow when requests came in groups lately, then takes up to
// maxSignOffBatch requests and commits them in one write transaction with
// multi-row statements (store.WriteSignOffBatch): each touched counter and
// audit chain is written once. Each request is checked on its own inside
// that transaction; one that fails its checks gets its own error and is
// left out. Every request is answered after the commit. A batch that fails
// as a whole (a deadlock that retries do not cure, a database error) is
// split in halves, down to single requests, which run the one-request path.

// maxSignOffBatch is the most requests one transaction commits.
const maxSignOffBatch = 128

// signOffGatherWindow is how long a leader lets the queue fill when the
// previous batch held more than one request (a lone request waits for nothing).
const signOffGatherWindow = 2 * time.Millisecond

// signOffRequest is one sign-off waiting for its batch.
type signOffRequest struct {
	ctx   context.Context
	actor Actor
	// prepare runs the request's checks in the batch's transaction and
	// returns its target and decision.
	prepare func(tx *store.Tx) (*signOffTarget, SignOffInput, error)
	// finish, if set, runs after the request's change is planned (the
	// sign-off as it now is, changed or not).
	finish func(tx *store.Tx, t *signOffTarget, in SignOffInput, so *model.SignOff) error
	// staff, for a staff sign-off, names its round and household, so that
	// the batch reads the targets of all of them at once (prepare is then not used).
	staff *staffSignOff
	// resident, for a resident's sign-off, is the same (prepare is then not used).
	resident *residentSignOff
	// alone is the request on the one-request path (a batch of one, a split batch).
	alone func(ctx context.Context) (model.SignOff, error)

	result   model.SignOff
	err      error
	claimed  bool // its idempotency claim is in the batch's transaction
	answered bool // result and err are final
	wake     chan struct{}
	done     bool // answered, the batch is over
}

// signOffBatcher is a service's queue of sign-offs.
type signOffBatcher struct {
	mu      sync.Mutex
	queue   []*signOffRequest
	leading bool          // the queue's first request leads it
	slot    chan struct{} // held by the committing batch
	lastLen int           // the size of the last batch

	batches  atomic.Int64 // batches of more than one request committed
	batched  atomic.Int64 // requests answered by those batches
	maxBatch atomic.Int64 // the largest batch committed
}

// staffSignOff is a staff sign-off's round, household and decision.
type staffSignOff struct {
	roundID, householdID string
	in                   SignOffInput
}

// residentSignOff is a resident's sign-off's round, the household they
// named ("" for their only one in the round's estate) and decision; chosen
// and refused are what the batch's reads found: the household it is for,
// or why the request is refused.
type residentSignOff struct {
	roundID, householdID string
	in                   SignOffInput
	chosen               string
	refused              error
}

// commitSignOff queues a sign-off and returns once its batch has committed
// (or refused it).
func (s *Service) commitSignOff(r *signOffRequest) (model.SignOff, error) {
	r.wake = make(chan struct{}, 1)
	b := s.signOffs
	b.mu.Lock()
	b.queue = append(b.queue, r)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if !lead {
		<-r.wake // answered, or made the queue's leader
	}
	if !r.done {
		s.leadSignOffBatch(b)
	}
	return r.result, r.err
}

// leadSignOffBatch commits the batch at the head of the queue; the caller's
// request is its first.
func (s *Service) leadSignOffBatch(b *signOffBatcher) {
	b.slot <- struct{}{}
	b.mu.Lock()
	gather := b.lastLen > 1
	b.mu.Unlock()
	if gather {
		deadline := time.Now().Add(signOffGatherWindow)
		for time.Now().Before(deadline) {
			b.mu.Lock()
			n := len(b.queue)
			b.mu.Unlock()
			if n >= maxSignOffBatch {
				break
			}
			time.Sleep(signOffGatherWindow / 8)
		}
	}
	b.mu.Lock()
	n := min(len(b.queue), maxSignOffBatch)
	batch := b.queue[:n:n]
	b.queue = append([]*signOffRequest(nil), b.queue[n:]...)
	b.lastLen = n
	var next *signOffRequest
	if len(b.queue) > 0 {
		next = b.queue[0] // it leads the next batch, which gathers while this one commits
	} else {
		b.leading = false
	}
	b.mu.Unlock()
	if next != nil {
		next.wake <- struct{}{}
	}
	defer func() {
		// Whatever happens (a panic in a request's checks), the slot is
		// given back and every request answered: one that has no answer
		// yet gets an internal error; the panic goes on in the leader.
		p := recover()
		<-b.slot
		for i, r := range batch {
			if !r.answered {
				r.err = AsError(fmt.Errorf("the sign-off batch stopped: %v", p))
			}
			r.done = true
			if i > 0 {
				r.wake <- struct{}{}
			}
		}
		if p != nil {
			panic(p)
		}
	}()
	s.runSignOffBatch(batch)
}

// runSignOffBatch commits a batch, splitting it in halves when it fails as a whole.
func (s *Service) runSignOffBatch(batch []*signOffRequest) {
	if len(batch) == 1 {
		r := batch[0]
		r.result, r.err = r.alone(r.ctx)
		r.answered = true
		return
	}
	err := s.commitSignOffBatch(context.WithoutCancel(batch[0].ctx), batch)
	if err == nil {
		for _, r := range batch {
			r.answered = true
		}
		b := s.signOffs
		b.batches.Add(1)
		b.batched.Add(int64(len(batch)))
		for {
			largest := b.maxBatch.Load()
			if int64(len(batch)) <= largest || b.maxBatch.CompareAndSwap(largest, int64(len(batch))) {
				break
			}
		}
		return
	}
	half := len(batch) / 2
	s.runSignOffBatch(batch[:half])
	s.runSignOffBatch(batch[half:])
}

// ownError reports whether err is a request's own answer (a rule it broke),
// not a failure of the database that fails the whole batch.
func ownError(err error) bool {
	var se *Error
	return errors.As(err, &se) && se.Kind != KindInternal && se.Kind != KindUnavailable
}

// householdKey names a household in a round.
type householdKey struct{ round, household string }

// batchedHousehold is a household's sign-off as the batch has left it so far.
type batchedHousehold struct {
	signOff  *model.SignOff // nil: none yet
	existed  bool           // it had a sign-off before the batch
	changed  bool
	building string
}

// signOffBatchPlan collects the writes of a batch as its requests are checked.
type signOffBatchPlan struct {
	households map[householdKey]*batchedHousehold
	order      []householdKey
	events     []model.SignOffEvent
	audit      []*model.AuditEvent
	counters   map[store.CounterMove]*store.CounterMove // keyed by round, building and decision only
	counterIDs []store.CounterMove
	// visits and syncRecords are an offline batch's visits and the rows
	// that remember its applied records (sync_batch.go).
	visits      []*model.Visit
	syncRecords []model.SyncRecord
	// targets and locked are read for the staff and residents' sign-offs at once.
	targets *store.SignOffTargets
	locked  map[store.SignOffKey]*model.SignOff
	read    map[store.SignOffKey]bool // the keys LockSignOffs was asked for
}

// readTargets reads the targets of the batch's staff and residents'
// sign-offs and locks their sign-offs, a few statements for the whole
// batch: the residents' bindings and their households' signers (which
// household each resident signs for, as resolveMySigningHousehold), then the
// rounds, electorate entries and staff assignments, then the sign-offs.
func (p *signOffBatchPlan) readTargets(tx *store.Tx, batch []*signOffRequest) error {
	if err := p.resolveResidents(tx, batch); err != nil {
		return err
	}
	p.read = map[store.SignOffKey]bool{}
	var keys []store.SignOffKey
	users := map[string]bool{}
	var userIDs []string
	for _, r := range batch {
		var key store.SignOffKey
		switch {
		case r.staff != nil:
			key = store.SignOffKey{RoundID: r.staff.roundID, HouseholdID: r.staff.householdID}
			if !users[r.actor.ID] {
				users[r.actor.ID] = true
				userIDs = append(userIDs, r.actor.ID)
			}
		case r.resident != nil && r.resident.refused == nil:
			key = store.SignOffKey{RoundID: r.resident.roundID, HouseholdID: r.resident.chosen}
		default:
			continue
		}
		if !p.read[key] {
			p.read[key] = true
			keys = append(keys, key)
		}
	}
	var err error
	if p.targets, err = tx.SignOffTargetsOf(keys, userIDs); err != nil {
		return err
	}
	p.locked, err = tx.LockSignOffs(keys)
	return err
}

// resolveResidents finds the household each resident's request signs for,
// or its refusal, in two statements (resolveMySigningHousehold's rules).
func (p *signOffBatchPlan) resolveResidents(tx *store.Tx, batch []*signOffRequest) error {
	var pairs []store.ResidentRound
	for _, r := range batch {
		if r.resident != nil {
			pairs = append(pairs, store.ResidentRound{ResidentID: r.actor.ID, RoundID: r.resident.roundID})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	bindings, err := tx.ResidentRoundBindingsOf(pairs)
	if err != nil {
		return err
	}
	var chosen []string
	for _, r := range batch {
		if r.resident == nil {
			continue
		}
		pair := store.ResidentRound{ResidentID: r.actor.ID, RoundID: r.resident.roundID}
		r.resident.chosen, r.resident.refused = chooseMyHousehold(bindings[pair], r.resident.householdID)
		if r.resident.refused == nil {
			chosen = append(chosen, r.resident.chosen)
		}
	}
	signers, err := tx.HouseholdSignersOf(chosen)
	if err != nil {
		return err
	}
	for _, r := range batch {
		if r.resident != nil && r.resident.refused == nil &&
			!signers[model.HouseholdSigner{HouseholdID: r.resident.chosen, ResidentID: r.actor.ID}] {
			r.resident.refused = Forbidden("not_household_signer")
		}
	}
	return nil
}

// commitSignOffBatch runs the batch in one write transaction (retried on a
// deadlock or a lost insert race); the requests' answers are set when it commits.
func (s *Service) commitSignOffBatch(ctx context.Context, batch []*signOffRequest) error {
	// Each request's idempotency claim is recorded by its own plan, not by inTx.
	err := s.inTx(ctx, Actor{}, func(tx *store.Tx) error {
		plan := &signOffBatchPlan{households: map[householdKey]*batchedHousehold{}, counters: map[store.CounterMove]*store.CounterMove{}}
		if err := plan.readTargets(tx, batch); err != nil {
			return err
		}
		for _, r := range batch {
			r.result, r.err, r.claimed = model.SignOff{}, nil, false
			if err := s.planBatchedSignOff(tx, r, plan); err != nil {
				if !ownError(err) {
					return err
				}
				r.err = err
			}
		}
		return s.writeSignOffBatch(tx, plan)
	})
	if err != nil {
		return err
	}
	for _, r := range batch {
		if r.claimed {
			r.actor.Idempotency.recorded = true
		}
	}
	return nil
}

// planBatchedSignOff checks one request and adds its change to the plan
// (applyDecision's rules, against the household's state in the batch).
func (s *Service) planBatchedSignOff(tx *store.Tx, r *signOffRequest, plan *signOffBatchPlan) error {
	var target *signOffTarget
	var in SignOffInput
	var err error
	if r.staff != nil {
		row, readErr := plan.targets.Target(r.staff.roundID, r.staff.householdID, r.actor.ID, r.actor.Role)
		in = r.staff.in
		target, err = s.checkSignOffTarget(tx, r.actor, r.staff.householdID, ActRecordSignOffs, row, readErr)
	} else if r.resident != nil {
		if r.resident.refused != nil {
			return r.resident.refused
		}
		in = r.resident.in
		row, readErr := plan.targets.Target(r.resident.roundID, r.resident.chosen, r.actor.ID, r.actor.Role)
		if readErr != nil {
			return notFoundAs(readErr, "round_not_found")
		}
		// The binding read by resolveResidents shows the round's estate to the resident.
		target, err = s.checkSeenSignOffTarget(r.actor, r.resident.chosen, row, s.decide(r.actor, ActResident, true))
	} else {
		target, in, err = r.prepare(tx)
	}
	if err != nil {
		return err
	}
	key := householdKey{target.RoundID, target.HouseholdID}
	h := plan.households[key]
	if h == nil {
		storeKey := store.SignOffKey{RoundID: target.RoundID, HouseholdID: target.HouseholdID}
		existing := plan.locked[storeKey]
		if !plan.read[storeKey] {
			if existing, err = tx.LockSignOff(target.RoundID, target.HouseholdID); err != nil {
				return err
			}
		}
		h = &batchedHousehold{signOff: existing, existed: existing != nil, building: target.Building}
	}
	if err := s.checkProxyEvidence(tx, target, in); err != nil {
		return err
	}
	actor := r.actor
	result, old, changed, err := nextSignOff(h.signOff, target, actor, in, s.Now())
	if err != nil {
		return err
	}
	if !changed {
		return s.acceptBatched(tx, r, plan, key, h, target, in, result, false) // nothing changes
	}
	if err := s.acceptBatched(tx, r, plan, key, h, target, in, result, true); err != nil {
		return err
	}
	s.planChange(plan, actor, target, old, in, &result, result.RecordedAt)
	s.noteSignOff(tx, &r.result)
	return nil
}

// nextSignOff is a household's sign-off after a decision (applyDecision's
// rules): current is its sign-off so far (nil: none), recordedAt the new
// version's time. changed is false when the same decision came again (result
// is then current). Errors: signoff_not_found (a withdrawal of nothing).
func nextSignOff(current *model.SignOff, target *signOffTarget, actor Actor, in SignOffInput, recordedAt time.Time) (result model.SignOff, old string, changed bool, err error) {
	if current != nil {
		result = *current
		old = result.Decision
		if in.Decision == DecisionWithdrawn && !counted(old) {
			return model.SignOff{}, "", false, NotFound("signoff_not_found")
		}
		if old == in.Decision && result.Channel == in.Channel && result.SignerName == in.SignerName &&
			result.Comment == in.Comment && result.EvidenceURL == in.EvidenceURL &&
			result.PrincipalName == in.PrincipalName && result.EvidenceUploadID == in.EvidenceUploadID {
			return result, old, false, nil
		}
		result.Version++
	} else {
		if in.Decision == DecisionWithdrawn {
			return model.SignOff{}, "", false, NotFound("signoff_not_found")
		}
		result = model.SignOff{ID: newID(), RoundID: target.RoundID, HouseholdID: target.HouseholdID, Building: target.Building, Version: 1}
	}
	result.Decision, result.Channel, result.SignerName = in.Decision, in.Channel, in.SignerName
	result.EvidenceURL, result.Comment = in.EvidenceURL, in.Comment
	result.PrincipalName, result.EvidenceUploadID = in.PrincipalName, in.EvidenceUploadID
	result.ActorKind, result.ActorID, result.RecordedAt = actor.Kind, actor.ID, recordedAt
	return result, old, true, nil
}

// planChange adds a sign-off's change (from old to result) to the plan: its
// history entry, dated changedAt, its audit event and its counter moves.
func (s *Service) planChange(plan *signOffBatchPlan, actor Actor, target *signOffTarget, old string, in SignOffInput, result *model.SignOff, changedAt time.Time) {
	plan.events = append(plan.events, model.SignOffEvent{ID: newID(), RoundID: target.RoundID,
		HouseholdID: target.HouseholdID, Version: result.Version, OldDecision: old, NewDecision: in.Decision, Channel: in.Channel,
		SignerName: in.SignerName, Comment: in.Comment, ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: actor.Role,
		RequestID: actor.RequestID, RecordedAt: changedAt})
	plan.audit = append(plan.audit, s.signOffAuditEvent(actor, target, old, result))
	if old != in.Decision {
		if counted(old) {
			plan.moveCounter(target.RoundID, target.Building, old, -1, -target.AreaHundredths)
		}
		if counted(in.Decision) {
			plan.moveCounter(target.RoundID, target.Building, in.Decision, 1, target.AreaHundredths)
		}
	}
}

// acceptBatched records the request's idempotency claim (a collision
// refuses the request alone), then makes result the household's state in
// the batch and the request's answer, and runs the request's finish.
func (s *Service) acceptBatched(tx *store.Tx, r *signOffRequest, plan *signOffBatchPlan, key householdKey,
	h *batchedHousehold, target *signOffTarget, in SignOffInput, result model.SignOff, changed bool) error {
	if claim := r.actor.Idempotency; claim != nil && !claim.recorded {
		if err := s.recordIdempotencyClaim(tx, claim); err != nil {
			return err
		}
		r.claimed = true
	}
	plan.keep(key, h, result, changed)
	r.result = result
	if r.finish != nil {
		return r.finish(tx, target, in, &r.result)
	}
	return nil
}

// keep makes h one of the plan's households (once, in the order first
// seen) and, when the request changed it, signOff its state so far.
func (p *signOffBatchPlan) keep(key householdKey, h *batchedHousehold, signOff model.SignOff, changed bool) {
	if _, seen := p.households[key]; !seen {
		p.households[key] = h
		p.order = append(p.order, key)
	}
	if changed {
		h.signOff, h.changed = &signOff, true
	}
}

// moveCounter adds a move to a counter's sum.
func (p *signOffBatchPlan) moveCounter(roundID, building, decision string, households, area int64) {
	id := store.CounterMove{RoundID: roundID, Building: building, Decision: decision}
	m := p.counters[id]
	if m == nil {
		m = &store.CounterMove{RoundID: roundID, Building: building, Decision: decision}
		p.counters[id] = m
		p.counterIDs = append(p.counterIDs, id)
	}
	m.Households += households
	m.AreaHundredths += area
}

// writeSignOffBatch writes the plan: the audit chains' heads are locked
// and the events chained here, then everything goes in one batch.
func (s *Service) writeSignOffBatch(tx *store.Tx, plan *signOffBatchPlan) error {
	batch := store.SignOffBatch{Events: plan.events, Audit: plan.audit, Visits: plan.visits, SyncRecords: plan.syncRecords}
	for _, key := range plan.order {
		h := plan.households[key]
		switch {
		case !h.changed:
		case h.existed:
			batch.Updates = append(batch.Updates, h.signOff)
		default:
			batch.Inserts = append(batch.Inserts, h.signOff)
		}
	}
	for _, id := range plan.counterIDs {
		batch.Counters = append(batch.Counters, *plan.counters[id])
	}
	var moved []model.AuditChain
	if len(batch.Audit) > 0 {
		chains := map[string]string{}
		for _, e := range batch.Audit {
			chains[e.ChainID] = e.EstateID
		}
		heads, err := tx.LockAuditChainHeads(chains, auditShards)
		if err != nil {
			return err
		}
		if moved, err = store.ChainAuditEvents(batch.Audit, heads); err != nil {
			return err
		}
		tx.MarkAudited()
	}
	err := tx.WriteSignOffBatch(batch, moved)
	if errors.Is(err, model.ErrConflict) {
		// Another transaction inserted one of the households first, or
		// remembered one of the offline records: the retry sees it.
		return errRetry
	}
	return err
}

// SignOffBatchStats are the counts of a service's committed sign-off
// batches of more than one request: how many, how many requests they
// answered and the largest.
type SignOffBatchStats struct {
	Batches  int64
	Requests int64
	Largest  int64
}

// SignOffBatchStats reports how the service's sign-offs were grouped.
func (s *Service) SignOffBatchStats() SignOffBatchStats {
	b := s.signOffs
	return SignOffBatchStats{Batches: b.batches.Load(), Requests: b.batched.Load(), Largest: b.maxBatch.Load()}
}
