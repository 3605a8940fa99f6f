package service

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"minyi/model"
	"minyi/service/rule"
	"minyi/store"
)

// counterElectorate is the decision column value of the counter rows that
// hold each building's frozen electorate.
const counterElectorate = "electorate"

// Tally is the state of a round's vote: counts, the rule's checks, whether
// it passes and how many more agreeing households it needs. It is also the
// frozen result stored when a round closes.
type Tally struct {
	RoundID      string                 `json:"round_id"`
	Status       string                 `json:"status"`
	Rule         rule.Spec              `json:"rule"`
	Electorate   rule.Amount            `json:"electorate"`
	Participated rule.Amount            `json:"participated"`
	Decisions    map[string]rule.Amount `json:"decisions"`
	Checks       []rule.CheckResult     `json:"checks"`
	Passed       bool                   `json:"passed"`
	Shortfall    rule.Shortfall         `json:"shortfall"`
	// ChangesNeeded is, when the shortfall is not possible, the smallest number of
	// disagreeing or abstaining households that would have to change to agree (all
	// non-respondents agreeing too); nil when even that cannot pass or when not asked.
	ChangesNeeded *int64          `json:"changes_needed,omitempty"`
	ByBuilding    []BuildingTally `json:"by_building"`
	ComputedAt    time.Time       `json:"computed_at"`
	// Recount is set when a recount was asked for.
	Recount *Recount `json:"recount,omitempty"`
}

// BuildingTally is one building's share of a round's tally.
type BuildingTally struct {
	Building     string `json:"building"`
	Electorate   int64  `json:"electorate"`
	Participated int64  `json:"participated"`
	Agree        int64  `json:"agree"`
	Disagree     int64  `json:"disagree"`
	Abstain      int64  `json:"abstain"`
}

// Recount compares the incremental counters with a count of the sign-off rows.
type Recount struct {
	Matches     bool                `json:"matches"`
	Differences []CounterDifference `json:"differences"`
}

// CounterDifference is one counter that disagrees with the sign-off rows.
type CounterDifference struct {
	Building                string `json:"building"`
	Decision                string `json:"decision"`
	CounterHouseholds       int64  `json:"counter_households"`
	RecountedHouseholds     int64  `json:"recounted_households"`
	CounterAreaHundredths   int64  `json:"counter_area_hundredths"`
	RecountedAreaHundredths int64  `json:"recounted_area_hundredths"`
}

// GetTally returns a round's tally: live from the counters while the round
// is open (no scan of sign-offs), the frozen result once it is closed. With
// recount (admins only) it also recounts the sign-off rows and reports any
// difference. Errors: round_not_found, forbidden (recount).
func (s *Service) GetTally(ctx context.Context, actor Actor, roundID string, recount bool) (*Tally, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActReadTally, &round); err != nil {
		return nil, AsError(err)
	}
	if recount && !RoleAllowed(ActRecount, actor.Role) && actor.Kind != ActorSystem {
		return nil, Forbidden("recount_admin_only")
	}
	view, err := decodeRound(round)
	if err != nil {
		return nil, AsError(err)
	}
	var tally *Tally
	if round.Status != RoundOpen && round.ResultJSON != "" {
		if tally, err = view.Result(); err != nil {
			return nil, AsError(err)
		}
	} else if tally, err = s.computeTally(tx, view, s.Now()); err != nil {
		return nil, AsError(err)
	}
	if recount {
		rc, err := s.recount(tx, roundID)
		if err != nil {
			return nil, AsError(err)
		}
		tally.Recount = rc
	}
	return tally, nil
}

// tallyLabels are the counter labels the tally reads, in the order of
// store.BuildingCounters.Sums.
var tallyLabels = []string{counterElectorate, DecisionAgree, DecisionDisagree, DecisionAbstain}

// computeTally builds the tally from the round's counter rows, read in one
// statement and summed per building: at most four rows per building,
// whatever the number of households. Only a rule that counts area and is not
// yet passed reads the remaining households' areas.
func (s *Service) computeTally(tx *store.Tx, round *RoundView, now time.Time) (*Tally, error) {
	buildings, err := tx.TallyCountersByBuilding(round.ID, tallyLabels)
	if err != nil {
		return nil, err
	}
	tally := &Tally{RoundID: round.ID, Status: round.Status, Rule: round.Rule.Spec(), ComputedAt: now,
		ByBuilding: make([]BuildingTally, len(buildings))}
	var agree, disagree, abstain rule.Amount
	for i, b := range buildings {
		electorate, agreed, disagreed, abstained := b.Sums[0], b.Sums[1], b.Sums[2], b.Sums[3]
		tally.Electorate = sum(tally.Electorate, rule.Amount(electorate))
		agree = sum(agree, rule.Amount(agreed))
		disagree = sum(disagree, rule.Amount(disagreed))
		abstain = sum(abstain, rule.Amount(abstained))
		tally.ByBuilding[i] = BuildingTally{Building: b.Building, Electorate: electorate.Households,
			Participated: agreed.Households + disagreed.Households + abstained.Households,
			Agree:        agreed.Households, Disagree: disagreed.Households, Abstain: abstained.Households}
	}
	tally.Decisions = map[string]rule.Amount{DecisionAgree: agree, DecisionDisagree: disagree, DecisionAbstain: abstain}
	tally.Participated = sum(sum(agree, disagree), abstain)
	sortBuildingTallies(tally.ByBuilding)
	counts := rule.Counts{Electorate: tally.Electorate, Participated: tally.Participated, Agree: tally.Decisions[DecisionAgree]}
	result := rule.Evaluate(round.Rule, counts)
	tally.Checks, tally.Passed = result.Checks, result.Passed
	var remaining []int64
	if !result.Passed && round.Rule.UsesArea() {
		if remaining, err = tx.UndecidedAreas(round.ID, decisions); err != nil {
			return nil, err
		}
	}
	tally.Shortfall = rule.ComputeShortfall(round.Rule, counts, remaining)
	if !tally.Shortfall.Possible {
		if err := s.fillChangesNeeded(tx, round, tally, counts, remaining); err != nil {
			return nil, err
		}
	}
	return tally, nil
}

