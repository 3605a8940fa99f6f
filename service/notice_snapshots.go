package service

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"minyi/model"
	"minyi/service/rule"
	"minyi/store"
)

// Batched disclosure (domain.md, "What the public may see"): while a round is
// open the public sees its figures as of the last snapshot. A new snapshot is
// taken only when at least NoticeBatchHouseholds households' decisions changed
// since the previous one and at least NoticeBatchInterval has passed; so a
// watcher who saw a neighbour sign cannot tell from the board how they decided.
const (
	// NoticeBatchHouseholds is the fewest changed households a new snapshot covers.
	NoticeBatchHouseholds = 5
	// NoticeBatchInterval is the shortest time between two snapshots of a round.
	NoticeBatchInterval = 15 * time.Minute
)

// Snapshots are taken on the read path: when a board is asked for (at most
// once a second per estate and instance, see api/notice_cache.go) each open
// round's snapshot is checked against the condition and, when it holds,
// replaced in one conditional UPDATE, so that of several instances asking at
// once exactly one takes it. The sign-off path stays as it is (no extra
// write per sign-off); a round nobody looks at gets no snapshot, which is
// harmless because nobody sees it. A round's first snapshot is its opening
// one (zero figures, as of its opening); a closed round shows its frozen result.

// refreshNoticeSnapshots takes the due snapshots of the estate's open rounds.
func (s *Service) refreshNoticeSnapshots(ctx context.Context, estateID string) error {
	rounds, err := s.read(ctx).RoundsOfEstateWithStatus(estateID, RoundOpen)
	if err != nil {
		return AsError(err)
	}
	for _, r := range rounds {
		if err := s.refreshNoticeSnapshot(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// refreshNoticeSnapshot makes sure an open round has its opening snapshot and
// replaces the snapshot when the batch condition holds.
func (s *Service) refreshNoticeSnapshot(ctx context.Context, round model.Round) error {
	view, err := decodeRound(round)
	if err != nil {
		return AsError(err)
	}
	err = s.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
		snap, err := tx.NoticeSnapshotOfRound(round.ID)
		if errors.Is(err, model.ErrNotFound) {
			return s.takeOpeningSnapshot(tx, view)
		}
		if err != nil {
			return err
		}
		if s.Now().Before(snap.TakenAt.Add(NoticeBatchInterval)) {
			return nil
		}
		since := snap.TakenAt
		if snap.Households == 0 {
			// The opening snapshot (no decision): every decision of the round is newer.
			since = time.Time{}
		}
		changed, err := changedHouseholdsSince(tx, round.ID, since)
		if err != nil || changed < NoticeBatchHouseholds {
			return err
		}
		tally, err := s.computeTally(tx, view, s.Now())
		if err != nil {
			return err
		}
		// Read the time after the counters: every decision these figures
		// include was recorded no later than takenAt, so none is counted again
		// towards the next snapshot.
		takenAt := s.Now()
		tally.ComputedAt = takenAt
		raw, err := json.Marshal(tally)
		if err != nil {
			return err
		}
		return tx.ReplaceNoticeSnapshot(round.ID, snap.TakenAt,
			model.NoticeSnapshot{RoundID: round.ID, TakenAt: takenAt, Households: changed, TallyJSON: string(raw)})
	})
	if err != nil {
		return AsError(model.Translate(err))
	}
	return nil
}

// takeOpeningSnapshot stores a round's first snapshot: its electorate and no decision, as of its opening.
func (s *Service) takeOpeningSnapshot(tx *store.Tx, view *RoundView) error {
	at := s.Now()
	if view.OpenedAt != nil {
		at = view.OpenedAt.UTC()
	}
	tally, err := openingTally(tx, view, at)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(tally)
	if err != nil {
		return err
	}
	return tx.InsertNoticeSnapshotIfAbsent(model.NoticeSnapshot{RoundID: view.ID, TakenAt: at, TallyJSON: string(raw)})
}

// openingTally is a round's tally before anyone decided: the frozen electorate, no decision.
func openingTally(tx *store.Tx, view *RoundView, at time.Time) (*Tally, error) {
	counters, err := tx.RoundCountersOfDecision(view.ID, counterElectorate)
	if err != nil {
		return nil, err
	}
	tally := &Tally{RoundID: view.ID, Status: view.Status, Rule: view.Rule.Spec(), ComputedAt: at,
		Decisions: map[string]rule.Amount{}}
	for _, d := range decisions {
		tally.Decisions[d] = rule.Amount{}
	}
	for _, c := range counters {
		tally.Electorate = sum(tally.Electorate, rule.Amount{Households: c.Households, AreaHundredths: c.AreaHundredths})
		tally.ByBuilding = append(tally.ByBuilding, BuildingTally{Building: c.Building, Electorate: c.Households})
	}
	sortBuildings(tally.ByBuilding)
	counts := rule.Counts{Electorate: tally.Electorate}
	result := rule.Evaluate(view.Rule, counts)
	tally.Checks, tally.Passed = result.Checks, result.Passed
	var areas []int64
	if view.Rule.UsesArea() {
		if areas, err = tx.RoundMemberAreasLargestFirst(view.ID); err != nil {
			return nil, err
		}
	}
	tally.Shortfall = rule.ComputeShortfall(view.Rule, counts, areas)
	return tally, nil
}

func sortBuildings(buildings []BuildingTally) {
	for i := 1; i < len(buildings); i++ {
		for j := i; j > 0 && naturalLess(buildings[j].Building, buildings[j-1].Building); j-- {
			buildings[j], buildings[j-1] = buildings[j-1], buildings[j]
		}
	}
}

// changedHouseholdsSince counts the households whose counted decision now
// differs from their decision at the given time (a change and its reversal
// cancel out; a new signer name or comment is no change). A household's
// decision then is that of its latest history entry recorded by then.
func changedHouseholdsSince(tx *store.Tx, roundID string, since time.Time) (int64, error) {
	// A millisecond of slack: databases round stored times to it, and a
	// change left out here is only published later, covered by more households.
	var current []model.SignOff
	var err error
	if since.IsZero() {
		current, err = tx.SignOffsWithDecisionIn(roundID, decisions) // since the opening: every counted decision
	} else {
		since = since.Add(time.Millisecond)
		current, err = tx.SignOffsRecordedAfter(roundID, since)
	}
	if err != nil {
		return 0, err
	}
	if since.IsZero() {
		return int64(len(current)), nil
	}
	if len(current) < NoticeBatchHouseholds {
		return int64(len(current)), nil // too few touched to reach the batch, whatever they did
	}
	ids := make([]string, len(current))
	for i, so := range current {
		ids[i] = so.HouseholdID
	}
	// Latest entry first; of two entries with one version (a superseded
	// offline record repeats the version) the earlier is the one that counted.
	history, err := tx.SignOffHistoryUntil(roundID, ids, since)
	if err != nil {
		return 0, err
	}
	then := map[string]string{}
	for _, e := range history {
		if _, seen := then[e.HouseholdID]; !seen {
			then[e.HouseholdID] = e.NewDecision
		}
	}
	var changed int64
	for _, so := range current {
		if countedOrNone(so.Decision) != countedOrNone(then[so.HouseholdID]) {
			changed++
		}
	}
	return changed, nil
}

// countedOrNone is the decision as the tally sees it: withdrawn is none.
func countedOrNone(decision string) string {
	if counted(decision) {
		return decision
	}
	return ""
}

// publishedTally is what the board shows of a round and as of when: the
// frozen result once closed, the last snapshot while open (nil when none yet).
func publishedTally(tx *store.Tx, view *RoundView) (*Tally, time.Time, error) {
	if view.Status != RoundOpen {
		tally, err := view.Result()
		if err != nil || tally == nil {
			return tally, time.Time{}, err
		}
		asOf := tally.ComputedAt
		if view.ClosedAt != nil {
			asOf = *view.ClosedAt
		}
		return tally, asOf, nil
	}
	snap, err := tx.NoticeSnapshotOfRound(view.ID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	var tally Tally
	if err := json.Unmarshal([]byte(snap.TallyJSON), &tally); err != nil {
		return nil, time.Time{}, err
	}
	return &tally, snap.TakenAt, nil
}
