package store

import (
	"strings"
	"time"

	"minyi/model"
)

// InsertSyncRecords remembers applied offline records, 200 rows a statement.
func (t *Tx) InsertSyncRecords(rows []model.SyncRecord) error {
	return result(t.g.CreateInBatches(rows, 200))
}

// SyncRecordsOf reads the remembered records of a caller with these client ids.
func (t *Tx) SyncRecordsOf(caller string, clientIDs []string) ([]model.SyncRecord, error) {
	var rows []model.SyncRecord
	err := result(t.g.Where("caller = ? AND client_id IN ?", caller, clientIDs).Find(&rows))
	return rows, err
}

// LockSignOffsOfHouseholds reads the sign-offs of the households in a round.
// On MySQL it first takes the round in share mode and then locks the rows,
// the same order as a single sign-off (SignOffTarget, LockSignOff), so that
// the two never deadlock.
func (t *Tx) LockSignOffsOfHouseholds(roundID string, householdIDs []string) ([]model.SignOff, error) {
	q := t.g.Where("round_id = ? AND household_id IN ?", roundID, householdIDs)
	if t.MySQL() {
		var locked []string
		if err := result(t.g.Raw("SELECT id FROM rounds WHERE id = ? LOCK IN SHARE MODE", roundID).Scan(&locked)); err != nil {
			return nil, err
		}
		q = t.locking().Where("round_id = ? AND household_id IN ?", roundID, householdIDs)
	}
	var rows []model.SignOff
	err := result(q.Find(&rows))
	return rows, err
}

// SetSignOffTimes dates sign-offs (by id) with new recorded_at times, in one statement.
func (t *Tx) SetSignOffTimes(times map[string]time.Time) error {
	if len(times) == 0 {
		return nil
	}
	var sql strings.Builder
	sql.WriteString("UPDATE sign_offs SET recorded_at = CASE id")
	args := make([]any, 0, 3*len(times))
	ids := make([]string, 0, len(times))
	for id, at := range times {
		sql.WriteString(" WHEN ? THEN ?")
		args = append(args, id, at)
		ids = append(ids, id)
	}
	sql.WriteString(" END WHERE id IN ?")
	return result(t.g.Exec(sql.String(), append(args, ids)...))
}
