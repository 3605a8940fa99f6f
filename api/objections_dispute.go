package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// The dispute table (会同): an objection's handler and due date, the
// objector's own confirmation, and the estate's counts.

type assignObjectionRequest struct {
	HandlerID *string `json:"handler_id"`
	DueAt     *Time   `json:"due_at"`
}

type confirmationRequest struct {
	Satisfied *bool  `json:"satisfied"`
	Note      string `json:"note"`
}

// confirmationJSON is the objector's own verdict on how the objection was handled.
type confirmationJSON struct {
	Satisfied   bool   `json:"satisfied"`
	Note        string `json:"note"`
	ConfirmedAt *Time  `json:"confirmed_at"`
}

type objectionSummaryResponse struct {
	Open                 int64 `json:"open"`
	Answered             int64 `json:"answered"`
	Closed               int64 `json:"closed"`
	Overdue              int64 `json:"overdue"`
	Unassigned           int64 `json:"unassigned"`
	ConfirmedSatisfied   int64 `json:"confirmed_satisfied"`
	ConfirmedUnsatisfied int64 `json:"confirmed_unsatisfied"`
	ComputedAt           Time  `json:"computed_at"`
}

// addDispute fills the dispute-table fields of an objection's answer; a
// resident reader gets the handler's name and role but no user id.
func addDispute(resp *objectionResponse, v *service.ObjectionView) {
	resp.DueAt, resp.Overdue = Time(v.Due), v.Overdue
	if v.HandlerRef != nil {
		resp.Handler = toPersonOrNil(v.HandlerRef)
		if v.HandlerRef.ID != "" {
			id := v.HandlerRef.ID
			resp.HandlerID = &id
		}
	}
	if v.ConfirmationSatisfied != nil {
		resp.Confirmation = &confirmationJSON{Satisfied: *v.ConfirmationSatisfied, Note: v.ConfirmationNote,
			ConfirmedAt: timePtr(v.ConfirmedAt)}
	}
}

func (a *API) assignObjection(c *gin.Context) {
	var req assignObjectionRequest
	if !bindJSON(c, &req) {
		return
	}
	in := service.AssignInput{HandlerID: req.HandlerID}
	if req.DueAt != nil {
		due := time.Time(*req.DueAt)
		in.DueAt = &due
	}
	v, err := a.svc.AssignObjection(c.Request.Context(), actorOf(c), c.Param("objection_id"), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toObjection(v))
}

func (a *API) confirmObjection(c *gin.Context) {
	var req confirmationRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Satisfied == nil {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"satisfied": "is required"}, nil)
		return
	}
	v, err := a.svc.ConfirmObjection(c.Request.Context(), actorOf(c), c.Param("objection_id"),
		service.ConfirmationInput{Satisfied: *req.Satisfied, Note: req.Note})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toObjection(v))
}

func (a *API) objectionSummary(c *gin.Context) {
	sum, err := a.svc.SummarizeObjections(c.Request.Context(), actorOf(c), c.Param("estate_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, objectionSummaryResponse{Open: sum.Open, Answered: sum.Answered, Closed: sum.Closed,
		Overdue: sum.Overdue, Unassigned: sum.Unassigned, ConfirmedSatisfied: sum.ConfirmedSatisfied,
		ConfirmedUnsatisfied: sum.ConfirmedUnsatisfied, ComputedAt: Time(sum.ComputedAt)})
}
