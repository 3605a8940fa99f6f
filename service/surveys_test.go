package service

import (
	"context"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// TestSurveyClosesAtItsClosingTime opens a survey with a closing time, answers it from
// five households, and moves the clock past the closing time: the survey reads closed,
// answers are refused with survey_not_open, the board's version moves and the board
// shows the survey's aggregates although no write touched the estate.
func TestSurveyClosesAtItsClosingTime(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 6, 1, "")
		clock := &pinnedClock{now: time.Now().UTC().Truncate(time.Second)}
		f.svc.clock = clock
		closesAt := clock.Now().Add(time.Hour)
		survey, err := f.svc.CreateSurvey(ctx, f.worker, f.estateID, SurveyInput{Title: "竣工测评", Template: SurveyTemplateXuchang, ClosesAt: &closesAt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.OpenSurvey(ctx, f.worker, survey.ID); err != nil {
			t.Fatal(err)
		}
		answers := []SurveyAnswer{{QuestionID: "suggestions", Text: "希望增加路灯"}}
		for _, q := range survey.Questions {
			if q.Required {
				answers = append(answers, SurveyAnswer{QuestionID: q.ID, Choice: "满意"})
			}
		}
		for _, household := range f.households[:5] {
			if _, err := f.svc.RecordPaperSurveyResponse(ctx, f.worker, survey.ID, household, answers); err != nil {
				t.Fatal(err)
			}
		}
		estate, err := f.svc.GetEstate(ctx, SystemActor(), f.estateID)
		if err != nil {
			t.Fatal(err)
		}
		before, err := f.svc.GetNoticeBoard(ctx, estate.Code)
		if err != nil {
			t.Fatal(err)
		}
		if len(before.Surveys) != 0 {
			t.Fatalf("an open survey is on the board: %+v", before.Surveys)
		}

		clock.set(closesAt.Add(time.Minute))
		read, err := f.svc.GetSurvey(ctx, f.worker, survey.ID)
		if err != nil || read.Status != SurveyClosed || read.ClosedAt == nil || !read.ClosedAt.Equal(closesAt) {
			t.Fatalf("after the closing time: %+v (%v), want closed at %v", read, err, closesAt)
		}
		_, err = f.svc.RecordPaperSurveyResponse(ctx, f.worker, survey.ID, f.households[5], answers)
		if se := AsError(err); se.Code != "survey_not_open" {
			t.Errorf("an answer after the closing time: %v, want survey_not_open", err)
		}
		after, err := f.svc.GetNoticeBoard(ctx, estate.Code)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version == before.Version {
			t.Errorf("the board's version did not move when the survey closed at its time")
		}
		if len(after.Surveys) != 1 || after.Surveys[0].Responses != 5 || !after.Surveys[0].ClosedAt.Equal(closesAt) {
			t.Fatalf("board surveys after the closing time: %+v", after.Surveys)
		}
		for _, q := range after.Surveys[0].Questions {
			if q.Kind == QuestionText {
				t.Errorf("a text question reached the board: %+v", q)
			}
			if q.Answered != 5 || len(q.Options) != 3 || q.Options[0].Count != 5 {
				t.Errorf("board figures of %s: %+v", q.Text, q)
			}
		}
		if _, err := f.svc.CloseSurvey(ctx, f.worker, survey.ID); AsError(err).Code != "survey_not_open" {
			t.Errorf("closing a survey past its closing time: %v, want survey_not_open", err)
		}
	})
}
