package service

import (
	"context"
	"sort"
	"strings"
	"time"

	"minyi/model"
	"minyi/store"
)

// RecentRoundWindow is how long after closing a round still shows among a
// resident's rounds.
const RecentRoundWindow = 90 * 24 * time.Hour

// MySignOffInput is a resident's decision for one of their households.
type MySignOffInput struct {
	HouseholdID string // required when the resident has several households in the round's estate
	Decision    string
	Comment     string
}

// MySignOff is the recorded decision and whether its comment is published.
type MySignOff struct {
	SignOff       model.SignOff
	CommentStatus string // "" without comment, else published or held
}

// RecordMySignOff records a resident's decision for their household in an
// open round, through the same path as staff sign-offs (one per household,
// versioned, in the history, counted incrementally), with channel online. A
// comment is checked by the moderator first: rejected → 422
// content_rejected, review → recorded but held. Errors: validation_failed,
// round_not_found, household_required, household_not_found,
// round_not_open, household_not_in_round, content_rejected.
func (s *Service) RecordMySignOff(ctx context.Context, actor Actor, roundID string, in MySignOffInput) (*MySignOff, error) {
	if actor.Kind != ActorResident {
		return nil, Forbidden("forbidden")
	}
	decision := SignOffInput{Decision: in.Decision, Comment: strings.TrimSpace(in.Comment)}
	if err := decision.validate(true); err != nil {
		return nil, err
	}
	verdict := Verdict{Outcome: ModerationPublished}
	if decision.Comment != "" {
		// Refuse a bad round or household before the text goes to the moderator.
		if _, err := s.resolveMySigningHousehold(s.read(ctx), actor, roundID, in.HouseholdID); err != nil {
			return nil, AsError(err)
		}
		var err error
		if verdict, err = s.moderateText(ctx, actor, "comment", decision.Comment); err != nil {
			return nil, err
		}
	}
	commentStatus := ""
	if decision.Comment != "" {
		commentStatus = verdict.Outcome
	}
	prepare := func(tx *store.Tx) (*signOffTarget, SignOffInput, error) {
		householdID, err := s.resolveMySigningHousehold(tx, actor, roundID, in.HouseholdID)
		if err != nil {
			return nil, decision, err
		}
		target, err := s.loadSignOffTarget(tx, actor, roundID, householdID, ActResident)
		return target, decision, err
	}
	finish := func(tx *store.Tx, target *signOffTarget, _ SignOffInput, so *model.SignOff) error {
		if commentStatus != ModerationHeld {
			return nil
		}
		subject := ModerationSubject{Kind: SubjectSignOffComment, ID: so.ID, Version: so.Version, EstateID: target.EstateID}
		return s.holdForReview(tx, actor, subject, decision.Comment, verdict)
	}
	signOff, err := s.commitSignOff(&signOffRequest{ctx: ctx, actor: actor, prepare: prepare, finish: finish,
		resident: &residentSignOff{roundID: roundID, householdID: in.HouseholdID, in: decision},
		alone: func(ctx context.Context) (model.SignOff, error) {
			var result model.SignOff
			err := s.inTx(ctx, actor, func(tx *store.Tx) error {
				target, in, err := prepare(tx)
				if err != nil {
					return err
				}
				if err := s.applyDecision(tx, actor, target, in, &result); err != nil {
					return err
				}
				return finish(tx, target, in, &result)
			})
			return result, err
		},
	})
	if err != nil {
		return nil, err
	}
	return &MySignOff{SignOff: signOff, CommentStatus: commentStatus}, nil
}

// WithdrawMySignOff withdraws the decision of one of the resident's
// households while the round is open; the withdrawal stays in the history
// and leaves the tally. Errors: as RecordMySignOff, and signoff_not_found.
func (s *Service) WithdrawMySignOff(ctx context.Context, actor Actor, roundID, householdID string) error {
	if actor.Kind != ActorResident {
		return Forbidden("forbidden")
	}
	return s.inTx(ctx, actor, func(tx *store.Tx) error {
		householdID, err := s.resolveMySigningHousehold(tx, actor, roundID, householdID)
		if err != nil {
			return err
		}
		target, err := s.loadSignOffTarget(tx, actor, roundID, householdID, ActResident)
		if err != nil {
			return err
		}
		var result model.SignOff
		return s.applyDecision(tx, actor, target, SignOffInput{Decision: DecisionWithdrawn, Channel: ChannelOnline}, &result)
	})
}

