package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"minyi/model"
	"minyi/service"
)

// testServer is the real router over a real database, for handler tests.
type testServer struct {
	t       *testing.T
	db      *model.DB
	svc     *service.Service
	api     *API
	handler http.Handler
}

// spec is the project's openapi.yaml, which every test response is validated against.
var specBytes = func() []byte {
	b, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		panic(err)
	}
	return b
}()

func newTestServer(t *testing.T, db *model.DB) *testServer {
	t.Helper()
	return newTestServerAt(t, db, nil)
}

// newTestServerAt is newTestServer with the service on the given clock (nil: the real one).
func newTestServerAt(t *testing.T, db *model.DB, clock service.Clock) *testServer {
	t.Helper()
	svc := service.New(db, service.Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	handler, a := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(), Logger: logger,
		MetricsToken: testMetricsToken})
	return &testServer{t: t, db: db, svc: svc, api: a, handler: handler}
}

// testResponse is what a call returned.
type testResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode unmarshals the body into dst, failing the test on bad JSON.
func (r *testResponse) decode(t *testing.T, dst any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, dst); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// errorCode returns the code of an error envelope ("" when there is none).
func (r *testResponse) errorCode() string {
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(r.Body, &env)
	return env.Error.Code
}

// call sends a request through the router; body may be nil, a string (sent
// as is) or a value (sent as JSON). headers are name, value pairs. The
// response is validated against openapi.yaml.
func (s *testServer) call(method, path, token string, body any, headers ...string) *testResponse {
	s.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = bytes.NewBufferString(b)
	case []byte:
		reader = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	resp := &testResponse{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	validateAgainstSpec(s.t, method, path, resp)
	return resp
}

// must calls and fails the test unless the status is the wanted one.
func (s *testServer) must(want int, method, path, token string, body any, headers ...string) *testResponse {
	s.t.Helper()
	resp := s.call(method, path, token, body, headers...)
	if resp.Status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.Status, want, resp.Body)
	}
	return resp
}

// login returns an access token for a username and password.
func (s *testServer) login(username, password string) string {
	s.t.Helper()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	s.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}).decode(s.t, &out)
	return out.AccessToken
}

// adminToken creates the first admin (if needed) and logs in as it.
func (s *testServer) adminToken() string {
	s.t.Helper()
	if _, _, err := s.svc.EnsureAdmin(context.Background(), "admin", "admin-password"); err != nil {
		s.t.Fatal(err)
	}
	return s.login("admin", "admin-password")
}

// staff creates a staff account with the role and returns its id and token.
func (s *testServer) staff(adminToken, username, role string) (string, string) {
	s.t.Helper()
	var u struct {
		ID string `json:"id"`
	}
	s.must(http.StatusCreated, "POST", "/api/v1/users", adminToken, map[string]string{
		"username": username, "password": "password-" + username, "role": role, "display_name": username}).decode(s.t, &u)
	return u.ID, s.login(username, "password-"+username)
}
