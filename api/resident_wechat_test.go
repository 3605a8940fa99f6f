package api

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/wechat"
	"minyi/wechat/wechattest"
)

// TestWeChatLoginErrors maps each WeChat reply to the contract's status and code.
func TestWeChatLoginErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		fake := wechattest.NewServer(t)
		srv.svc.SetWeChat(fake.Client(t))
		login := func(code string) *testResponse {
			return srv.call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": code})
		}
		fake.BlockUser("o-blocked")
		used := fake.LoginCode("o-used", "")
		srv.must(http.StatusOK, "POST", "/api/v1/auth/wechat", "", map[string]string{"code": used})

		cases := []struct {
			name       string
			prepare    func() string
			status     int
			code       string
			retryAfter string
		}{
			{"invalid code 40029", func() string { return "not-a-code" }, http.StatusUnauthorized, "wechat_code_invalid", ""},
			{"used code 40163", func() string { return used }, http.StatusUnauthorized, "wechat_code_used", ""},
			{"blocked user 40226", func() string { return fake.LoginCode("o-blocked", "") }, http.StatusUnauthorized, "wechat_user_blocked", ""},
			{"busy -1", func() string {
				fake.FailNext(wechattest.EndpointSession, wechat.CodeBusy, "system error")
				return fake.LoginCode("o-x", "")
			}, http.StatusServiceUnavailable, "wechat_busy", "1"},
			{"rate limit 45011", func() string {
				fake.FailNext(wechattest.EndpointSession, wechat.CodeRateLimit, "api minute-quota reach limit")
				return fake.LoginCode("o-x", "")
			}, http.StatusServiceUnavailable, "wechat_rate_limited", "60"},
			{"unknown errcode", func() string {
				fake.FailNext(wechattest.EndpointSession, 40013, "invalid appid")
				return fake.LoginCode("o-x", "")
			}, http.StatusServiceUnavailable, "wechat_unavailable", "2"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				resp := login(tc.prepare())
				expectCode(t, resp, tc.status, tc.code)
				if got := resp.Header.Get("Retry-After"); got != tc.retryAfter {
					t.Errorf("Retry-After %q, want %q", got, tc.retryAfter)
				}
			})
		}
		t.Run("bad requests", func(t *testing.T) {
			expectCode(t, srv.call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "  "}), http.StatusUnprocessableEntity, "validation_failed")
			expectCode(t, srv.call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "x", "openid": "o-x"}), http.StatusUnprocessableEntity, "unknown_field")
			expectCode(t, srv.call("POST", "/api/v1/auth/wechat", "", "{"), http.StatusBadRequest, "malformed_json")
		})
		t.Run("timeout", func(t *testing.T) {
			slow, err := wechat.New(wechat.Config{AppID: wechattest.AppID, Secret: wechattest.Secret, BaseURL: fake.URL, Timeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			srv.svc.SetWeChat(slow)
			fake.SetDelay(300 * time.Millisecond)
			defer func() { fake.SetDelay(0); srv.svc.SetWeChat(fake.Client(t)) }()
			start := time.Now()
			resp := login(fake.LoginCode("o-slow", ""))
			expectCode(t, resp, http.StatusServiceUnavailable, "wechat_timeout")
			if resp.Header.Get("Retry-After") == "" {
				t.Error("no Retry-After on a WeChat timeout")
			}
			if elapsed := time.Since(start); elapsed > 280*time.Millisecond {
				t.Errorf("the login waited %v for a 100ms timeout", elapsed)
			}
		})
		t.Run("a blocked account", func(t *testing.T) {
			var first loginResponse
			srv.must(http.StatusOK, "POST", "/api/v1/auth/wechat", "", map[string]string{"code": fake.LoginCode("o-disabled", "")}).decode(t, &first)
			db.Gorm.Model(&model.Resident{}).Where("id = ?", first.Resident.ID).Update("disabled", true)
			expectCode(t, login(fake.LoginCode("o-disabled", "")), http.StatusUnauthorized, "account_disabled")
			expectCode(t, srv.call("GET", "/api/v1/me", first.AccessToken, nil), http.StatusUnauthorized, "invalid_token")
		})
	})
}