// resolveMySigningHousehold is resolveMyHousehold for a write: only the
// household's designated signer may sign or withdraw (403 not_household_signer).
func (s *Service) resolveMySigningHousehold(tx *store.Tx, actor Actor, roundID, householdID string) (string, error) {
	chosen, err := s.resolveMyHousehold(tx, actor, roundID, householdID)
	if err != nil {
		return "", err
	}
	if err := checkHouseholdSigner(tx, chosen, actor.ID); err != nil {
		return "", err
	}
	return chosen, nil
}

// resolveMyHousehold finds the household a resident signs for in a round,
// in one query: the one named (it must be bound to the resident), or the
// only one the resident has in the round's estate. A round of an estate the
// resident has no household in is not found; a round that is not open is a
// conflict. Inside the writing transaction it also proves the binding still
// holds (a worker may have removed it a moment ago).
func (s *Service) resolveMyHousehold(tx *store.Tx, actor Actor, roundID, householdID string) (string, error) {
	rows, err := tx.ResidentRoundBindings(actor.ID, roundID)
	if err != nil {
		return "", err
	}
	return chooseMyHousehold(rows, householdID)
}

// chooseMyHousehold is resolveMyHousehold's choice among what it read: the
// round's status with the households the resident is bound to in its estate.
func chooseMyHousehold(rows []store.ResidentRoundBinding, householdID string) (string, error) {
	if len(rows) == 0 || rows[0].HouseholdID == nil {
		return "", NotFound("round_not_found")
	}
	bound := make([]string, len(rows))
	for i, r := range rows {
		bound[i] = *r.HouseholdID
	}
	chosen := ""
	switch {
	case householdID != "":
		for _, id := range bound {
			if id == householdID {
				chosen = id
			}
		}
		if chosen == "" {
			return "", NotFound("household_not_found")
		}
	case len(bound) == 1:
		chosen = bound[0]
	default:
		e := Invalid("household_required", map[string]string{"household_id": "you act for several households in this estate; name one"})
		e.Extra = map[string]any{"household_ids": bound}
		return "", e
	}
	if rows[0].Status != RoundOpen {
		return "", Conflict("round_not_open", "the round is "+rows[0].Status)
	}
	return chosen, nil
}

// MyRound is one round of one of a resident's households: the round, the
// household, its current decision (nil when none) and its history.
type MyRound struct {
	Round         RoundView
	Revision      *model.Revision // the plan revision the round consults on, if any
	EstateName    string
	Household     model.Household
	IsSigner      bool // the resident is the household's designated signer
	SignOff       *model.SignOff
	CommentStatus string // of the current decision's comment: "", published, held or rejected
	History       []MyHistoryEntry
}

// MyHistoryEntry is one change of the household's decision, as its resident sees it.
type MyHistoryEntry struct {
	Event         model.SignOffEvent
	ByMe          bool
	CommentStatus string
}

