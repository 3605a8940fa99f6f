package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (c *Console) adminRoutes(s *gin.RouterGroup) {
	s.GET("/estates/new", c.newEstate)
	s.POST("/estates", c.createEstate)
	s.GET("/estates/:estate_id", c.estate)
	s.POST("/estates/:estate_id", c.saveEstate)
	s.POST("/estates/:estate_id/staff", c.assignStaff)
	s.POST("/estates/:estate_id/staff/:user_id/remove", c.unassignStaff)
	s.GET("/estates/:estate_id/audit", c.auditLog)
	s.POST("/estates/:estate_id/audit/verify", c.verifyAudit)
	s.GET("/users", c.users)
	s.POST("/users", c.createUser)
	s.POST("/users/:user_id", c.saveUser)
	c.roundRoutes(s)
}

type dashboardData struct {
	Estates []model.Estate
}

// dashboard lists the estates the staff member may see.
func (c *Console) dashboard(g *gin.Context) {
	estates, _, err := c.svc.ListEstates(g.Request.Context(), actorOf(g), service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	c.render(g, http.StatusOK, "dashboard", page{Title: "工作台", Data: dashboardData{Estates: estates}})
}

// estateForm is the estate form's values, kept as typed so a rejected form shows them again.
type estateForm struct {
	ID, Name, Code, District, Street, Community, Address, ContactPhone, BuiltYear string
}

func estateFormOf(e model.Estate) estateForm {
	f := estateForm{ID: e.ID, Name: e.Name, Code: e.Code, District: e.District, Street: e.Street,
		Community: e.Community, Address: e.Address, ContactPhone: e.ContactPhone}
	if e.BuiltYear != nil {
		f.BuiltYear = strconv.Itoa(*e.BuiltYear)
	}
	return f
}

func readEstateForm(g *gin.Context) (estateForm, service.EstateFields, error) {
	f := estateForm{Name: g.PostForm("name"), Code: strings.TrimSpace(g.PostForm("code")), District: g.PostForm("district"),
		Street: g.PostForm("street"), Community: g.PostForm("community"), Address: g.PostForm("address"),
		ContactPhone: strings.TrimSpace(g.PostForm("contact_phone")), BuiltYear: strings.TrimSpace(g.PostForm("built_year"))}
	in := service.EstateFields{Name: &f.Name, District: &f.District, Street: &f.Street, Community: &f.Community,
		Address: &f.Address, ContactPhone: &f.ContactPhone}
	if f.Code != "" {
		in.Code = &f.Code
	}
	if f.BuiltYear != "" {
		year, err := strconv.Atoi(f.BuiltYear)
		if err != nil {
			return f, in, service.InvalidField("built_year", "请填写四位数字的年份")
		}
		in.BuiltYear = &year
	}
	return f, in, nil
}

func (c *Console) newEstate(g *gin.Context) {
	c.render(g, http.StatusOK, "estate_new", page{Title: "新建小区", Data: estateForm{}})
}

func (c *Console) createEstate(g *gin.Context) {
	form, in, err := readEstateForm(g)
	if err == nil {
		var e *model.Estate
		if e, err = c.svc.CreateEstate(g.Request.Context(), actorOf(g), in); err == nil {
			g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+e.ID+"?done=estate_created")
			return
		}
	}
	status, message, fields := c.explain(g, err)
	c.render(g, status, "estate_new", page{Title: "新建小区", Error: message, Fields: fields, Data: form})
}

type estateData struct {
	Estate    model.Estate
	Form      estateForm
	Rounds    []service.RoundView
	Staff     []service.StaffAssignment
	Users     []model.User
	NoticeURL string
	PosterURL string
	IsAdmin   bool
	// Objections counts the estate's objections, overdue ones included (nil for roles that may not read it).
	Objections *service.ObjectionSummary
	// May tells which of the estate's pages the actor's role may use, so no link leads to a refusal.
	May estateLinks
}

// estateLinks are the estate page's links the actor's role may follow.
type estateLinks struct {
	PlanRounds, Import, Visit, Feedback, Disputes, Surveys, Lifecycle, Acceptance, Reports bool
}

func estateLinksFor(role string) estateLinks {
	may := func(a service.Action) bool { return service.RoleAllowed(a, role) }
	return estateLinks{PlanRounds: may(service.ActManageRounds), Import: may(service.ActEditRoster), Visit: may(service.ActRecordSignOffs),
		Feedback: may(service.ActReadFeedback), Disputes: may(service.ActReadObjections), Surveys: may(service.ActListSurveys),
		Lifecycle: may(service.ActReadLifecycle), Acceptance: may(service.ActReadAcceptance), Reports: may(service.ActReadReports)}
}

// estate shows an estate: its rounds, and for admins its details, public
// code, QR poster and staff.
func (c *Console) estate(g *gin.Context) {
	c.showEstate(g, http.StatusOK, nil, "", nil)
}

