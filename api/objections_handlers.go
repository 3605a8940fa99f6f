package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

type objectionRequest struct {
	RoundID     *string  `json:"round_id"`
	HouseholdID *string  `json:"household_id"`
	Category    string   `json:"category"`
	PlanItem    string   `json:"plan_item"`
	Content     string   `json:"content"`
	Photos      []string `json:"photos"`
	Channel     string   `json:"channel"`
}

type answerRequest struct {
	Outcome       string  `json:"outcome"`
	Explanation   string  `json:"explanation"`
	PublicSummary string  `json:"public_summary"`
	RevisionID    *string `json:"revision_id"`
}

type followUpRequest struct {
	Satisfied *bool  `json:"satisfied"`
	Note      string `json:"note"`
}

// householdAddressJSON is where an objection comes from; designers get neither the id nor the room.
type householdAddressJSON struct {
	ID       string `json:"id,omitempty"`
	Building string `json:"building"`
	Unit     string `json:"unit"`
	Room     string `json:"room,omitempty"`
}

// personJSON names who did something: role and display name; the user id for staff readers only.
type personJSON struct {
	ID          string `json:"id,omitempty"`
	Role        string `json:"role"`
	DisplayName string `json:"display_name"`
}

func toPerson(p service.PersonRef) personJSON {
	return personJSON{ID: p.ID, Role: p.Role, DisplayName: p.DisplayName}
}

// toPersonOrNil is toPerson of a reference that may be missing.
func toPersonOrNil(p *service.PersonRef) *personJSON {
	if p == nil {
		return nil
	}
	out := toPerson(*p)
	return &out
}

type filedByJSON struct {
	Kind string `json:"kind"`
	Role string `json:"role"`
}

type answerJSON struct {
	Outcome      string `json:"outcome"`
	OutcomeLabel string `json:"outcome_label"`
	Explanation  string `json:"explanation"`
	// PublicSummary is what the notice board shows of the objection.
	PublicSummary string      `json:"public_summary"`
	RevisionID    *string     `json:"revision_id"`
	Version       int         `json:"version"`
	AnsweredBy    *personJSON `json:"answered_by"`
	AnsweredAt    *Time       `json:"answered_at"`
}

type followUpJSON struct {
	Satisfied bool        `json:"satisfied"`
	Note      string      `json:"note"`
	ClosedBy  *personJSON `json:"closed_by"`
	ClosedAt  *Time       `json:"closed_at"`
}

type objectionEventJSON struct {
	Kind          string     `json:"kind"`
	Status        string     `json:"status"`
	Outcome       string     `json:"outcome,omitempty"`
	Explanation   string     `json:"explanation,omitempty"`
	PublicSummary string     `json:"public_summary,omitempty"`
	RevisionID    *string    `json:"revision_id,omitempty"`
	Satisfied     *bool      `json:"satisfied,omitempty"`
	Note          string     `json:"note,omitempty"`
	ActorKind     string     `json:"actor_kind"`
	ActorID       string     `json:"actor_id,omitempty"`
	Actor         personJSON `json:"actor"`
	ActorRole     string     `json:"actor_role"`
	Channel       string     `json:"channel"`
	RecordedAt    Time       `json:"recorded_at"`
}

type objectionResponse struct {
	ID            string                `json:"id"`
	EstateID      string                `json:"estate_id"`
	RoundID       *string               `json:"round_id"`
	Household     *householdAddressJSON `json:"household"`
	Category      string                `json:"category"`
	CategoryLabel string                `json:"category_label"`
	PlanItem      string                `json:"plan_item"`
	Content       string                `json:"content"`
	Photos        []string              `json:"photos"`
	Status        string                `json:"status"`
	Moderation    string                `json:"moderation"`
	Channel       string                `json:"channel"`
	FiledBy       filedByJSON           `json:"filed_by"`
	Answer        *answerJSON           `json:"answer"`
	FollowUp      *followUpJSON         `json:"follow_up"`
	History       []objectionEventJSON  `json:"history,omitempty"`
	// The dispute table: handler, due date, overdue flag and the objector's confirmation.
	HandlerID    *string           `json:"handler_id"`
	Handler      *personJSON       `json:"handler"`
	DueAt        Time              `json:"due_at"`
	Overdue      bool              `json:"overdue"`
	Confirmation *confirmationJSON `json:"confirmation"`
	CreatedAt    Time              `json:"created_at"`
	UpdatedAt    Time              `json:"updated_at"`
}

