package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
	"minyi/service/rule"
)

type scopeJSON struct {
	Building string `json:"building,omitempty"`
	Unit     string `json:"unit,omitempty"`
}

type roundRequest struct {
	Title           *string    `json:"title"`
	Kind            *string    `json:"kind"`
	RevisionID      *string    `json:"revision_id"`
	Rule            *rule.Spec `json:"rule"`
	Scope           *scopeJSON `json:"scope"`
	ClosesAt        *Time      `json:"closes_at"`
	ElectorateBasis *string    `json:"electorate_basis"`
	LateSyncHours   *int       `json:"late_sync_hours"`
	NoticeDays      *int       `json:"notice_days"`
}

func (r roundRequest) fields() service.RoundFields {
	f := service.RoundFields{Title: r.Title, Kind: r.Kind, RevisionID: r.RevisionID, Rule: r.Rule,
		ElectorateBasis: r.ElectorateBasis, LateSyncHours: r.LateSyncHours, NoticeDays: r.NoticeDays}
	if r.Scope != nil {
		f.Scope = &service.Scope{Building: r.Scope.Building, Unit: r.Scope.Unit}
	}
	if r.ClosesAt != nil {
		t := time.Time(*r.ClosesAt)
		f.ClosesAt = &t
	}
	return f
}

type amountJSON struct {
	Households int64 `json:"households"`
	AreaM2     Area  `json:"area_m2"`
}

func toAmount(a rule.Amount) amountJSON {
	return amountJSON{Households: a.Households, AreaM2: Area(a.AreaHundredths)}
}

type roundResponse struct {
	ID         string      `json:"id"`
	EstateID   string      `json:"estate_id"`
	Seq        int         `json:"seq"`
	Title      string      `json:"title"`
	Kind       string      `json:"kind"`
	RevisionID *string     `json:"revision_id"`
	Rule       rule.Spec   `json:"rule"`
	RuleText   string      `json:"rule_text"`
	Scope      scopeJSON   `json:"scope"`
	Status     string      `json:"status"`
	OpenedAt   *Time       `json:"opened_at"`
	ClosesAt   *Time       `json:"closes_at"`
	ClosedAt   *Time       `json:"closed_at"`
	Electorate *amountJSON `json:"electorate"`
	Result     *tallyJSON  `json:"result,omitempty"`
	CreatedAt  Time        `json:"created_at"`
	UpdatedAt  Time        `json:"updated_at"`
	// ElectorateBasis is "eligible" or "all": which households the electorate takes.
	ElectorateBasis string `json:"electorate_basis"`
	LateSyncHours   int    `json:"late_sync_hours"`
	NoticeDays      int    `json:"notice_days"`
	// NoticeEndsAt is the end of the result's notice period (closed rounds).
	NoticeEndsAt *Time `json:"notice_ends_at"`
	FinalizedAt  *Time `json:"finalized_at"`
	// CloseReason is an admin's reason for closing before the deadline.
	CloseReason string `json:"close_reason,omitempty"`
	// Warnings are thresholds that look like a common fraction but are not it (Chinese).
	Warnings []string `json:"warnings,omitempty"`
}

func toRound(r *service.RoundView) roundResponse {
	resp := roundResponse{ID: r.ID, EstateID: r.EstateID, Seq: r.Seq, Title: r.Title, Kind: r.Kind,
		RevisionID: r.RevisionID, Rule: r.Rule.Spec(), RuleText: r.Rule.Describe(),
		Scope:  scopeJSON{Building: r.ScopeBuilding, Unit: r.ScopeUnit},
		Status: r.Status, OpenedAt: timePtr(r.OpenedAt), ClosesAt: timePtr(r.ClosesAt), ClosedAt: timePtr(r.ClosedAt),
		CreatedAt: Time(r.CreatedAt), UpdatedAt: Time(r.UpdatedAt),
		ElectorateBasis: r.ElectorateBasis, LateSyncHours: r.LateSyncHours, NoticeDays: r.NoticeDays,
		NoticeEndsAt: timePtr(r.NoticeEndsAt), FinalizedAt: timePtr(r.FinalizedAt), CloseReason: r.CloseReason,
		Warnings: r.Rule.Warnings()}
	if r.Status != service.RoundDraft {
		resp.Electorate = &amountJSON{Households: r.ElectorateHouseholds, AreaM2: Area(r.ElectorateArea)}
	}
	if service.RoundEnded(r.Status) {
		if t, err := r.Result(); err == nil && t != nil {
			j := toTally(t)
			resp.Result = &j
		}
	}
	return resp
}

func (a *API) createRound(c *gin.Context) {
	var req roundRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := a.svc.CreateRound(c.Request.Context(), actorOf(c), c.Param("estate_id"), req.fields())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toRound(r))
}

