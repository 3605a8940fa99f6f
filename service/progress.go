package service

import (
	"context"
	"fmt"
	"sort"
	"time"

	"minyi/model"
	"minyi/service/rule"
	"minyi/store"
)

// ProgressCounts are the household counts of a round, a building or a unit.
type ProgressCounts struct {
	Electorate int64
	// Visited counts households with a visit or a sign-off (入户).
	Visited      int64
	Participated int64
	Agree        int64
	Disagree     int64
	Abstain      int64
}

// Pending is the number of households without a decision yet.
func (c ProgressCounts) Pending() int64 { return c.Electorate - c.Participated }

// VisitRate is the share of the electorate visited (入户率), e.g. "75.00%".
func (c ProgressCounts) VisitRate() string { return formatPercent(c.Visited, c.Electorate) }

func (c *ProgressCounts) add(o ProgressCounts) {
	c.Electorate += o.Electorate
	c.Visited += o.Visited
	c.Participated += o.Participated
	c.Agree += o.Agree
	c.Disagree += o.Disagree
	c.Abstain += o.Abstain
}

// PendingHousehold is a household of the electorate without a decision.
type PendingHousehold struct {
	HouseholdID string
	Room        string
	OwnerName   string
	// LastVisitOutcome and LastVisitAt describe the latest visit, if any.
	LastVisitOutcome string
	LastVisitAt      *time.Time
}

// UnitProgress is one building unit's progress and its households still to reach.
type UnitProgress struct {
	Building, Unit string
	ProgressCounts
	ToReach []PendingHousehold
}

// BuildingProgress is one building's progress.
type BuildingProgress struct {
	Building string
	ProgressCounts
}

// Progress is a round's door-to-door progress for community workers: the
// counts of the round, of each building and of each unit, the households
// still to reach, and how many more agreements the plan needs. Buildings and
// units come in the order they hold the plan back: most households without
// a decision first, then most disagreements and abstentions.
type Progress struct {
	RoundID string
	Status  string
	ProgressCounts
	Passed     bool
	Shortfall  rule.Shortfall
	ByBuilding []BuildingProgress
	ByUnit     []UnitProgress
	ComputedAt time.Time
}

// GetProgress computes a round's progress from its electorate, sign-offs
// and visits. Errors: round_not_found, round_not_open (a draft round has no
// electorate yet).
func (s *Service) GetProgress(ctx context.Context, actor Actor, roundID string) (*Progress, error) {
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActReadProgress, &round); err != nil {
		return nil, AsError(err)
	}
	if round.Status == RoundDraft {
		return nil, Conflict("round_not_open", "a draft round has no electorate yet")
	}
	now := s.Now()
	progress := &Progress{RoundID: round.ID, Status: round.Status, ComputedAt: now}
	tally, err := s.roundTally(tx, round, now)
	if err != nil {
		return nil, AsError(err)
	}
	progress.Passed, progress.Shortfall = tally.Passed, tally.Shortfall
	units, err := s.unitProgress(tx, round.ID)
	if err != nil {
		return nil, AsError(err)
	}
	buildings := map[string]*BuildingProgress{}
	for _, u := range units {
		b, ok := buildings[u.Building]
		if !ok {
			b = &BuildingProgress{Building: u.Building}
			buildings[u.Building] = b
		}
		b.add(u.ProgressCounts)
		progress.add(u.ProgressCounts)
	}
	for _, b := range buildings {
		progress.ByBuilding = append(progress.ByBuilding, *b)
	}
	sort.Slice(progress.ByBuilding, func(i, j int) bool {
		a, b := progress.ByBuilding[i], progress.ByBuilding[j]
		return holdsBackMore(a.ProgressCounts, b.ProgressCounts, a.Building, b.Building, "", "")
	})
	sort.Slice(units, func(i, j int) bool {
		a, b := units[i], units[j]
		return holdsBackMore(a.ProgressCounts, b.ProgressCounts, a.Building, b.Building, a.Unit, b.Unit)
	})
	progress.ByUnit = units
	if actor.Role == RoleSupervisor {
		withoutNames(units)
	}
	return progress, nil
}

