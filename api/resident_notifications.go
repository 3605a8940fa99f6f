package api

import (
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

type subscriptionsRequest struct {
	Accepted []string `json:"accepted"`
}

// subscriptionsResponse is how many messages of each kind the resident may still receive.
type subscriptionsResponse struct {
	Remaining map[string]int `json:"remaining"`
}

func (a *API) acceptSubscriptions(c *gin.Context) {
	var req subscriptionsRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Accepted == nil || len(req.Accepted) > 20 {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"accepted": "is required: the kinds accepted (at most 20)"}, nil)
		return
	}
	left, err := a.svc.AcceptSubscriptions(c.Request.Context(), actorOf(c), req.Accepted)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, subscriptionsResponse{Remaining: left})
}

func (a *API) mySubscriptions(c *gin.Context) {
	left, err := a.svc.MySubscriptions(c.Request.Context(), actorOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, subscriptionsResponse{Remaining: left})
}

// notificationJSON is one message of the outbox, as admins see it.
type notificationJSON struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"`
	ResidentID    string `json:"resident_id"`
	EstateID      string `json:"estate_id"`
	SubjectKind   string `json:"subject_kind"`
	SubjectID     string `json:"subject_id"`
	Status        string `json:"status"`
	Attempts      int    `json:"attempts"`
	NextAttemptAt Time   `json:"next_attempt_at"`
	SentAt        *Time  `json:"sent_at"`
	LastError     string `json:"last_error"`
	CreatedAt     Time   `json:"created_at"`
}

func toNotification(n *model.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, ResidentID: n.ResidentID, EstateID: n.EstateID, SubjectKind: n.SubjectKind,
		SubjectID: n.SubjectID, Status: n.Status, Attempts: n.Attempts, NextAttemptAt: Time(n.NextAttemptAt),
		SentAt: timePtr(n.SentAt), LastError: n.LastError, CreatedAt: Time(n.CreatedAt)}
}

func (a *API) listNotifications(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	rows, next, err := a.svc.ListNotifications(c.Request.Context(), actorOf(c), service.NotificationFilter{Status: c.Query("status")}, page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[notificationJSON]{Items: make([]notificationJSON, len(rows)), NextCursor: next}
	for i := range rows {
		resp.Items[i] = toNotification(&rows[i])
	}
	c.JSON(http.StatusOK, resp)
}

// withCodeImage adds the mini-program code of a new binding code when the
// request asked for it (?wxacode=true). The binding code is already issued,
// so a WeChat failure does not lose it: the answer names the error instead.
func (a *API) withCodeImage(c *gin.Context, issued *service.IssuedBindingCode, resp *bindingCodeResponse) {
	if c.Query("wxacode") != "true" {
		return
	}
	png, err := a.svc.BindingCodeImage(c.Request.Context(), issued)
	if err != nil {
		se := service.AsError(err)
		a.cfg.Logger.WarnContext(c.Request.Context(), "binding code without its mini-program code", "request_id", requestID(c), "code", se.Code, "error", err)
		resp.WXACodeError = se.Code
		return
	}
	resp.WXACodePNG = base64.StdEncoding.EncodeToString(png)
}
