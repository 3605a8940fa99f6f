package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (c *Console) reportRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/reports", c.reports)
	s.POST("/reports/:report_id/assign", c.assignReport)
	s.POST("/reports/:report_id/fix", c.fixReport)
}

var reportStatusLabels = map[string]string{service.ReportReported: "待处理", service.ReportAssigned: "处理中",
	service.ReportFixed: "已整改，待居民确认", service.ReportConfirmed: "居民已确认"}

type reportsData struct {
	Estate       model.Estate
	Reports      []service.ReportView
	Status       string
	Statuses     []string
	StatusLabels map[string]string
	CanHandle    bool
	Handlers     []handlerChoice
}

// reports lists the estate's problem reports (随手拍) with their status;
// admins and workers assign them and record a fix with a photo.
func (c *Console) reports(g *gin.Context) {
	c.showReports(g, http.StatusOK, "", nil)
}

func (c *Console) showReports(g *gin.Context, status int, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := reportsData{Estate: *e, Status: g.Query("status"), Statuses: service.ReportStatuses, StatusLabels: reportStatusLabels,
		CanHandle: service.RoleAllowed(service.ActHandleReports, actor.Role)}
	if d.Reports, _, err = c.svc.ListReports(ctx, actor, e.ID, d.Status, service.Page{Limit: service.MaxPageLimit}); err != nil {
		c.failPage(g, err)
		return
	}
	if d.CanHandle {
		d.Handlers = []handlerChoice{{ID: actor.ID, Label: "由我处理"}}
		if actor.Role == service.RoleAdmin {
			staff, err := c.svc.EstateStaff(ctx, actor, e.ID)
			if err != nil {
				c.failPage(g, err)
				return
			}
			for _, st := range staff {
				if st.Role == service.RoleWorker && !st.Disabled {
					d.Handlers = append(d.Handlers, handlerChoice{ID: st.UserID, Label: st.DisplayName + "（" + roleLabel(st.Role) + "）"})
				}
			}
		}
	}
	c.render(g, status, "reports", page{Title: "问题随手拍", Error: message, Fields: fields, Data: d})
}

func (c *Console) assignReport(g *gin.Context) {
	assignee := g.PostForm("assignee_id")
	c.updateReport(g, service.ReportUpdate{Status: service.ReportAssigned, AssigneeID: &assignee}, "report_assigned")
}

func (c *Console) fixReport(g *gin.Context) {
	note := g.PostForm("note")
	c.updateReport(g, service.ReportUpdate{Status: service.ReportFixed, Note: &note}, "report_fixed")
}

// updateReport stores the fix photos (when the form has any), then changes the report.
func (c *Console) updateReport(g *gin.Context, in service.ReportUpdate, done string) {
	ctx, actor := g.Request.Context(), actorOf(g)
	// The report's estate (the form names it) places the photos and the redirect; the
	// service checks the report itself and refuses photos stored under another estate.
	estateID := g.PostForm("estate_id")
	if _, err := c.svc.GetEstate(ctx, actor, estateID); err != nil {
		c.failPage(g, err)
		return
	}
	var err error
	if mf, ferr := g.MultipartForm(); ferr == nil && mf != nil {
		in.Photos, err = c.saveUploads(g, estateID, mf.File["photos"])
	}
	if err == nil {
		_, err = c.svc.UpdateReport(ctx, actor, g.Param("report_id"), in)
	}
	g.Params = append(g.Params, gin.Param{Key: "estate_id", Value: estateID})
	if err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusForbidden || isCode(err, "report_not_found") {
			c.failPage(g, err)
			return
		}
		c.showReports(g, status, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+estateID+"/reports?done="+done)
}
