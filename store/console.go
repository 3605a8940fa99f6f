package store

import (
	"gorm.io/gorm"

	"minyi/model"
)

// Read-only statements of the staff console.

// ConsoleSessionToken reads the refresh token with this hash (the console
// keeps one as its session handle); model.ErrNotFound when none.
func (t *Tx) ConsoleSessionToken(tokenHash string) (model.RefreshToken, error) {
	var row model.RefreshToken
	err := first(t.g.Where("token_hash = ?", tokenHash), &row)
	return row, err
}

// RoomGridScope is the part of a round's electorate a room grid shows: the
// whole round, one building, or one unit of a building.
type RoomGridScope struct {
	RoundID string
	// Building narrows to one building when set, Unit then to one of its units.
	Building, Unit string
}

// members selects the household ids of the scope's round members.
func (t *Tx) members(scope RoomGridScope) *gorm.DB {
	members := t.g.Model(&model.RoundMember{}).Select("household_id").Where("round_id = ?", scope.RoundID)
	if scope.Building != "" {
		members = members.Where("building = ?", scope.Building)
		if scope.Unit != "" {
			members = members.Where("unit = ?", scope.Unit)
		}
	}
	return members
}

// RoomGridHouseholds reads the households of the scope's round members.
func (t *Tx) RoomGridHouseholds(scope RoomGridScope) ([]model.Household, error) {
	var households []model.Household
	err := result(t.g.Where("id IN (?)", t.members(scope)).Find(&households))
	return households, err
}

// HouseholdDecision is a household's current decision in a round.
type HouseholdDecision struct {
	HouseholdID, Decision string
}

// RoomGridDecisions reads the current decisions of the scope's round members.
func (t *Tx) RoomGridDecisions(scope RoomGridScope) ([]HouseholdDecision, error) {
	var rows []HouseholdDecision
	err := result(t.g.Model(&model.SignOff{}).Select("household_id", "decision").
		Where("round_id = ? AND household_id IN (?)", scope.RoundID, t.members(scope)).Scan(&rows))
	return rows, err
}

// HouseholdsWithObjectionIn lists the households with an objection in
// this status in the round.
func (t *Tx) HouseholdsWithObjectionIn(roundID, status string) ([]string, error) {
	var ids []string
	err := result(t.g.Model(&model.Objection{}).Where("round_id = ? AND status = ? AND household_id IS NOT NULL", roundID, status).
		Pluck("household_id", &ids))
	return ids, err
}

// EstateStaffMember is a staff member assigned to an estate, with their account.
type EstateStaffMember struct {
	UserID, Username, DisplayName, Role string
	Disabled                            bool
}

// EstateStaffMembers lists the staff assigned to the estate, by username.
func (t *Tx) EstateStaffMembers(estateID string) ([]EstateStaffMember, error) {
	var out []EstateStaffMember
	err := result(t.g.Table("estate_staff AS s").Select("s.user_id, u.username, u.display_name, s.role, u.disabled").
		Joins("JOIN users u ON u.id = s.user_id").Where("s.estate_id = ?", estateID).Order("u.username").Scan(&out))
	return out, err
}
