package api

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestCoreContractAuth walks staff authentication: login, /me, refresh-token
// rotation and reuse detection, logout, and disabled accounts.
func TestCoreContractAuth(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newTestServer(t, db)
		admin := s.adminToken()
		expectError(t, s.call("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "wrong-password"}),
			http.StatusUnauthorized, "invalid_credentials")
		expectError(t, s.call("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "admin-password"}),
			http.StatusUnauthorized, "invalid_credentials")

		var login tokenResponse
		s.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "admin-password"}).decode(t, &login)
		if login.TokenType != "Bearer" || login.ExpiresIn != 7200 || login.RefreshToken == "" || login.User == nil || login.User.Role != "admin" {
			t.Fatalf("login response %+v", login)
		}
		var me meResponse
		s.must(http.StatusOK, "GET", "/api/v1/me", login.AccessToken, nil).decode(t, &me)
		if me.User == nil || me.User.Username != "admin" || me.Resident != nil {
			t.Errorf("/me of the admin: %+v", me)
		}
		expectError(t, s.call("GET", "/api/v1/me", "", nil), http.StatusUnauthorized, "missing_token")
		expectError(t, s.call("GET", "/api/v1/me", "not-a-jwt", nil), http.StatusUnauthorized, "invalid_token")
		unsigned := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0."
		expectError(t, s.call("GET", "/api/v1/me", unsigned, nil), http.StatusUnauthorized, "invalid_token")

		// Rotation: the old refresh token stops working; presenting it again
		// revokes the whole family, including the token that replaced it.
		var rotated tokenResponse
		s.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": login.RefreshToken}).decode(t, &rotated)
		if rotated.RefreshToken == login.RefreshToken || rotated.AccessToken == "" || rotated.User == nil {
			t.Fatalf("refresh response %+v", rotated)
		}
		s.must(http.StatusOK, "GET", "/api/v1/me", rotated.AccessToken, nil)
		expectError(t, s.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": login.RefreshToken}),
			http.StatusUnauthorized, "refresh_token_reused")
		expectError(t, s.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": rotated.RefreshToken}),
			http.StatusUnauthorized, "invalid_refresh_token")
		expectError(t, s.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": "made-up"}),
			http.StatusUnauthorized, "invalid_refresh_token")

		var second tokenResponse
		s.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "admin-password"}).decode(t, &second)
		s.must(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": second.RefreshToken})
		expectError(t, s.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}),
			http.StatusUnauthorized, "invalid_refresh_token")
		// The logout ended the admin's access tokens too (tokens_valid_after): log in again.
		expectError(t, s.call("GET", "/api/v1/me", admin, nil), http.StatusUnauthorized, "token_revoked")
		admin = s.login("admin", "admin-password")

		// A disabled account's tokens stop working at once.
		workerID, worker := s.staff(admin, "worker1", "worker")
		s.must(http.StatusOK, "GET", "/api/v1/me", worker, nil)
		var workerLogin tokenResponse
		s.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "worker1", "password": "password-worker1"}).decode(t, &workerLogin)
		var disabled userResponse
		s.must(http.StatusOK, "PATCH", "/api/v1/users/"+workerID, admin, map[string]bool{"disabled": true}).decode(t, &disabled)
		if !disabled.Disabled {
			t.Errorf("the patched account is not disabled: %+v", disabled)
		}
		expectError(t, s.call("GET", "/api/v1/me", worker, nil), http.StatusUnauthorized, "account_disabled")
		expectError(t, s.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": workerLogin.RefreshToken}),
			http.StatusUnauthorized, "invalid_refresh_token")
		expectError(t, s.call("POST", "/api/v1/auth/login", "", map[string]string{"username": "worker1", "password": "password-worker1"}),
			http.StatusUnauthorized, "invalid_credentials")
		bad := expectError(t, s.call("PATCH", "/api/v1/users/"+me.User.ID, admin, map[string]bool{"disabled": true}),
			http.StatusUnprocessableEntity, "validation_failed")
		if bad.Error.Fields["disabled"] == "" {
			t.Errorf("an admin disabling themselves: fields %v", bad.Error.Fields)
		}
		expectError(t, s.call("PATCH", "/api/v1/users/no-such-user", admin, map[string]string{"display_name": "x"}),
			http.StatusNotFound, "user_not_found")
	})
}

