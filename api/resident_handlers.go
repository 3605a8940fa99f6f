package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

type bindingCodeResponse struct {
	Code        string `json:"code"`
	EstateID    string `json:"estate_id"`
	HouseholdID string `json:"household_id"`
	ExpiresAt   Time   `json:"expires_at"`
	// WXACodePNG is the mini-program code (base64 PNG) with ?wxacode=true;
	// WXACodeError says why it is missing (e.g. wechat_busy).
	WXACodePNG   string `json:"wxacode_png,omitempty"`
	WXACodeError string `json:"wxacode_error,omitempty"`
}

func (a *API) issueBindingCode(c *gin.Context) {
	issued, err := a.svc.IssueBindingCode(c.Request.Context(), actorOf(c), c.Param("estate_id"), c.Param("household_id"))
	if err != nil {
		fail(c, err)
		return
	}
	resp := bindingCodeResponse{Code: issued.Code, EstateID: issued.EstateID,
		HouseholdID: issued.HouseholdID, ExpiresAt: Time(issued.ExpiresAt)}
	a.withCodeImage(c, issued, &resp)
	c.JSON(http.StatusCreated, resp)
}

type bindingRequest struct {
	Code     string `json:"code"`
	Relation string `json:"relation"` // owner (default), co_owner, tenant or family
}

func (a *API) redeemBindingCode(c *gin.Context) {
	var req bindingRequest
	if !bindJSON(c, &req) {
		return
	}
	bound, err := a.svc.RedeemBindingCode(c.Request.Context(), actorWithAddress(c), req.Code, req.Relation)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toResidentHousehold(bound))
}

// actorWithAddress is the caller with the client address, for the limits
// that key on it (binding codes).
func actorWithAddress(c *gin.Context) service.Actor {
	actor := actorOf(c)
	actor.ClientIP = c.ClientIP()
	return actor
}

type mySignOffRequest struct {
	HouseholdID string `json:"household_id"`
	Decision    string `json:"decision"`
	Comment     string `json:"comment"`
}

type mySignOffResponse struct {
	RoundID       string `json:"round_id"`
	HouseholdID   string `json:"household_id"`
	Decision      string `json:"decision"`
	Channel       string `json:"channel"`
	Version       int    `json:"version"`
	Comment       string `json:"comment,omitempty"`
	CommentStatus string `json:"comment_status,omitempty"`
	RecordedAt    Time   `json:"recorded_at"`
	Receipt       string `json:"receipt,omitempty"`
}

func (a *API) recordMySignOff(c *gin.Context) {
	var req mySignOffRequest
	if !bindJSON(c, &req) {
		return
	}
	mine, err := a.svc.RecordMySignOff(c.Request.Context(), actorOf(c), c.Param("round_id"), service.MySignOffInput{
		HouseholdID: req.HouseholdID, Decision: req.Decision, Comment: req.Comment})
	if err != nil {
		fail(c, err)
		return
	}
	s := mine.SignOff
	c.JSON(http.StatusOK, mySignOffResponse{RoundID: s.RoundID, HouseholdID: s.HouseholdID, Decision: s.Decision,
		Channel: s.Channel, Version: s.Version, Comment: s.Comment, CommentStatus: mine.CommentStatus, RecordedAt: Time(s.RecordedAt),
		Receipt: a.svc.Receipt(&s)})
}

