package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

// resultObjectionRoutes are the objections to a closed round's result during its notice period.
func (a *API) resultObjectionRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/rounds/:round_id/result-objections", service.ActFileResultObjection, a.fileResultObjection},
		{"GET", "/api/v1/rounds/:round_id/result-objections", service.ActReadResultObjections, a.listResultObjections},
		{"POST", "/api/v1/result-objections/:result_objection_id/resolution", service.ActResolveResultObjection, a.resolveResultObjection},
	}
}

// resultObjectionMessages are the texts of this part's error codes (messages).
var resultObjectionMessages = map[string][2]string{
	"round_past_deadline":        {"本轮征询已过截止时间，不能再记录意见", "the round's deadline has passed"},
	"reason_required":            {"在截止时间前结束征询须填写理由", "closing a round before its deadline needs a reason"},
	"custom_rule_admin_only":     {"只有管理员可以设置自定义表决规则", "only admins can set a custom rule"},
	"round_not_closed":           {"本轮征询尚未结束，结果尚不能提出异议", "the round has not closed yet"},
	"notice_period_over":         {"结果公示期已结束，不能再提出异议", "the result's notice period is over"},
	"result_objection_not_found": {"结果异议不存在", "result objection not found"},
	"result_objection_resolved":  {"该结果异议已答复", "the result objection has already been answered"},
}

type resultObjectionRequest struct {
	Text        string `json:"text"`
	HouseholdID string `json:"household_id"`
}

type resolutionRequest struct {
	Outcome     string `json:"outcome"`
	Explanation string `json:"explanation"`
}

type resultObjectionResponse struct {
	ID          string `json:"id"`
	RoundID     string `json:"round_id"`
	HouseholdID string `json:"household_id"`
	Text        string `json:"text"`
	FiledBy     string `json:"filed_by"` // "resident" or "staff"
	CreatedAt   Time   `json:"created_at"`
	Status      string `json:"status"` // "open" until answered, then the outcome
	Outcome     string `json:"outcome,omitempty"`
	Explanation string `json:"explanation,omitempty"`
	ResolvedAt  *Time  `json:"resolved_at"`
}

func toResultObjection(o *model.ResultObjection) resultObjectionResponse {
	status := "open"
	if o.Outcome != "" {
		status = "answered"
	}
	return resultObjectionResponse{ID: o.ID, RoundID: o.RoundID, HouseholdID: o.HouseholdID, Text: o.Text,
		FiledBy: o.FiledByKind, CreatedAt: Time(o.CreatedAt), Status: status, Outcome: o.Outcome,
		Explanation: o.Explanation, ResolvedAt: timePtr(o.ResolvedAt)}
}

func (a *API) fileResultObjection(c *gin.Context) {
	var req resultObjectionRequest
	if !bindJSON(c, &req) {
		return
	}
	o, err := a.svc.FileResultObjection(c.Request.Context(), actorOf(c), c.Param("round_id"),
		service.ResultObjectionInput{Text: req.Text, HouseholdID: req.HouseholdID})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toResultObjection(o))
}

func (a *API) listResultObjections(c *gin.Context) {
	rows, err := a.svc.ListResultObjections(c.Request.Context(), actorOf(c), c.Param("round_id"))
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[resultObjectionResponse]{Items: make([]resultObjectionResponse, len(rows))}
	for i := range rows {
		resp.Items[i] = toResultObjection(&rows[i])
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) resolveResultObjection(c *gin.Context) {
	var req resolutionRequest
	if !bindJSON(c, &req) {
		return
	}
	o, err := a.svc.ResolveResultObjection(c.Request.Context(), actorOf(c), c.Param("result_objection_id"), req.Outcome, req.Explanation)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toResultObjection(o))
}
