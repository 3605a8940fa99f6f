package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// Statements of the notice board's snapshots of open rounds (batched disclosure).

// RoundsOfEstateWithStatus reads the estate's rounds in this status.
func (t *Tx) RoundsOfEstateWithStatus(estateID, status string) ([]model.Round, error) {
	var rounds []model.Round
	err := result(t.g.Where("estate_id = ? AND status = ?", estateID, status).Find(&rounds))
	return rounds, err
}

// NoticeSnapshotOfRound reads the round's snapshot; model.ErrNotFound when none.
func (t *Tx) NoticeSnapshotOfRound(roundID string) (model.NoticeSnapshot, error) {
	var snap model.NoticeSnapshot
	err := first(t.g.Where("round_id = ?", roundID), &snap)
	return snap, err
}

// InsertNoticeSnapshotIfAbsent stores a round's first snapshot unless it has one.
func (t *Tx) InsertNoticeSnapshotIfAbsent(snap model.NoticeSnapshot) error {
	return result(t.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&snap))
}

// ReplaceNoticeSnapshot replaces the round's snapshot taken at takenAt by
// next (its time, households and tally); nothing when another instance
// replaced it first.
func (t *Tx) ReplaceNoticeSnapshot(roundID string, takenAt time.Time, next model.NoticeSnapshot) error {
	return result(t.g.Model(&model.NoticeSnapshot{}).Where("round_id = ? AND taken_at = ?", roundID, takenAt).
		Updates(map[string]any{"taken_at": next.TakenAt, "households": next.Households, "tally_json": next.TallyJSON}))
}

// RoundCountersOfDecision reads the round's tally counters of one decision
// (or of the electorate), in building order.
func (t *Tx) RoundCountersOfDecision(roundID, decision string) ([]model.TallyCounter, error) {
	var counters []model.TallyCounter
	err := result(t.g.Where("round_id = ? AND decision = ?", roundID, decision).Order("building").Find(&counters))
	return counters, err
}

// RoundMemberAreasLargestFirst reads the areas of the round's electorate, largest first.
func (t *Tx) RoundMemberAreasLargestFirst(roundID string) ([]int64, error) {
	var areas []int64
	err := result(t.g.Model(&model.RoundMember{}).Where("round_id = ?", roundID).
		Order("area_hundredths DESC").Pluck("area_hundredths", &areas))
	return areas, err
}

// SignOffsWithDecisionIn reads the household and decision of the round's
// sign-offs whose decision is one of these.
func (t *Tx) SignOffsWithDecisionIn(roundID string, decisions []string) ([]model.SignOff, error) {
	var current []model.SignOff
	err := result(t.g.Select("household_id", "decision").Where("round_id = ?", roundID).Where("decision IN ?", decisions).Find(&current))
	return current, err
}

// SignOffsRecordedAfter reads the household and decision of the round's
// sign-offs recorded after since.
func (t *Tx) SignOffsRecordedAfter(roundID string, since time.Time) ([]model.SignOff, error) {
	var current []model.SignOff
	err := result(t.g.Select("household_id", "decision").Where("round_id = ?", roundID).Where("recorded_at > ?", since).Find(&current))
	return current, err
}

// SignOffHistoryUntil reads the household, version, new decision and time
// of the round's sign-off history entries of these households recorded at
// or before until: per household, latest version first and, within one
// version, earliest first.
func (t *Tx) SignOffHistoryUntil(roundID string, householdIDs []string, until time.Time) ([]model.SignOffEvent, error) {
	var history []model.SignOffEvent
	err := result(t.g.Select("household_id", "version", "new_decision", "recorded_at").
		Where("round_id = ? AND household_id IN ? AND recorded_at <= ?", roundID, householdIDs, until).
		Order("household_id, version DESC, recorded_at ASC, id ASC").Find(&history))
	return history, err
}
