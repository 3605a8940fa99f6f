package console

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (c *Console) surveyRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/surveys", c.surveys)
	s.POST("/estates/:estate_id/surveys", c.createSurvey)
	s.GET("/surveys/:survey_id", c.survey)
	s.POST("/surveys/:survey_id/open", c.openSurvey)
	s.POST("/surveys/:survey_id/close", c.closeSurvey)
	s.POST("/surveys/:survey_id/responses", c.recordSurveyResponse)
	s.GET("/surveys/:survey_id/results", c.surveyResults)
	s.GET("/surveys/:survey_id/results.xlsx", c.surveyResultsWorkbook)
}

// surveyForm is the new-survey form as typed.
type surveyForm struct {
	Template, Title, Purpose, Questions string
	// ClosesAt is a datetime-local value in China time ("2027-03-01T18:00"), or empty.
	ClosesAt string
}

type surveysData struct {
	Estate    model.Estate
	Surveys   []service.SurveyView
	CanManage bool
	Form      surveyForm
}

func (c *Console) surveys(g *gin.Context) {
	c.showSurveys(g, http.StatusOK, surveyForm{Template: service.SurveyTemplateXuchang, Purpose: service.SurveyNeeds}, "", nil)
}

func (c *Console) showSurveys(g *gin.Context, status int, form surveyForm, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	list, _, err := c.svc.ListSurveys(ctx, actor, e.ID, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := surveysData{Estate: *e, Surveys: list, CanManage: service.RoleAllowed(service.ActManageSurveys, actor.Role), Form: form}
	c.render(g, status, "surveys", page{Title: "问卷调查", Error: message, Fields: fields, Data: d})
}

// parseQuestions reads the simple form's questions, one a line:
// "题目" is a rating from 1 to 5, "题目：选项一/选项二" a single choice,
// and "文字：题目" a free-text question.
func parseQuestions(text string) []service.SurveyQuestion {
	var out []service.SurveyQuestion
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		q := service.SurveyQuestion{ID: "q" + strconv.Itoa(len(out)+1), Kind: service.QuestionRating, Text: line, Required: true}
		if rest, ok := cutPrefix(line, "文字：", "文字:"); ok {
			q.Kind, q.Text, q.Required = service.QuestionText, strings.TrimSpace(rest), false
		} else if head, options, ok := cutAny(line, "：", ":"); ok {
			q.Kind, q.Text = service.QuestionSingle, strings.TrimSpace(head)
			q.Options = strings.Split(options, "/")
		}
		out = append(out, q)
	}
	return out
}

func cutPrefix(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return s, false
}

func cutAny(s string, seps ...string) (before, after string, found bool) {
	for _, sep := range seps {
		if before, after, found = strings.Cut(s, sep); found {
			return before, after, true
		}
	}
	return s, "", false
}

