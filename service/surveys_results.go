package service

import (
	"context"
	"encoding/json"
	"fmt"

	"minyi/store"
)

// SurveyResults are a survey's answers counted per question.
type SurveyResults struct {
	Survey    SurveyView
	Responses int64
	Questions []QuestionResult
}

// QuestionResult is one question's figures: Answered households; Options with their
// counts (choice questions); Rating (rating questions); Texts (text questions, staff only).
type QuestionResult struct {
	Question SurveyQuestion
	Answered int64
	Options  []OptionCount
	Rating   *RatingSummary
	Texts    []string
}

// OptionCount is how many households chose an option.
type OptionCount struct {
	Option string
	Count  int64
}

// RatingSummary sums a rating question: Counts[r-1] households gave r.
type RatingSummary struct {
	Count  int64
	Sum    int64
	Counts [maxRating]int64
}

// Mean is the mean rating as a decimal with two places, rounded half up from the exact
// Sum/Count ("" when nobody rated).
func (r RatingSummary) Mean() string {
	if r.Count == 0 {
		return ""
	}
	hundredths := (r.Sum*200 + r.Count) / (2 * r.Count)
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

// SurveyResults counts a survey's responses for staff of its estate.
// Errors: survey_not_found, forbidden.
func (s *Service) SurveyResults(ctx context.Context, actor Actor, surveyID string) (*SurveyResults, error) {
	tx := s.read(ctx)
	survey, err := s.loadSurveyFor(tx, actor, surveyID, ActReadSurveyResults)
	if err != nil {
		return nil, AsError(err)
	}
	results, err := countSurvey(tx, survey)
	return results, surveyError(err)
}

// countSurvey reads a survey's responses and counts them per question.
func countSurvey(tx *store.Tx, survey *SurveyView) (*SurveyResults, error) {
	results := &SurveyResults{Survey: *survey, Questions: make([]QuestionResult, len(survey.Questions))}
	index := map[string]int{}
	for i, q := range survey.Questions {
		index[q.ID] = i
		results.Questions[i] = QuestionResult{Question: q}
		for _, option := range q.Options {
			results.Questions[i].Options = append(results.Questions[i].Options, OptionCount{Option: option})
		}
		if q.Kind == QuestionRating {
			results.Questions[i].Rating = &RatingSummary{}
		}
	}
	rows, err := tx.SurveyAnswers(survey.ID)
	if err != nil {
		return nil, err
	}
	results.Responses = int64(len(rows))
	for _, row := range rows {
		var answers []SurveyAnswer
		if err := json.Unmarshal([]byte(row), &answers); err != nil {
			return nil, err
		}
		for _, a := range answers {
			if i, ok := index[a.QuestionID]; ok {
				results.Questions[i].add(a)
			}
		}
	}
	return results, nil
}

// add counts one household's answer to the question.
func (r *QuestionResult) add(a SurveyAnswer) {
	r.Answered++
	chosen := a.Choices
	if a.Choice != "" {
		chosen = []string{a.Choice}
	}
	for _, c := range chosen {
		for i := range r.Options {
			if r.Options[i].Option == c {
				r.Options[i].Count++
			}
		}
	}
	if r.Rating != nil && a.Rating >= minRating && a.Rating <= maxRating {
		r.Rating.Count++
		r.Rating.Sum += int64(a.Rating)
		r.Rating.Counts[a.Rating-1]++
	}
	if a.Text != "" {
		r.Texts = append(r.Texts, a.Text)
	}
}

// SurveyResultsSheet writes a survey's results as a workbook: the counts, and the texts
// on a second sheet. Errors: survey_not_found, forbidden.
func (s *Service) SurveyResultsSheet(ctx context.Context, actor Actor, surveyID string) (*Spreadsheet, error) {
	results, err := s.SurveyResults(ctx, actor, surveyID)
	if err != nil {
		return nil, err
	}
	counts := sheet{Name: "统计", Header: []string{"题号", "题目", "选项或评分", "户数", "平均分"},
		Widths: []float64{14, 40, 24, 10, 10}, Title: defuseFormula(results.Survey.Title), Borders: true}
	texts := sheet{Name: "文字意见", Header: []string{"题号", "题目", "意见"}, Widths: []float64{14, 30, 80}}
	counts.Rows = append(counts.Rows, []any{"", "答卷户数", "", results.Responses, ""})
	for _, q := range results.Questions {
		id, text := defuseFormula(q.Question.ID), defuseFormula(q.Question.Text)
		for _, o := range q.Options {
			counts.Rows = append(counts.Rows, []any{id, text, defuseFormula(o.Option), o.Count, ""})
		}
		if q.Rating != nil {
			for rating, n := range q.Rating.Counts {
				counts.Rows = append(counts.Rows, []any{id, text, fmt.Sprintf("%d 分", rating+1), n, ""})
			}
			counts.Rows = append(counts.Rows, []any{id, text, "合计", q.Rating.Count, q.Rating.Mean()})
		}
		for _, t := range q.Texts {
			texts.Rows = append(texts.Rows, []any{id, text, defuseFormula(t)})
		}
	}
	data, err := writeXLSX([]sheet{counts, texts})
	if err != nil {
		return nil, AsError(err)
	}
	return &Spreadsheet{FileName: safeFileName(results.Survey.Title+"-结果") + ".xlsx", ContentType: ContentTypeXLSX, Data: data}, nil
}
