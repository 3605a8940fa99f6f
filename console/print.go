package console

import (
	"encoding/base64"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"minyi/model"
	"minyi/service"
)

func (c *Console) printRoutes(s *gin.RouterGroup) {
	s.GET("/rounds/:round_id/register", c.printRegister)
	s.GET("/rounds/:round_id/forms", c.printForms)
	s.GET("/rounds/:round_id/announcement", c.printAnnouncement)
	s.POST("/rounds/:round_id/slips", c.printSlips)
}

// Rows of the printed register per A4 landscape page; the last page keeps
// room for the signature and stamp block.
const (
	registerRowsPerPage    = 18
	registerRowsOnLastPage = 12
)

// registerPage is one printed page of the register.
type registerPage struct {
	Number, Of int
	Rows       [][]string
	Last       bool
	// Body is the rows as table rows, written in Go (2,000 rows of 11 cells
	// cost the template engine far more).
	Body template.HTML
}

type registerData struct {
	Estate  model.Estate
	Round   service.RoundView
	Header  []string
	Pages   []registerPage
	Printed string
}

// paginate splits rows into pages of perPage, leaving room on the last page
// for the signature block (a page of its own when the rows fill it).
func paginate(rows [][]string, perPage, onLast int) []registerPage {
	var pages []registerPage
	for len(rows) > perPage {
		pages = append(pages, registerPage{Rows: rows[:perPage]})
		rows = rows[perPage:]
	}
	if len(rows) > onLast {
		pages = append(pages, registerPage{Rows: rows})
		rows = nil
	}
	pages = append(pages, registerPage{Rows: rows, Last: true})
	for i := range pages {
		pages[i].Number, pages[i].Of = i+1, len(pages)
		pages[i].Body = registerRowsHTML(pages[i].Rows)
	}
	return pages
}

// registerRowsHTML writes register rows with an empty 核对 cell, every value escaped.
func registerRowsHTML(rows [][]string) template.HTML {
	var b strings.Builder
	for _, row := range rows {
		b.WriteString("<tr>")
		for _, cell := range row {
			b.WriteString("<td>" + html.EscapeString(cell) + "</td>")
		}
		b.WriteString("<td></td></tr>\n")
	}
	return template.HTML(b.String()) // every value above is escaped
}

// printRegister is the sign-off register to print on A4 landscape: a title
// with estate and round, the header row on every page, "第 x 页 共 y 页",
// and a signature and stamp block at the end.
func (c *Console) printRegister(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, e, ok := c.roundAndEstate(g)
	if !ok {
		return
	}
	register, err := c.svc.RegisterForPrint(ctx, actor, r.ID)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := registerData{Estate: *e, Round: *r, Header: append(append([]string{}, register.Header...), "核对"),
		Pages: paginate(register.Rows, registerRowsPerPage, registerRowsOnLastPage), Printed: beijingTime(c.svc.Now())}
	c.render(g, http.StatusOK, "print_register", page{Title: e.Name + " 签字登记表", Print: true, Data: d})
}

func (c *Console) roundAndEstate(g *gin.Context) (*service.RoundView, *model.Estate, bool) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, err := c.svc.GetRound(ctx, actor, g.Param("round_id"))
	if err != nil {
		c.failPage(g, err)
		return nil, nil, false
	}
	e, err := c.svc.GetEstate(ctx, actor, r.EstateID)
	if err != nil {
		c.failPage(g, err)
		return nil, nil, false
	}
	return r, e, true
}

// consultationForm is one household's printed 征询表.
type consultationForm struct {
	Room service.RoomState
	QR   template.URL // data: URI of the PNG (made here, so trusted as a URL)
	Link string
}

type formsData struct {
	Estate   model.Estate
	Round    service.RoundView
	Words    string
	Revision *service.RevisionView
	Forms    []consultationForm
}

// printForms prints one consultation form per household (of a building or
// unit), each with a QR code that opens the household's page in the console.
func (c *Console) printForms(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, e, ok := c.roundAndEstate(g)
	if !ok {
		return
	}
	rooms, err := c.svc.RoundRooms(ctx, actor, r.ID, g.Query("building"), g.Query("unit"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := formsData{Estate: *e, Round: *r, Words: r.Rule.Describe()}
	if r.RevisionID != nil {
		if d.Revision, err = c.svc.GetRevision(ctx, actor, *r.RevisionID); err != nil {
			c.failPage(g, err)
			return
		}
	}
	for _, room := range rooms {
		link := c.cfg.PublicBaseURL + Prefix + "/rounds/" + url.PathEscape(r.ID) + "/households/" + url.PathEscape(room.HouseholdID)
		qr, err := qrcode.New(link, qrcode.Medium)
		if err != nil {
			c.failPage(g, err)
			return
		}
		png, err := qr.PNG(-4) // 4 pixels per module: sharp edges, whatever the URL's length
		if err != nil {
			c.failPage(g, err)
			return
		}
		d.Forms = append(d.Forms, consultationForm{Room: room, Link: link, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
	}
	c.render(g, http.StatusOK, "print_forms", page{Title: e.Name + " 征询表", Print: true, Data: d})
}

type announcementData struct {
	Estate model.Estate
	Round  service.RoundView
	Words  string
	Tally  *service.Tally
	Checks []checkRow
	Today  string
}

// printAnnouncement prints the result announcement of a closed round (or
// the current standing of an open one) to post in the estate.
func (c *Console) printAnnouncement(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, e, ok := c.roundAndEstate(g)
	if !ok {
		return
	}
	if r.Status == service.RoundDraft {
		c.errorPage(g, http.StatusConflict, codeMessages["round_not_open"])
		return
	}
	tally, err := c.svc.GetTally(ctx, actor, r.ID, false)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := announcementData{Estate: *e, Round: *r, Words: r.Rule.Describe(), Tally: tally, Checks: checkRows(tally), Today: beijingTime(c.svc.Now())[:10]}
	c.render(g, http.StatusOK, "print_announcement", page{Title: e.Name + " 征询结果公告", Print: true, Data: d})
}

// bindingSlip is one household's binding-code slip.
type bindingSlip struct {
	Room    service.RoomState
	Code    string
	Expires string
}

type slipsData struct {
	Estate model.Estate
	Round  service.RoundView
	Slips  []bindingSlip
}

// printSlips issues a binding code for every household of a unit and shows
// the slips to print and hand out; the codes are shown only this once.
func (c *Console) printSlips(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, e, ok := c.roundAndEstate(g)
	if !ok {
		return
	}
	building, unit := g.PostForm("building"), g.PostForm("unit")
	if building == "" || unit == "" {
		c.errorPage(g, http.StatusUnprocessableEntity, "请从某个单元的页面打印绑定码。")
		return
	}
	rooms, err := c.svc.RoundRooms(ctx, actor, r.ID, building, unit)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := slipsData{Estate: *e, Round: *r}
	for _, room := range rooms {
		issued, err := c.svc.IssueBindingCode(ctx, actor, e.ID, room.HouseholdID)
		if err != nil {
			c.failPage(g, err)
			return
		}
		d.Slips = append(d.Slips, bindingSlip{Room: room, Code: issued.Code, Expires: beijingTime(issued.ExpiresAt)[:10]})
	}
	c.render(g, http.StatusOK, "print_slips", page{Title: e.Name + " 绑定码", Print: true, Data: d})
}
