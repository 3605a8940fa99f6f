package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// acceptanceRoutes lists the routes of joint acceptance (联合验收).
func (a *API) acceptanceRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/estates/:estate_id/acceptances", service.ActRecordAcceptance, a.recordAcceptance},
		{"GET", "/api/v1/estates/:estate_id/acceptances", service.ActReadAcceptance, a.listAcceptances},
		{"GET", "/api/v1/acceptances/:acceptance_id", service.ActReadAcceptance, a.getAcceptance},
		{"POST", "/api/v1/acceptances/:acceptance_id/items/:index/rectified", service.ActRecordAcceptance, a.rectifyAcceptanceItem},
	}
}

// acceptanceMessages are the texts of this part's error codes (messages).
var acceptanceMessages = map[string][2]string{
	"acceptance_not_found":      {"验收记录不存在", "acceptance not found"},
	"acceptance_item_not_found": {"验收记录中没有这一项", "the acceptance has no such item"},
	"item_not_rectifiable":      {"该项验收已通过，无需整改", "the item passed; there is nothing to rectify"},
	"item_already_rectified":    {"该项已登记整改完成", "the item was rectified already"},
}

type acceptanceItemRequest struct {
	Name           string   `json:"name"`
	Result         string   `json:"result"`
	Note           string   `json:"note"`
	PhotoUploadIDs []string `json:"photo_upload_ids"`
}

type signatureJSON struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	RoleLabel string `json:"role_label,omitempty"`
}

type acceptanceRequest struct {
	Items      []acceptanceItemRequest `json:"items"`
	Signatures []signatureJSON         `json:"signatures"`
}

type rectifyRequest struct {
	Note           string   `json:"note"`
	PhotoUploadIDs []string `json:"photo_upload_ids"`
}

type acceptanceItemJSON struct {
	Index                 int      `json:"index"`
	Name                  string   `json:"name"`
	Result                string   `json:"result"`
	Note                  string   `json:"note"`
	PhotoUploadIDs        []string `json:"photo_upload_ids"`
	Rectified             bool     `json:"rectified"`
	RectifiedAt           *Time    `json:"rectified_at"`
	RectifyNote           string   `json:"rectify_note"`
	RectifyPhotoUploadIDs []string `json:"rectify_photo_upload_ids"`
}

type acceptanceJSON struct {
	ID         string               `json:"id"`
	EstateID   string               `json:"estate_id"`
	Status     string               `json:"status"`
	OpenItems  int                  `json:"open_items"`
	Items      []acceptanceItemJSON `json:"items"`
	Signatures []signatureJSON      `json:"signatures"`
	CreatedAt  Time                 `json:"created_at"`
	ClosedAt   *Time                `json:"closed_at"`
}

func toAcceptance(v *service.AcceptanceView) acceptanceJSON {
	out := acceptanceJSON{ID: v.ID, EstateID: v.EstateID, Status: v.Status, CreatedAt: Time(v.CreatedAt), ClosedAt: timePtr(v.ClosedAt),
		Items: make([]acceptanceItemJSON, len(v.Items)), Signatures: make([]signatureJSON, len(v.Signatures))}
	for i, it := range v.Items {
		out.Items[i] = acceptanceItemJSON{Index: it.Position, Name: it.Name, Result: it.Result, Note: it.Note, PhotoUploadIDs: it.Photos,
			Rectified: it.RectifiedAt != nil, RectifiedAt: timePtr(it.RectifiedAt), RectifyNote: it.RectifyNote, RectifyPhotoUploadIDs: it.FixPhotos}
		if it.NeedsAction {
			out.OpenItems++
		}
	}
	for i, sg := range v.Signatures {
		out.Signatures[i] = signatureJSON{Name: sg.Name, Role: sg.Role, RoleLabel: service.SignatureRoleLabel(sg.Role)}
	}
	return out
}

func (a *API) recordAcceptance(c *gin.Context) {
	var req acceptanceRequest
	if !bindJSON(c, &req) {
		return
	}
	in := service.AcceptanceInput{}
	for _, it := range req.Items {
		in.Items = append(in.Items, service.AcceptanceItemInput{Name: it.Name, Result: it.Result, Note: it.Note, Photos: it.PhotoUploadIDs})
	}
	for _, sg := range req.Signatures {
		in.Signatures = append(in.Signatures, service.SignatureInput{Name: sg.Name, Role: sg.Role})
	}
	v, err := a.svc.RecordAcceptance(c.Request.Context(), actorOf(c), c.Param("estate_id"), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAcceptance(v))
}

func (a *API) listAcceptances(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	views, next, err := a.svc.ListAcceptances(c.Request.Context(), actorOf(c), c.Param("estate_id"), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[acceptanceJSON]{Items: make([]acceptanceJSON, len(views)), NextCursor: next}
	for i := range views {
		resp.Items[i] = toAcceptance(&views[i])
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) getAcceptance(c *gin.Context) {
	v, err := a.svc.GetAcceptance(c.Request.Context(), actorOf(c), c.Param("acceptance_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAcceptance(v))
}

func (a *API) rectifyAcceptanceItem(c *gin.Context) {
	index, err := strconv.Atoi(c.Param("index"))
	if err != nil || index < 0 || index > 1000 {
		abortWith(c, http.StatusNotFound, "acceptance_item_not_found", nil, nil)
		return
	}
	var req rectifyRequest
	if !bindJSON(c, &req) {
		return
	}
	v, err := a.svc.RectifyAcceptanceItem(c.Request.Context(), actorOf(c), c.Param("acceptance_id"), index,
		service.RectifyInput{Note: req.Note, Photos: req.PhotoUploadIDs})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAcceptance(v))
}