func (a *API) withdrawMySignOff(c *gin.Context) {
	err := a.svc.WithdrawMySignOff(c.Request.Context(), actorOf(c), c.Param("round_id"), c.Query("household_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// myRoundJSON is one round of one of the resident's households.
type myRoundJSON struct {
	Round      myRoundInfoJSON     `json:"round"`
	Revision   *myRevisionJSON     `json:"revision"`
	Household  myHouseholdJSON     `json:"household"`
	CanSign    bool                `json:"can_sign"`
	MyDecision *myDecisionJSON     `json:"my_decision"`
	History    []myHistoryItemJSON `json:"history"`
}

type myRoundInfoJSON struct {
	ID         string  `json:"id"`
	EstateID   string  `json:"estate_id"`
	EstateName string  `json:"estate_name"`
	Seq        int     `json:"seq"`
	Title      string  `json:"title"`
	Kind       string  `json:"kind"`
	Status     string  `json:"status"`
	RevisionID *string `json:"revision_id"`
	RuleText   string  `json:"rule_text"`
	OpenedAt   *Time   `json:"opened_at"`
	ClosesAt   *Time   `json:"closes_at"`
	ClosedAt   *Time   `json:"closed_at"`
}

// myRevisionJSON is the plan revision a round consults on.
type myRevisionJSON struct {
	ID          string `json:"id"`
	Version     int    `json:"version"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	PublishedAt Time   `json:"published_at"`
}

type myHouseholdJSON struct {
	ID       string `json:"id"`
	Building string `json:"building"`
	Unit     string `json:"unit"`
	Room     string `json:"room"`
}

type myDecisionJSON struct {
	Decision      string `json:"decision"`
	Channel       string `json:"channel"`
	Version       int    `json:"version"`
	Comment       string `json:"comment,omitempty"`
	CommentStatus string `json:"comment_status,omitempty"`
	RecordedAt    Time   `json:"recorded_at"`
	Receipt       string `json:"receipt,omitempty"`
}

type myHistoryItemJSON struct {
	Version       int    `json:"version"`
	OldDecision   string `json:"old_decision"`
	NewDecision   string `json:"new_decision"`
	Channel       string `json:"channel"`
	RecordedBy    string `json:"recorded_by"` // me, household_member or staff
	Comment       string `json:"comment,omitempty"`
	CommentStatus string `json:"comment_status,omitempty"`
	RecordedAt    Time   `json:"recorded_at"`
}

func toMyRound(m *service.MyRound) myRoundJSON {
	r := m.Round
	out := myRoundJSON{
		Round: myRoundInfoJSON{ID: r.ID, EstateID: r.EstateID, EstateName: m.EstateName, Seq: r.Seq, Title: r.Title, Kind: r.Kind,
			Status: r.Status, RevisionID: r.RevisionID, RuleText: r.Rule.Describe(),
			OpenedAt: timePtr(r.OpenedAt), ClosesAt: timePtr(r.ClosesAt), ClosedAt: timePtr(r.ClosedAt)},
		Household: myHouseholdJSON{ID: m.Household.ID, Building: m.Household.Building, Unit: m.Household.Unit, Room: m.Household.Room},
		CanSign:   r.Status == service.RoundOpen && m.IsSigner,
		History:   make([]myHistoryItemJSON, len(m.History)),
	}
	if rev := m.Revision; rev != nil {
		out.Revision = &myRevisionJSON{ID: rev.ID, Version: rev.Version, Title: rev.Title, Summary: rev.Summary, PublishedAt: Time(rev.PublishedAt)}
	}
	if s := m.SignOff; s != nil {
		out.MyDecision = &myDecisionJSON{Decision: s.Decision, Channel: s.Channel, Version: s.Version, Comment: s.Comment,
			CommentStatus: m.CommentStatus, RecordedAt: Time(s.RecordedAt)}
	}
	for i, h := range m.History {
		by := "staff"
		switch {
		case h.ByMe:
			by = "me"
		case h.Event.ActorKind == service.ActorResident:
			by = "household_member"
		}
		e := h.Event
		out.History[i] = myHistoryItemJSON{Version: e.Version, OldDecision: e.OldDecision, NewDecision: e.NewDecision,
			Channel: e.Channel, RecordedBy: by, Comment: e.Comment, CommentStatus: h.CommentStatus, RecordedAt: Time(e.RecordedAt)}
	}
	return out
}

func (a *API) myRounds(c *gin.Context) {
	items, err := a.svc.MyRounds(c.Request.Context(), actorOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[myRoundJSON]{Items: make([]myRoundJSON, len(items))}
	for i := range items {
		resp.Items[i] = toMyRound(&items[i])
		if so := items[i].SignOff; so != nil && resp.Items[i].MyDecision != nil {
			resp.Items[i].MyDecision.Receipt = a.svc.Receipt(so)
		}
	}
	c.JSON(http.StatusOK, resp)
}

// householdResidentJSON is a resident bound to a household, as staff see it:
// the phone number in full for admins and the estate's workers, masked otherwise.
type householdResidentJSON struct {
	ID          string `json:"id"`
	Phone       string `json:"phone"`
	BoundAt     Time   `json:"bound_at"`
	LastLoginAt *Time  `json:"last_login_at"`
	Disabled    bool   `json:"disabled"`
	Relation    string `json:"relation"`
	IsSigner    bool   `json:"is_signer"`
}

func (a *API) listHouseholdResidents(c *gin.Context) {
	actor := actorOf(c)
	rows, err := a.svc.ListHouseholdResidents(c.Request.Context(), actor, c.Param("household_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toHouseholdResidents(actor, rows))
}

type householdSignerRequest struct {
	ResidentID string `json:"resident_id"`
}

func (a *API) setHouseholdSigner(c *gin.Context) {
	var req householdSignerRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.ResidentID == "" || len(req.ResidentID) > 36 {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"resident_id": "is required"}, nil)
		return
	}
	actor := actorOf(c)
	rows, err := a.svc.SetHouseholdSigner(c.Request.Context(), actor, c.Param("household_id"), req.ResidentID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toHouseholdResidents(actor, rows))
}

// toHouseholdResidents lists the residents of a household for staff.
func toHouseholdResidents(actor service.Actor, rows []service.HouseholdResident) listResponse[householdResidentJSON] {
	fullPhone := service.SeesOwnersContacts(actor.Role)
	resp := listResponse[householdResidentJSON]{Items: make([]householdResidentJSON, len(rows))}
	for i, r := range rows {
		phone := r.Resident.Phone
		if !fullPhone {
			phone = service.MaskPhone(phone)
		}
		resp.Items[i] = householdResidentJSON{ID: r.Resident.ID, Phone: phone, BoundAt: Time(r.BoundAt),
			LastLoginAt: timePtr(r.Resident.LastLoginAt), Disabled: r.Resident.Disabled, Relation: r.Relation, IsSigner: r.IsSigner}
	}
	return resp
}

func (a *API) unbindResident(c *gin.Context) {
	if err := a.svc.UnbindResident(c.Request.Context(), actorOf(c), c.Param("household_id"), c.Param("resident_id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type moderationItemJSON struct {
	ID             string `json:"id"`
	EstateID       string `json:"estate_id"`
	Status         string `json:"status"`
	SubjectKind    string `json:"subject_kind"`
	SubjectID      string `json:"subject_id"`
	SubjectVersion int    `json:"subject_version"`
	Text           string `json:"text"`
	Reason         string `json:"reason"`
	AuthorKind     string `json:"author_kind"`
	AuthorID       string `json:"author_id"`
	CreatedAt      Time   `json:"created_at"`
	ReviewedBy     string `json:"reviewed_by,omitempty"`
	ReviewedAt     *Time  `json:"reviewed_at,omitempty"`
}

func toModerationItem(it *model.ModerationItem) moderationItemJSON {
	return moderationItemJSON{ID: it.ID, EstateID: it.EstateID, Status: it.Status, SubjectKind: it.SubjectKind,
		SubjectID: it.SubjectID, SubjectVersion: it.SubjectVersion, Text: it.Text, Reason: it.Reason,
		AuthorKind: it.AuthorKind, AuthorID: it.AuthorID, CreatedAt: Time(it.CreatedAt),
		ReviewedBy: it.ReviewedBy, ReviewedAt: timePtr(it.ReviewedAt)}
}

func (a *API) listModeration(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	items, next, err := a.svc.ListModeration(c.Request.Context(), actorOf(c), c.Param("estate_id"),
		service.ModerationFilter{Status: c.Query("status")}, page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[moderationItemJSON]{Items: make([]moderationItemJSON, len(items)), NextCursor: next}
	for i := range items {
		resp.Items[i] = toModerationItem(&items[i])
	}
	c.JSON(http.StatusOK, resp)
}

type reviewRequest struct {
	Outcome string `json:"outcome"`
}

func (a *API) reviewModeration(c *gin.Context) {
	var req reviewRequest
	if !bindJSON(c, &req) {
		return
	}
	item, err := a.svc.ReviewModeration(c.Request.Context(), actorOf(c), c.Param("item_id"), req.Outcome)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toModerationItem(item))
}
