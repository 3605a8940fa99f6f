package store

import "minyi/model"

// Statements of the audit verification: the chain heads and events read back.

// AuditChainHeadsOf reads the chain heads of an estate, or of every chain
// when estateID is empty.
func (t *Tx) AuditChainHeadsOf(estateID string) ([]model.AuditChain, error) {
	q := t.g.Model(&model.AuditChain{})
	if estateID != "" {
		q = q.Where("estate_id = ?", estateID)
	}
	var heads []model.AuditChain
	err := result(q.Find(&heads))
	return heads, err
}

// AuditEventChainIDs lists the distinct chains the audit events of an
// estate (of every estate when estateID is empty) belong to.
func (t *Tx) AuditEventChainIDs(estateID string) ([]string, error) {
	q := t.g.Model(&model.AuditEvent{})
	if estateID != "" {
		q = q.Where("estate_id = ?", estateID)
	}
	var chainIDs []string
	err := result(q.Distinct("chain_id").Pluck("chain_id", &chainIDs))
	return chainIDs, err
}

// AuditEventsFrom reads at most limit events of a chain from sequence
// number seq on, in sequence order.
func (t *Tx) AuditEventsFrom(chainID string, seq int64, limit int) ([]model.AuditEvent, error) {
	var events []model.AuditEvent
	err := result(t.g.Where("chain_id = ? AND seq >= ?", chainID, seq).Order("seq").Limit(limit).Find(&events))
	return events, err
}
