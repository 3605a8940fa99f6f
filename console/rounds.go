package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
	"minyi/service/rule"
)

func (c *Console) roundRoutes(s *gin.RouterGroup) {
	s.GET("/estates/:estate_id/rounds/new", c.newRound)
	s.POST("/estates/:estate_id/rounds", c.createRound)
	s.GET("/rounds/:round_id", c.round)
	s.POST("/rounds/:round_id/open", c.openRound)
	s.POST("/rounds/:round_id/close", c.closeRound)
}

// presetChoice is one rule preset offered on the new-round form.
type presetChoice struct {
	Name, Label, Words string
}

var presetChoices = describePresets([]presetChoice{
	{rule.PresetTwo80, "“两个 80%”（老旧小区改造）", ""},
	{rule.PresetCivilCodeMajor, "民法典重大事项（双 2/3 参与、双 3/4 同意）", ""},
	{rule.PresetCivilCodeOrdinary, "民法典一般事项（双 2/3 参与、双过半同意）", ""},
})

// describePresets fills in each preset's rule in words (rule.Describe).
func describePresets(choices []presetChoice) []presetChoice {
	for i := range choices {
		r, _ := rule.Preset(choices[i].Name)
		choices[i].Words = r.Describe()
	}
	return choices
}

type roundForm struct {
	Title, Kind, Preset, ClosesAt, RevisionID string
}

type newRoundData struct {
	Estate     model.Estate
	Form       roundForm
	Revisions  []service.RevisionView
	Presets    []presetChoice
	Households int64
	Example    string
}

func (c *Console) newRound(g *gin.Context) {
	c.showNewRound(g, http.StatusOK, roundForm{Kind: service.KindWillingness, Preset: rule.PresetTwo80}, "", nil)
}

