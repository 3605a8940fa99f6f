package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

type revisionRequest struct {
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Changes     string   `json:"changes"`
	Addresses   []string `json:"addresses"`
	Attachments []string `json:"attachments"`
}

type revisionResponse struct {
	ID          string     `json:"id"`
	EstateID    string     `json:"estate_id"`
	Version     int        `json:"version"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	Changes     string     `json:"changes"`
	Addresses   []string   `json:"addresses"`
	Attachments []string   `json:"attachments"`
	PublishedBy personJSON `json:"published_by"`
	PublishedAt Time       `json:"published_at"`
}

func toRevision(v *service.RevisionView) revisionResponse {
	return revisionResponse{ID: v.ID, EstateID: v.EstateID, Version: v.Version, Title: v.Title, Summary: v.Summary,
		Changes: v.Changes, Addresses: v.Addresses, Attachments: v.Attachments, PublishedBy: toPerson(v.Publisher),
		PublishedAt: Time(v.PublishedAt)}
}

func (a *API) publishRevision(c *gin.Context) {
	var req revisionRequest
	if !bindJSON(c, &req) {
		return
	}
	v, err := a.svc.PublishRevision(c.Request.Context(), actorOf(c), c.Param("estate_id"), service.RevisionInput{
		Title: req.Title, Summary: req.Summary, Changes: req.Changes, Addresses: req.Addresses, Attachments: req.Attachments})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toRevision(v))
}

func (a *API) listRevisions(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	views, next, err := a.svc.ListRevisions(c.Request.Context(), actorOf(c), c.Param("estate_id"), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[revisionResponse]{Items: make([]revisionResponse, len(views)), NextCursor: next}
	for i := range views {
		resp.Items[i] = toRevision(&views[i])
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) getRevision(c *gin.Context) {
	v, err := a.svc.GetRevision(c.Request.Context(), actorOf(c), c.Param("revision_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRevision(v))
}
