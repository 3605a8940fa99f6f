package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// surveyRoutes are the needs and satisfaction surveys (问需, 问效).
func (a *API) surveyRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/estates/:estate_id/surveys", service.ActManageSurveys, a.createSurvey},
		{"GET", "/api/v1/estates/:estate_id/surveys", service.ActListSurveys, a.listSurveys},
		{"GET", "/api/v1/surveys/:survey_id", service.ActReadSurvey, a.getSurvey},
		{"POST", "/api/v1/surveys/:survey_id/open", service.ActManageSurveys, a.openSurvey},
		{"POST", "/api/v1/surveys/:survey_id/close", service.ActManageSurveys, a.closeSurvey},
		{"GET", "/api/v1/me/surveys", service.ActResident, a.mySurveys},
		{"PUT", "/api/v1/surveys/:survey_id/my-response", service.ActResident, a.answerSurvey},
		{"PUT", "/api/v1/surveys/:survey_id/responses/:household_id", service.ActRecordSurveyResponses, a.recordPaperSurveyResponse},
		{"GET", "/api/v1/surveys/:survey_id/results", service.ActReadSurveyResults, a.surveyResults},
	}
}

// surveyMessages are the texts of this part's error codes (messages).
var surveyMessages = map[string][2]string{
	"survey_not_found": {"问卷不存在", "survey not found"},
	"survey_not_draft": {"只有草稿状态的问卷可以发布", "only a draft survey can be opened"},
	"survey_not_open":  {"问卷未在收集答卷（尚未发布或已结束）", "the survey is not open for answers"},
}

type surveyQuestionJSON struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Options  []string `json:"options,omitempty"`
	Required bool     `json:"required"`
}

type surveyRequest struct {
	Title     string               `json:"title"`
	Purpose   string               `json:"purpose"`
	Template  string               `json:"template"`
	Questions []surveyQuestionJSON `json:"questions"`
	ClosesAt  *Time                `json:"closes_at"`
}

type surveyResponse struct {
	ID        string               `json:"id"`
	EstateID  string               `json:"estate_id"`
	Title     string               `json:"title"`
	Purpose   string               `json:"purpose"`
	Template  *string              `json:"template"`
	Status    string               `json:"status"`
	Questions []surveyQuestionJSON `json:"questions"`
	ClosesAt  *Time                `json:"closes_at"`
	OpenedAt  *Time                `json:"opened_at"`
	ClosedAt  *Time                `json:"closed_at"`
	CreatedAt Time                 `json:"created_at"`
}

func toSurvey(v *service.SurveyView) surveyResponse {
	out := surveyResponse{ID: v.ID, EstateID: v.EstateID, Title: v.Title, Purpose: v.Purpose, Status: v.Status,
		Questions: make([]surveyQuestionJSON, len(v.Questions)), ClosesAt: timePtr(v.ClosesAt),
		OpenedAt: timePtr(v.OpenedAt), ClosedAt: timePtr(v.ClosedAt), CreatedAt: Time(v.CreatedAt)}
	if v.Template != "" {
		out.Template = &v.Template
	}
	for i, q := range v.Questions {
		out.Questions[i] = surveyQuestionJSON(q)
	}
	return out
}

func (a *API) createSurvey(c *gin.Context) {
	var req surveyRequest
	if !bindJSON(c, &req) {
		return
	}
	in := service.SurveyInput{Title: req.Title, Purpose: req.Purpose, Template: req.Template}
	for _, q := range req.Questions {
		in.Questions = append(in.Questions, service.SurveyQuestion(q))
	}
	if req.ClosesAt != nil {
		t := time.Time(*req.ClosesAt)
		in.ClosesAt = &t
	}
	v, err := a.svc.CreateSurvey(c.Request.Context(), actorOf(c), c.Param("estate_id"), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toSurvey(v))
}

func (a *API) listSurveys(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	views, next, err := a.svc.ListSurveys(c.Request.Context(), actorOf(c), c.Param("estate_id"), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[surveyResponse]{Items: make([]surveyResponse, len(views)), NextCursor: next}
	for i := range views {
		resp.Items[i] = toSurvey(&views[i])
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) getSurvey(c *gin.Context) {
	v, err := a.svc.GetSurvey(c.Request.Context(), actorOf(c), c.Param("survey_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSurvey(v))
}

func (a *API) openSurvey(c *gin.Context) {
	v, err := a.svc.OpenSurvey(c.Request.Context(), actorOf(c), c.Param("survey_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSurvey(v))
}

func (a *API) closeSurvey(c *gin.Context) {
	v, err := a.svc.CloseSurvey(c.Request.Context(), actorOf(c), c.Param("survey_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSurvey(v))
}