func (c *Console) showEstate(g *gin.Context, status int, form *estateForm, message string, fields []fieldProblem) {
	ctx, actor, id := g.Request.Context(), actorOf(g), g.Param("estate_id")
	e, err := c.svc.GetEstate(ctx, actor, id)
	if err != nil {
		c.failPage(g, err)
		return
	}
	rounds, _, err := c.svc.ListRounds(ctx, actor, id, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := estateData{Estate: *e, Form: estateFormOf(*e), Rounds: rounds, IsAdmin: actor.Role == service.RoleAdmin,
		NoticeURL: c.cfg.PublicBaseURL + "/notice/" + e.Code, PosterURL: "/notice/" + e.Code + "/poster", May: estateLinksFor(actor.Role)}
	if form != nil {
		d.Form = *form
	}
	if service.RoleAllowed(service.ActReadObjectionSummary, actor.Role) {
		if d.Objections, err = c.svc.SummarizeObjections(ctx, actor, id); err != nil {
			c.failPage(g, err)
			return
		}
	}
	if d.IsAdmin {
		if d.Staff, err = c.svc.EstateStaff(ctx, actor, id); err != nil {
			c.failPage(g, err)
			return
		}
		if d.Users, _, err = c.svc.ListUsers(ctx, actor, service.Page{Limit: service.MaxPageLimit}); err != nil {
			c.failPage(g, err)
			return
		}
	}
	c.render(g, status, "estate", page{Title: e.Name, Error: message, Fields: fields, Data: d})
}

func (c *Console) saveEstate(g *gin.Context) {
	form, in, err := readEstateForm(g)
	if err == nil {
		if _, err = c.svc.UpdateEstate(g.Request.Context(), actorOf(g), g.Param("estate_id"), in); err == nil {
			g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+g.Param("estate_id")+"?done=estate_saved")
			return
		}
	}
	status, message, fields := c.explain(g, err)
	if status == http.StatusNotFound || status == http.StatusForbidden {
		c.failPage(g, err)
		return
	}
	c.showEstate(g, status, &form, message, fields)
}

func (c *Console) assignStaff(g *gin.Context) {
	err := c.svc.AssignStaff(g.Request.Context(), actorOf(g), g.Param("estate_id"), g.PostForm("user_id"), g.PostForm("role"))
	c.afterEstateAction(g, err, "staff_assigned")
}

func (c *Console) unassignStaff(g *gin.Context) {
	err := c.svc.UnassignStaff(g.Request.Context(), actorOf(g), g.Param("estate_id"), g.Param("user_id"))
	c.afterEstateAction(g, err, "staff_removed")
}

func (c *Console) afterEstateAction(g *gin.Context, err error, done string) {
	if err == nil {
		g.Redirect(http.StatusSeeOther, Prefix+"/estates/"+g.Param("estate_id")+"?done="+done)
		return
	}
	status, message, fields := c.explain(g, err)
	if status == http.StatusNotFound || status == http.StatusForbidden {
		c.failPage(g, err)
		return
	}
	c.showEstate(g, status, nil, message, fields)
}

type usersData struct {
	Users []model.User
	Form  service.NewUser
}

// users lists staff accounts for admins, with forms to add, disable and reset.
func (c *Console) users(g *gin.Context) {
	c.showUsers(g, http.StatusOK, service.NewUser{Role: service.RoleWorker}, "", nil)
}

func (c *Console) showUsers(g *gin.Context, status int, form service.NewUser, message string, fields []fieldProblem) {
	users, _, err := c.svc.ListUsers(g.Request.Context(), actorOf(g), service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	form.Password = ""
	c.render(g, status, "users", page{Title: "账号管理", Error: message, Fields: fields, Data: usersData{Users: users, Form: form}})
}

func (c *Console) createUser(g *gin.Context) {
	in := service.NewUser{Username: strings.TrimSpace(g.PostForm("username")), Password: g.PostForm("password"),
		DisplayName: g.PostForm("display_name"), Role: g.PostForm("role")}
	if _, err := c.svc.CreateUser(g.Request.Context(), actorOf(g), in); err != nil {
		status, message, fields := c.explain(g, err)
		c.showUsers(g, status, in, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/users?done=user_created")
}

// saveUser disables, enables or sets a new password for an account; the
// service then ends the account's sessions.
func (c *Console) saveUser(g *gin.Context) {
	var ch service.UserChanges
	switch g.PostForm("action") {
	case "disable", "enable":
		disabled := g.PostForm("action") == "disable"
		ch.Disabled = &disabled
	case "password":
		password := g.PostForm("password")
		ch.Password = &password
	default:
		c.errorPage(g, http.StatusUnprocessableEntity, "未知的操作。")
		return
	}
	if _, err := c.svc.UpdateUser(g.Request.Context(), actorOf(g), g.Param("user_id"), ch); err != nil {
		status, message, fields := c.explain(g, err)
		c.showUsers(g, status, service.NewUser{Role: service.RoleWorker}, message, fields)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/users?done=user_saved")
}
