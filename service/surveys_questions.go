package service

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Survey purposes: a needs survey before the plan (改前问需), a satisfaction survey after
// the works (改后问效), or another.
const (
	SurveyNeeds        = "needs"
	SurveySatisfaction = "satisfaction"
	SurveyOther        = "other"
)

// Kinds of survey questions.
const (
	QuestionSingle   = "single"   // one of the options
	QuestionMultiple = "multiple" // one or more of the options
	QuestionRating   = "rating"   // an integer from 1 to 5
	QuestionText     = "text"     // free text, shown to staff only
)

// Bounds of a survey's questions.
const (
	maxSurveyQuestions   = 50
	maxQuestionOptions   = 20
	maxSurveyAnswerRunes = 2000
	minRating, maxRating = 1, 5
)

// SurveyTemplateXuchang is the built-in satisfaction form after Xuchang's model: each
// item rated 满意 / 基本满意 / 不满意, and one open question.
const SurveyTemplateXuchang = "xuchang-satisfaction"

// SurveyQuestion is one question of a survey.
type SurveyQuestion struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Options  []string `json:"options,omitempty"`
	Required bool     `json:"required"`
}

var questionIDPattern = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// xuchangRatings are the answers of every item of the Xuchang form.
var xuchangRatings = []string{"满意", "基本满意", "不满意"}

// xuchangSatisfaction builds the questions of the built-in Xuchang satisfaction form.
func xuchangSatisfaction() (title string, questions []SurveyQuestion) {
	items := []struct{ id, text string }{
		{"quality", "施工质量"},
		{"progress", "施工进度"},
		{"civilised_works", "文明施工（噪声、扬尘、围挡与安全）"},
		{"outcome", "改造效果"},
		{"communication", "意见征询与答复"},
		{"maintenance", "后续管理（物业与长效管护）"},
		{"overall", "总体评价"},
	}
	for _, item := range items {
		questions = append(questions, SurveyQuestion{ID: item.id, Kind: QuestionSingle, Text: item.text,
			Options: append([]string(nil), xuchangRatings...), Required: true})
	}
	questions = append(questions, SurveyQuestion{ID: "suggestions", Kind: QuestionText, Text: "其他意见和建议"})
	return "老旧小区改造满意度测评", questions
}

// checkQuestions validates a survey's questions, filling fields with the reasons.
func checkQuestions(questions []SurveyQuestion, fields map[string]string) {
	if len(questions) == 0 || len(questions) > maxSurveyQuestions {
		fields["questions"] = "1 to 50 questions"
		return
	}
	seen := map[string]int{}
	for i := range questions {
		q := &questions[i]
		at := fmt.Sprintf("questions[%d]", i)
		q.ID, q.Text = strings.TrimSpace(q.ID), strings.TrimSpace(q.Text)
		if !questionIDPattern.MatchString(q.ID) {
			fields[at+".id"] = "1 to 32 characters of a-z, 0-9, '_' and '-'"
		} else if j, dup := seen[q.ID]; dup {
			fields[at+".id"] = fmt.Sprintf("repeats questions[%d]", j)
		} else {
			seen[q.ID] = i
		}
		if n := utf8.RuneCountInString(q.Text); n == 0 || n > 200 {
			fields[at+".text"] = "1 to 200 characters"
		}
		switch q.Kind {
		case QuestionSingle, QuestionMultiple:
			checkOptions(q, at, fields)
		case QuestionRating, QuestionText:
			if len(q.Options) > 0 {
				fields[at+".options"] = "only single and multiple questions have options"
			}
		default:
			fields[at+".kind"] = "must be single, multiple, rating or text"
		}
	}
}

// checkOptions validates the options of a choice question.
func checkOptions(q *SurveyQuestion, at string, fields map[string]string) {
	if len(q.Options) < 2 || len(q.Options) > maxQuestionOptions {
		fields[at+".options"] = "2 to 20 options"
		return
	}
	seen := map[string]bool{}
	for i, option := range q.Options {
		option = strings.TrimSpace(option)
		q.Options[i] = option
		switch n := utf8.RuneCountInString(option); {
		case n == 0 || n > 100:
			fields[fmt.Sprintf("%s.options[%d]", at, i)] = "1 to 100 characters"
		case seen[option]:
			fields[fmt.Sprintf("%s.options[%d]", at, i)] = "repeats another option"
		}
		seen[option] = true
	}
}

