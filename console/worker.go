package console

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

func (c *Console) workerRoutes(s *gin.RouterGroup) {
	s.GET("/rounds/:round_id/rooms", c.rooms)
	s.GET("/rounds/:round_id/find", c.find)
	s.GET("/rounds/:round_id/households/:household_id", c.household)
	s.POST("/rounds/:round_id/households/:household_id/decision", c.recordDecision)
	s.POST("/rounds/:round_id/households/:household_id/visit", c.recordVisit)
}

// unitGrid is one unit's rooms, in order, and who there has not yet decided.
type unitGrid struct {
	Building, Unit string
	Rooms          []service.RoomState
	Grid           template.HTML
	Missing        []service.RoomState
	Decided        int
}

type roomsData struct {
	Round     service.RoundView
	Tally     *service.Tally
	Building  string
	Buildings []service.BuildingProgress
	Units     []unitGrid
	Query     string
	Found     []service.RoomState
	Searched  bool
}

// rooms shows the buildings of a round, or one building's room grid by unit.
func (c *Console) rooms(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, err := c.svc.GetRound(ctx, actor, g.Param("round_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := roomsData{Round: *r, Building: g.Query("building")}
	if d.Tally, err = c.svc.GetTally(ctx, actor, r.ID, false); err != nil {
		c.failPage(g, err)
		return
	}
	if d.Building == "" {
		progress, err := c.svc.GetProgress(ctx, actor, r.ID)
		if err != nil {
			c.failPage(g, err)
			return
		}
		d.Buildings = progress.ByBuilding
		c.render(g, http.StatusOK, "rooms", page{Title: "选择楼栋", Data: d})
		return
	}
	rooms, err := c.svc.RoundRooms(ctx, actor, r.ID, d.Building, "")
	if err != nil {
		c.failPage(g, err)
		return
	}
	d.Units = groupUnits(rooms)
	for i := range d.Units {
		d.Units[i].Grid = gridHTML(r.ID, d.Units[i].Rooms)
	}
	c.render(g, http.StatusOK, "rooms", page{Title: d.Building + " 栋", Data: d})
}

func groupUnits(rooms []service.RoomState) []unitGrid {
	var units []unitGrid
	for _, room := range rooms {
		if len(units) == 0 || units[len(units)-1].Unit != room.Unit || units[len(units)-1].Building != room.Building {
			units = append(units, unitGrid{Building: room.Building, Unit: room.Unit})
		}
		u := &units[len(units)-1]
		u.Rooms = append(u.Rooms, room)
		switch room.State {
		case service.DecisionAgree, service.DecisionDisagree, service.DecisionAbstain:
			u.Decided++
		default:
			u.Missing = append(u.Missing, room)
		}
	}
	return units
}

// addressPattern reads "3-2-502", "3栋2单元502", "3号楼2单元502室", "3幢2单元502".
var addressPattern = regexp.MustCompile(`^\s*([0-9A-Za-z]+)\s*(?:-|栋|幢|号楼|号|#)\s*([0-9A-Za-z]+)\s*(?:-|单元)\s*([0-9A-Za-z]+)\s*(?:室|号)?\s*$`)

// matchRooms finds the rooms a worker typed: an address or part of an owner's name.
func matchRooms(rooms []service.RoomState, query string) []service.RoomState {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil
	}
	var found []service.RoomState
	if m := addressPattern.FindStringSubmatch(query); m != nil {
		for _, r := range rooms {
			if strings.EqualFold(r.Building, m[1]) && strings.EqualFold(r.Unit, m[2]) && strings.EqualFold(r.Room, m[3]) {
				found = append(found, r)
			}
		}
		return found
	}
	for _, r := range rooms {
		if strings.Contains(r.OwnerName, query) || r.Room == query {
			found = append(found, r)
		}
	}
	return found
}

// find looks a household up by address or owner's name; one match opens it.
func (c *Console) find(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, err := c.svc.GetRound(ctx, actor, g.Param("round_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	building, unit := "", ""
	if m := addressPattern.FindStringSubmatch(g.Query("q")); m != nil {
		building, unit = m[1], m[2] // an address: read only its unit
	}
	rooms, err := c.svc.RoundRooms(ctx, actor, r.ID, building, unit)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := roomsData{Round: *r, Query: g.Query("q"), Searched: true}
	d.Found = matchRooms(rooms, d.Query)
	if len(d.Found) == 1 {
		g.Redirect(http.StatusSeeOther, Prefix+"/rounds/"+r.ID+"/households/"+d.Found[0].HouseholdID)
		return
	}
	c.render(g, http.StatusOK, "find", page{Title: "查找住户", Data: d})
}

type householdData struct {
	Round   service.RoundView
	Room    service.RoomState
	Signer  string
	Channel string
}

// household shows one household with the decision and visit forms.
func (c *Console) household(g *gin.Context) {
	c.showHousehold(g, http.StatusOK, "", "", nil)
}

func (c *Console) showHousehold(g *gin.Context, status int, signer, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, err := c.svc.GetRound(ctx, actor, g.Param("round_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	h, err := c.svc.GetHousehold(ctx, actor, g.Param("household_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	rooms, err := c.svc.RoundRooms(ctx, actor, r.ID, h.Building, h.Unit)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := householdData{Round: *r, Signer: signer, Channel: service.ChannelPaper}
	found := false
	for _, room := range rooms {
		if room.HouseholdID == h.ID {
			d.Room, found = room, true
		}
	}
	if !found {
		c.errorPage(g, http.StatusNotFound, codeMessages["household_not_in_round"])
		return
	}
	if d.Signer == "" {
		d.Signer = d.Room.OwnerName
	}
	c.render(g, status, "household", page{Title: h.Building + "-" + h.Unit + "-" + h.Room, Error: message, Fields: fields, Data: d})
}

func (c *Console) backToGrid(g *gin.Context, done string) {
	h, err := c.svc.GetHousehold(g.Request.Context(), actorOf(g), g.Param("household_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	q := url.Values{"building": {h.Building}, "done": {done}}
	g.Redirect(http.StatusSeeOther, Prefix+"/rounds/"+g.Param("round_id")+"/rooms?"+q.Encode()+"#unit-"+url.PathEscape(h.Unit))
}

// recordDecision records a paper, door or proxy decision.
func (c *Console) recordDecision(g *gin.Context) {
	actor := actorOf(g)
	in := service.SignOffInput{Decision: g.PostForm("decision"), Channel: g.PostForm("channel"),
		SignerName: trimmed(g, "signer_name"), Comment: trimmed(g, "comment")}
	actor.Channel = in.Channel
	if err := c.attachPhoto(g, &in); err != nil {
		status, message, fields := c.explain(g, err)
		c.showHousehold(g, status, in.SignerName, message, fields)
		return
	}
	if _, err := c.svc.RecordSignOff(g.Request.Context(), actor, g.Param("round_id"), g.Param("household_id"), in); err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusNotFound {
			c.failPage(g, err)
			return
		}
		c.showHousehold(g, status, in.SignerName, message, fields)
		return
	}
	c.backToGrid(g, "decision_recorded")
}

// recordVisit records a home visit's outcome.
func (c *Console) recordVisit(g *gin.Context) {
	actor := actorOf(g)
	actor.Channel = service.ChannelDoor
	in := service.VisitInput{HouseholdID: g.Param("household_id"), Outcome: g.PostForm("outcome"), Note: trimmed(g, "note")}
	if _, err := c.svc.RecordVisit(g.Request.Context(), actor, g.Param("round_id"), in); err != nil {
		status, message, fields := c.explain(g, err)
		if status == http.StatusNotFound {
			c.failPage(g, err)
			return
		}
		c.showHousehold(g, status, "", message, fields)
		return
	}
	c.backToGrid(g, "visit_recorded")
}

// attachPhoto stores the optional photo of the signed form and makes it the
// decision's evidence.
func (c *Console) attachPhoto(g *gin.Context, in *service.SignOffInput) error {
	mf, err := g.MultipartForm()
	if err != nil || mf == nil || len(mf.File["photo"]) == 0 {
		return nil
	}
	r, err := c.svc.GetRound(g.Request.Context(), actorOf(g), g.Param("round_id"))
	if err != nil {
		return err
	}
	ids, err := c.saveUploads(g, r.EstateID, mf.File["photo"][:1])
	if err != nil || len(ids) == 0 {
		return err
	}
	in.EvidenceURL = "/api/v1/uploads/" + ids[0]
	return nil
}