// MyRounds lists the open and recently closed rounds (RecentRoundWindow) of
// the calling resident's households in which the household votes, open
// ones first, each with that household's own decision and history. No other
// household's decision is included. Errors: forbidden.
func (s *Service) MyRounds(ctx context.Context, actor Actor) ([]MyRound, error) {
	if actor.Kind != ActorResident {
		return nil, Forbidden("forbidden")
	}
	tx := s.read(ctx)
	bound, err := s.boundHouseholds(tx, actor.ID, "")
	if err != nil {
		return nil, AsError(err)
	}
	if len(bound) == 0 {
		return []MyRound{}, nil
	}
	households := map[string]BoundHousehold{}
	householdIDs := make([]string, len(bound))
	for i, b := range bound {
		households[b.Household.ID], householdIDs[i] = b, b.Household.ID
	}
	members, err := tx.RoundMembershipsOfHouseholds(householdIDs)
	if err != nil {
		return nil, AsError(err)
	}
	if len(members) == 0 {
		return []MyRound{}, nil
	}
	roundIDs := make([]string, 0, len(members))
	for _, m := range members {
		roundIDs = append(roundIDs, m.RoundID)
	}
	rounds, err := tx.OpenOrRecentRounds(roundIDs, RoundOpen, []string{RoundClosed, RoundFinal, RoundVoided}, s.Now().Add(-RecentRoundWindow))
	if err != nil {
		return nil, AsError(err)
	}
	byID := map[string]*RoundView{}
	for _, r := range rounds {
		v, err := decodeRound(r)
		if err != nil {
			return nil, AsError(err)
		}
		byID[r.ID] = v
	}
	revisions, err := s.roundRevisions(tx, rounds)
	if err != nil {
		return nil, AsError(err)
	}
	signOffs, history, err := s.myDecisions(tx, roundIDs, householdIDs)
	if err != nil {
		return nil, AsError(err)
	}
	var out []MyRound
	for _, m := range members {
		v, ok := byID[m.RoundID]
		if !ok {
			continue
		}
		key := m.RoundID + "/" + m.HouseholdID
		item := MyRound{Round: *v, EstateName: households[m.HouseholdID].EstateName, Household: households[m.HouseholdID].Household,
			IsSigner: households[m.HouseholdID].IsSigner, History: []MyHistoryEntry{}}
		if v.RevisionID != nil {
			item.Revision = revisions[*v.RevisionID]
		}
		if so, ok := signOffs.rows[key]; ok {
			item.SignOff = &so
			if so.Comment != "" {
				item.CommentStatus = signOffs.status(so.ID, so.Version)
			}
		}
		for _, e := range history[key] {
			entry := MyHistoryEntry{Event: e, ByMe: e.ActorKind == ActorResident && e.ActorID == actor.ID}
			if e.Comment != "" && item.SignOff != nil {
				entry.CommentStatus = signOffs.status(item.SignOff.ID, e.Version)
			}
			item.History = append(item.History, entry)
		}
		out = append(out, item)
	}
	sortMyRounds(out)
	return out, nil
}

// roundRevisions reads the plan revisions the rounds consult on, by id.
func (s *Service) roundRevisions(tx *store.Tx, rounds []model.Round) (map[string]*model.Revision, error) {
	out := map[string]*model.Revision{}
	var ids []string
	for _, r := range rounds {
		if r.RevisionID != nil {
			ids = append(ids, *r.RevisionID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	revisions, err := tx.RevisionHeadings(ids)
	if err != nil {
		return nil, err
	}
	for i := range revisions {
		out[revisions[i].ID] = &revisions[i]
	}
	return out, nil
}

// myDecisionRows are the sign-offs of some households and the moderation
// status of their comments.
type myDecisionRows struct {
	rows     map[string]model.SignOff // by round_id/household_id
	statuses map[moderationKey]string
}

func (d myDecisionRows) status(signOffID string, version int) string {
	if st, ok := d.statuses[moderationKey{signOffID, version}]; ok {
		return st
	}
	return ModerationPublished
}

// myDecisions reads the sign-offs, histories and comment statuses of the
// given households in the given rounds.
func (s *Service) myDecisions(tx *store.Tx, roundIDs, householdIDs []string) (myDecisionRows, map[string][]model.SignOffEvent, error) {
	out := myDecisionRows{rows: map[string]model.SignOff{}}
	rows, err := tx.SignOffsOfHouseholds(roundIDs, householdIDs)
	if err != nil {
		return out, nil, err
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		if counted(r.Decision) || r.Decision == DecisionWithdrawn {
			out.rows[r.RoundID+"/"+r.HouseholdID] = r
		}
		ids = append(ids, r.ID)
	}
	if out.statuses, err = s.moderationStatuses(tx, SubjectSignOffComment, ids); err != nil {
		return out, nil, err
	}
	events, err := tx.SignOffHistoryOfHouseholds(roundIDs, householdIDs)
	if err != nil {
		return out, nil, err
	}
	history := map[string][]model.SignOffEvent{}
	for _, e := range events {
		key := e.RoundID + "/" + e.HouseholdID
		history[key] = append(history[key], e)
	}
	return out, history, nil
}

// sortMyRounds puts open rounds first, then the most recently opened.
func sortMyRounds(items []MyRound) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].Round, items[j].Round
		if (a.Status == RoundOpen) != (b.Status == RoundOpen) {
			return a.Status == RoundOpen
		}
		if a.OpenedAt != nil && b.OpenedAt != nil && !a.OpenedAt.Equal(*b.OpenedAt) {
			return a.OpenedAt.After(*b.OpenedAt)
		}
		if a.ID != b.ID {
			return a.ID > b.ID
		}
		return items[i].Household.ID < items[j].Household.ID
	})
}
