package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"minyi/model/testdb"
	"minyi/service"
)

// TestPanicIsRecovered checks that a panicking handler answers 500 in the
// envelope without internals, and is logged with the request id.
func TestPanicIsRecovered(t *testing.T) {
	db := testdb.OpenSQLite(t)
	var logs bytes.Buffer
	svc := service.New(db, service.Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, nil)
	engine, _ := New(svc, Config{OpenAPI: specBytes, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	engine.GET("/test-panic", func(c *gin.Context) { panic("secret internal detail") })

	req := httptest.NewRequest("GET", "/test-panic", nil)
	req.Header.Set("X-Request-Id", "req-panic-1")
	rec := httptest.NewRecorder()
	engine.ServeHTTP(rec, req)

	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != "internal_error" {
		t.Fatalf("body %s is not the internal_error envelope", rec.Body)
	}
	if strings.Contains(rec.Body.String(), "secret internal detail") {
		t.Fatal("the response leaks the panic value")
	}
	serverID := rec.Header().Get("X-Request-Id")
	if serverID == "" || serverID == "req-panic-1" {
		t.Fatalf("X-Request-Id = %q, want the server's own id (the client's is only logged)", serverID)
	}
	if !strings.Contains(logs.String(), serverID) || !strings.Contains(logs.String(), "secret internal detail") {
		t.Fatalf("the panic is not logged with its request id: %s", logs.String())
	}
}

// TestRequestIDIsGenerated checks that a request without an id gets one.
func TestRequestIDIsGenerated(t *testing.T) {
	srv := newTestServer(t, testdb.OpenSQLite(t))
	resp := srv.must(http.StatusOK, "GET", "/healthz", "", nil)
	if id := resp.Header.Get("X-Request-Id"); len(id) < 16 {
		t.Fatalf("X-Request-Id = %q, want a generated id", id)
	}
}
