package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

// lifecycleRoutes lists the routes of an estate's renovation lifecycle:
// stages, the preconditions of construction and the site information.
func (a *API) lifecycleRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/estates/:estate_id/stages", service.ActReadLifecycle, a.listStages},
		{"PATCH", "/api/v1/estates/:estate_id/stages/:stage", service.ActManageStages, a.updateStage},
		{"GET", "/api/v1/estates/:estate_id/preconditions", service.ActReadLifecycle, a.listPreconditions},
		{"PUT", "/api/v1/estates/:estate_id/preconditions/:key", service.ActRecordPreconditions, a.recordPrecondition},
		{"GET", "/api/v1/estates/:estate_id/site", service.ActReadLifecycle, a.getSite},
		{"PUT", "/api/v1/estates/:estate_id/site", service.ActManageStages, a.putSite},
	}
}

// stageMessages are the texts of this part's error codes (messages).
var stageMessages = map[string][2]string{
	"stage_not_found":          {"没有这个阶段", "no such stage"},
	"stage_transition_invalid": {"阶段只能向前推进（未开始 → 进行中 → 已完成）", "a stage only moves forward (pending → in_progress → done)"},
	"preconditions_unmet":      {"开工前须满足全部六项前提条件，并有一轮已生效且通过的方案征询；管理员可附说明强制开工", "construction needs all six preconditions met and a final plan round that passed; an admin may force it with a note"},
	"precondition_not_found":   {"没有这个前提条件", "no such precondition"},
}

type stageJSON struct {
	Stage      string `json:"stage"`
	Label      string `json:"label"`
	Status     string `json:"status"`
	StartedAt  *Time  `json:"started_at"`
	FinishedAt *Time  `json:"finished_at"`
	Note       string `json:"note"`
	Forced     bool   `json:"forced"`
}

func toStage(v service.StageView) stageJSON {
	return stageJSON{Stage: v.Stage, Label: v.Label, Status: v.Status, StartedAt: timePtr(v.StartedAt),
		FinishedAt: timePtr(v.FinishedAt), Note: v.Note, Forced: v.Forced}
}

type stageRequest struct {
	Status     *string `json:"status"`
	Note       *string `json:"note"`
	StartedAt  *Time   `json:"started_at"`
	FinishedAt *Time   `json:"finished_at"`
}

func (a *API) listStages(c *gin.Context) {
	views, err := a.svc.ListStages(c.Request.Context(), actorOf(c), c.Param("estate_id"))
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[stageJSON]{Items: make([]stageJSON, len(views))}
	for i, v := range views {
		resp.Items[i] = toStage(v)
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) updateStage(c *gin.Context) {
	force, ok := queryBool(c, "force")
	if !ok {
		return
	}
	var req stageRequest
	if !bindJSON(c, &req) {
		return
	}
	in := service.StageInput{Status: req.Status, Note: req.Note, Force: force,
		StartedAt: (*time.Time)(req.StartedAt), FinishedAt: (*time.Time)(req.FinishedAt)}
	v, err := a.svc.UpdateStage(c.Request.Context(), actorOf(c), c.Param("estate_id"), c.Param("stage"), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toStage(*v))
}

type preconditionJSON struct {
	Key               string   `json:"key"`
	Label             string   `json:"label"`
	Met               bool     `json:"met"`
	Note              string   `json:"note"`
	EvidenceUploadIDs []string `json:"evidence_upload_ids"`
	UpdatedAt         *Time    `json:"updated_at"`
}

func toPrecondition(v service.PreconditionView) preconditionJSON {
	return preconditionJSON{Key: v.Key, Label: v.Label, Met: v.Met, Note: v.Note,
		EvidenceUploadIDs: v.Evidence, UpdatedAt: timePtr(v.UpdatedAt)}
}

type preconditionRequest struct {
	Met               *bool    `json:"met"`
	Note              *string  `json:"note"`
	EvidenceUploadIDs []string `json:"evidence_upload_ids"`
}

func (a *API) listPreconditions(c *gin.Context) {
	views, err := a.svc.ListPreconditions(c.Request.Context(), actorOf(c), c.Param("estate_id"))
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[preconditionJSON]{Items: make([]preconditionJSON, len(views))}
	for i, v := range views {
		resp.Items[i] = toPrecondition(v)
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) recordPrecondition(c *gin.Context) {
	var req preconditionRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Met == nil {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"met": "is required"}, nil)
		return
	}
	v, err := a.svc.RecordPrecondition(c.Request.Context(), actorOf(c), c.Param("estate_id"), c.Param("key"),
		service.PreconditionInput{Met: *req.Met, Note: req.Note, Evidence: req.EvidenceUploadIDs})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPrecondition(*v))
}

type siteJSON struct {
	Builder         string `json:"builder"`
	SupervisingUnit string `json:"supervising_unit"`
	DesignerUnit    string `json:"designer_unit"`
	StartsOn        string `json:"starts_on"`
	EndsOn          string `json:"ends_on"`
	BudgetFen       int64  `json:"budget_fen"`
	ContactPhone    string `json:"contact_phone"`
}

func toSite(s *model.EstateSite) siteJSON {
	return siteJSON{Builder: s.Builder, SupervisingUnit: s.SupervisingUnit, DesignerUnit: s.DesignerUnit,
		StartsOn: s.StartsOn, EndsOn: s.EndsOn, BudgetFen: s.BudgetFen, ContactPhone: s.ContactPhone}
}

func (a *API) getSite(c *gin.Context) {
	site, err := a.svc.GetSite(c.Request.Context(), actorOf(c), c.Param("estate_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSite(site))
}

func (a *API) putSite(c *gin.Context) {
	var req siteJSON
	if !bindJSON(c, &req) {
		return
	}
	site, err := a.svc.PutSite(c.Request.Context(), actorOf(c), c.Param("estate_id"), service.SiteInput{
		Builder: req.Builder, SupervisingUnit: req.SupervisingUnit, DesignerUnit: req.DesignerUnit,
		StartsOn: req.StartsOn, EndsOn: req.EndsOn, BudgetFen: req.BudgetFen, ContactPhone: req.ContactPhone})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSite(site))
}
