package console

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (c *Console) lifecycleRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/lifecycle", c.lifecycle)
	s.POST("/estates/:estate_id/stages/:stage", c.updateStage)
	s.POST("/estates/:estate_id/preconditions/:key", c.recordPrecondition)
	s.POST("/estates/:estate_id/site", c.saveSite)
}

// siteForm is the site-information form as typed (the budget in yuan).
type siteForm struct {
	Builder, SupervisingUnit, DesignerUnit, StartsOn, EndsOn, Budget, ContactPhone string
}

type lifecycleData struct {
	Estate           model.Estate
	Stages           []service.StageView
	Preconditions    []service.PreconditionView
	Site             siteForm
	CanManage        bool
	CanRecord        bool
	Construction     string
	StageStatusLabel map[string]string
	Readiness        readiness
	// Typed is what was typed in a refused stage or precondition form.
	Typed lifecycleTyped
}

// lifecycleTyped is what a refused form held, shown again in that form.
type lifecycleTyped struct {
	Site *siteForm
	// Stage and StageNote, StageForce: the stage form.
	Stage, StageNote string
	StageForce       bool
	// Precondition, PreconditionNote, PreconditionMet: the precondition form.
	Precondition, PreconditionNote string
	PreconditionMet                bool
}

// readiness says whether construction may start and what it still lacks.
type readiness struct {
	Started          bool
	Missing          []string // Chinese names of the unmet preconditions
	PlanPassed       bool
	Ready            bool
	ConstructionNote string
}

var stageStatusLabels = map[string]string{service.StagePending: "未开始", service.StageInProgress: "进行中", service.StageDone: "已完成"}

// lifecycle shows the renovation's stages as a timeline, the six
// preconditions of construction with their evidence, what construction still
// lacks and the site information, with the forms of those who may change
// them (stages and site: admins; preconditions: admins and workers).
func (c *Console) lifecycle(g *gin.Context) {
	c.showLifecycle(g, http.StatusOK, lifecycleTyped{}, "", nil)
}

func (c *Console) showLifecycle(g *gin.Context, status int, typed lifecycleTyped, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := lifecycleData{Estate: *e, CanManage: service.RoleAllowed(service.ActManageStages, actor.Role),
		CanRecord: service.RoleAllowed(service.ActRecordPreconditions, actor.Role), Construction: service.StageConstruction,
		StageStatusLabel: stageStatusLabels, Typed: typed}
	if d.Stages, err = c.svc.ListStages(ctx, actor, e.ID); err != nil {
		c.failPage(g, err)
		return
	}
	if d.Preconditions, err = c.svc.ListPreconditions(ctx, actor, e.ID); err != nil {
		c.failPage(g, err)
		return
	}
	if d.Readiness, err = c.readiness(g, e.ID, d.Stages, d.Preconditions); err != nil {
		c.failPage(g, err)
		return
	}
	site, err := c.svc.GetSite(ctx, actor, e.ID)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d.Site = siteForm{Builder: site.Builder, SupervisingUnit: site.SupervisingUnit, DesignerUnit: site.DesignerUnit,
		StartsOn: site.StartsOn, EndsOn: site.EndsOn, ContactPhone: site.ContactPhone}
	if site.BudgetFen > 0 {
		d.Site.Budget = strconv.FormatInt(site.BudgetFen/100, 10) + "." + strconv.FormatInt(site.BudgetFen%100/10, 10) + strconv.FormatInt(site.BudgetFen%10, 10)
	}
	if typed.Site != nil {
		d.Site = *typed.Site
	}
	c.render(g, status, "lifecycle", page{Title: "改造进度", Error: message, Fields: fields, Data: d})
}

// readiness works out what starting construction still lacks, as the
// service's check does: the six preconditions and a final plan round that passed.
func (c *Console) readiness(g *gin.Context, estateID string, stages []service.StageView, preconditions []service.PreconditionView) (readiness, error) {
	var r readiness
	for _, st := range stages {
		if st.Stage == service.StageConstruction {
			r.Started = st.StartedAt != nil
		}
	}
	for _, p := range preconditions {
		if !p.Met {
			r.Missing = append(r.Missing, p.Label)
		}
	}
	rounds, _, err := c.svc.ListRounds(g.Request.Context(), actorOf(g), estateID, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		return r, err
	}
	for _, round := range rounds {
		var result struct {
			Passed bool `json:"passed"`
		}
		if round.Kind == service.KindPlan && round.Status == service.RoundFinal &&
			json.Unmarshal([]byte(round.ResultJSON), &result) == nil && result.Passed {
			r.PlanPassed = true
		}
	}
	r.Ready = len(r.Missing) == 0 && r.PlanPassed
	return r, nil
}

