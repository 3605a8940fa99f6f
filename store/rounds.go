package store

import (
	"gorm.io/gorm/clause"

	"minyi/model"
)

// SaveRoundSettings writes a round's deadline settings and electorate basis
// as they are, zeros included (an insert would put a column's default in
// place of a zero).
func (t *Tx) SaveRoundSettings(r *model.Round) error {
	return result(t.g.Model(&model.Round{}).Where("id = ?", r.ID).Updates(map[string]any{
		"late_sync_hours": r.LateSyncHours, "notice_days": r.NoticeDays, "electorate_basis": r.ElectorateBasis,
	}))
}

// LastRoundSeq is the highest sequence number of an estate's rounds (0 when none).
func (t *Tx) LastRoundSeq(estateID string) (int, error) {
	var maxSeq int
	err := result(t.g.Model(&model.Round{}).Where("estate_id = ?", estateID).Select("COALESCE(MAX(seq), 0)").Scan(&maxSeq))
	return maxSeq, err
}

// SaveRound writes every column of a round.
func (t *Tx) SaveRound(r *model.Round) error { return result(t.g.Save(r)) }

// ListRoundsOfEstate reads one page of an estate's rounds, in id order.
func (t *Tx) ListRoundsOfEstate(estateID string, page Page) ([]model.Round, error) {
	return findPage[model.Round](t.g.Model(&model.Round{}).Where("estate_id = ?", estateID), page, "id")
}

// ClaimRoundStatus moves a round from one status to another if it still
// has the first; false when it has not (another caller moved it first).
func (t *Tx) ClaimRoundStatus(roundID, from, to string) (bool, error) {
	claimed := t.g.Model(&model.Round{}).Where("id = ? AND status = ?", roundID, from).Update("status", to)
	if claimed.Error != nil {
		return false, model.Translate(claimed.Error)
	}
	return claimed.RowsAffected > 0, nil
}

// SaveRoundOpening writes what opening a round sets besides its status: the
// opening and update times and the frozen electorate's size.
func (t *Tx) SaveRoundOpening(r *model.Round) error {
	return result(t.g.Model(&model.Round{}).Where("id = ?", r.ID).Updates(map[string]any{
		"opened_at": *r.OpenedAt, "updated_at": r.UpdatedAt,
		"electorate_households": r.ElectorateHouseholds, "electorate_area": r.ElectorateArea,
	}))
}

// SaveRoundClosing writes what closing a round sets besides its status: the
// closing and update times, the frozen result, the reason for an early
// close and the end of the notice period.
func (t *Tx) SaveRoundClosing(r *model.Round) error {
	return result(t.g.Model(&model.Round{}).Where("id = ?", r.ID).Updates(map[string]any{
		"closed_at": *r.ClosedAt, "updated_at": r.UpdatedAt, "result_json": r.ResultJSON,
		"close_reason": r.CloseReason, "notice_ends_at": *r.NoticeEndsAt,
	}))
}

// ElectorateScope is the households a round's electorate is drawn from: an
// estate's, only the eligible ones when EligibleOnly, of one building and
// unit when those are set.
type ElectorateScope struct {
	EstateID     string
	EligibleOnly bool
	Building     string
	Unit         string
}

// HouseholdsInScope reads the id, building, unit and area of the households in scope.
func (t *Tx) HouseholdsInScope(scope ElectorateScope) ([]model.Household, error) {
	q := t.g.Model(&model.Household{}).Where("estate_id = ?", scope.EstateID)
	if scope.EligibleOnly {
		q = q.Where("eligible = ?", true)
	}
	if scope.Building != "" {
		q = q.Where("building = ?", scope.Building)
	}
	if scope.Unit != "" {
		q = q.Where("unit = ?", scope.Unit)
	}
	var households []model.Household
	err := result(q.Select("id", "building", "unit", "area_hundredths").Find(&households))
	return households, err
}

// InsertElectorate writes a round's frozen electorate and its tally
// counters (a counter that exists already is kept), 500 rows a statement.
func (t *Tx) InsertElectorate(members []model.RoundMember, counters []model.TallyCounter) error {
	if err := result(t.g.CreateInBatches(members, 500)); err != nil {
		return err
	}
	return result(t.g.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(counters, 500))
}

// RevisionVersion is the version of a plan revision (0 when there is none with this id).
func (t *Tx) RevisionVersion(revisionID string) (int, error) {
	var version int
	err := result(t.g.Model(&model.Revision{}).Where("id = ?", revisionID).Select("version").Scan(&version))
	return version, err
}

// EarlierObjectionsFilter picks the objections of an estate's earlier rounds
// that a plan round on a newer revision needs answered: of rounds with one
// of the ended statuses, a lower sequence number and an older revision
// (none counts as version 0), with the open status.
type EarlierObjectionsFilter struct {
	EstateID        string
	EndedStatuses   []string
	BeforeSeq       int
	OlderThan       int
	ObjectionStatus string
}

// EarlierObjections reads the id, round, category, plan item and creation
// time of the objections the filter picks, in id order.
func (t *Tx) EarlierObjections(f EarlierObjectionsFilter) ([]model.Objection, error) {
	var objections []model.Objection
	err := result(t.g.Table("objections o").Select("o.id, o.round_id, o.category, o.plan_item, o.created_at").
		Joins("JOIN rounds r ON r.id = o.round_id").
		Joins("LEFT JOIN revisions v ON v.id = r.revision_id").
		Where("r.estate_id = ? AND r.status IN ? AND r.seq < ? AND COALESCE(v.version, 0) < ? AND o.status = ?",
			f.EstateID, f.EndedStatuses, f.BeforeSeq, f.OlderThan, f.ObjectionStatus).
		Order("o.id").Scan(&objections))
	return objections, err
}

// VoidingExplanation is the explanation of a round's first result objection
// (by resolution time) with this outcome; "" when there is none.
func (t *Tx) VoidingExplanation(roundID, outcome string) (string, error) {
	var upheld []model.ResultObjection
	if err := result(t.g.Select("explanation").Where("round_id = ? AND outcome = ?", roundID, outcome).
		Order("resolved_at").Limit(1).Find(&upheld)); err != nil {
		return "", err
	}
	if len(upheld) == 1 {
		return upheld[0].Explanation, nil
	}
	return "", nil
}