// TestWeChatNotConfiguredAndDevLogin: without WeChat the login is 503, and
// the development login works only when switched on.
func TestWeChatNotConfiguredAndDevLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		expectCode(t, srv.call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "some-code"}),
			http.StatusServiceUnavailable, "wechat_not_configured")
		// Off by default: a dev code is just a code WeChat does not know.
		expectCode(t, srv.call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "dev:alice"}),
			http.StatusServiceUnavailable, "wechat_not_configured")
		fake := wechattest.NewServer(t)
		srv.svc.SetWeChat(fake.Client(t))
		expectCode(t, srv.call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "dev:alice"}),
			http.StatusUnauthorized, "wechat_code_invalid")
		expectCode(t, srv.call("POST", "/api/v1/me/phone", "", map[string]string{"code": "x"}), http.StatusUnauthorized, "missing_token")

		srv.svc.SetWeChat(nil)
		srv.svc.AcceptDevLogins(slog.New(slog.NewTextHandler(io.Discard, nil)))
		var dev loginResponse
		srv.must(http.StatusOK, "POST", "/api/v1/auth/wechat", "", map[string]string{"code": "dev:alice"}).decode(t, &dev)
		var resident model.Resident
		db.Gorm.Where("id = ?", dev.Resident.ID).Take(&resident)
		if resident.OpenID != "dev:alice" {
			t.Fatalf("the dev login's openid is %q, want it marked dev:alice", resident.OpenID)
		}
		expectCode(t, srv.call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "dev:bad id!"}),
			http.StatusUnprocessableEntity, "validation_failed")
		// Without WeChat the phone exchange cannot work.
		expectCode(t, srv.call("POST", "/api/v1/me/phone", dev.AccessToken, map[string]string{"code": "x"}),
			http.StatusServiceUnavailable, "wechat_not_configured")
		// The refresh of a resident's tokens keeps the resident.
		var refreshed loginResponse
		srv.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": dev.RefreshToken}).decode(t, &refreshed)
		if refreshed.Resident.ID != dev.Resident.ID {
			t.Fatalf("refreshed resident %q, want %q", refreshed.Resident.ID, dev.Resident.ID)
		}
	})
}

// TestResidentPhone stores the number from WeChat and masks it for designers.
func TestResidentPhone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		token, _ := w.bind("o-phone", "105")
		expectCode(t, s.call("POST", "/api/v1/me/phone", token, map[string]string{"code": "forged"}), http.StatusUnprocessableEntity, "phone_code_invalid")
		var me residentResponse
		s.must(http.StatusOK, "POST", "/api/v1/me/phone", token, map[string]string{"code": w.fake.PhoneCode("13812345678")}).decode(t, &me)
		if me.Phone != "13812345678" || len(me.Households) != 1 {
			t.Fatalf("the resident sees %+v, want their own full number", me)
		}
		path := "/api/v1/households/" + w.household["105"] + "/residents"
		for _, tc := range []struct {
			who, token, want string
		}{{"admin", w.admin, "13812345678"}, {"worker", w.worker, "13812345678"}} {
			var list listResponse[householdResidentJSON]
			s.must(http.StatusOK, "GET", path, tc.token, nil).decode(t, &list)
			if len(list.Items) != 1 || list.Items[0].Phone != tc.want {
				t.Errorf("%s sees %+v, want phone %s", tc.who, list.Items, tc.want)
			}
		}
		expectCode(t, s.call("GET", "/api/v1/households/"+w.otherHouse+"/residents", w.worker, nil), http.StatusNotFound, "household_not_found")
		// Designers reach no household (issue 11), so neither its residents.
		expectCode(t, s.call("GET", path, w.designer, nil), http.StatusForbidden, "forbidden")
		w.fake.FailNext(wechattest.EndpointPhone, wechat.CodeBusy, "system error")
		expectCode(t, s.call("POST", "/api/v1/me/phone", token, map[string]string{"code": w.fake.PhoneCode("13800000000")}),
			http.StatusServiceUnavailable, "wechat_busy")
	})
}

// TestWeChatSecretsNeverLogged: the app secret, session keys and access
// tokens appear neither in responses nor in the logs, also when WeChat fails.
func TestWeChatSecretsNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(previous)

	w := newResidentWorld(t, testdb.OpenSQLite(t))
	s := w.srv
	w.srv.api.cfg.Logger = slog.Default()
	var bodies []string
	call := func(method, path, token string, body any) {
		bodies = append(bodies, string(s.call(method, path, token, body).Body))
	}
	token, _ := w.bind("o-secret", "101")
	call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": w.fake.LoginCode("o-secret", "u-secret")})
	w.fake.FailNext(wechattest.EndpointSession, wechat.CodeBusy, "system error")
	call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": w.fake.LoginCode("o-secret", "")})
	call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "wrong"})
	call("PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree", "comment": "同意"})
	w.fake.FailNext(wechattest.EndpointSecCheck, wechat.CodeBusy, "system error")
	call("PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree", "comment": "再次同意"})
	accessToken := w.fake.AccessToken()

	bad, err := wechat.New(wechat.Config{AppID: wechattest.AppID, Secret: "another-secret-value-0123456789", BaseURL: w.fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	s.svc.SetWeChat(bad)
	call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": w.fake.LoginCode("o-secret", "")})
	w.fake.Close()
	call("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "any"})
	// The moderator's client still holds the access token: its failed call is logged.
	call("PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree", "comment": "第三次同意"})
	if !strings.Contains(logs.String(), "text check failed") {
		t.Fatalf("the failed text check was not logged:\n%s", logs.String())
	}

	if !strings.Contains(logs.String(), "wechat_busy") {
		t.Fatalf("the logs do not show the WeChat failure at all:\n%s", logs.String())
	}
	secrets := map[string]string{"app secret": wechattest.Secret, "other secret": "another-secret-value-0123456789",
		"session key": w.fake.SessionKey("o-secret"), "access token": accessToken}
	for name, secret := range secrets {
		if secret == "" {
			t.Fatalf("no %s to look for", name)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the %s is in the logs", name)
		}
		for _, body := range bodies {
			if strings.Contains(body, secret) {
				t.Errorf("the %s is in a response: %s", name, body)
			}
		}
	}
}
