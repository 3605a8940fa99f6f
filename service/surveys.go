package service

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Survey statuses.
const (
	SurveyDraft  = "draft"
	SurveyOpen   = "open"
	SurveyClosed = "closed"
)

// SurveyInput drafts a survey: either from a built-in Template (Title optional) or from
// Purpose and Questions.
type SurveyInput struct {
	Title     string
	Purpose   string
	Template  string
	Questions []SurveyQuestion
	ClosesAt  *time.Time
}

// SurveyView is a survey with its questions decoded.
type SurveyView struct {
	model.Survey
	Questions []SurveyQuestion
	// Status is the effective status: an open survey past its closing time is closed.
	Status string
}

// CreateSurvey drafts a survey of an estate. Errors: estate_not_found, validation_failed.
func (s *Service) CreateSurvey(ctx context.Context, actor Actor, estateID string, in SurveyInput) (*SurveyView, error) {
	if err := s.prepareSurvey(&in); err != nil {
		return nil, err
	}
	questions, err := json.Marshal(in.Questions)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	survey := model.Survey{ID: newID(), EstateID: estateID, Title: in.Title, Purpose: in.Purpose, Template: in.Template,
		Questions: string(questions), Status: SurveyDraft, ClosesAt: in.ClosesAt, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := tx.CheckEstateForSurvey(estateID); err != nil {
			return notFoundAs(err, "estate_not_found")
		}
		if err := s.authorize(tx, actor, estateID, ActManageSurveys); err != nil {
			return hiddenAs(err, "estate_not_found")
		}
		if err := tx.Insert(&survey); err != nil {
			return err
		}
		s.audit(tx, actor, estateID, "survey.create", "survey", survey.ID, nil,
			map[string]any{"title": survey.Title, "purpose": survey.Purpose, "template": survey.Template})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.surveyView(&survey)
}

// prepareSurvey fills a template's questions and validates the input.
func (s *Service) prepareSurvey(in *SurveyInput) error {
	fields := map[string]string{}
	in.Title = strings.TrimSpace(in.Title)
	switch in.Template {
	case "":
	case SurveyTemplateXuchang:
		title, questions := xuchangSatisfaction()
		if in.Title == "" {
			in.Title = title
		}
		if len(in.Questions) > 0 {
			fields["questions"] = "leave questions out when using a template"
		}
		if in.Purpose != "" && in.Purpose != SurveySatisfaction {
			fields["purpose"] = "the template is a satisfaction survey"
		}
		in.Purpose, in.Questions = SurveySatisfaction, questions
	default:
		fields["template"] = "must be xuchang-satisfaction"
	}
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 200 {
		fields["title"] = "1 to 200 characters"
	}
	switch in.Purpose {
	case SurveyNeeds, SurveySatisfaction, SurveyOther:
	default:
		fields["purpose"] = "must be needs, satisfaction or other"
	}
	if _, set := fields["questions"]; !set {
		checkQuestions(in.Questions, fields)
	}
	if in.ClosesAt != nil && !in.ClosesAt.After(s.Now()) {
		fields["closes_at"] = "must be in the future"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// surveyView decodes a survey's questions and works out its effective status.
func (s *Service) surveyView(survey *model.Survey) (*SurveyView, error) {
	view := &SurveyView{Survey: *survey, Status: survey.Status}
	if err := json.Unmarshal([]byte(survey.Questions), &view.Questions); err != nil {
		return nil, err
	}
	if view.Status == SurveyOpen && survey.ClosesAt != nil && !s.Now().Before(*survey.ClosesAt) {
		view.Status = SurveyClosed
		view.ClosedAt = survey.ClosesAt
	}
	return view, nil
}

// loadSurveyFor reads a survey the actor may act on; drafts are hidden from residents.
// Errors: survey_not_found, forbidden.
func (s *Service) loadSurveyFor(tx *store.Tx, actor Actor, surveyID string, action Action) (*SurveyView, error) {
	survey, err := store.ByID[model.Survey](tx, surveyID)
	if err != nil {
		return nil, notFoundAs(err, "survey_not_found")
	}
	if err := s.authorize(tx, actor, survey.EstateID, action); err != nil {
		return nil, hiddenAs(err, "survey_not_found")
	}
	if actor.Kind == ActorResident && survey.Status == SurveyDraft {
		return nil, NotFound("survey_not_found")
	}
	return s.surveyView(&survey)
}

// GetSurvey reads a survey: staff of its estate see every survey, residents the open and
// closed ones of their estates. Errors: survey_not_found.
func (s *Service) GetSurvey(ctx context.Context, actor Actor, surveyID string) (*SurveyView, error) {
	view, err := s.loadSurveyFor(s.read(ctx), actor, surveyID, ActReadSurvey)
	return view, surveyError(err)
}

// OpenSurvey opens a draft survey for answers. Errors: survey_not_found, forbidden,
// survey_not_draft.
func (s *Service) OpenSurvey(ctx context.Context, actor Actor, surveyID string) (*SurveyView, error) {
	return s.moveSurvey(ctx, actor, surveyID, SurveyDraft, SurveyOpen)
}

// CloseSurvey closes an open survey; its answers are then final and, with at least
// MinPublicBuildingHouseholds responses, its aggregates go on the notice board.
// Errors: survey_not_found, forbidden, survey_not_open.
func (s *Service) CloseSurvey(ctx context.Context, actor Actor, surveyID string) (*SurveyView, error) {
	return s.moveSurvey(ctx, actor, surveyID, SurveyOpen, SurveyClosed)
}

// moveSurvey changes a survey's status from one to the next with a conditional update.
func (s *Service) moveSurvey(ctx context.Context, actor Actor, surveyID, from, to string) (*SurveyView, error) {
	var view *SurveyView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if view, err = s.loadSurveyFor(tx, actor, surveyID, ActManageSurveys); err != nil {
			return err
		}
		now := s.Now()
		move := store.SurveyMove{Status: to, At: now}
		if to == SurveyOpen {
			if view.ClosesAt != nil && !view.ClosesAt.After(now) {
				return Invalid("validation_failed", map[string]string{"closes_at": "must be in the future"})
			}
			move.OpenedAt = &now
		} else {
			move.ClosedAt = &now
		}
		moved, err := tx.MoveSurvey(surveyID, from, move)
		if err != nil {
			return err
		}
		if !moved || view.Status != from {
			if from == SurveyDraft {
				return Conflict("survey_not_draft", "only a draft survey can be opened")
			}
			return Conflict("survey_not_open", "the survey is not open")
		}
		s.audit(tx, actor, view.EstateID, "survey."+map[string]string{SurveyOpen: "open", SurveyClosed: "close"}[to],
			"survey", surveyID, map[string]any{"status": from}, map[string]any{"status": to})
		if to == SurveyOpen {
			view.OpenedAt = &now
		} else {
			view.ClosedAt = &now
		}
		view.Survey.Status, view.Status = to, to
		return s.touchEstate(tx, view.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// ListSurveys lists an estate's surveys for staff, oldest first, one page at a time.
// Errors: estate_not_found, validation_failed.
func (s *Service) ListSurveys(ctx context.Context, actor Actor, estateID string, page Page) ([]SurveyView, string, error) {
	tx := s.read(ctx)
	if err := tx.CheckEstateForSurvey(estateID); err != nil {
		return nil, "", AsError(notFoundAs(err, "estate_not_found"))
	}
	if err := s.authorize(tx, actor, estateID, ActListSurveys); err != nil {
		return nil, "", AsError(hiddenAs(err, "estate_not_found"))
	}
	rows, next, err := listPage(page, func(r model.Survey) string { return r.ID },
		func(p store.Page) ([]model.Survey, error) { return tx.ListSurveys(estateID, p) })
	if err != nil {
		return nil, "", err
	}
	views, err := s.surveyViews(rows)
	return views, next, surveyError(err)
}

func (s *Service) surveyViews(rows []model.Survey) ([]SurveyView, error) {
	views := make([]SurveyView, 0, len(rows))
	for i := range rows {
		view, err := s.surveyView(&rows[i])
		if err != nil {
			return nil, err
		}
		views = append(views, *view)
	}
	return views, nil
}

// surveyError is AsError for an error that may be nil.
func surveyError(err error) error {
	if err == nil {
		return nil
	}
	return AsError(err)
}
