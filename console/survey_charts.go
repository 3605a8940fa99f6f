package console

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

// Geometry of a results bar chart (SVG user units).
const (
	chartWidth    = 320
	chartLabelW   = 110
	chartBarRoom  = chartWidth - chartLabelW - 40
	chartRowH     = 26
	chartBarThick = 18
)

// chartBar is one bar of a question's chart, with its figures in words.
type chartBar struct {
	Label           string
	Count           int64
	Percent         string
	Width, Y, TextY int
	CountX          int
}

// questionChart is one question's results as a bar chart and a table.
type questionChart struct {
	ID, Text, KindLabel string
	Answered            int64
	Bars                []chartBar
	Height              int
	Mean                string
	Texts               []string
}

type surveyResultsData struct {
	Survey    service.SurveyView
	Estate    model.Estate
	Responses int64
	Charts    []questionChart
}

var questionKindLabels = map[string]string{service.QuestionSingle: "单选", service.QuestionMultiple: "多选",
	service.QuestionRating: "评分（1–5 分）", service.QuestionText: "文字"}

// surveyResults shows a survey's results: per question a bar chart drawn on
// the server (an SVG with a title, the figures beside it in a table) and the
// mean of rating questions.
func (c *Console) surveyResults(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, err := c.svc.SurveyResults(ctx, actor, g.Param("survey_id"))
	if err != nil {
		c.failPage(g, err)
		return
	}
	e, err := c.svc.GetEstate(ctx, actor, r.Survey.EstateID)
	if err != nil {
		c.failPage(g, err)
		return
	}
	d := surveyResultsData{Survey: r.Survey, Estate: *e, Responses: r.Responses}
	for _, q := range r.Questions {
		d.Charts = append(d.Charts, chartOf(q))
	}
	c.render(g, http.StatusOK, "survey_results", page{Title: r.Survey.Title + " 结果", Data: d})
}

// chartOf lays out one question's bars: option counts, or the households per rating.
func chartOf(q service.QuestionResult) questionChart {
	ch := questionChart{ID: q.Question.ID, Text: q.Question.Text, KindLabel: questionKindLabels[q.Question.Kind],
		Answered: q.Answered, Texts: q.Texts}
	type pair struct {
		label string
		n     int64
	}
	var pairs []pair
	for _, o := range q.Options {
		pairs = append(pairs, pair{o.Option, o.Count})
	}
	if q.Rating != nil {
		for i, n := range q.Rating.Counts {
			pairs = append(pairs, pair{strconv.Itoa(i+1) + " 分", n})
		}
		ch.Mean = q.Rating.Mean()
	}
	var most int64
	for _, p := range pairs {
		most = max(most, p.n)
	}
	for i, p := range pairs {
		b := chartBar{Label: p.label, Count: p.n, Y: i*chartRowH + 4, TextY: i*chartRowH + 18, Percent: percentOf(p.n, q.Answered)}
		if most > 0 {
			b.Width = int(p.n * chartBarRoom / most)
		}
		b.CountX = chartLabelW + b.Width + 4
		ch.Bars = append(ch.Bars, b)
	}
	ch.Height = len(pairs)*chartRowH + 8
	return ch
}

// percentOf writes n of total as a percentage with one decimal ("—" for none).
func percentOf(n, total int64) string {
	if total == 0 {
		return "—"
	}
	tenths := (n*2000 + total) / (2 * total)
	return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10) + "%"
}