func toObjection(v *service.ObjectionView) objectionResponse {
	resp := objectionResponse{ID: v.ID, EstateID: v.EstateID, RoundID: v.RoundID, Category: v.Category,
		CategoryLabel: service.CategoryLabel(v.Category), PlanItem: v.PlanItem, Content: v.Content, Photos: v.Photos,
		Status: v.Status, Moderation: v.Moderation, Channel: v.Channel,
		FiledBy:   filedByJSON{Kind: v.FiledByKind, Role: v.FiledByRole},
		CreatedAt: Time(v.CreatedAt), UpdatedAt: Time(v.UpdatedAt)}
	if resp.Photos == nil {
		resp.Photos = []string{}
	}
	if h := v.Household; h != nil {
		resp.Household = &householdAddressJSON{ID: h.ID, Building: h.Building, Unit: h.Unit, Room: h.Room}
	}
	if v.Outcome != "" {
		resp.Answer = &answerJSON{Outcome: v.Outcome, OutcomeLabel: service.OutcomeLabel(v.Outcome), Explanation: v.Explanation,
			PublicSummary: v.PublicSummary, RevisionID: v.RevisionID, Version: v.AnswerVersion, AnsweredBy: toPersonOrNil(v.AnsweredByRef), AnsweredAt: timePtr(v.AnsweredAt)}
	}
	addDispute(&resp, v)
	if v.FollowUpSatisfied != nil {
		resp.FollowUp = &followUpJSON{Satisfied: *v.FollowUpSatisfied, Note: v.FollowUpNote, ClosedBy: toPersonOrNil(v.ClosedByRef), ClosedAt: timePtr(v.ClosedAt)}
	}
	for i, e := range v.History {
		event := toObjectionEvent(e)
		if i < len(v.HistoryActors) {
			event.Actor = toPerson(v.HistoryActors[i])
		}
		resp.History = append(resp.History, event)
	}
	return resp
}

func toObjectionEvent(e model.ObjectionEvent) objectionEventJSON {
	return objectionEventJSON{Kind: e.Kind, Status: e.Status, Outcome: e.Outcome, Explanation: e.Explanation,
		PublicSummary: e.PublicSummary, RevisionID: e.RevisionID, Satisfied: e.Satisfied, Note: e.Note, ActorKind: e.ActorKind, ActorID: e.ActorID,
		ActorRole: e.ActorRole, Channel: e.Channel, RecordedAt: Time(e.RecordedAt)}
}

func toObjectionList(views []service.ObjectionView, next string) listResponse[objectionResponse] {
	resp := listResponse[objectionResponse]{Items: make([]objectionResponse, len(views)), NextCursor: next}
	for i := range views {
		resp.Items[i] = toObjection(&views[i])
	}
	return resp
}

func (a *API) fileObjection(c *gin.Context) {
	var req objectionRequest
	if !bindJSON(c, &req) {
		return
	}
	v, err := a.svc.FileObjection(c.Request.Context(), actorOf(c), c.Param("estate_id"), service.ObjectionInput{
		RoundID: req.RoundID, HouseholdID: req.HouseholdID, Category: req.Category, PlanItem: req.PlanItem,
		Content: req.Content, Photos: req.Photos, Channel: req.Channel})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toObjection(v))
}

func (a *API) listObjections(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	filter := service.ObjectionFilter{Status: c.Query("status"), RoundID: c.Query("round_id"), Category: c.Query("category")}
	if c.Query("overdue") != "" {
		overdue, ok := queryBool(c, "overdue")
		if !ok {
			return
		}
		filter.Overdue = &overdue
	}
	views, next, err := a.svc.ListObjections(c.Request.Context(), actorOf(c), c.Param("estate_id"), filter, page)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toObjectionList(views, next))
}

func (a *API) myObjections(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	views, next, err := a.svc.ListMyObjections(c.Request.Context(), actorOf(c), page)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toObjectionList(views, next))
}

func (a *API) getObjection(c *gin.Context) {
	v, err := a.svc.GetObjection(c.Request.Context(), actorOf(c), c.Param("objection_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toObjection(v))
}

func (a *API) answerObjection(c *gin.Context) {
	var req answerRequest
	if !bindJSON(c, &req) {
		return
	}
	v, err := a.svc.AnswerObjection(c.Request.Context(), actorOf(c), c.Param("objection_id"),
		service.AnswerInput{Outcome: req.Outcome, Explanation: req.Explanation, PublicSummary: req.PublicSummary, RevisionID: req.RevisionID})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toObjection(v))
}

func (a *API) followUpObjection(c *gin.Context) {
	var req followUpRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Satisfied == nil {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"satisfied": "is required"}, nil)
		return
	}
	v, err := a.svc.FollowUpObjection(c.Request.Context(), actorOf(c), c.Param("objection_id"),
		service.FollowUpInput{Satisfied: *req.Satisfied, Note: req.Note})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toObjection(v))
}
