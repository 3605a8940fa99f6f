package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestEveryLogLineHasTheRequestID sends requests that make the API log
// (access lines, a development login's warning, errors) and checks that
// every JSON line carries the request id the response echoed.
func TestEveryLogLineHasTheRequestID(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		logs := &lockedBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, nil))
		svc := service.New(db, service.Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, nil)
		svc.AcceptDevLogins(logger)
		handler, _ := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(),
			Logger: logger})

		echoed := map[string]bool{}
		send := func(method, path, body string, headers ...string) {
			req := httptest.NewRequest(method, path, bytes.NewBufferString(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			id := rec.Header().Get("X-Request-Id")
			if id == "" {
				t.Fatalf("%s %s: no X-Request-Id in the response", method, path)
			}
			echoed[id] = true
		}
		send("GET", "/healthz", "")
		send("GET", "/healthz", "", "X-Request-Id", "client-chosen-id-1")
		send("GET", "/no/such/route", "")
		send("POST", "/api/v1/auth/login", `{"username":"nobody","password":"wrong-password"}`)
		send("POST", "/api/v1/auth/wechat", `{"code":"dev:log-test"}`)
		send("GET", "/api/v1/me", "", "Authorization", "Bearer not-a-token")
		if echoed["client-chosen-id-1"] {
			t.Error("the client's X-Request-Id was echoed as the request's id; the server's own id is")
		}

		lines, devLoginLogged := 0, false
		scanner := bufio.NewScanner(bytes.NewBufferString(logs.String()))
		for scanner.Scan() {
			var line map[string]any
			if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
				t.Fatalf("log line is not JSON: %s", scanner.Bytes())
			}
			lines++
			id, _ := line["request_id"].(string)
			if !echoed[id] {
				t.Errorf("log line without the request id of a response: %s", scanner.Bytes())
			}
			if line["msg"] == "development login used (MINYI_DEV_LOGIN=1)" {
				devLoginLogged = true
			}
		}
		if lines < 6 || !devLoginLogged {
			t.Fatalf("%d log lines, development login logged %v; want an access line per request and the warning", lines, devLoginLogged)
		}
	})
}
