package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets runs a full scenario with every log (the access log
// and the default logger) written as JSON to a buffer: staff logins with
// passwords, wrong passwords, users created with passwords, households with
// phone numbers, sign-offs with comments, token refresh and logout, bad
// tokens, a WeChat login (whose session_key the server receives), a binding
// code and a resident's phone number. Then it looks for every secret in
// the log, in clear and JSON-escaped.
func TestLogsHoldNoSecrets(t *testing.T) {
	// In turn, not in parallel: each run replaces the default logger.
	testdb.EachInTurn(t, func(t *testing.T, db *model.DB) {
		var sink lockedBuffer
		logger := slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
		previous := slog.Default()
		slog.SetDefault(logger)
		t.Cleanup(func() { slog.SetDefault(previous) })

		w := newResidentWorld(t, db)
		w.srv.api.cfg.Logger = logger
		handler, _ := New(w.srv.svc, w.srv.api.cfg) // rebuilt so that the access log uses the buffer
		w.srv.handler = handler
		srv := w.srv
		secrets := map[string]string{"admin password": "admin-password", "JWT secret": testJWTSecret}

		var login tokenResponse
		srv.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "admin-password"}).decode(t, &login)
		secrets["admin access token"], secrets["admin refresh token"] = login.AccessToken, login.RefreshToken
		srv.must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "wrong-Pa55word-xyz"})
		secrets["mistyped password"] = "wrong-Pa55word-xyz"
		srv.must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "hunter2-typed-as-username", "password": "x"})
		secrets["password typed as username"] = "hunter2-typed-as-username"
		srv.must(http.StatusCreated, "POST", "/api/v1/users", login.AccessToken, map[string]string{
			"username": "log-worker", "password": "s3cret-worker-pass", "role": "worker", "display_name": "记录员"})
		secrets["new user's password"] = "s3cret-worker-pass"
		worker := srv.login("log-worker", "s3cret-worker-pass")
		secrets["worker access token"] = worker
		srv.must(http.StatusOK, "PATCH", "/api/v1/users/"+mustUserID(t, srv, login.AccessToken, "log-worker"), login.AccessToken,
			map[string]string{"password": "changed-Pa55-worker"})
		secrets["changed password"] = "changed-Pa55-worker"

		srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+w.estateID+"/households", login.AccessToken, map[string]any{"items": []map[string]any{
			{"building": "8", "unit": "1", "room": "801", "area_m2": 70, "owner_name": "王五", "phone": "13612345801"}}})
		secrets["household phone"] = "13612345801"
		for room := range w.household {
			secrets["phone of "+room] = "1390000" + room + "0"
		}
		w.staffSignOff("102", "agree", "李四")

		var rotated tokenResponse
		srv.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": login.RefreshToken}).decode(t, &rotated)
		secrets["rotated access token"], secrets["rotated refresh token"] = rotated.AccessToken, rotated.RefreshToken
		srv.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": login.RefreshToken})
		srv.must(http.StatusUnauthorized, "GET", "/api/v1/me", "forged.token.value-xyz", nil)
		secrets["forged token"] = "forged.token.value-xyz"
		srv.must(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": rotated.RefreshToken})

		code := w.bindingCode("103")
		secrets["binding code"] = code
		resident := w.login("openid-log-resident")
		secrets["resident access token"], secrets["resident refresh token"] = resident.AccessToken, resident.RefreshToken
		secrets["WeChat session_key"] = w.fake.SessionKey("openid-log-resident")
		srv.must(http.StatusCreated, "POST", "/api/v1/me/bindings", resident.AccessToken, map[string]string{"code": code})
		srv.must(http.StatusOK, "POST", "/api/v1/me/phone", resident.AccessToken, map[string]string{"code": w.fake.PhoneCode("13798765432")})
		secrets["resident phone"] = "13798765432"
		srv.must(http.StatusOK, "PUT", w.mySignOffPath(), resident.AccessToken, map[string]string{"decision": "disagree", "comment": "不同意"})

		log := sink.String()
		if !strings.Contains(log, `"msg":"request"`) || strings.Count(log, "\n") < 15 {
			t.Fatalf("the scenario wrote too little log to prove anything:\n%s", log)
		}
		for name, secret := range secrets {
			if secret == "" {
				t.Errorf("%s: empty, the scenario did not obtain it", name)
				continue
			}
			escaped, _ := json.Marshal(secret)
			if strings.Contains(log, secret) || strings.Contains(log, strings.Trim(string(escaped), `"`)) {
				t.Errorf("the log contains the %s", name)
			}
		}
		// Masked forms are fine, but a phone's last eight digits are not.
		for name, secret := range secrets {
			if strings.Contains(name, "phone") && strings.Contains(log, secret[len(secret)-8:]) {
				t.Errorf("the log contains most of the %s", name)
			}
		}
	})
}

// mustUserID finds a staff user's id by username.
func mustUserID(t *testing.T, srv *testServer, admin, username string) string {
	t.Helper()
	var users listResponse[userResponse]
	srv.must(http.StatusOK, "GET", "/api/v1/users?limit=100", admin, nil).decode(t, &users)
	for _, u := range users.Items {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("no user %q", username)
	return ""
}
