package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

type feedbackCountsJSON struct {
	Total            int `json:"total"`
	Objections       int `json:"objections"`
	Comments         int `json:"comments"`
	Open             int `json:"open"`
	Answered         int `json:"answered"`
	Adopted          int `json:"adopted"`
	PartiallyAdopted int `json:"partially_adopted"`
	NotAdopted       int `json:"not_adopted"`
	Closed           int `json:"closed"`
}

type feedbackItemJSON struct {
	Kind        string  `json:"kind"`
	ID          string  `json:"id"`
	RoundID     *string `json:"round_id"`
	Content     string  `json:"content"`
	Status      string  `json:"status,omitempty"`
	Outcome     string  `json:"outcome,omitempty"`
	Explanation string  `json:"explanation,omitempty"`
	RevisionID  *string `json:"revision_id,omitempty"`
	Building    string  `json:"building"`
	Unit        string  `json:"unit"`
	Room        string  `json:"room,omitempty"`
	CreatedAt   Time    `json:"created_at"`
	AnsweredAt  *Time   `json:"answered_at,omitempty"`
}

type feedbackGroupJSON struct {
	Category      string             `json:"category"`
	CategoryLabel string             `json:"category_label"`
	PlanItem      string             `json:"plan_item"`
	Counts        feedbackCountsJSON `json:"counts"`
	Items         []feedbackItemJSON `json:"items"`
}

type feedbackResponse struct {
	EstateID    string              `json:"estate_id"`
	RoundID     *string             `json:"round_id"`
	Totals      feedbackCountsJSON  `json:"totals"`
	Groups      []feedbackGroupJSON `json:"groups"`
	GeneratedAt Time                `json:"generated_at"`
}

func toFeedbackCounts(c service.FeedbackCounts) feedbackCountsJSON {
	return feedbackCountsJSON(c)
}

func toFeedback(f *service.Feedback) feedbackResponse {
	resp := feedbackResponse{EstateID: f.EstateID, RoundID: f.RoundID, Totals: toFeedbackCounts(f.Totals),
		Groups: make([]feedbackGroupJSON, len(f.Groups)), GeneratedAt: Time(f.GeneratedAt)}
	for i, g := range f.Groups {
		group := feedbackGroupJSON{Category: g.Category, CategoryLabel: g.CategoryLabel, PlanItem: g.PlanItem,
			Counts: toFeedbackCounts(g.Counts), Items: make([]feedbackItemJSON, len(g.Items))}
		for j, it := range g.Items {
			group.Items[j] = feedbackItemJSON{Kind: it.Kind, ID: it.ID, RoundID: it.RoundID, Content: it.Content,
				Status: it.Status, Outcome: it.Outcome, Explanation: it.Explanation, RevisionID: it.RevisionID,
				Building: it.Building, Unit: it.Unit, Room: it.Room, CreatedAt: Time(it.CreatedAt), AnsweredAt: timePtr(it.AnsweredAt)}
		}
		resp.Groups[i] = group
	}
	return resp
}

// Content types of the feedback downloads.
const (
	contentTypeCSV  = "text/csv; charset=utf-8"
	contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// feedback serves the grouped feedback as JSON, CSV or XLSX (?format=).
func (a *API) feedback(c *gin.Context) {
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" && format != "xlsx" {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"format": "must be json, csv or xlsx"}, nil)
		return
	}
	actor := actorOf(c)
	f, err := a.svc.Feedback(c.Request.Context(), actor, c.Param("estate_id"), c.Query("round_id"))
	if err != nil {
		fail(c, err)
		return
	}
	withRoom := actor.Role != service.RoleDesigner
	filename := "feedback-" + f.GeneratedAt.In(shanghai).Format("20060102-1504")
	switch format {
	case "csv":
		body, err := service.FeedbackCSV(f, withRoom)
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+filename+`.csv"`)
		c.Data(http.StatusOK, contentTypeCSV, body)
	case "xlsx":
		body, err := service.FeedbackXLSX(f, withRoom)
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+filename+`.xlsx"`)
		c.Data(http.StatusOK, contentTypeXLSX, body)
	default:
		c.JSON(http.StatusOK, toFeedback(f))
	}
}
