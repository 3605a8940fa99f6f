package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

type visitRequest struct {
	HouseholdID string `json:"household_id"`
	Outcome     string `json:"outcome"`
	Note        string `json:"note"`
}

type visitResponse struct {
	ID          string `json:"id"`
	RoundID     string `json:"round_id"`
	HouseholdID string `json:"household_id"`
	Outcome     string `json:"outcome"`
	Note        string `json:"note"`
	Channel     string `json:"channel"`
	VisitedAt   Time   `json:"visited_at"`
	RecordedAt  Time   `json:"recorded_at"`
}

func toVisit(v *model.Visit) visitResponse {
	return visitResponse{ID: v.ID, RoundID: v.RoundID, HouseholdID: v.HouseholdID, Outcome: v.Outcome, Note: v.Note,
		Channel: v.Channel, VisitedAt: Time(v.VisitedAt), RecordedAt: Time(v.RecordedAt)}
}

func (a *API) recordVisit(c *gin.Context) {
	var req visitRequest
	if !bindJSON(c, &req) {
		return
	}
	visit, err := a.svc.RecordVisit(c.Request.Context(), actorOf(c), c.Param("round_id"),
		service.VisitInput{HouseholdID: req.HouseholdID, Outcome: req.Outcome, Note: req.Note})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toVisit(visit))
}

