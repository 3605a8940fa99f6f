package store

import "minyi/model"

// Household receipts of a round's counted decisions.

// ReceiptRound reads a round's id and status; model.ErrNotFound when there
// is no such round.
func (t *Tx) ReceiptRound(roundID string) (model.Round, error) {
	var round model.Round
	err := model.Translate(t.g.Select("id", "status").Where("id = ?", roundID).Take(&round).Error)
	return round, err
}

// SignOffsForReceipts reads the round, household, decision and version of
// the round's sign-offs with one of these decisions.
func (t *Tx) SignOffsForReceipts(roundID string, decisions []string) ([]model.SignOff, error) {
	var rows []model.SignOff
	err := t.g.Select("round_id", "household_id", "decision", "version").
		Where("round_id = ? AND decision IN ?", roundID, decisions).Find(&rows).Error
	return rows, model.Translate(err)
}
