package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

type optionCountJSON struct {
	Option string `json:"option"`
	Count  int64  `json:"count"`
}

type ratingCountJSON struct {
	Rating int   `json:"rating"`
	Count  int64 `json:"count"`
}

// ratingJSON is a rating question's sum: Mean is Sum/Count with two decimals (null when
// nobody rated).
type ratingJSON struct {
	Count  int64             `json:"count"`
	Sum    int64             `json:"sum"`
	Mean   *string           `json:"mean"`
	Counts []ratingCountJSON `json:"counts"`
}

type questionResultJSON struct {
	ID       string            `json:"id"`
	Kind     string            `json:"kind"`
	Text     string            `json:"text"`
	Answered int64             `json:"answered"`
	Options  []optionCountJSON `json:"options,omitempty"`
	Rating   *ratingJSON       `json:"rating,omitempty"`
	Texts    []string          `json:"texts,omitempty"`
}

type surveyResultsJSON struct {
	Survey    surveyResponse       `json:"survey"`
	Responses int64                `json:"responses"`
	Questions []questionResultJSON `json:"questions"`
}

func toOptionCounts(options []service.OptionCount) []optionCountJSON {
	out := make([]optionCountJSON, len(options))
	for i, o := range options {
		out[i] = optionCountJSON{Option: o.Option, Count: o.Count}
	}
	return out
}

func toRating(r *service.RatingSummary) *ratingJSON {
	if r == nil {
		return nil
	}
	out := &ratingJSON{Count: r.Count, Sum: r.Sum, Counts: make([]ratingCountJSON, len(r.Counts))}
	if mean := r.Mean(); mean != "" {
		out.Mean = &mean
	}
	for i, n := range r.Counts {
		out.Counts[i] = ratingCountJSON{Rating: i + 1, Count: n}
	}
	return out
}

func (a *API) surveyResults(c *gin.Context) {
	ctx, actor, id := c.Request.Context(), actorOf(c), c.Param("survey_id")
	switch c.Query("format") {
	case "", "json":
	case service.FormatXLSX:
		sheet, err := a.svc.SurveyResultsSheet(ctx, actor, id)
		if err != nil {
			fail(c, err)
			return
		}
		sendSpreadsheet(c, sheet, "survey-results")
		return
	default:
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"format": "must be json or xlsx"}, nil)
		return
	}
	results, err := a.svc.SurveyResults(ctx, actor, id)
	if err != nil {
		fail(c, err)
		return
	}
	resp := surveyResultsJSON{Survey: toSurvey(&results.Survey), Responses: results.Responses,
		Questions: make([]questionResultJSON, len(results.Questions))}
	for i, q := range results.Questions {
		resp.Questions[i] = questionResultJSON{ID: q.Question.ID, Kind: q.Question.Kind, Text: q.Question.Text,
			Answered: q.Answered, Options: toOptionCounts(q.Options), Rating: toRating(q.Rating), Texts: q.Texts}
	}
	c.JSON(http.StatusOK, resp)
}
