package api

import (
	"net/http"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestForcedPlanRoundOpeningIsRecorded: an admin may open a plan round on a
// newer revision although an objection of the earlier round is unanswered;
// who forced it, when, and which objections were open is stored.
func TestForcedPlanRoundOpeningIsRecorded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		admin := srv.adminToken()
		e := newObjectionEstate(t, srv, admin, "force")
		rev1 := e.revision(e.designer, "初步方案")
		round1 := e.planRound("第一轮", rev1.ID)
		srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round1+"/open", e.admin, nil)
		unanswered := e.object(round1, "101", "greening", "中心绿地", "不要砍树")
		srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round1+"/close", e.admin, nil)
		rev2 := e.revision(e.designer, "修改方案")
		round2 := e.planRound("第二轮", rev2.ID)

		expectError(t, srv.call("POST", "/api/v1/rounds/"+round2+"/open", admin, nil), http.StatusConflict, "objections_unanswered")
		var rows []model.RoundOpenOverride
		if err := db.Gorm.Find(&rows).Error; err != nil || len(rows) != 0 {
			t.Fatalf("a refused opening left %d override records (%v)", len(rows), err)
		}
		var opened roundResponse
		openResp := srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round2+"/open?force=true", admin, nil,
			"X-Request-Id", "force-req-1")
		openResp.decode(t, &opened)
		// The record keeps the server's request id, never the client's.
		serverRequestID := openResp.Header.Get("X-Request-Id")
		if opened.Status != "open" {
			t.Fatalf("forced round is %s", opened.Status)
		}
		if err := db.Gorm.Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d override records, want 1", len(rows))
		}
		got := rows[0]
		var adminUser model.User
		if err := db.Gorm.Where("username = ?", "admin").Take(&adminUser).Error; err != nil {
			t.Fatal(err)
		}
		if got.RoundID != round2 || got.ForcedBy != adminUser.ID || got.ForcedRole != "admin" ||
			got.UnansweredIDs != unanswered.ID || got.RequestID != serverRequestID || got.ForcedAt.IsZero() {
			t.Fatalf("override record %+v", got)
		}

		var audited int64
		if err := db.Gorm.Model(&model.AuditEvent{}).Where("action = ? AND object_id = ?", "round.force_open", round2).Count(&audited).Error; err != nil || audited != 1 {
			t.Fatalf("%d round.force_open audit events (%v), want 1", audited, err)
		}

		// A round naming another estate's revision is refused.
		other := newObjectionEstate(t, srv, admin, "force-other")
		foreign := other.revision(other.designer, "别处的方案")
		env := expectError(t, srv.call("POST", "/api/v1/estates/"+e.estateID+"/rounds", e.worker, map[string]any{
			"title": "错的版本", "kind": "plan", "revision_id": foreign.ID}), http.StatusUnprocessableEntity, "revision_not_found")
		if env.Error.Fields["revision_id"] == "" {
			t.Errorf("revision_not_found names no field: %+v", env.Error)
		}
	})
}