// fillChangesNeeded sets the tally's changes_needed; only a rule that counts area
// reads the areas of the households that disagree or abstain.
func (s *Service) fillChangesNeeded(tx *store.Tx, round *RoundView, tally *Tally, counts rule.Counts, remaining []int64) error {
	var opposed []int64
	if round.Rule.UsesArea() {
		var err error
		if opposed, err = tx.DecidedAreas(round.ID, []string{DecisionDisagree, DecisionAbstain}); err != nil {
			return err
		}
	}
	if k, ok := rule.ChangesNeeded(round.Rule, counts, remaining, opposed); ok {
		tally.ChangesNeeded = &k
	}
	return nil
}

func sum(a, b rule.Amount) rule.Amount {
	return rule.Amount{Households: a.Households + b.Households, AreaHundredths: a.AreaHundredths + b.AreaHundredths}
}

// recount counts the electorate and the current decisions from the rows and
// compares them with the counters.
func (s *Service) recount(tx *store.Tx, roundID string) (*Recount, error) {
	fromRows, err := tx.RecountElectorate(roundID, counterElectorate)
	if err != nil {
		return nil, err
	}
	decided, err := tx.RecountDecisions(roundID, decisions)
	if err != nil {
		return nil, err
	}
	fromRows = append(fromRows, decided...)
	counters, err := tx.TallyCountersOfRound(roundID)
	if err != nil {
		return nil, err
	}
	key := func(b, d string) string { return b + "\x00" + d }
	recounted := map[string]store.RecountedGroup{}
	for _, g := range fromRows {
		recounted[key(g.Building, g.Decision)] = g
	}
	rc := &Recount{Matches: true, Differences: []CounterDifference{}}
	seen := map[string]bool{}
	for _, c := range counters {
		k := key(c.Building, c.Decision)
		seen[k] = true
		g := recounted[k]
		if g.Households != c.Households || g.AreaHundredths != c.AreaHundredths {
			rc.Differences = append(rc.Differences, CounterDifference{Building: c.Building, Decision: c.Decision,
				CounterHouseholds: c.Households, RecountedHouseholds: g.Households,
				CounterAreaHundredths: c.AreaHundredths, RecountedAreaHundredths: g.AreaHundredths})
		}
	}
	for k, g := range recounted {
		if !seen[k] {
			rc.Differences = append(rc.Differences, CounterDifference{Building: g.Building, Decision: g.Decision,
				RecountedHouseholds: g.Households, RecountedAreaHundredths: g.AreaHundredths})
		}
	}
	rc.Matches = len(rc.Differences) == 0
	return rc, nil
}

// sortBuildingTallies orders a breakdown by building name, "2" before "10".
func sortBuildingTallies(buildings []BuildingTally) {
	slices.SortFunc(buildings, func(a, b BuildingTally) int { return naturalCompare(a.Building, b.Building) })
}

// naturalLess orders building names so that "2" comes before "10".
func naturalLess(a, b string) bool { return naturalCompare(a, b) < 0 }

// naturalCompare compares building names: numbers of different lengths by
// their length, everything else byte by byte.
func naturalCompare(a, b string) int {
	if len(a) != len(b) && isNumber(a) && isNumber(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Result decodes the frozen result of a closed round (nil before it closes). The
// checks' texts are recomputed from the frozen counts and rule, so a result frozen
// before shares were rounded towards the verdict shows the same figures as a new one;
// the verdicts cannot change (the same exact arithmetic on the same numbers).
func (r *RoundView) Result() (*Tally, error) {
	if r.ResultJSON == "" {
		return nil, nil
	}
	var t Tally
	if err := json.Unmarshal([]byte(r.ResultJSON), &t); err != nil {
		return nil, err
	}
	counts := rule.Counts{Electorate: t.Electorate, Participated: t.Participated, Agree: t.Decisions[DecisionAgree]}
	if result := rule.Evaluate(r.Rule, counts); len(result.Checks) == len(t.Checks) && result.Passed == t.Passed {
		t.Checks = result.Checks
	}
	return &t, nil
}
