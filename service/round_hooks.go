package service

import (
	"strings"

	"minyi/model"
	"minyi/store"
)

// checkRoundRevision verifies that the revision a round names belongs to its
// estate. Errors: revision_not_found (422, field revision_id).
func (s *Service) checkRoundRevision(tx *store.Tx, round *model.Round) error {
	if round.RevisionID == nil {
		return nil
	}
	return s.checkRevisionOfEstate(tx, *round.RevisionID, round.EstateID)
}

// maxUnansweredListed bounds the objections listed in an objections_unanswered error.
const maxUnansweredListed = 100

// beforeOpenRound runs the checks a round must pass before it opens. A plan
// round on a revision newer than an earlier closed round's revision (a round
// without one consulted on the original plan, version 0) needs every
// objection of those earlier rounds answered; otherwise 409
// objections_unanswered lists them. An admin may force the opening; who
// forced it, when, and what was unanswered is recorded.
// Errors: objections_unanswered, force_admin_only.
func (s *Service) beforeOpenRound(tx *store.Tx, actor Actor, round *model.Round, force bool) error {
	if round.Kind != KindPlan || round.RevisionID == nil {
		return nil
	}
	version, err := tx.RevisionVersion(*round.RevisionID)
	if err != nil {
		return err
	}
	unanswered, err := tx.EarlierObjections(store.EarlierObjectionsFilter{EstateID: round.EstateID,
		EndedStatuses: []string{RoundClosed, RoundFinal, RoundVoided}, BeforeSeq: round.Seq, OlderThan: version,
		ObjectionStatus: ObjectionOpen})
	if err != nil {
		return err
	}
	if len(unanswered) == 0 {
		return nil
	}
	if !force {
		listed := []map[string]any{}
		for _, o := range unanswered[:min(len(unanswered), maxUnansweredListed)] {
			listed = append(listed, map[string]any{"id": o.ID, "round_id": o.RoundID, "category": o.Category, "plan_item": o.PlanItem})
		}
		e := Conflict("objections_unanswered", "every objection of the earlier round needs an answer before the revised plan is consulted on")
		e.Extra = map[string]any{"count": len(unanswered), "objections": listed}
		return e
	}
	if !RoleAllowed(ActGovernRounds, actor.Role) {
		return Forbidden("force_admin_only")
	}
	ids := make([]string, len(unanswered))
	for i, o := range unanswered {
		ids[i] = o.ID
	}
	s.audit(tx, actor, round.EstateID, "round.force_open", "round", round.ID, nil, map[string]any{"unanswered_objections": ids})
	return tx.Insert(&model.RoundOpenOverride{RoundID: round.ID, ForcedBy: actor.ID, ForcedRole: actor.Role,
		RequestID: actor.RequestID, UnansweredIDs: strings.Join(ids, ","), ForcedAt: s.Now()})
}

// afterRoundOpened runs in the transaction that opened the round, after
// its electorate was frozen: it enqueues the round_opened messages.
func (s *Service) afterRoundOpened(tx *store.Tx, round *model.Round) {
	s.notifyRoundOpened(tx, round)
}

// afterRoundClosed runs in the transaction that closed the round: it
// enqueues the result_published messages.
func (s *Service) afterRoundClosed(tx *store.Tx, round *model.Round, passed bool) {
	s.notifyResultPublished(tx, round, passed)
}
