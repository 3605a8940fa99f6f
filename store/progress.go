package store

import "minyi/model"

// ProgressMember is a household of a round's electorate with its current
// decision (nil when it never had one).
type ProgressMember struct {
	HouseholdID string
	Building    string
	Unit        string
	Room        string
	OwnerName   string
	Decision    *string
}

// ProgressMembers reads a round's electorate with each household's room,
// owner and current decision.
func (t *Tx) ProgressMembers(roundID string) ([]ProgressMember, error) {
	var members []ProgressMember
	err := result(t.g.Raw(`SELECT m.household_id, m.building, m.unit, h.room, h.owner_name, s.decision
		FROM round_members m
		JOIN households h ON h.id = m.household_id
		LEFT JOIN sign_offs s ON s.round_id = m.round_id AND s.household_id = m.household_id
		WHERE m.round_id = ?`, roundID).Scan(&members))
	return members, err
}

// VisitOutcomesOfRound reads the household, outcome and time of a round's
// visits, oldest first.
func (t *Tx) VisitOutcomesOfRound(roundID string) ([]model.Visit, error) {
	var visits []model.Visit
	err := result(t.g.Select("household_id", "outcome", "visited_at").Where("round_id = ?", roundID).
		Order("visited_at, id").Find(&visits))
	return visits, err
}
