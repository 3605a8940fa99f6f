package console

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

func (c *Console) offlineRoutes(s *gin.RouterGroup) {
	s.GET("/rounds/:round_id/offline-data", c.offlineData)
	s.POST("/rounds/:round_id/sync", c.syncOffline)
}

// serviceWorker serves the service worker from /console/ so that its scope
// is the whole console.
func serviceWorker(g *gin.Context) {
	data, err := staticFiles.ReadFile("static/sw.js")
	if err != nil {
		g.Status(http.StatusNotFound)
		return
	}
	g.Header("Cache-Control", "no-cache")
	g.Data(http.StatusOK, "text/javascript; charset=utf-8", data)
}

// offlineRoom is what the phone keeps of a household for offline work.
type offlineRoom struct {
	HouseholdID string `json:"household_id"`
	Building    string `json:"building"`
	Unit        string `json:"unit"`
	Room        string `json:"room"`
	OwnerName   string `json:"owner_name"`
	State       string `json:"state"`
}

// offlineData gives the rooms of a round, for the phone's IndexedDB.
func (c *Console) offlineData(g *gin.Context) {
	ctx, actor := g.Request.Context(), actorOf(g)
	r, err := c.svc.GetRound(ctx, actor, g.Param("round_id"))
	if err != nil {
		c.failJSON(g, err)
		return
	}
	rooms, err := c.svc.RoundRooms(ctx, actor, r.ID, "", "")
	if err != nil {
		c.failJSON(g, err)
		return
	}
	out := make([]offlineRoom, len(rooms))
	for i, room := range rooms {
		out[i] = offlineRoom{HouseholdID: room.HouseholdID, Building: room.Building, Unit: room.Unit, Room: room.Room,
			OwnerName: room.OwnerName, State: room.State}
	}
	g.JSON(http.StatusOK, gin.H{"round_id": r.ID, "title": r.Title, "status": r.Status, "rooms": out})
}

// offlineRecord is one record queued on the phone.
type offlineRecord struct {
	ClientID    string `json:"client_id"`
	Type        string `json:"type"`
	HouseholdID string `json:"household_id"`
	RecordedAt  string `json:"recorded_at"`
	Decision    string `json:"decision"`
	Channel     string `json:"channel"`
	SignerName  string `json:"signer_name"`
	Comment     string `json:"comment"`
	Outcome     string `json:"outcome"`
	Note        string `json:"note"`
}

// syncOutcome is one record's result, in words.
type syncOutcome struct {
	ClientID    string `json:"client_id"`
	HouseholdID string `json:"household_id"`
	Status      string `json:"status"`
	Message     string `json:"message"`
}

// syncOffline sends the phone's queued records through the service's sync,
// as POST /rounds/{id}/sync does, and says each result in Chinese.
func (c *Console) syncOffline(g *gin.Context) {
	var body struct {
		Records []offlineRecord `json:"records"`
	}
	dec := json.NewDecoder(g.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		g.JSON(http.StatusUnprocessableEntity, errorJSON("invalid_json", "上传的数据格式不正确", nil))
		return
	}
	records := make([]service.SyncRecordInput, len(body.Records))
	for i, r := range body.Records {
		records[i] = service.SyncRecordInput{ClientID: r.ClientID, Type: r.Type, HouseholdID: r.HouseholdID,
			SignOff: service.SignOffInput{Decision: r.Decision, Channel: r.Channel, SignerName: r.SignerName, Comment: r.Comment},
			Visit:   service.VisitInput{Outcome: r.Outcome, Note: r.Note}}
		if at, err := time.Parse(time.RFC3339, r.RecordedAt); err == nil {
			records[i].RecordedAt = at.UTC()
		}
	}
	actor := actorOf(g)
	actor.Channel = service.ChannelSync
	report, err := c.svc.SyncRecords(g.Request.Context(), actor, g.Param("round_id"), records)
	if err != nil {
		c.failJSON(g, err)
		return
	}
	out := make([]syncOutcome, len(report.Results))
	for i, r := range report.Results {
		out[i] = syncOutcome{ClientID: r.ClientID, HouseholdID: r.HouseholdID, Status: r.Status, Message: syncMessage(r)}
	}
	g.JSON(http.StatusOK, gin.H{"applied": report.Applied, "duplicates": report.Duplicates, "rejected": report.Rejected, "results": out})
}

// syncMessage says a sync result in Chinese.
func syncMessage(r service.SyncResult) string {
	switch r.Status {
	case service.SyncApplied:
		if r.Superseded {
			return "已上传；该户之后已有更新的表态，本条仅记入历史"
		}
		return "已上传"
	case service.SyncDuplicate:
		return "此前已上传过，未重复计入"
	}
	reason := "原因不明"
	if r.Error != nil {
		if m, ok := codeMessages[r.Error.Code]; ok {
			reason = m
		} else {
			reason = r.Error.Code
		}
		for field, why := range r.Error.Fields {
			label := fieldLabels[field]
			if label == "" {
				label = field
			}
			reason += "（" + label + "：" + why + "）"
		}
	}
	return "未能上传：" + reason
}

// failJSON answers a script with the contract's error envelope.
func (c *Console) failJSON(g *gin.Context, err error) {
	status, message, _ := c.explain(g, err)
	se := service.AsError(err)
	code := se.Code
	if status == http.StatusInternalServerError {
		code = "internal_error"
	}
	g.JSON(status, errorJSON(code, message, se.Fields))
}
