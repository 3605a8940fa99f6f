package store

import (
	"time"

	"minyi/model"
)

// RoundsPastDeadline reads the id, deadline and late-sync period of the
// rounds with this status whose deadline is at or before now.
func (t *Tx) RoundsPastDeadline(status string, now time.Time) ([]model.Round, error) {
	var due []model.Round
	err := result(t.g.Select("id", "closes_at", "late_sync_hours").
		Where("status = ? AND closes_at IS NOT NULL AND closes_at <= ?", status, now).Find(&due))
	return due, err
}

// RoundsPastNotice reads the ids of the rounds with this status whose
// notice period ended at or before now and that have no unresolved result objection.
func (t *Tx) RoundsPastNotice(status string, now time.Time) ([]string, error) {
	var due []string
	err := result(t.g.Model(&model.Round{}).
		Where("status = ? AND notice_ends_at <= ?", status, now).
		Where("NOT EXISTS (SELECT 1 FROM result_objections o WHERE o.round_id = rounds.id AND o.outcome = '')").
		Pluck("id", &due))
	return due, err
}

// ClaimRoundFinal moves a round from status from to status to, dated now,
// if it still has status from and no unresolved result objection; false
// when it has not.
func (t *Tx) ClaimRoundFinal(roundID, from, to string, now time.Time) (bool, error) {
	claimed := t.g.Model(&model.Round{}).Where("id = ? AND status = ?", roundID, from).
		Where("NOT EXISTS (SELECT 1 FROM result_objections o WHERE o.round_id = ? AND o.outcome = '')", roundID).
		Updates(map[string]any{"status": to, "finalized_at": now, "updated_at": now})
	if claimed.Error != nil {
		return false, model.Translate(claimed.Error)
	}
	return claimed.RowsAffected > 0, nil
}

// EstateOfRound is the estate id of a round; model.ErrNotFound when there is no such round.
func (t *Tx) EstateOfRound(roundID string) (string, error) {
	var round model.Round
	err := first(t.g.Select("id", "estate_id").Where("id = ?", roundID), &round)
	return round.EstateID, err
}
