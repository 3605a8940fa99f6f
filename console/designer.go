package console

import (
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (c *Console) designerRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/feedback", c.feedback)
	s.GET("/estates/:estate_id/feedback.xlsx", c.feedbackWorkbook)
	s.GET("/objections/:objection_id", c.objection)
	s.POST("/objections/:objection_id/answer", c.answerObjection)
	s.GET("/estates/:estate_id/revisions/new", c.newRevision)
	s.POST("/estates/:estate_id/revisions", c.publishRevision)
}

type feedbackData struct {
	Estate   model.Estate
	Rounds   []service.RoundView
	RoundID  string
	Feedback *service.Feedback
}

// feedback shows what residents said, grouped by category and plan item with
// counts and texts; no room and no household is shown.
func (c *Console) feedback(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	rounds, _, err := c.svc.ListRounds(ctx, actor, e.ID, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := feedbackData{Estate: *e, Rounds: rounds, RoundID: g.Query("round")}
	if d.Feedback, err = c.svc.Feedback(ctx, actor, e.ID, d.RoundID); err != nil {
		c.failPage(g, err)
		return
	}
	c.render(g, http.StatusOK, "feedback", page{Title: "居民意见", Data: d})
}

// feedbackWorkbook downloads the feedback of the page (same round filter) as
// Excel: a summary sheet and the items; designers get no room column.
func (c *Console) feedbackWorkbook(g *gin.Context) {
	actor := actorOf(g)
	f, err := c.svc.Feedback(g.Request.Context(), actor, g.Param("estate_id"), g.Query("round"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	body, err := service.FeedbackXLSX(f, actor.Role != service.RoleDesigner)
	if err != nil {
		c.failPage(g, err)
		return
	}
	name := "feedback-" + f.GeneratedAt.In(beijing).Format("20060102-1504") + ".xlsx"
	g.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	g.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}

type objectionData struct {
	Objection     service.ObjectionView
	CategoryLabel string
	Revisions     []service.RevisionView
	Outcome       string
	Explanation   string
	PublicSummary string
}

func (c *Console) objection(g *gin.Context) {
	c.showObjection(g, http.StatusOK, service.AnswerInput{}, "", nil)
}

// showObjection shows the objection with the answer form, filled with the
// answer typed (after a refused answer) or the answer given before.
func (c *Console) showObjection(g *gin.Context, status int, typed service.AnswerInput, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	o, err := c.svc.GetObjection(ctx, actor, g.Param("objection_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	revisions, _, err := c.svc.ListRevisions(ctx, actor, o.EstateID, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	if typed.Outcome == "" {
		typed = service.AnswerInput{Outcome: o.Outcome, Explanation: o.Explanation, PublicSummary: o.PublicSummary}
	}
	o.Household = nil // the designer answers the point, not the household
	d := objectionData{Objection: *o, CategoryLabel: service.CategoryLabel(o.Category), Revisions: revisions,
		Outcome: typed.Outcome, Explanation: typed.Explanation, PublicSummary: typed.PublicSummary}
	c.render(g, status, "objection", page{Title: "答复意见", Error: message, Fields: fields, Data: d})
}

// answerObjection records the designer's answer.
func (c *Console) answerObjection(g *gin.Context) {
	in := service.AnswerInput{Outcome: g.PostForm("outcome"), Explanation: g.PostForm("explanation"),
		PublicSummary: g.PostForm("public_summary")}
	if rev := g.PostForm("revision_id"); rev != "" {
		in.RevisionID = &rev
	}
	o, err := c.svc.AnswerObjection(g.Request.Context(), actorOf(g), g.Param("objection_id"), in)
	if err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusNotFound || status == http.StatusForbidden {
			c.failPage(g, err)
			return
		}
		c.showObjection(g, status, in, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+o.EstateID+"/feedback?done=objection_answered")
}

type revisionForm struct {
	Title, Summary, Changes string
	Addresses               map[string]bool
}

type revisionData struct {
	Estate     model.Estate
	Objections []service.ObjectionView
	Form       revisionForm
}

func (c *Console) newRevision(g *gin.Context) {
	c.showNewRevision(g, http.StatusOK, revisionForm{Addresses: map[string]bool{}}, "", nil)
}

func (c *Console) showNewRevision(g *gin.Context, status int, form revisionForm, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	objections, _, err := c.svc.ListObjections(ctx, actor, e.ID, service.ObjectionFilter{}, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	c.render(g, status, "revision_new", page{Title: "发布方案修订", Error: message, Fields: fields,
		Data: revisionData{Estate: *e, Objections: objections, Form: form}})
}

// publishRevision stores the attachments, then publishes the revision with
// the objections it addresses.
func (c *Console) publishRevision(g *gin.Context) {
	ctx, actor, estateID := g.Request.Context(), actorOf(g), g.Param("estate_id")
	form := revisionForm{Title: g.PostForm("title"), Summary: g.PostForm("summary"), Changes: g.PostForm("changes"), Addresses: map[string]bool{}}
	in := service.RevisionInput{Title: form.Title, Summary: form.Summary, Changes: form.Changes, Addresses: g.PostFormArray("addresses")}
	for _, id := range in.Addresses {
		form.Addresses[id] = true
	}
	var err error
	if mf, ferr := g.MultipartForm(); ferr == nil && mf != nil {
		in.Attachments, err = c.saveUploads(g, estateID, mf.File["attachments"])
	}
	if err == nil {
		if _, err = c.svc.PublishRevision(ctx, actor, estateID, in); err == nil {
			g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+estateID+"/feedback?done=revision_published")
			return
		}
	}
	status, message, fields := c.explain(g, err)
	c.showNewRevision(g, status, form, message, fields)
}

// saveUploads stores uploaded files through the service and returns their ids.
func (c *Console) saveUploads(g *gin.Context, estateID string, files []*multipart.FileHeader) ([]string, error) {
	var ids []string
	for _, fh := range files {
		if fh.Size == 0 && strings.TrimSpace(fh.Filename) == "" {
			continue // an empty file input
		}
		f, err := fh.Open()
		if err != nil {
			return nil, service.InvalidField("file", "could not be read")
		}
		u, err := c.svc.SaveUpload(g.Request.Context(), actorOf(g), c.cfg.UploadDir, estateID, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}
