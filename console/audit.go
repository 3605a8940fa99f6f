package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

type auditData struct {
	Estate        model.Estate
	Events        []model.AuditEvent
	Action, Role  string
	Next, Current string
	Report        *service.AuditReport
}

// auditPageSize is how many events the audit page reads at a time before filtering.
const auditPageSize = 200

// auditLog shows an estate's audit ledger, a page at a time, narrowed by
// action and role, with the "verify the ledger" action.
func (c *Console) auditLog(g *gin.Context) {
	c.showAudit(g, nil)
}

func (c *Console) showAudit(g *gin.Context, report *service.AuditReport) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	events, next, err := c.svc.ListAuditEvents(ctx, actor, e.ID, service.Page{Limit: auditPageSize, Cursor: g.Query("cursor")})
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := auditData{Estate: *e, Action: strings.TrimSpace(g.Query("action")), Role: g.Query("role"), Next: next, Current: g.Query("cursor"), Report: report}
	for _, ev := range events {
		if d.Action != "" && !strings.Contains(ev.Action, d.Action) || d.Role != "" && ev.ActorRole != d.Role {
			continue
		}
		d.Events = append(d.Events, ev)
	}
	c.render(g, http.StatusOK, "audit", page{Title: "审计日志", Data: d})
}

// verifyAudit recomputes the estate's hash chains and shows the outcome.
// Only those who may read the ledger may ask (the listing checks that first).
func (c *Console) verifyAudit(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	if _, _, err := c.svc.ListAuditEvents(ctx, actor, e.ID, service.Page{Limit: 1}); err != nil {
		c.failPage(g, err)
		return
	}
	report, err := c.svc.VerifyAudit(ctx, e.Code)
	if err != nil {
		c.failPage(g, err)
		return
	}
	c.showAudit(g, report)
}