// TestCoreContractErrors checks the error envelope where the router itself
// answers (unknown routes, wrong methods, oversized and malformed bodies), the
// language of messages, and idempotent creation.
func TestCoreContractErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newTestServer(t, db)
		admin := s.adminToken()
		expectError(t, s.call("GET", "/api/v1/no-such-thing", admin, nil), http.StatusNotFound, "route_not_found")
		expectError(t, s.call("DELETE", "/api/v1/estates", admin, nil), http.StatusMethodNotAllowed, "method_not_allowed")

		chinese := expectError(t, s.call("GET", "/api/v1/rounds/no-such-round", admin, nil), http.StatusNotFound, "round_not_found")
		english := expectError(t, s.call("GET", "/api/v1/rounds/no-such-round", admin, nil, "Accept-Language", "en-US,en;q=0.9"),
			http.StatusNotFound, "round_not_found")
		if chinese.Error.Message != "征询轮次不存在" || english.Error.Message != "consultation round not found" {
			t.Errorf("messages %q / %q, want Chinese by default and English with Accept-Language: en", chinese.Error.Message, english.Error.Message)
		}
		enMissing := expectError(t, s.call("GET", "/api/v1/me", "", nil, "Accept-Language", "en"), http.StatusUnauthorized, "missing_token")
		if enMissing.Error.Message != "authentication required" {
			t.Errorf("English 401 message %q", enMissing.Error.Message)
		}

		huge := `{"name":"` + strings.Repeat("大", MaxBodyBytes/3+10) + `"}`
		expectError(t, s.call("POST", "/api/v1/estates", admin, huge), http.StatusRequestEntityTooLarge, "body_too_large")
		expectError(t, s.call("POST", "/api/v1/estates", admin, huge, "Idempotency-Key", "big"), http.StatusRequestEntityTooLarge, "body_too_large")
		expectError(t, s.call("POST", "/api/v1/estates", admin, `{"name":`), http.StatusBadRequest, "malformed_json")
		expectError(t, s.call("POST", "/api/v1/estates", admin, `{"name":"a"} {"name":"b"}`), http.StatusBadRequest, "malformed_json")
		bad := expectError(t, s.call("POST", "/api/v1/estates", admin, `{"name":"甲","built_year":"1990"}`), http.StatusUnprocessableEntity, "validation_failed")
		if bad.Error.Fields["built_year"] == "" {
			t.Errorf("a year given as text: fields %v", bad.Error.Fields)
		}
		bad = expectError(t, s.call("POST", "/api/v1/estates", admin, map[string]string{"name": "甲", "code": "Bad Code!"}), http.StatusUnprocessableEntity, "validation_failed")
		if bad.Error.Fields["code"] == "" {
			t.Errorf("a bad estate code: fields %v", bad.Error.Fields)
		}

		// The same key repeats the first response; the estate is created once.
		body := map[string]string{"name": "安居苑", "code": "anjuyuan"}
		first := s.must(http.StatusCreated, "POST", "/api/v1/estates", admin, body, "Idempotency-Key", "create-anjuyuan")
		again := s.must(http.StatusCreated, "POST", "/api/v1/estates", admin, body, "Idempotency-Key", "create-anjuyuan")
		if !bytes.Equal(first.Body, again.Body) {
			t.Errorf("a repeat with the same key differs:\n%s\n%s", first.Body, again.Body)
		}
		var estates listResponse[estateResponse]
		s.must(http.StatusOK, "GET", "/api/v1/estates", admin, nil).decode(t, &estates)
		if len(estates.Items) != 1 {
			t.Errorf("%d estates after a repeated create, want 1", len(estates.Items))
		}
		expectError(t, s.call("POST", "/api/v1/estates", admin, map[string]string{"name": "安居苑二期"}, "Idempotency-Key", "create-anjuyuan"),
			http.StatusUnprocessableEntity, "idempotency_key_reused")
		expectError(t, s.call("POST", "/api/v1/estates", admin, body), http.StatusConflict, "duplicate_code")
		expectError(t, s.call("POST", "/api/v1/estates", admin, body, "Idempotency-Key", strings.Repeat("k", 129)),
			http.StatusUnprocessableEntity, "validation_failed")
	})
}
