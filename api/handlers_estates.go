package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

type estateRequest struct {
	Name         *string `json:"name"`
	Code         *string `json:"code"`
	District     *string `json:"district"`
	Street       *string `json:"street"`
	Community    *string `json:"community"`
	Address      *string `json:"address"`
	ContactPhone *string `json:"contact_phone"`
	BuiltYear    *int    `json:"built_year"`
}

func (r estateRequest) fields() service.EstateFields {
	return service.EstateFields{Name: r.Name, Code: r.Code, District: r.District, Street: r.Street,
		Community: r.Community, Address: r.Address, ContactPhone: r.ContactPhone, BuiltYear: r.BuiltYear}
}

type estateResponse struct {
	ID           string `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	District     string `json:"district"`
	Street       string `json:"street"`
	Community    string `json:"community"`
	Address      string `json:"address"`
	ContactPhone string `json:"contact_phone"`
	BuiltYear    *int   `json:"built_year"`
	CreatedAt    Time   `json:"created_at"`
	UpdatedAt    Time   `json:"updated_at"`
}

func toEstate(e *model.Estate) estateResponse {
	return estateResponse{ID: e.ID, Code: e.Code, Name: e.Name, District: e.District, Street: e.Street,
		Community: e.Community, Address: e.Address, ContactPhone: e.ContactPhone, BuiltYear: e.BuiltYear,
		CreatedAt: Time(e.CreatedAt), UpdatedAt: Time(e.UpdatedAt)}
}

func (a *API) createEstate(c *gin.Context) {
	var req estateRequest
	if !bindJSON(c, &req) {
		return
	}
	e, err := a.svc.CreateEstate(c.Request.Context(), actorOf(c), req.fields())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toEstate(e))
}

func (a *API) listEstates(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	estates, next, err := a.svc.ListEstates(c.Request.Context(), actorOf(c), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[estateResponse]{Items: make([]estateResponse, len(estates)), NextCursor: next}
	for i := range estates {
		resp.Items[i] = toEstate(&estates[i])
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) getEstate(c *gin.Context) {
	e, err := a.svc.GetEstate(c.Request.Context(), actorOf(c), c.Param("estate_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toEstate(e))
}

func (a *API) updateEstate(c *gin.Context) {
	var req estateRequest
	if !bindJSON(c, &req) {
		return
	}
	e, err := a.svc.UpdateEstate(c.Request.Context(), actorOf(c), c.Param("estate_id"), req.fields())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toEstate(e))
}

type staffRequest struct {
	Role string `json:"role"`
}

func (a *API) assignStaff(c *gin.Context) {
	var req staffRequest
	if !bindJSON(c, &req) {
		return
	}
	if err := a.svc.AssignStaff(c.Request.Context(), actorOf(c), c.Param("estate_id"), c.Param("user_id"), req.Role); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) unassignStaff(c *gin.Context) {
	if err := a.svc.UnassignStaff(c.Request.Context(), actorOf(c), c.Param("estate_id"), c.Param("user_id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type householdRequest struct {
	Building  *string `json:"building"`
	Unit      *string `json:"unit"`
	Room      *string `json:"room"`
	AreaM2    *Area   `json:"area_m2"`
	OwnerName *string `json:"owner_name"`
	Phone     *string `json:"phone"`
	Occupancy *string `json:"occupancy"`
	Eligible  *bool   `json:"eligible"`
}

func (r householdRequest) fields() service.HouseholdFields {
	f := service.HouseholdFields{Building: r.Building, Unit: r.Unit, Room: r.Room, OwnerName: r.OwnerName,
		Phone: r.Phone, Occupancy: r.Occupancy, Eligible: r.Eligible}
	if r.AreaM2 != nil {
		h := int64(*r.AreaM2)
		f.AreaHundredths = &h
	}
	return f
}

type householdResponse struct {
	ID        string `json:"id"`
	EstateID  string `json:"estate_id"`
	Building  string `json:"building"`
	Unit      string `json:"unit"`
	Room      string `json:"room"`
	AreaM2    Area   `json:"area_m2"`
	OwnerName string `json:"owner_name"`
	Phone     string `json:"phone"`
	Occupancy string `json:"occupancy"`
	Eligible  bool   `json:"eligible"`
}

// toHousehold converts a household for a staff caller; designers get the
// owner's name and phone masked.
func toHousehold(h *model.Household, role string) householdResponse {
	resp := householdResponse{ID: h.ID, EstateID: h.EstateID, Building: h.Building, Unit: h.Unit, Room: h.Room,
		AreaM2: Area(h.AreaHundredths), OwnerName: h.OwnerName, Phone: h.Phone, Occupancy: h.Occupancy, Eligible: h.Eligible}
	if !service.SeesOwnersContacts(role) {
		resp.OwnerName, resp.Phone = service.MaskName(h.OwnerName), service.MaskPhone(h.Phone)
	}
	return resp
}

type createHouseholdsRequest struct {
	Items []householdRequest `json:"items"`
}

type createHouseholdsResponse struct {
	Created int                 `json:"created"`
	Items   []householdResponse `json:"items"`
}

func (a *API) createHouseholds(c *gin.Context) {
	var req createHouseholdsRequest
	if !bindJSON(c, &req) {
		return
	}
	items := make([]service.HouseholdFields, len(req.Items))
	for i, item := range req.Items {
		items[i] = item.fields()
	}
	actor := actorOf(c)
	created, err := a.svc.CreateHouseholds(c.Request.Context(), actor, c.Param("estate_id"), items)
	if err != nil {
		fail(c, err)
		return
	}
	resp := createHouseholdsResponse{Created: len(created), Items: make([]householdResponse, len(created))}
	for i := range created {
		resp.Items[i] = toHousehold(&created[i], actor.Role)
	}
	c.JSON(http.StatusCreated, resp)
}

func (a *API) listHouseholds(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	actor := actorOf(c)
	filter := service.HouseholdFilter{Building: queryOptional(c, "building"), Unit: queryOptional(c, "unit")}
	households, next, err := a.svc.ListHouseholds(c.Request.Context(), actor, c.Param("estate_id"), filter, page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[householdResponse]{Items: make([]householdResponse, len(households)), NextCursor: next}
	for i := range households {
		resp.Items[i] = toHousehold(&households[i], actor.Role)
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) getHousehold(c *gin.Context) {
	actor := actorOf(c)
	h, err := a.svc.GetHousehold(c.Request.Context(), actor, c.Param("household_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toHousehold(h, actor.Role))
}

func (a *API) updateHousehold(c *gin.Context) {
	var req householdRequest
	if !bindJSON(c, &req) {
		return
	}
	actor := actorOf(c)
	h, err := a.svc.UpdateHousehold(c.Request.Context(), actor, c.Param("household_id"), req.fields())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toHousehold(h, actor.Role))
}