func (a *API) listVisits(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	visits, next, err := a.svc.ListVisits(c.Request.Context(), actorOf(c), c.Param("round_id"),
		service.VisitFilter{HouseholdID: queryOptional(c, "household_id")}, page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[visitResponse]{Items: make([]visitResponse, len(visits)), NextCursor: next}
	for i := range visits {
		resp.Items[i] = toVisit(&visits[i])
	}
	c.JSON(http.StatusOK, resp)
}

// syncRecordRequest is one offline record; recorded_at is read per record
// so that a bad time rejects only its record.
type syncRecordRequest struct {
	ClientID    string `json:"client_id"`
	Type        string `json:"type"`
	HouseholdID string `json:"household_id"`
	RecordedAt  string `json:"recorded_at"`
	Decision    string `json:"decision"`
	Channel     string `json:"channel"`
	SignerName  string `json:"signer_name"`
	EvidenceURL string `json:"evidence_url"`
	Comment     string `json:"comment"`
	// PrincipalName and EvidenceUploadID: required with channel proxy.
	PrincipalName    string `json:"principal_name"`
	EvidenceUploadID string `json:"evidence_upload_id"`
	Outcome          string `json:"outcome"`
	Note             string `json:"note"`
}

type syncRequest struct {
	Records []syncRecordRequest `json:"records"`
}

type syncErrorJSON struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

type syncDecisionJSON struct {
	Decision   string `json:"decision"`
	Version    int    `json:"version"`
	RecordedAt Time   `json:"recorded_at"`
}

type syncResultJSON struct {
	ClientID    string            `json:"client_id"`
	Type        string            `json:"type"`
	HouseholdID string            `json:"household_id"`
	Status      string            `json:"status"`
	FirstStatus string            `json:"first_status,omitempty"`
	Superseded  bool              `json:"superseded,omitempty"`
	Error       *syncErrorJSON    `json:"error,omitempty"`
	SignOff     *syncDecisionJSON `json:"signoff,omitempty"`
	VisitID     string            `json:"visit_id,omitempty"`
}

type syncResponse struct {
	RoundID    string           `json:"round_id"`
	Applied    int              `json:"applied"`
	Duplicates int              `json:"duplicates"`
	Rejected   int              `json:"rejected"`
	Results    []syncResultJSON `json:"results"`
}

func (r syncRecordRequest) input() service.SyncRecordInput {
	in := service.SyncRecordInput{ClientID: r.ClientID, Type: r.Type, HouseholdID: r.HouseholdID,
		SignOff: service.SignOffInput{Decision: r.Decision, Channel: r.Channel, SignerName: r.SignerName,
			EvidenceURL: r.EvidenceURL, Comment: r.Comment, PrincipalName: r.PrincipalName, EvidenceUploadID: r.EvidenceUploadID},
		Visit: service.VisitInput{Outcome: r.Outcome, Note: r.Note}}
	if at, err := time.Parse(time.RFC3339, r.RecordedAt); err == nil {
		in.RecordedAt = at.UTC()
	}
	return in
}

func (a *API) syncRecords(c *gin.Context) {
	var req syncRequest
	if !bindJSON(c, &req) {
		return
	}
	records := make([]service.SyncRecordInput, len(req.Records))
	for i, r := range req.Records {
		records[i] = r.input()
	}
	report, err := a.svc.SyncRecords(c.Request.Context(), actorOf(c), c.Param("round_id"), records)
	if err != nil {
		fail(c, err)
		return
	}
	resp := syncResponse{RoundID: report.RoundID, Applied: report.Applied, Duplicates: report.Duplicates,
		Rejected: report.Rejected, Results: make([]syncResultJSON, len(report.Results))}
	for i, r := range report.Results {
		out := syncResultJSON{ClientID: r.ClientID, Type: r.Type, HouseholdID: r.HouseholdID, Status: r.Status,
			FirstStatus: r.FirstStatus, Superseded: r.Superseded, VisitID: r.VisitID}
		if r.Error != nil {
			out.Error = &syncErrorJSON{Code: r.Error.Code, Message: message(c, r.Error.Code, http.StatusUnprocessableEntity), Fields: r.Error.Fields}
		}
		if r.SignOff != nil {
			out.SignOff = &syncDecisionJSON{Decision: r.SignOff.Decision, Version: r.SignOff.Version, RecordedAt: Time(r.SignOff.RecordedAt)}
		}
		resp.Results[i] = out
	}
	c.JSON(http.StatusOK, resp)
}

type progressCountsJSON struct {
	Electorate   int64  `json:"electorate"`
	Visited      int64  `json:"visited"`
	Participated int64  `json:"participated"`
	Agree        int64  `json:"agree"`
	Disagree     int64  `json:"disagree"`
	Abstain      int64  `json:"abstain"`
	Pending      int64  `json:"pending"`
	VisitRate    string `json:"visit_rate"`
}

func toProgressCounts(p service.ProgressCounts) progressCountsJSON {
	return progressCountsJSON{Electorate: p.Electorate, Visited: p.Visited, Participated: p.Participated, Agree: p.Agree,
		Disagree: p.Disagree, Abstain: p.Abstain, Pending: p.Pending(), VisitRate: p.VisitRate()}
}

type pendingHouseholdJSON struct {
	HouseholdID      string `json:"household_id"`
	Room             string `json:"room"`
	OwnerName        string `json:"owner_name"`
	LastVisitOutcome string `json:"last_visit_outcome,omitempty"`
	LastVisitAt      *Time  `json:"last_visit_at,omitempty"`
}

type buildingProgressJSON struct {
	Building string `json:"building"`
	progressCountsJSON
}

type unitProgressJSON struct {
	Building string `json:"building"`
	Unit     string `json:"unit"`
	progressCountsJSON
	ToReach []pendingHouseholdJSON `json:"to_reach"`
}

type progressResponse struct {
	RoundID string `json:"round_id"`
	Status  string `json:"status"`
	progressCountsJSON
	Passed     bool                   `json:"passed"`
	Shortfall  shortfallJSON          `json:"shortfall"`
	ByBuilding []buildingProgressJSON `json:"by_building"`
	ByUnit     []unitProgressJSON     `json:"by_unit"`
	ComputedAt Time                   `json:"computed_at"`
}

func toProgress(p *service.Progress) progressResponse {
	resp := progressResponse{RoundID: p.RoundID, Status: p.Status, progressCountsJSON: toProgressCounts(p.ProgressCounts),
		Passed: p.Passed, Shortfall: shortfallJSON{Possible: p.Shortfall.Possible},
		ByBuilding: make([]buildingProgressJSON, len(p.ByBuilding)), ByUnit: make([]unitProgressJSON, len(p.ByUnit)),
		ComputedAt: Time(p.ComputedAt)}
	if p.Shortfall.Possible {
		needed := p.Shortfall.AgreeHouseholdsNeeded
		resp.Shortfall.AgreeHouseholdsNeeded = &needed
	}
	for i, b := range p.ByBuilding {
		resp.ByBuilding[i] = buildingProgressJSON{Building: b.Building, progressCountsJSON: toProgressCounts(b.ProgressCounts)}
	}
	for i, u := range p.ByUnit {
		unit := unitProgressJSON{Building: u.Building, Unit: u.Unit, progressCountsJSON: toProgressCounts(u.ProgressCounts),
			ToReach: make([]pendingHouseholdJSON, len(u.ToReach))}
		for j, h := range u.ToReach {
			unit.ToReach[j] = pendingHouseholdJSON{HouseholdID: h.HouseholdID, Room: h.Room, OwnerName: service.MaskName(h.OwnerName),
				LastVisitOutcome: h.LastVisitOutcome, LastVisitAt: timePtr(h.LastVisitAt)}
		}
		resp.ByUnit[i] = unit
	}
	return resp
}

func (a *API) roundProgress(c *gin.Context) {
	p, err := a.svc.GetProgress(c.Request.Context(), actorOf(c), c.Param("round_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProgress(p))
}

func (a *API) exportRegister(c *gin.Context) {
	sheet, err := a.svc.ExportRegister(c.Request.Context(), actorOf(c), c.Param("round_id"), c.Query("format"), a.cfg.PublicBaseURL)
	if err != nil {
		fail(c, err)
		return
	}
	sendSpreadsheet(c, sheet, "signoff-register")
}
