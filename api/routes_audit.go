package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

// auditRoutes lists the audit ledger's routes.
func (a *API) auditRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/estates/:estate_id/audit", service.ActAudit, a.listAuditEvents},
	}
}

// auditEventResponse is one event of the audit ledger with its place in its hash chain.
type auditEventResponse struct {
	ID         string          `json:"id"`
	ChainID    string          `json:"chain_id"`
	Seq        int64           `json:"seq"`
	EstateID   string          `json:"estate_id"`
	ActorKind  string          `json:"actor_kind"`
	ActorID    string          `json:"actor_id"`
	ActorRole  string          `json:"actor_role"`
	Channel    string          `json:"channel"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	RequestID  string          `json:"request_id"`
	OccurredAt Time            `json:"occurred_at"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

func toAuditEvent(e *model.AuditEvent) auditEventResponse {
	summary := func(s string) json.RawMessage {
		if s == "" {
			return json.RawMessage("null")
		}
		return json.RawMessage(s)
	}
	return auditEventResponse{ID: e.ID, ChainID: e.ChainID, Seq: e.Seq, EstateID: e.EstateID, ActorKind: e.ActorKind,
		ActorID: e.ActorID, ActorRole: e.ActorRole, Channel: e.Channel, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, Before: summary(e.BeforeSummary), After: summary(e.AfterSummary), RequestID: e.RequestID,
		OccurredAt: Time(e.OccurredAt), PrevHash: e.PrevHash, Hash: e.Hash}
}

func (a *API) listAuditEvents(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	events, next, err := a.svc.ListAuditEvents(c.Request.Context(), actorOf(c), c.Param("estate_id"), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[auditEventResponse]{Items: make([]auditEventResponse, len(events)), NextCursor: next}
	for i := range events {
		resp.Items[i] = toAuditEvent(&events[i])
	}
	c.JSON(http.StatusOK, resp)
}