func (a *API) listRounds(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	rounds, next, err := a.svc.ListRounds(c.Request.Context(), actorOf(c), c.Param("estate_id"), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[roundResponse]{Items: make([]roundResponse, len(rounds)), NextCursor: next}
	for i := range rounds {
		resp.Items[i] = toRound(&rounds[i])
	}
	c.JSON(http.StatusOK, resp)
}

func (a *API) getRound(c *gin.Context) {
	r, err := a.svc.GetRound(c.Request.Context(), actorOf(c), c.Param("round_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRound(r))
}

func (a *API) updateRound(c *gin.Context) {
	var req roundRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := a.svc.UpdateRound(c.Request.Context(), actorOf(c), c.Param("round_id"), req.fields())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRound(r))
}

func (a *API) openRound(c *gin.Context) {
	force, ok := queryBool(c, "force")
	if !ok {
		return
	}
	r, err := a.svc.OpenRound(c.Request.Context(), actorOf(c), c.Param("round_id"), force)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRound(r))
}

type closeRoundRequest struct {
	Reason string `json:"reason"`
}

func (a *API) closeRound(c *gin.Context) {
	var req closeRoundRequest
	if !bindOptionalJSON(c, &req) {
		return
	}
	r, err := a.svc.CloseRoundWithReason(c.Request.Context(), actorOf(c), c.Param("round_id"), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRound(r))
}

type signOffRequest struct {
	Decision    string `json:"decision"`
	Channel     string `json:"channel"`
	SignerName  string `json:"signer_name"`
	EvidenceURL string `json:"evidence_url"`
	Comment     string `json:"comment"`
	// PrincipalName and EvidenceUploadID: required with channel proxy.
	PrincipalName    string `json:"principal_name"`
	EvidenceUploadID string `json:"evidence_upload_id"`
}

type signOffResponse struct {
	ID          string `json:"id"`
	RoundID     string `json:"round_id"`
	HouseholdID string `json:"household_id"`
	Building    string `json:"building"`
	Decision    string `json:"decision"`
	Channel     string `json:"channel"`
	SignerName  string `json:"signer_name,omitempty"`
	EvidenceURL string `json:"evidence_url,omitempty"`
	Comment     string `json:"comment,omitempty"`
	Version     int    `json:"version"`
	RecordedAt  Time   `json:"recorded_at"`
	Receipt     string `json:"receipt,omitempty"`
	// PrincipalName and EvidenceUploadID are set on proxy sign-offs.
	PrincipalName    string `json:"principal_name,omitempty"`
	EvidenceUploadID string `json:"evidence_upload_id,omitempty"`
}

func toSignOff(s *model.SignOff) signOffResponse {
	return signOffResponse{ID: s.ID, RoundID: s.RoundID, HouseholdID: s.HouseholdID, Building: s.Building,
		Decision: s.Decision, Channel: s.Channel, SignerName: s.SignerName, EvidenceURL: s.EvidenceURL,
		Comment: s.Comment, Version: s.Version, RecordedAt: Time(s.RecordedAt),
		PrincipalName: s.PrincipalName, EvidenceUploadID: s.EvidenceUploadID}
}

func (a *API) recordSignOff(c *gin.Context) {
	var req signOffRequest
	if !bindJSON(c, &req) {
		return
	}
	s, err := a.svc.RecordSignOff(c.Request.Context(), actorOf(c), c.Param("round_id"), c.Param("household_id"),
		service.SignOffInput{Decision: req.Decision, Channel: req.Channel, SignerName: req.SignerName,
			EvidenceURL: req.EvidenceURL, Comment: req.Comment, PrincipalName: req.PrincipalName, EvidenceUploadID: req.EvidenceUploadID})
	if err != nil {
		fail(c, err)
		return
	}
	resp := toSignOff(s)
	resp.Receipt = a.svc.Receipt(s)
	c.JSON(http.StatusOK, resp)
}

func (a *API) withdrawSignOff(c *gin.Context) {
	if err := a.svc.WithdrawSignOff(c.Request.Context(), actorOf(c), c.Param("round_id"), c.Param("household_id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) listSignOffs(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	filter := service.SignOffFilter{Decision: queryOptional(c, "decision"), Building: queryOptional(c, "building")}
	rows, next, err := a.svc.ListSignOffs(c.Request.Context(), actorOf(c), c.Param("round_id"), filter, page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[signOffResponse]{Items: make([]signOffResponse, len(rows)), NextCursor: next}
	for i := range rows {
		resp.Items[i] = toSignOff(&rows[i])
	}
	c.JSON(http.StatusOK, resp)
}

type signOffEventResponse struct {
	Version     int    `json:"version"`
	OldDecision string `json:"old_decision"`
	NewDecision string `json:"new_decision"`
	Channel     string `json:"channel"`
	SignerName  string `json:"signer_name,omitempty"`
	Comment     string `json:"comment,omitempty"`
	ActorKind   string `json:"actor_kind"`
	ActorID     string `json:"actor_id"`
	ActorRole   string `json:"actor_role"`
	RequestID   string `json:"request_id"`
	RecordedAt  Time   `json:"recorded_at"`
}

func toSignOffEvent(e *model.SignOffEvent) signOffEventResponse {
	return signOffEventResponse{Version: e.Version, OldDecision: e.OldDecision, NewDecision: e.NewDecision,
		Channel: e.Channel, SignerName: e.SignerName, Comment: e.Comment, ActorKind: e.ActorKind,
		ActorID: e.ActorID, ActorRole: e.ActorRole, RequestID: e.RequestID, RecordedAt: Time(e.RecordedAt)}
}

func (a *API) signOffHistory(c *gin.Context) {
	events, err := a.svc.SignOffHistory(c.Request.Context(), actorOf(c), c.Param("round_id"), c.Param("household_id"))
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[signOffEventResponse]{Items: make([]signOffEventResponse, len(events))}
	for i := range events {
		resp.Items[i] = toSignOffEvent(&events[i])
	}
	c.JSON(http.StatusOK, resp)
}
