package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// reportRoutes lists the routes of problem reports (随手拍).
func (a *API) reportRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/estates/:estate_id/reports", service.ActFileReport, a.fileReport},
		{"GET", "/api/v1/estates/:estate_id/reports", service.ActReadReports, a.listReports},
		{"PATCH", "/api/v1/reports/:report_id", service.ActHandleReports, a.updateReport},
		{"POST", "/api/v1/reports/:report_id/confirmation", service.ActConfirmReport, a.confirmReport},
	}
}

// reportMessages are the texts of this part's error codes (messages).
var reportMessages = map[string][2]string{
	"report_not_found":          {"问题反映不存在", "problem report not found"},
	"report_transition_invalid": {"问题反映的状态不能这样变更（已反映 → 已派单 → 已处理 → 已确认）", "the report cannot change so (reported → assigned → fixed → confirmed)"},
	"report_not_fixed":          {"问题尚未处理完毕，处理后才能确认", "the report is not fixed yet"},
}

type reportRequest struct {
	Text           string   `json:"text"`
	Location       string   `json:"location"`
	PhotoUploadIDs []string `json:"photo_upload_ids"`
}

type reportUpdateRequest struct {
	Status         string   `json:"status"`
	AssigneeID     *string  `json:"assignee_id"`
	Note           *string  `json:"note"`
	PhotoUploadIDs []string `json:"photo_upload_ids"`
}

type reportConfirmationRequest struct {
	Satisfied *bool  `json:"satisfied"`
	Note      string `json:"note"`
}

type reportJSON struct {
	ID                string   `json:"id"`
	EstateID          string   `json:"estate_id"`
	Status            string   `json:"status"`
	Text              string   `json:"text"`
	Location          string   `json:"location"`
	PhotoUploadIDs    []string `json:"photo_upload_ids"`
	AssigneeID        *string  `json:"assignee_id"`
	Note              string   `json:"note"`
	FixPhotoUploadIDs []string `json:"fix_photo_upload_ids"`
	FixedAt           *Time    `json:"fixed_at"`
	Satisfied         *bool    `json:"satisfied"`
	ConfirmNote       string   `json:"confirm_note"`
	ConfirmedAt       *Time    `json:"confirmed_at"`
	CreatedAt         Time     `json:"created_at"`
	UpdatedAt         Time     `json:"updated_at"`
}

// toReport maps a report; residents do not get the staff assignee's id.
func toReport(v *service.ReportView, reader service.Actor) reportJSON {
	out := reportJSON{ID: v.ID, EstateID: v.EstateID, Status: v.Status, Text: v.Text, Location: v.Location,
		PhotoUploadIDs: v.Photos, AssigneeID: v.AssigneeID, Note: v.StaffNote, FixPhotoUploadIDs: v.FixPhotos,
		FixedAt: timePtr(v.FixedAt), Satisfied: v.Satisfied, ConfirmNote: v.ConfirmNote, ConfirmedAt: timePtr(v.ConfirmedAt),
		CreatedAt: Time(v.CreatedAt), UpdatedAt: Time(v.UpdatedAt)}
	if reader.Role == service.RoleResident {
		out.AssigneeID = nil
	}
	return out
}

func (a *API) fileReport(c *gin.Context) {
	var req reportRequest
	if !bindJSON(c, &req) {
		return
	}
	actor := actorOf(c)
	v, err := a.svc.FileReport(c.Request.Context(), actor, c.Param("estate_id"),
		service.ReportInput{Text: req.Text, Location: req.Location, Photos: req.PhotoUploadIDs})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toReport(v, actor))
}

func (a *API) listReports(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	actor := actorOf(c)
	views, next, err := a.svc.ListReports(c.Request.Context(), actor, c.Param("estate_id"), c.Query("status"), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[reportJSON]{Items: make([]reportJSON, len(views)), NextCursor: next}
	for i := range views {
		resp.Items[i] = toReport(&views[i], actor)
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) updateReport(c *gin.Context) {
	var req reportUpdateRequest
	if !bindJSON(c, &req) {
		return
	}
	actor := actorOf(c)
	v, err := a.svc.UpdateReport(c.Request.Context(), actor, c.Param("report_id"), service.ReportUpdate{
		Status: req.Status, AssigneeID: req.AssigneeID, Note: req.Note, Photos: req.PhotoUploadIDs})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toReport(v, actor))
}

func (a *API) confirmReport(c *gin.Context) {
	var req reportConfirmationRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Satisfied == nil {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"satisfied": "is required"}, nil)
		return
	}
	actor := actorOf(c)
	v, err := a.svc.ConfirmReport(c.Request.Context(), actor, c.Param("report_id"), *req.Satisfied, req.Note)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toReport(v, actor))
}