func (c *Console) createSurvey(g *gin.Context) {
	form := surveyForm{Template: g.PostForm("template"), Title: trimmed(g, "title"), Purpose: g.PostForm("purpose"), Questions: g.PostForm("questions"),
		ClosesAt: trimmed(g, "closes_at")}
	in := service.SurveyInput{Title: form.Title}
	if form.Template == service.SurveyTemplateXuchang {
		in.Template = service.SurveyTemplateXuchang
	} else {
		in.Purpose, in.Questions = form.Purpose, parseQuestions(form.Questions)
	}
	var err error
	if form.ClosesAt != "" {
		closes, perr := time.ParseInLocation("2006-01-02T15:04", form.ClosesAt, beijing)
		if perr != nil {
			err = service.InvalidField("closes_at", "请选择日期和时间")
		}
		in.ClosesAt = &closes
	}
	var sv *service.SurveyView
	if err == nil {
		sv, err = c.svc.CreateSurvey(g.Request.Context(), actorOf(g), g.Param("estate_id"), in)
	}
	if err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusNotFound || status == http.StatusForbidden {
			c.failPage(g, err)
			return
		}
		c.showSurveys(g, status, form, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/surveys/"+sv.ID+"?done=survey_created")
}

type surveyData struct {
	Survey               service.SurveyView
	Estate               model.Estate
	CanManage, CanRecord bool
	CanReadResults       bool
	Address              [3]string
}

func (c *Console) survey(g *gin.Context) {
	c.showSurvey(g, http.StatusOK, [3]string{}, "", nil)
}

func (c *Console) showSurvey(g *gin.Context, status int, address [3]string, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	sv, err := c.svc.GetSurvey(ctx, actor, g.Param("survey_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	e, err := c.svc.GetEstate(ctx, actor, sv.EstateID)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := surveyData{Survey: *sv, Estate: *e, CanManage: service.RoleAllowed(service.ActManageSurveys, actor.Role),
		CanRecord:      service.RoleAllowed(service.ActRecordSurveyResponses, actor.Role),
		CanReadResults: service.RoleAllowed(service.ActReadSurveyResults, actor.Role), Address: address}
	c.render(g, status, "survey", page{Title: sv.Title, Error: message, Fields: fields, Data: d})
}

func (c *Console) openSurvey(g *gin.Context) {
	_, err := c.svc.OpenSurvey(g.Request.Context(), actorOf(g), g.Param("survey_id"))
	c.afterSurveyAction(g, err, "survey_opened")
}

func (c *Console) closeSurvey(g *gin.Context) {
	_, err := c.svc.CloseSurvey(g.Request.Context(), actorOf(g), g.Param("survey_id"))
	c.afterSurveyAction(g, err, "survey_closed")
}

func (c *Console) afterSurveyAction(g *gin.Context, err error, done string) {
	if err != nil {
		c.failPage(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/surveys/"+g.Param("survey_id")+"?done="+done)
}

// recordSurveyResponse enters a paper form's answers for the household at
// the building, unit and room typed.
func (c *Console) recordSurveyResponse(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	sv, err := c.svc.GetSurvey(ctx, actor, g.Param("survey_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	address := [3]string{trimmed(g, "building"), trimmed(g, "unit"), trimmed(g, "room")}
	householdID, err := c.findHousehold(g, sv.EstateID, address)
	if err == nil {
		_, err = c.svc.RecordPaperSurveyResponse(ctx, actor, sv.ID, householdID, surveyAnswers(g, sv.Questions))
	}
	if err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusNotFound && !isCode(err, "household_not_found") || status == http.StatusForbidden {
			c.failPage(g, err)
			return
		}
		c.showSurvey(g, status, address, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/surveys/"+sv.ID+"?done=survey_response_recorded")
}

// findHousehold finds the household of an estate at a building, unit and room.
func (c *Console) findHousehold(g *gin.Context, estateID string, address [3]string) (string, error) {
	if address[0] == "" || address[2] == "" {
		return "", service.Invalid("validation_failed", map[string]string{"household_id": "请填写楼栋和房号"})
	}
	filter := service.HouseholdFilter{Building: &address[0], Unit: &address[1]}
	rows, _, err := c.svc.ListHouseholds(g.Request.Context(), actorOf(g), estateID, filter, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		return "", err
	}
	for _, h := range rows {
		if h.Room == address[2] {
			return h.ID, nil
		}
	}
	return "", service.NotFound("household_not_found")
}

// surveyAnswers reads a paper form's answers, one field per question (q_<id>).
func surveyAnswers(g *gin.Context, questions []service.SurveyQuestion) []service.SurveyAnswer {
	var out []service.SurveyAnswer
	for _, q := range questions {
		a := service.SurveyAnswer{QuestionID: q.ID}
		name := "q_" + q.ID
		switch q.Kind {
		case service.QuestionSingle:
			a.Choice = g.PostForm(name)
		case service.QuestionMultiple:
			a.Choices = g.PostFormArray(name)
		case service.QuestionRating:
			a.Rating, _ = strconv.Atoi(g.PostForm(name))
		case service.QuestionText:
			a.Text = strings.TrimSpace(g.PostForm(name))
		}
		out = append(out, a)
	}
	return out
}

func (c *Console) surveyResultsWorkbook(g *gin.Context) {
	sheet, err := c.svc.SurveyResultsSheet(g.Request.Context(), actorOf(g), g.Param("survey_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	g.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": sheet.FileName}))
	g.Data(http.StatusOK, sheet.ContentType, sheet.Data)
}
