package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

type surveyAnswerJSON struct {
	QuestionID string   `json:"question_id"`
	Choice     string   `json:"choice,omitempty"`
	Choices    []string `json:"choices,omitempty"`
	Rating     int      `json:"rating,omitempty"`
	Text       string   `json:"text,omitempty"`
}

type surveyAnswersRequest struct {
	HouseholdID string             `json:"household_id"`
	Answers     []surveyAnswerJSON `json:"answers"`
}

func (r surveyAnswersRequest) answers() []service.SurveyAnswer {
	out := make([]service.SurveyAnswer, len(r.Answers))
	for i, a := range r.Answers {
		out[i] = service.SurveyAnswer(a)
	}
	return out
}

type surveyAnswersResponse struct {
	SurveyID    string             `json:"survey_id"`
	HouseholdID string             `json:"household_id"`
	Channel     string             `json:"channel"`
	Answers     []surveyAnswerJSON `json:"answers"`
	CreatedAt   Time               `json:"created_at"`
	UpdatedAt   Time               `json:"updated_at"`
}

func toSurveyAnswers(r *service.SurveyResponseView) surveyAnswersResponse {
	out := surveyAnswersResponse{SurveyID: r.SurveyID, HouseholdID: r.HouseholdID, Channel: r.Channel,
		Answers: make([]surveyAnswerJSON, len(r.Answers)), CreatedAt: Time(r.CreatedAt), UpdatedAt: Time(r.UpdatedAt)}
	for i, a := range r.Answers {
		out.Answers[i] = surveyAnswerJSON(a)
	}
	return out
}

type residentSurveyResponse struct {
	surveyResponse
	MyResponses []surveyAnswersResponse `json:"my_responses"`
}

func (a *API) mySurveys(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	surveys, next, err := a.svc.MySurveys(c.Request.Context(), actorOf(c), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[residentSurveyResponse]{Items: make([]residentSurveyResponse, len(surveys)), NextCursor: next}
	for i := range surveys {
		item := residentSurveyResponse{surveyResponse: toSurvey(&surveys[i].SurveyView),
			MyResponses: make([]surveyAnswersResponse, len(surveys[i].MyResponses))}
		for j := range surveys[i].MyResponses {
			item.MyResponses[j] = toSurveyAnswers(&surveys[i].MyResponses[j])
		}
		resp.Items[i] = item
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) answerSurvey(c *gin.Context) {
	var req surveyAnswersRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := a.svc.AnswerSurvey(c.Request.Context(), actorOf(c), c.Param("survey_id"), req.HouseholdID, req.answers())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSurveyAnswers(r))
}

func (a *API) recordPaperSurveyResponse(c *gin.Context) {
	var req surveyAnswersRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.HouseholdID != "" && req.HouseholdID != c.Param("household_id") {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed",
			map[string]string{"household_id": "must match the household in the path"}, nil)
		return
	}
	r, err := a.svc.RecordPaperSurveyResponse(c.Request.Context(), actorOf(c), c.Param("survey_id"), c.Param("household_id"), req.answers())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSurveyAnswers(r))
}
