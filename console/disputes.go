package console

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (c *Console) disputeRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/disputes", c.disputes)
	s.POST("/objections/:objection_id/assign", c.assignObjection)
}

// handlerChoice is one person an objection may be handed to.
type handlerChoice struct{ ID, Label string }

type disputesData struct {
	Estate     model.Estate
	Objections []service.ObjectionView
	Summary    *service.ObjectionSummary
	Status     string
	Overdue    bool
	CanAssign  bool
	Handlers   []handlerChoice
	Query      string
}

// disputes is the dispute table (会同台账): an estate's objections with
// their handler and due date, overdue ones marked in words, filtered by
// status and by overdue.
func (c *Console) disputes(g *gin.Context) {
	c.showDisputes(g, http.StatusOK, "", nil)
}

func (c *Console) showDisputes(g *gin.Context, status int, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := disputesData{Estate: *e, Status: g.Query("status"), Overdue: g.Query("overdue") == "1",
		CanAssign: service.RoleAllowed(service.ActAssignObjection, actor.Role)}
	filter := service.ObjectionFilter{Status: d.Status}
	if d.Overdue {
		overdue := true
		filter.Overdue = &overdue
	}
	q := url.Values{}
	if d.Status != "" {
		q.Set("status", d.Status)
	}
	if d.Overdue {
		q.Set("overdue", "1")
	}
	d.Query = q.Encode()
	if d.Objections, _, err = c.svc.ListObjections(ctx, actor, e.ID, filter, service.Page{Limit: service.MaxPageLimit}); err != nil {
		c.failPage(g, err)
		return
	}
	if service.RoleAllowed(service.ActReadObjectionSummary, actor.Role) {
		if d.Summary, err = c.svc.SummarizeObjections(ctx, actor, e.ID); err != nil {
			c.failPage(g, err)
			return
		}
	}
	if d.CanAssign {
		d.Handlers = []handlerChoice{{ID: actor.ID, Label: "由我处理"}}
		if actor.Role == service.RoleAdmin {
			staff, err := c.svc.EstateStaff(ctx, actor, e.ID)
			if err != nil {
				c.failPage(g, err)
				return
			}
			for _, st := range staff {
				if st.Role != service.RoleSupervisor && !st.Disabled && st.UserID != actor.ID {
					d.Handlers = append(d.Handlers, handlerChoice{ID: st.UserID, Label: st.DisplayName + "（" + roleLabel(st.Role) + "）"})
				}
			}
		}
	}
	c.render(g, status, "disputes", page{Title: "意见处理台账", Error: message, Fields: fields, Data: d})
}

// keepHandler is the handler choice that leaves the handler as it is.
const keepHandler = "-"

// assignObjection names an objection's handler and moves its due date (a
// date: due at the end of that day, Beijing time).
func (c *Console) assignObjection(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	o, err := c.svc.GetObjection(ctx, actor, g.Param("objection_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	var in service.AssignInput
	if h := g.PostForm("handler_id"); h != keepHandler && h != "" {
		in.HandlerID = &h
	} else if h == "" && g.PostForm("clear_handler") == "1" {
		in.HandlerID = &h
	}
	if day := trimmed(g, "due_date"); day != "" {
		start, perr := time.ParseInLocation("2006-01-02", day, beijing)
		if perr != nil {
			err = service.InvalidField("due_at", "请选择日期")
		} else {
			due := start.Add(24*time.Hour - time.Second)
			in.DueAt = &due
		}
	}
	if err == nil {
		_, err = c.svc.AssignObjection(ctx, actor, o.ID, in)
	}
	if err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusNotFound || status == http.StatusForbidden {
			c.failPage(g, err)
			return
		}
		g.Params = append(g.Params, gin.Param{Key: "estate_id", Value: o.EstateID})
		c.showDisputes(g, status, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+o.EstateID+"/disputes?done=objection_assigned")
}