func (c *Console) showNewRound(g *gin.Context, status int, form roundForm, message string, fields []fieldProblem) {
	ctx, actor := g.Request.Context(), actorOf(g)
	e, err := c.svc.GetEstate(ctx, actor, g.Param("estate_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	households, err := c.svc.CountHouseholds(ctx, actor, e.ID)
	if err != nil {
		c.failPage(g, err)
		return
	}
	example := households
	if example == 0 {
		example = 120
	}
	revisions, _, err := c.svc.ListRevisions(ctx, actor, e.ID, service.Page{Limit: service.MaxPageLimit})
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := newRoundData{Estate: *e, Form: form, Revisions: revisions, Presets: presetChoices, Households: example, Example: ruleExample(form.Preset, example)}
	c.render(g, status, "round_new", page{Title: "新建征询", Error: message, Fields: fields, Data: d})
}

func (c *Console) createRound(g *gin.Context) {
	form := roundForm{Title: g.PostForm("title"), Kind: g.PostForm("kind"), Preset: g.PostForm("preset"), ClosesAt: g.PostForm("closes_at"),
		RevisionID: g.PostForm("revision_id")}
	in := service.RoundFields{Title: &form.Title, Kind: &form.Kind, Rule: &rule.Spec{Preset: form.Preset}}
	if form.RevisionID != "" {
		in.RevisionID = &form.RevisionID
	}
	var err error
	if form.ClosesAt != "" {
		closes, perr := time.ParseInLocation("2006-01-02T15:04", form.ClosesAt, beijing)
		if perr != nil {
			err = service.InvalidField("closes_at", "请选择日期和时间")
		}
		in.ClosesAt = &closes
	}
	if err == nil {
		var r *service.RoundView
		if r, err = c.svc.CreateRound(g.Request.Context(), actorOf(g), g.Param("estate_id"), in); err == nil {
			g.Redirect(http.StatusSeeOther, Prefix+"/rounds/"+r.ID+"?done=round_created")
			return
		}
	}
	status, message, fields := c.explain(g, err)
	c.showNewRound(g, status, form, message, fields)
}

// ruleExample computes, with the rule engine, what a preset asks of an
// electorate of n households, e.g. "120 户中需至少 96 户表态、其中至少 77 户同意".
func ruleExample(preset string, n int64) string {
	r, ok := rule.Preset(preset)
	if !ok || n <= 0 {
		return ""
	}
	counts := func(participated, agree int64) rule.Counts {
		// Equal areas: one hundredth of a square metre per household keeps area checks in step with heads.
		return rule.Counts{Electorate: rule.Amount{Households: n, AreaHundredths: n},
			Participated: rule.Amount{Households: participated, AreaHundredths: participated},
			Agree:        rule.Amount{Households: agree, AreaHundredths: agree}}
	}
	participated := int64(-1)
	for p := int64(1); p <= n; p++ {
		if rule.Evaluate(r, counts(p, p)).Passed {
			participated = p
			break
		}
	}
	if participated < 0 {
		return ""
	}
	agree := participated
	for a := int64(0); a <= participated; a++ {
		if rule.Evaluate(r, counts(participated, a)).Passed {
			agree = a
			break
		}
	}
	text := strconv.FormatInt(n, 10) + " 户中需至少 " + strconv.FormatInt(participated, 10) + " 户表态、其中至少 " +
		strconv.FormatInt(agree, 10) + " 户同意"
	if r.UsesArea() {
		text += "（面积条件按每户面积相同估算）"
	}
	return text
}

// ruleExampleJSON answers the new-round form's script as the preset or size changes.
func (c *Console) ruleExampleJSON(g *gin.Context) {
	n, err := strconv.ParseInt(g.Query("households"), 10, 64)
	if err != nil || n < 1 || n > 1_000_000 {
		g.JSON(http.StatusUnprocessableEntity, errorJSON("validation_failed", "户数须为 1 到 1000000 的整数",
			map[string]string{"households": "1 到 1000000 的整数"}))
		return
	}
	r, ok := rule.Preset(g.Query("preset"))
	if !ok {
		g.JSON(http.StatusUnprocessableEntity, errorJSON("validation_failed", "未知的表决规则",
			map[string]string{"preset": "two-80、civil-code-major 或 civil-code-ordinary"}))
		return
	}
	g.JSON(http.StatusOK, gin.H{"words": r.Describe(), "example": ruleExample(g.Query("preset"), n)})
}

type roundData struct {
	Round                service.RoundView
	Estate               model.Estate
	Words                string
	Tally                *service.Tally
	Progress             *service.Progress
	Checks               []checkRow
	CanManage, CanRecord bool
	Early                bool
}

// checkRow is one check of the tally in words.
type checkRow struct {
	Label, Required, Actual string
	Passed                  bool
}

var checkLabels = map[string]string{
	rule.CheckParticipationHouseholds: "参与表态户数占比", rule.CheckParticipationArea: "参与表态面积占比",
	rule.CheckAgreementHouseholds: "同意户数占参与户数", rule.CheckAgreementArea: "同意面积占参与面积",
}

// round shows a round: its rule in words, the tally, progress by building
// and unit, and the open and close actions for those who may take them.
func (c *Console) round(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, err := c.svc.GetRound(ctx, actor, g.Param("round_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	e, err := c.svc.GetEstate(ctx, actor, r.EstateID)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := roundData{Round: *r, Estate: *e, Words: r.Rule.Describe(),
		CanManage: service.RoleAllowed(service.ActGovernRounds, actor.Role),
		CanRecord: service.RoleAllowed(service.ActRecordSignOffs, actor.Role)}
	if r.Status != service.RoundDraft {
		if d.Tally, err = c.svc.GetTally(ctx, actor, r.ID, false); err != nil {
			c.failPage(g, err)
			return
		}
		d.Checks = checkRows(d.Tally)
		if service.RoleAllowed(service.ActReadProgress, actor.Role) {
			if d.Progress, err = c.svc.GetProgress(ctx, actor, r.ID); err != nil {
				c.failPage(g, err)
				return
			}
		}
	}
	d.Early = r.ClosesAt != nil && c.svc.Now().Before(*r.ClosesAt)
	c.render(g, http.StatusOK, "round", page{Title: r.Title, Data: d})
}

func (c *Console) openRound(g *gin.Context) {
	_, err := c.svc.OpenRound(g.Request.Context(), actorOf(g), g.Param("round_id"), false)
	c.afterRoundAction(g, err, "round_opened")
}

func (c *Console) closeRound(g *gin.Context) {
	_, err := c.svc.CloseRoundWithReason(g.Request.Context(), actorOf(g), g.Param("round_id"), g.PostForm("reason"))
	c.afterRoundAction(g, err, "round_closed")
}

func (c *Console) afterRoundAction(g *gin.Context, err error, done string) {
	if err != nil {
		c.failPage(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, Prefix+"/rounds/"+g.Param("round_id")+"?done="+done)
}

func trimmed(g *gin.Context, name string) string { return strings.TrimSpace(g.PostForm(name)) }

// checkRows says the tally's checks in words.
func checkRows(t *service.Tally) []checkRow {
	var rows []checkRow
	for _, ch := range t.Checks {
		label := checkLabels[ch.Name]
		if label == "" {
			label = ch.Name
		}
		rows = append(rows, checkRow{Label: label, Required: ch.Required, Actual: ch.Actual, Passed: ch.Passed})
	}
	return rows
}
