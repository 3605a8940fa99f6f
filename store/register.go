package store

import "time"

// RegisterLine is one household of a round's electorate with its current
// decision (nil fields when it has none).
type RegisterLine struct {
	HouseholdID    string
	Building       string
	Unit           string
	Room           string
	AreaHundredths int64
	OwnerName      string
	Decision       *string
	Channel        *string
	SignerName     *string
	RecordedAt     *time.Time
	EvidenceURL    *string
}

// RegisterLines reads a round's electorate with each household's room,
// area, owner and current decision, in no particular order.
func (t *Tx) RegisterLines(roundID string) ([]RegisterLine, error) {
	var lines []RegisterLine
	err := result(t.g.Raw(`SELECT m.household_id, m.building, m.unit, h.room, m.area_hundredths, h.owner_name,
			s.decision, s.channel, s.signer_name, s.recorded_at, s.evidence_url
		FROM round_members m
		JOIN households h ON h.id = m.household_id
		LEFT JOIN sign_offs s ON s.round_id = m.round_id AND s.household_id = m.household_id
		WHERE m.round_id = ?`, roundID).Scan(&lines))
	return lines, err
}
