package service

import (
	"time"

	"minyi/store"
)

// NoticeSurvey is a closed survey as the public sees it: counts and mean ratings of its
// choice and rating questions, never texts, and only with at least
// MinPublicBuildingHouseholds responses.
type NoticeSurvey struct {
	Title, Purpose string
	ClosedAt       time.Time
	Responses      int64
	Questions      []NoticeSurveyQuestion
}

// NoticeSurveyQuestion is one choice or rating question's public figures.
type NoticeSurveyQuestion struct {
	Text, Kind string
	Answered   int64
	Options    []OptionCount
	Rating     *RatingSummary
}

// noticeSurveys lists an estate's closed surveys with enough responses to publish,
// oldest first.
func (s *Service) noticeSurveys(tx *store.Tx, estateID string) ([]NoticeSurvey, error) {
	rows, err := tx.SurveysInStatuses(estateID, []string{SurveyOpen, SurveyClosed}, MaxPageLimit)
	if err != nil {
		return nil, err
	}
	out := []NoticeSurvey{}
	for i := range rows {
		view, err := s.surveyView(&rows[i])
		if err != nil {
			return nil, err
		}
		if view.Status != SurveyClosed {
			continue
		}
		responses, err := tx.CountSurveyResponses(view.ID)
		if err != nil {
			return nil, err
		}
		if responses < MinPublicBuildingHouseholds {
			continue
		}
		results, err := countSurvey(tx, view)
		if err != nil {
			return nil, err
		}
		out = append(out, publicSurvey(results))
	}
	return out, nil
}

// publicSurvey keeps of a survey's results what the public may see.
func publicSurvey(results *SurveyResults) NoticeSurvey {
	survey := NoticeSurvey{Title: results.Survey.Title, Purpose: results.Survey.Purpose, Responses: results.Responses}
	if results.Survey.ClosedAt != nil {
		survey.ClosedAt = *results.Survey.ClosedAt
	}
	for _, q := range results.Questions {
		if q.Question.Kind == QuestionText {
			continue
		}
		survey.Questions = append(survey.Questions, NoticeSurveyQuestion{Text: q.Question.Text, Kind: q.Question.Kind,
			Answered: q.Answered, Options: q.Options, Rating: q.Rating})
	}
	return survey
}

// expiredSurveys counts an estate's surveys that closed at their closing time without a
// write touching the estate, so that the board's version moves when they close.
func (s *Service) expiredSurveys(tx *store.Tx, estateID string) (int64, error) {
	return tx.CountExpiredSurveys(estateID, SurveyOpen, s.Now())
}