// withoutNames drops the owners' names from the households still to reach:
// supervisors follow the counts, not the people.
func withoutNames(units []UnitProgress) {
	for i := range units {
		for j := range units[i].ToReach {
			units[i].ToReach[j].OwnerName = ""
		}
	}
}

// roundTally is the live tally of an open round or the frozen result of a closed one.
func (s *Service) roundTally(tx *store.Tx, round model.Round, now time.Time) (*Tally, error) {
	view, err := decodeRound(round)
	if err != nil {
		return nil, err
	}
	if RoundEnded(round.Status) {
		if frozen, err := view.Result(); err != nil || frozen != nil {
			return frozen, err
		}
	}
	return s.computeTally(tx, view, now)
}

// holdsBackMore orders progress entries: more households without a decision
// first, then more disagreements and abstentions, then by name.
func holdsBackMore(a, b ProgressCounts, buildingA, buildingB, unitA, unitB string) bool {
	if a.Pending() != b.Pending() {
		return a.Pending() > b.Pending()
	}
	if a.Disagree+a.Abstain != b.Disagree+b.Abstain {
		return a.Disagree+a.Abstain > b.Disagree+b.Abstain
	}
	if buildingA != buildingB {
		return naturalLess(buildingA, buildingB)
	}
	return naturalLess(unitA, unitB)
}

// unitProgress counts each unit's households from the electorate, the
// current sign-offs and the visits, and lists those still to reach.
func (s *Service) unitProgress(tx *store.Tx, roundID string) ([]UnitProgress, error) {
	members, err := tx.ProgressMembers(roundID)
	if err != nil {
		return nil, err
	}
	lastVisits, err := s.lastVisits(tx, roundID)
	if err != nil {
		return nil, err
	}
	byUnit := map[string]*UnitProgress{}
	var order []string
	for _, m := range members {
		key := m.Building + "\x00" + m.Unit
		u, ok := byUnit[key]
		if !ok {
			u = &UnitProgress{Building: m.Building, Unit: m.Unit, ToReach: []PendingHousehold{}}
			byUnit[key] = u
			order = append(order, key)
		}
		u.Electorate++
		visit, visited := lastVisits[m.HouseholdID]
		if visited || m.Decision != nil {
			u.Visited++ // a sign-off, even withdrawn since, counts as a visit
		}
		decision := ""
		if m.Decision != nil {
			decision = *m.Decision
		}
		switch decision {
		case DecisionAgree:
			u.Agree++
		case DecisionDisagree:
			u.Disagree++
		case DecisionAbstain:
			u.Abstain++
		default:
			pending := PendingHousehold{HouseholdID: m.HouseholdID, Room: m.Room, OwnerName: m.OwnerName}
			if visited {
				at := visit.VisitedAt
				pending.LastVisitOutcome, pending.LastVisitAt = visit.Outcome, &at
			}
			u.ToReach = append(u.ToReach, pending)
			continue
		}
		u.Participated++
	}
	units := make([]UnitProgress, 0, len(order))
	for _, key := range order {
		u := byUnit[key]
		sort.Slice(u.ToReach, func(i, j int) bool { return naturalLess(u.ToReach[i].Room, u.ToReach[j].Room) })
		units = append(units, *u)
	}
	return units, nil
}

// lastVisits returns each visited household's latest visit in the round.
func (s *Service) lastVisits(tx *store.Tx, roundID string) (map[string]model.Visit, error) {
	visits, err := tx.VisitOutcomesOfRound(roundID)
	if err != nil {
		return nil, err
	}
	last := make(map[string]model.Visit, len(visits))
	for _, v := range visits {
		last[v.HouseholdID] = v
	}
	return last, nil
}

// formatPercent writes value/base as a percentage with two decimals,
// rounded half up in integers ("0.00%" when base is 0).
func formatPercent(value, base int64) string {
	if base <= 0 || value <= 0 {
		return "0.00%"
	}
	hundredths := (value*20000 + base) / (2 * base)
	return fmt.Sprintf("%d.%02d%%", hundredths/100, hundredths%100)
}