// SurveyAnswer is a household's answer to one question: Choice for a single question,
// Choices for a multiple one, Rating for a rating, Text for a text question.
type SurveyAnswer struct {
	QuestionID string   `json:"question_id"`
	Choice     string   `json:"choice,omitempty"`
	Choices    []string `json:"choices,omitempty"`
	Rating     int      `json:"rating,omitempty"`
	Text       string   `json:"text,omitempty"`
}

// checkAnswers validates answers against the questions and returns them in the
// questions' order, without empty answers to optional questions. Errors: validation_failed.
func checkAnswers(questions []SurveyQuestion, answers []SurveyAnswer) ([]SurveyAnswer, error) {
	fields := map[string]string{}
	byQuestion := map[string]SurveyAnswer{}
	known := map[string]SurveyQuestion{}
	for _, q := range questions {
		known[q.ID] = q
	}
	if len(answers) > len(questions) {
		fields["answers"] = "more answers than questions"
	}
	for i, a := range answers {
		at := fmt.Sprintf("answers[%d]", i)
		q, ok := known[a.QuestionID]
		switch {
		case !ok:
			fields[at+".question_id"] = "no such question in this survey"
			continue
		case byQuestion[a.QuestionID].QuestionID != "":
			fields[at+".question_id"] = "answers the same question twice"
			continue
		}
		a.Text = strings.TrimSpace(a.Text)
		if field, reason := checkAnswer(q, a); reason != "" {
			fields[at+field] = reason
			continue
		}
		if !emptyAnswer(a) {
			byQuestion[a.QuestionID] = a
		}
	}
	var out []SurveyAnswer
	for _, q := range questions {
		a, ok := byQuestion[q.ID]
		if ok {
			out = append(out, a)
		} else if q.Required {
			if _, named := fields["answers"]; !named {
				fields["answers."+q.ID] = "is required"
			}
		}
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	return out, nil
}

// checkAnswer checks one answer against its question: the field (".choice", ...) and
// the reason, or "" when the answer fits.
func checkAnswer(q SurveyQuestion, a SurveyAnswer) (field, reason string) {
	switch q.Kind {
	case QuestionSingle:
		if len(a.Choices) > 0 || a.Rating != 0 || a.Text != "" {
			return "", "answer a single-choice question with choice only"
		}
		if a.Choice != "" && !slices.Contains(q.Options, a.Choice) {
			return ".choice", "must be one of the question's options"
		}
	case QuestionMultiple:
		if a.Choice != "" || a.Rating != 0 || a.Text != "" {
			return "", "answer a multiple-choice question with choices only"
		}
		seen := map[string]bool{}
		for _, c := range a.Choices {
			if !slices.Contains(q.Options, c) {
				return ".choices", "must be options of the question"
			}
			if seen[c] {
				return ".choices", "names an option twice"
			}
			seen[c] = true
		}
	case QuestionRating:
		if a.Choice != "" || len(a.Choices) > 0 || a.Text != "" {
			return "", "answer a rating question with rating only"
		}
		if a.Rating != 0 && (a.Rating < minRating || a.Rating > maxRating) {
			return ".rating", "must be an integer from 1 to 5"
		}
	case QuestionText:
		if a.Choice != "" || len(a.Choices) > 0 || a.Rating != 0 {
			return "", "answer a text question with text only"
		}
		if utf8.RuneCountInString(a.Text) > maxSurveyAnswerRunes {
			return ".text", "at most 2000 characters"
		}
	}
	return "", ""
}

// emptyAnswer tells whether an answer says nothing (an optional question left blank).
func emptyAnswer(a SurveyAnswer) bool {
	return a.Choice == "" && len(a.Choices) == 0 && a.Rating == 0 && a.Text == ""
}
