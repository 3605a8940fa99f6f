package store

import "time"

// The feedback designers read: objections and comments of disagree sign-offs.

// FeedbackRow is one objection or one sign-off's comment with its
// household's address (empty strings when it has none).
type FeedbackRow struct {
	ID          string
	RoundID     *string
	Category    string
	PlanItem    string
	Content     string
	Status      string
	Outcome     string
	Explanation string
	RevisionID  *string
	Building    string
	Unit        string
	Room        string
	CreatedAt   time.Time
	AnsweredAt  *time.Time
}

// FeedbackObjections reads an estate's objections (of one round when
// roundID is set) with their households' addresses, in id order.
func (t *Tx) FeedbackObjections(estateID, roundID string) ([]FeedbackRow, error) {
	q := t.g.Table("objections o").
		Select(`o.id, o.round_id, o.category, o.plan_item, o.content, o.status, o.outcome, o.explanation,
			o.revision_id, o.created_at, o.answered_at,
			COALESCE(h.building, '') AS building, COALESCE(h.unit, '') AS unit, COALESCE(h.room, '') AS room`).
		Joins("LEFT JOIN households h ON h.id = o.household_id").
		Where("o.estate_id = ?", estateID)
	if roundID != "" {
		q = q.Where("o.round_id = ?", roundID)
	}
	var rows []FeedbackRow
	err := result(q.Order("o.id").Scan(&rows))
	return rows, err
}

// FeedbackComments reads the non-empty comments of the estate's current
// sign-offs with this decision (of one round when roundID is set), with
// their households' addresses, in sign-off id order.
func (t *Tx) FeedbackComments(estateID, roundID, decision string) ([]FeedbackRow, error) {
	q := t.g.Table("sign_offs so").
		Select(`so.id, so.round_id, so.comment AS content, so.recorded_at AS created_at,
			COALESCE(h.building, '') AS building, COALESCE(h.unit, '') AS unit, COALESCE(h.room, '') AS room`).
		Joins("JOIN rounds r ON r.id = so.round_id").
		Joins("LEFT JOIN households h ON h.id = so.household_id").
		Where("r.estate_id = ? AND so.decision = ? AND so.comment IS NOT NULL AND so.comment <> ''", estateID, decision)
	if roundID != "" {
		q = q.Where("so.round_id = ?", roundID)
	}
	var rows []FeedbackRow
	err := result(q.Order("so.id").Scan(&rows))
	return rows, err
}
