package api

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestClientRequestIDNeverReachesTheLedger: a client's X-Request-Id (here
// imitating the service's own "sync-superseded:" prefix) was written into
// the audit ledger as the request's id. The ledger now keeps the server's
// id, which the response echoes; the client's id appears only in the access
// log, and only when it is sane. Fails on the old code (the ledger held
// "sync-superseded:forged").
func TestClientRequestIDNeverReachesTheLedger(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		logs := &lockedBuffer{}
		svc := service.New(db, service.Config{JWTSecret: []byte(testJWTSecret)}, nil)
		handler, a := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(),
			Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		s := &testServer{t: t, db: db, svc: svc, api: a, handler: handler}
		admin := s.adminToken()

		resp := s.must(http.StatusCreated, "POST", "/api/v1/estates", admin, map[string]any{"name": "请求编号小区"},
			"X-Request-Id", "sync-superseded:forged")
		serverID := resp.Header.Get("X-Request-Id")
		if serverID == "" || serverID == "sync-superseded:forged" {
			t.Fatalf("response X-Request-Id %q, want the server's own id", serverID)
		}
		var events []model.AuditEvent
		if err := db.Gorm.Where("action = ?", "estate.create").Find(&events).Error; err != nil || len(events) != 1 {
			t.Fatalf("estate.create events: %d, %v", len(events), err)
		}
		if events[0].RequestID != serverID {
			t.Errorf("ledger request id %q, want the server's %q", events[0].RequestID, serverID)
		}
		if !strings.Contains(logs.String(), `"client_request_id":"sync-superseded:forged"`) {
			t.Errorf("the sane client id is not in the access log")
		}

		insane := `bad id "with quotes"` + strings.Repeat("x", 70)
		s.must(http.StatusOK, "GET", "/healthz", "", nil, "X-Request-Id", insane)
		if strings.Contains(logs.String(), "with quotes") {
			t.Errorf("an insane client id was logged")
		}
	})
}
