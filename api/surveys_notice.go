package api

import (
	"fmt"
	"strings"

	"minyi/service"
)

// noticeSurveyJSON is a closed survey on the public board: counts and means, no texts.
type noticeSurveyJSON struct {
	Title     string                     `json:"title"`
	Purpose   string                     `json:"purpose"`
	ClosedAt  Time                       `json:"closed_at"`
	Responses int64                      `json:"responses"`
	Questions []noticeSurveyQuestionJSON `json:"questions"`
}

type noticeSurveyQuestionJSON struct {
	Text     string            `json:"text"`
	Kind     string            `json:"kind"`
	Answered int64             `json:"answered"`
	Options  []optionCountJSON `json:"options,omitempty"`
	Rating   *ratingJSON       `json:"rating,omitempty"`
}

func toNoticeSurveysJSON(surveys []service.NoticeSurvey) []noticeSurveyJSON {
	out := make([]noticeSurveyJSON, 0, len(surveys))
	for _, s := range surveys {
		item := noticeSurveyJSON{Title: s.Title, Purpose: s.Purpose, ClosedAt: Time(s.ClosedAt), Responses: s.Responses,
			Questions: make([]noticeSurveyQuestionJSON, len(s.Questions))}
		for i, q := range s.Questions {
			item.Questions[i] = noticeSurveyQuestionJSON{Text: q.Text, Kind: q.Kind, Answered: q.Answered,
				Options: toOptionCounts(q.Options), Rating: toRating(q.Rating)}
		}
		out = append(out, item)
	}
	return out
}

// surveyView is a closed survey as the notice page shows it.
type surveyView struct {
	Title, Meta string
	Questions   []surveyQuestionView
}

type surveyQuestionView struct {
	Text, Figures string
}

var surveyPurposeText = map[string]string{
	service.SurveyNeeds: "改造需求调查", service.SurveySatisfaction: "满意度测评", service.SurveyOther: "问卷调查",
}

func newSurveyViews(surveys []service.NoticeSurvey) []surveyView {
	var out []surveyView
	for _, s := range surveys {
		view := surveyView{Title: s.Title,
			Meta: fmt.Sprintf("%s · %s结束 · 共 %d 户答卷", surveyPurposeText[s.Purpose], chineseDate(s.ClosedAt), s.Responses)}
		for _, q := range s.Questions {
			view.Questions = append(view.Questions, surveyQuestionView{Text: q.Text, Figures: surveyFigures(q)})
		}
		out = append(out, view)
	}
	return out
}

// surveyFigures writes a question's counts or mean rating in words.
func surveyFigures(q service.NoticeSurveyQuestion) string {
	if q.Rating != nil {
		if q.Rating.Count == 0 {
			return "暂无评分"
		}
		return fmt.Sprintf("平均 %s 分（%d 户评分，合计 %d 分）", q.Rating.Mean(), q.Rating.Count, q.Rating.Sum)
	}
	parts := make([]string, len(q.Options))
	for i, o := range q.Options {
		parts[i] = fmt.Sprintf("%s %d 户", o.Option, o.Count)
	}
	return strings.Join(parts, " · ")
}