// afterLifecycle redirects back to the lifecycle page, or shows the page
// again with the refusal in words and what was typed.
func (c *Console) afterLifecycle(g *gin.Context, err error, typed lifecycleTyped, done string) {
	if err == nil {
		g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+g.Param("estate_id")+"/lifecycle?done="+done)
		return
	}
	status, message, fields := c.explain(g, err)
	if status == http.StatusNotFound || status == http.StatusForbidden {
		c.failPage(g, err)
		return
	}
	if isCode(err, "preconditions_unmet") {
		message = unmetMessage(service.AsError(err))
	}
	c.showLifecycle(g, status, typed, message, fields)
}

// unmetMessage says in Chinese what construction still lacks.
func unmetMessage(se *service.Error) string {
	var lacks []string
	if missing, ok := se.Extra["missing"].([]string); ok {
		for _, key := range missing {
			lacks = append(lacks, service.PreconditionLabel(key))
		}
	}
	text := "施工不能开始："
	if len(lacks) > 0 {
		text += "以下前置条件尚未满足：" + strings.Join(lacks, "、") + "。"
	}
	if passed, ok := se.Extra["final_plan_round_passed"].(bool); ok && !passed {
		text += "最终方案征询尚未通过。"
	}
	return text + "如确需开始，管理员可填写理由后强制开始。"
}

func (c *Console) updateStage(g *gin.Context) {
	status, note := g.PostForm("status"), g.PostForm("note")
	force := g.PostForm("force") == "1"
	in := service.StageInput{Status: &status, Note: &note, Force: force}
	_, err := c.svc.UpdateStage(g.Request.Context(), actorOf(g), g.Param("estate_id"), g.Param("stage"), in)
	c.afterLifecycle(g, err, lifecycleTyped{Stage: g.Param("stage"), StageNote: g.PostForm("note"), StageForce: force}, "stage_saved")
}

// recordPrecondition records a precondition with the evidence files chosen
// (PDFs or photos), which are stored first and then attached by their ids.
func (c *Console) recordPrecondition(g *gin.Context) {
	ctx, actor, estateID := g.Request.Context(), actorOf(g), g.Param("estate_id")
	note := g.PostForm("note")
	in := service.PreconditionInput{Met: g.PostForm("met") == "1", Note: &note}
	typed := lifecycleTyped{Precondition: g.Param("key"), PreconditionNote: note, PreconditionMet: in.Met}
	var err error
	// A note the service refuses stores no file.
	if mf, ferr := g.MultipartForm(); ferr == nil && mf != nil && len(mf.File["evidence"]) > 0 && utf8.RuneCountInString(strings.TrimSpace(note)) <= maxNoteRunes {
		// Files are stored only for someone who may record an existing precondition
		// (SaveUpload itself checks the estate).
		if !service.RoleAllowed(service.ActRecordPreconditions, actor.Role) {
			err = service.Forbidden("forbidden")
		} else if service.PreconditionLabel(g.Param("key")) == "" {
			err = service.NotFound("precondition_not_found")
		}
		if err == nil {
			in.Evidence, err = c.saveUploads(g, estateID, mf.File["evidence"])
		}
	}
	if err == nil {
		_, err = c.svc.RecordPrecondition(ctx, actor, estateID, g.Param("key"), in)
	}
	c.afterLifecycle(g, err, typed, "precondition_saved")
}

func (c *Console) saveSite(g *gin.Context) {
	form := siteForm{Builder: g.PostForm("builder"), SupervisingUnit: g.PostForm("supervising_unit"), DesignerUnit: g.PostForm("designer_unit"),
		StartsOn: trimmed(g, "starts_on"), EndsOn: trimmed(g, "ends_on"), Budget: trimmed(g, "budget"), ContactPhone: g.PostForm("contact_phone")}
	in := service.SiteInput{Builder: form.Builder, SupervisingUnit: form.SupervisingUnit, DesignerUnit: form.DesignerUnit,
		StartsOn: form.StartsOn, EndsOn: form.EndsOn, ContactPhone: form.ContactPhone}
	var err error
	if form.Budget != "" {
		fen, ok := yuanToFen(form.Budget)
		if !ok {
			err = service.InvalidField("budget_fen", "请填写金额（元），最多两位小数")
		}
		in.BudgetFen = fen
	}
	if err == nil {
		_, err = c.svc.PutSite(g.Request.Context(), actorOf(g), g.Param("estate_id"), in)
	}
	c.afterLifecycle(g, err, lifecycleTyped{Site: &form}, "site_saved")
}

// yuanToFen reads an amount in yuan with at most two decimals ("12.5" is 1250 fen).
func yuanToFen(s string) (int64, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || w > 1<<40 {
		return 0, false
	}
	return w*100 + f, true
}
