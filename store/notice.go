package store

import (
	"time"

	"minyi/model"
)

// Statements of the public notice board (公示栏).

// EstateVersionByCode reads only the id and updated_at of the estate with
// this code; model.ErrNotFound when none.
func (t *Tx) EstateVersionByCode(code string) (model.Estate, error) {
	var estate model.Estate
	err := first(t.g.Select("id", "updated_at").Where("code = ?", code), &estate)
	return estate, err
}

// EstateIDByCode reads the id of the estate with this code; model.ErrNotFound when none.
func (t *Tx) EstateIDByCode(code string) (string, error) {
	var estate model.Estate
	err := first(t.g.Select("id").Where("code = ?", code), &estate)
	return estate.ID, err
}

// SnapshotTime is when the notice snapshot of a round was taken.
type SnapshotTime struct {
	RoundID string
	TakenAt time.Time
}

// SnapshotTimesOfEstate reads the snapshot times of the estate's rounds in
// this status, in round id order.
func (t *Tx) SnapshotTimesOfEstate(estateID, roundStatus string) ([]SnapshotTime, error) {
	rows, err := t.g.Raw(`SELECT n.round_id, n.taken_at
		FROM notice_snapshots n JOIN rounds r ON r.id = n.round_id
		WHERE r.estate_id = ? AND r.status = ?
		ORDER BY n.round_id`, estateID, roundStatus).Rows()
	if err != nil {
		return nil, model.Translate(err)
	}
	defer rows.Close()
	var times []SnapshotTime
	for rows.Next() {
		var st SnapshotTime
		if err := rows.Scan(&st.RoundID, &st.TakenAt); err != nil {
			return nil, model.Translate(err)
		}
		times = append(times, st)
	}
	return times, model.Translate(rows.Err())
}

// PublicRoundsOfEstate reads the estate's rounds in these statuses, in sequence order.
func (t *Tx) PublicRoundsOfEstate(estateID string, statuses []string) ([]model.Round, error) {
	var rounds []model.Round
	err := result(t.g.Where("estate_id = ? AND status IN ?", estateID, statuses).Order("seq").Find(&rounds))
	return rounds, err
}

// RevisionVersions reads the id and version of these revisions of the estate.
func (t *Tx) RevisionVersions(estateID string, revisionIDs []string) ([]model.Revision, error) {
	var rows []model.Revision
	err := result(t.g.Select("id", "version").Where("estate_id = ? AND id IN ?", estateID, revisionIDs).Find(&rows))
	return rows, err
}
