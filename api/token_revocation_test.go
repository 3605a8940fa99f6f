package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// TestAccessTokensEndWithTheLogin: an access token stops working (401
// token_revoked) after its user logs out, after an admin changes the
// password, after the account is disabled (and stays dead when it is
// enabled again), and after refresh-token reuse is detected; a new login
// works. Fails on the old code (the access tokens kept working for up to
// two hours).
func TestAccessTokensEndWithTheLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s, clock := newClockedServer(t, db)
		admin := s.adminToken()
		workerID, _ := s.staff(admin, "revoked", "worker")
		login := func() tokenPair {
			t.Helper()
			clock.advance(time.Second)
			var p tokenPair
			s.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "revoked", "password": "password-revoked"}).decode(t, &p)
			return p
		}
		ended := func(what, token string) {
			t.Helper()
			if resp := s.call("GET", "/api/v1/me", token, nil); resp.Status != http.StatusUnauthorized || resp.errorCode() != "token_revoked" {
				t.Errorf("%s: GET /me answered %d %s, want 401 token_revoked", what, resp.Status, resp.Body)
			}
		}

		a := login()
		clock.advance(time.Second)
		s.must(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": a.RefreshToken})
		ended("after logout", a.AccessToken)

		b := login()
		s.must(http.StatusOK, "GET", "/api/v1/me", b.AccessToken, nil)
		clock.advance(time.Second)
		s.must(http.StatusOK, "PATCH", "/api/v1/users/"+workerID, admin, map[string]any{"password": "a-new-password"})
		ended("after a password change", b.AccessToken)
		s.must(http.StatusOK, "PATCH", "/api/v1/users/"+workerID, admin, map[string]any{"password": "password-revoked"})

		c := login()
		clock.advance(time.Second)
		s.must(http.StatusOK, "PATCH", "/api/v1/users/"+workerID, admin, map[string]any{"disabled": true})
		s.must(http.StatusOK, "PATCH", "/api/v1/users/"+workerID, admin, map[string]any{"disabled": false})
		ended("after disabling and enabling", c.AccessToken)

		d := login()
		var e tokenPair
		s.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": d.RefreshToken}).decode(t, &e)
		clock.advance(time.Second)
		expectError(t, s.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": d.RefreshToken}), http.StatusUnauthorized, "refresh_token_reused")
		ended("after refresh reuse (old)", d.AccessToken)
		ended("after refresh reuse (new)", e.AccessToken)

		f := login()
		s.must(http.StatusOK, "GET", "/api/v1/me", f.AccessToken, nil)
	})
}

// TestResidentAccessTokensEndAtLogout: a resident's access token ends when
// the resident logs out. Fails on the old code.
func TestResidentAccessTokensEndAtLogout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s, clock := newClockedServer(t, db)
		ctx := context.Background()
		tokens, err := s.svc.LoginResident(ctx, service.ResidentIdentity{OpenID: "openid-revoke"})
		if err != nil {
			t.Fatal(err)
		}
		s.must(http.StatusOK, "GET", "/api/v1/me", tokens.AccessToken, nil)
		clock.advance(time.Second)
		s.must(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": tokens.RefreshToken})
		expectError(t, s.call("GET", "/api/v1/me", tokens.AccessToken, nil), http.StatusUnauthorized, "token_revoked")
	})
}
