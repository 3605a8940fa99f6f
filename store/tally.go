package store

import "minyi/model"

// TallyCountersOfRound reads a round's tally counter rows.
func (t *Tx) TallyCountersOfRound(roundID string) ([]model.TallyCounter, error) {
	var counters []model.TallyCounter
	err := result(t.g.Where("round_id = ?", roundID).Find(&counters))
	return counters, err
}

// UndecidedAreas reads the areas of a round's households whose sign-off is
// not one of the counted decisions (or who have none), largest first.
func (t *Tx) UndecidedAreas(roundID string, counted []string) ([]int64, error) {
	var remaining []int64
	err := result(t.g.Raw(`SELECT m.area_hundredths FROM round_members m
			LEFT JOIN sign_offs s ON s.round_id = m.round_id AND s.household_id = m.household_id AND s.decision IN ?
			WHERE m.round_id = ? AND s.id IS NULL ORDER BY m.area_hundredths DESC`, counted, roundID).Scan(&remaining))
	return remaining, err
}

// DecidedAreas reads the areas of a round's households whose sign-off is
// one of the decisions, largest first.
func (t *Tx) DecidedAreas(roundID string, decisions []string) ([]int64, error) {
	var areas []int64
	err := result(t.g.Raw(`SELECT m.area_hundredths FROM round_members m
			JOIN sign_offs s ON s.round_id = m.round_id AND s.household_id = m.household_id
			WHERE m.round_id = ? AND s.decision IN ? ORDER BY m.area_hundredths DESC`,
		roundID, decisions).Scan(&areas))
	return areas, err
}

// RecountedGroup is a count of households and their area, recounted from
// the rows, for one building and decision.
type RecountedGroup struct {
	Building       string
	Decision       string
	Households     int64
	AreaHundredths int64
}

// RecountElectorate counts a round's electorate per building from its
// members; each group carries the given decision label.
func (t *Tx) RecountElectorate(roundID, label string) ([]RecountedGroup, error) {
	var groups []RecountedGroup
	err := result(t.g.Raw(`SELECT m.building, ? AS decision, COUNT(*) AS households, COALESCE(SUM(m.area_hundredths), 0) AS area_hundredths
		FROM round_members m WHERE m.round_id = ? GROUP BY m.building`, label, roundID).Scan(&groups))
	return groups, err
}

// RecountDecisions counts a round's current sign-offs with one of the
// decisions per building and decision, from the rows.
func (t *Tx) RecountDecisions(roundID string, decisions []string) ([]RecountedGroup, error) {
	var groups []RecountedGroup
	err := result(t.g.Raw(`SELECT m.building, s.decision, COUNT(*) AS households, COALESCE(SUM(m.area_hundredths), 0) AS area_hundredths
		FROM sign_offs s JOIN round_members m ON m.round_id = s.round_id AND m.household_id = s.household_id
		WHERE s.round_id = ? AND s.decision IN ? GROUP BY m.building, s.decision`, roundID, decisions).Scan(&groups))
	return groups, err
}
