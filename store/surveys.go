package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// The statements of surveys (摸底调查, 问需, 问效) and their responses.

// CheckEstateForSurvey reads only the id of the estate a survey is drafted
// or listed in; model.ErrNotFound when there is no such estate.
func (t *Tx) CheckEstateForSurvey(estateID string) error {
	var estate model.Estate
	return first(t.g.Select("id").Where("id = ?", estateID), &estate)
}

// SurveyMove is a survey's change of status: the new status, its time and
// the opening or closing time it records (nil ones keep their value).
type SurveyMove struct {
	Status   string
	At       time.Time
	OpenedAt *time.Time
	ClosedAt *time.Time
}

// MoveSurvey changes the status of a survey still in fromStatus and reports
// whether it changed (false: the survey is in another status).
func (t *Tx) MoveSurvey(surveyID, fromStatus string, m SurveyMove) (bool, error) {
	changes := map[string]any{"status": m.Status, "updated_at": m.At}
	if m.OpenedAt != nil {
		changes["opened_at"] = *m.OpenedAt
	}
	if m.ClosedAt != nil {
		changes["closed_at"] = *m.ClosedAt
	}
	res := t.g.Model(&model.Survey{}).Where("id = ? AND status = ?", surveyID, fromStatus).Updates(changes)
	return res.RowsAffected > 0, result(res)
}

// ListSurveys reads one page of an estate's surveys in id order.
func (t *Tx) ListSurveys(estateID string, page Page) ([]model.Survey, error) {
	return findPage[model.Survey](t.g.Where("estate_id = ?", estateID), page, "id")
}

// SurveysInStatuses reads at most limit of an estate's surveys in one of
// these statuses, in id order.
func (t *Tx) SurveysInStatuses(estateID string, statuses []string, limit int) ([]model.Survey, error) {
	var rows []model.Survey
	err := t.g.Where("estate_id = ? AND status IN ?", estateID, statuses).Order("id").Limit(limit).Find(&rows).Error
	return rows, model.Translate(err)
}

// CountSurveyResponses counts a survey's responses (one per household).
func (t *Tx) CountSurveyResponses(surveyID string) (int64, error) {
	var n int64
	err := t.g.Model(&model.SurveyResponse{}).Where("survey_id = ?", surveyID).Count(&n).Error
	return n, model.Translate(err)
}

// CountExpiredSurveys counts an estate's surveys still in the open status
// whose closing time is at or before now.
func (t *Tx) CountExpiredSurveys(estateID, openStatus string, now time.Time) (int64, error) {
	var n int64
	err := t.g.Model(&model.Survey{}).Where("estate_id = ? AND status = ? AND closes_at <= ?", estateID, openStatus, now).Count(&n).Error
	return n, model.Translate(err)
}

// UpsertSurveyResponse writes a household's response to a survey, replacing
// the answers, channel, recorder and time of an earlier one (the row's id
// is then not the stored one).
func (t *Tx) UpsertSurveyResponse(row *model.SurveyResponse) error {
	upsert := clause.OnConflict{Columns: []clause.Column{{Name: "survey_id"}, {Name: "household_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"answers", "channel", "recorded_by_kind", "recorded_by_id", "updated_at"})}
	return result(t.g.Clauses(upsert).Create(row))
}

// SurveyResponseOf reads a household's response to a survey; model.ErrNotFound when none.
func (t *Tx) SurveyResponseOf(surveyID, householdID string) (model.SurveyResponse, error) {
	var stored model.SurveyResponse
	err := first(t.g.Where("survey_id = ? AND household_id = ?", surveyID, householdID), &stored)
	return stored, err
}

// SurveyHouseholdFilter narrows the households of an estate a survey
// response may be for; empty fields do not filter.
type SurveyHouseholdFilter struct {
	// ResidentID keeps the households this resident is bound to.
	ResidentID string
	// HouseholdID keeps the household with this id.
	HouseholdID string
}

// SurveyHouseholdIDs reads the ids of at most limit of the estate's
// households that pass the filter, in id order.
func (t *Tx) SurveyHouseholdIDs(estateID string, filter SurveyHouseholdFilter, limit int) ([]string, error) {
	q := t.g.Table("households h").Where("h.estate_id = ?", estateID)
	if filter.ResidentID != "" {
		q = q.Joins("JOIN resident_bindings b ON b.household_id = h.id AND b.resident_id = ?", filter.ResidentID)
	}
	if filter.HouseholdID != "" {
		q = q.Where("h.id = ?", filter.HouseholdID)
	}
	var ids []string
	err := q.Order("h.id").Limit(limit).Pluck("h.id", &ids).Error
	return ids, model.Translate(err)
}

// OpenSurveysOfResident reads one page, in id order, of the surveys in the
// open status and not past their closing time at now, of the estates of
// the resident's bound households.
func (t *Tx) OpenSurveysOfResident(residentID, openStatus string, now time.Time, page Page) ([]model.Survey, error) {
	estates := t.g.Model(&model.ResidentBinding{}).Select("estate_id").Where("resident_id = ?", residentID)
	q := t.g.Where("estate_id IN (?) AND status = ? AND (closes_at IS NULL OR closes_at > ?)", estates, openStatus, now)
	return findPage[model.Survey](q, page, "id")
}

// ResidentSurveyResponses reads the responses to these surveys of the
// resident's bound households, in household order.
func (t *Tx) ResidentSurveyResponses(residentID string, surveyIDs []string) ([]model.SurveyResponse, error) {
	households := t.g.Model(&model.ResidentBinding{}).Select("household_id").Where("resident_id = ?", residentID)
	var responses []model.SurveyResponse
	err := t.g.Where("survey_id IN ? AND household_id IN (?)", surveyIDs, households).Order("household_id").Find(&responses).Error
	return responses, model.Translate(err)
}

// SurveyAnswers reads the answers (JSON) of a survey's responses in the
// order they were first given.
func (t *Tx) SurveyAnswers(surveyID string) ([]string, error) {
	var rows []model.SurveyResponse
	if err := t.g.Select("answers").Where("survey_id = ?", surveyID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, model.Translate(err)
	}
	answers := make([]string, len(rows))
	for i, row := range rows {
		answers[i] = row.Answers
	}
	return answers, nil
}
