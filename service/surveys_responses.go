package service

import (
	"context"
	"encoding/json"

	"minyi/model"
	"minyi/store"
)

// SurveyResponseView is a household's response with its answers decoded.
type SurveyResponseView struct {
	model.SurveyResponse
	Answers []SurveyAnswer
}

// ResidentSurvey is an open survey of a resident's estate with the responses of the
// resident's households there.
type ResidentSurvey struct {
	SurveyView
	MyResponses []SurveyResponseView
}

// AnswerSurvey records a resident's answers for one of their bound households of the
// survey's estate (the only one when none is named), replacing the household's earlier
// response. Errors: survey_not_found, household_not_found, household_required,
// validation_failed, survey_not_open.
func (s *Service) AnswerSurvey(ctx context.Context, actor Actor, surveyID, householdID string, answers []SurveyAnswer) (*SurveyResponseView, error) {
	return s.recordSurveyResponse(ctx, actor, surveyID, householdID, answers, ActReadSurvey)
}

// RecordPaperSurveyResponse records a paper form's answers for a household of the
// survey's estate, entered by staff. Errors: survey_not_found, forbidden,
// household_not_found, validation_failed, survey_not_open.
func (s *Service) RecordPaperSurveyResponse(ctx context.Context, actor Actor, surveyID, householdID string, answers []SurveyAnswer) (*SurveyResponseView, error) {
	return s.recordSurveyResponse(ctx, actor, surveyID, householdID, answers, ActRecordSurveyResponses)
}

// recordSurveyResponse is the one write path of responses: the unique (survey,
// household) index and an upsert keep one response per household.
func (s *Service) recordSurveyResponse(ctx context.Context, actor Actor, surveyID, householdID string, answers []SurveyAnswer, action Action) (*SurveyResponseView, error) {
	var out *SurveyResponseView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		survey, err := s.loadSurveyFor(tx, actor, surveyID, action)
		if err != nil {
			return err
		}
		if householdID, err = s.answeringHousehold(tx, actor, survey.EstateID, householdID); err != nil {
			return err
		}
		if survey.Status != SurveyOpen {
			return Conflict("survey_not_open", "the survey is not open for answers")
		}
		checked, err := checkAnswers(survey.Questions, answers)
		if err != nil {
			return err
		}
		encoded, err := json.Marshal(checked)
		if err != nil {
			return err
		}
		now := s.Now()
		kind, channel := "staff", ChannelPaper
		if actor.Kind == ActorResident {
			kind, channel = ActorResident, ChannelOnline
		}
		row := model.SurveyResponse{ID: newID(), SurveyID: survey.ID, HouseholdID: householdID, EstateID: survey.EstateID,
			Answers: string(encoded), Channel: channel, RecordedByKind: kind, RecordedByID: actor.ID, CreatedAt: now, UpdatedAt: now}
		if err := tx.UpsertSurveyResponse(&row); err != nil {
			return err
		}
		// Read the stored row: row's id is not the stored one after a replacement.
		stored, err := tx.SurveyResponseOf(survey.ID, householdID)
		if err != nil {
			return err
		}
		s.audit(tx, actor, survey.EstateID, "survey.response", "survey", survey.ID, nil,
			map[string]any{"household_id": householdID, "channel": channel, "answers": len(checked)})
		out = &SurveyResponseView{SurveyResponse: stored, Answers: checked}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// answeringHousehold picks the household a response is for: for a resident one of their
// bound households in the estate (the only one when none is named), for staff the named
// household of the estate. Errors: validation_failed, household_not_found, household_required.
func (s *Service) answeringHousehold(tx *store.Tx, actor Actor, estateID, householdID string) (string, error) {
	filter := store.SurveyHouseholdFilter{HouseholdID: householdID}
	if actor.Kind == ActorResident {
		filter.ResidentID = actor.ID
	} else if householdID == "" {
		return "", InvalidField("household_id", "is required")
	}
	// Two are enough to tell the only household from several.
	ids, err := tx.SurveyHouseholdIDs(estateID, filter, 2)
	if err != nil {
		return "", err
	}
	switch {
	case len(ids) == 0:
		return "", NotFound("household_not_found")
	case len(ids) > 1:
		return "", Invalid("household_required", map[string]string{"household_id": "you act for several households in this estate; name one"})
	}
	return ids[0], nil
}

// MySurveys lists the open surveys of the estates of a resident's bound households,
// oldest first, each with the responses of the resident's households. Errors: validation_failed.
func (s *Service) MySurveys(ctx context.Context, actor Actor, page Page) ([]ResidentSurvey, string, error) {
	tx := s.read(ctx)
	now := s.Now()
	rows, next, err := listPage(page, func(r model.Survey) string { return r.ID },
		func(p store.Page) ([]model.Survey, error) {
			return tx.OpenSurveysOfResident(actor.ID, SurveyOpen, now, p)
		})
	if err != nil {
		return nil, "", err
	}
	views, err := s.surveyViews(rows)
	if err != nil {
		return nil, "", AsError(err)
	}
	out := make([]ResidentSurvey, len(views))
	ids := make([]string, len(views))
	index := map[string]int{}
	for i := range views {
		out[i] = ResidentSurvey{SurveyView: views[i], MyResponses: []SurveyResponseView{}}
		ids[i] = views[i].ID
		index[views[i].ID] = i
	}
	if len(ids) == 0 {
		return out, next, nil
	}
	responses, err := tx.ResidentSurveyResponses(actor.ID, ids)
	if err != nil {
		return nil, "", AsError(err)
	}
	for _, r := range responses {
		view := SurveyResponseView{SurveyResponse: r}
		if err := json.Unmarshal([]byte(r.Answers), &view.Answers); err != nil {
			return nil, "", AsError(err)
		}
		i := index[r.SurveyID]
		out[i].MyResponses = append(out[i].MyResponses, view)
	}
	return out, next, nil
}
