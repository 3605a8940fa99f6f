package store

import "minyi/model"

// SyncRecordsOf reads the remembered records of a caller with these client ids.
func (t *Tx) SyncRecordsOf(caller string, clientIDs []string) ([]model.SyncRecord, error) {
	var rows []model.SyncRecord
	err := result(t.g.Where("caller = ? AND client_id IN ?", caller, clientIDs).Find(&rows))
	return rows, err
}
