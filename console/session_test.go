package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

func TestBarePathsLeadToTheConsole(t *testing.T) {
	t.Parallel()
	s := newSite(t, testdb.OpenSQLite(t))
	b := s.client()
	for _, path := range []string{"/", "/login", "/admin", "/console"} {
		res := b.get(path)
		if res.status != http.StatusFound || res.header.Get("Location") != "/console/" {
			t.Errorf("GET %s: %d to %q, want 302 to /console/", path, res.status, res.header.Get("Location"))
		}
	}
	if res := b.get("/console/"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/console/login" {
		t.Errorf("the console without a session: %d to %q, want 303 to the login form", res.status, res.header.Get("Location"))
	}
	robots := b.get("/robots.txt")
	if robots.status != http.StatusOK || !strings.Contains(robots.body, "Disallow: /console/") {
		t.Errorf("robots.txt: %d %q", robots.status, robots.body)
	}
	if icon := b.get("/favicon.ico"); icon.status != http.StatusOK || !strings.HasPrefix(icon.body, "\x00\x00\x01\x00") {
		t.Errorf("favicon.ico: %d, %d bytes, not an icon", icon.status, len(icon.body))
	}
	if res := b.get("/api/v1/nothing-here"); res.status != http.StatusNotFound || !strings.Contains(res.body, `"route_not_found"`) {
		t.Errorf("an unknown API path must stay a JSON 404, got %d %s", res.status, res.body)
	}
	login := b.get("/console/login")
	login.mustContain(t, `name="username"`, `name="password"`, `<meta name="description"`, `lang="zh-CN"`)
	csp := login.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the console's policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the console's policy allows inline code: %q", csp)
	}
}

func sessionCookie(res response) *http.Cookie {
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "minyi_console" {
			return c
		}
	}
	return nil
}

func TestSessionCookieAndLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		b := s.client()
		b.get("/console/login")
		wrong := b.post("/console/login", url.Values{"username": {adminName}, "password": {"not-the-password"}})
		if wrong.status != http.StatusUnauthorized || sessionCookie(wrong) != nil {
			t.Fatalf("a wrong password: %d, cookie %v", wrong.status, sessionCookie(wrong))
		}
		wrong.mustContain(t, "用户名或密码不正确")

		noToken := s.client()
		res := noToken.post("/console/login", url.Values{"username": {adminName}, "password": {adminPassword}, "csrf": {"forged"}})
		if res.status != http.StatusForbidden || sessionCookie(res) != nil {
			t.Errorf("a login without the form's token: %d, want 403 and no session", res.status)
		}

		b.get("/console/login")
		ok := b.post("/console/login", url.Values{"username": {adminName}, "password": {adminPassword}})
		c := sessionCookie(ok)
		if c == nil {
			t.Fatalf("no session cookie after login: %d %s", ok.status, ok.body)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/console/" {
			t.Errorf("cookie over http: HttpOnly=%v SameSite=%v Secure=%v Path=%q", c.HttpOnly, c.SameSite, c.Secure, c.Path)
		}

		behindTLS := s.client()
		behindTLS.get("/console/login")
		req, _ := http.NewRequest(http.MethodPost, s.url+"/console/login", strings.NewReader(url.Values{
			"username": {adminName}, "password": {adminPassword}, "csrf": {behindTLS.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		if c := sessionCookie(behindTLS.do(req)); c == nil || !c.Secure {
			t.Errorf("behind an https proxy the session cookie must be Secure: %+v", c)
		}
	})
}

func TestLoginLimitIsTheAPIs(t *testing.T) {
	t.Parallel()
	s := newSite(t, testdb.OpenSQLite(t))
	b := s.client()
	var last response
	for range service.LoginFailureLimit + 1 {
		b.get("/console/login")
		last = b.post("/console/login", url.Values{"username": {adminName}, "password": {"guess-guess"}})
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures: %d (Retry-After %q), want 429", service.LoginFailureLimit+1, last.status, last.header.Get("Retry-After"))
	}
	last.mustContain(t, "登录失败次数过多")
}

func TestStateChangesNeedTheCSRFToken(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		b := s.client()
		b.login(adminName, adminPassword)
		for _, token := range []string{"", "forged-token"} {
			res := b.post("/console/estates", url.Values{"name": {"伪造小区"}, "csrf": {token}})
			if res.status != http.StatusForbidden {
				t.Errorf("creating an estate with token %q: %d, want 403", token, res.status)
			}
		}
		estates, _, err := s.svc.ListEstates(context.Background(), service.SystemActor(), service.Page{})
		if err != nil || len(estates) != 0 {
			t.Fatalf("a forged request created %d estates (%v)", len(estates), err)
		}
		b.get("/console/estates/new")
		res := b.post("/console/estates", url.Values{"name": {"真实小区"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("with the token: %d %s", res.status, res.body)
		}
		estates, _, _ = s.svc.ListEstates(context.Background(), service.SystemActor(), service.Page{})
		events, _, err := s.svc.ListAuditEvents(context.Background(), service.SystemActor(), estates[0].ID, service.Page{})
		if err != nil || len(events) == 0 {
			t.Fatalf("no audit event of the console's write (%v)", err)
		}
		if id := res.header.Get("X-Request-Id"); id == "" || events[0].RequestID != id || events[0].ActorRole != service.RoleAdmin {
			t.Errorf("the audit event has request id %q and role %q; the response's id is %q", events[0].RequestID, events[0].ActorRole, id)
		}
	})
}

func TestSessionEnds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, admin := context.Background(), service.SystemActor()
		expectLogin := func(t *testing.T, b *browserless, why string) {
			t.Helper()
			if res := b.get("/console/"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/console/login" {
				t.Errorf("%s: the console answered %d (%s), want a redirect to the login form", why, res.status, res.header.Get("Location"))
			}
		}

		t.Run("idle timeout", func(t *testing.T) {
			b := s.client()
			b.login(adminName, adminPassword)
			s.clock.advance(29 * time.Minute)
			if res := b.get("/console/"); res.status != http.StatusOK {
				t.Fatalf("after 29 idle minutes: %d", res.status)
			}
			s.clock.advance(29 * time.Minute) // the window slid with the last request
			if res := b.get("/console/"); res.status != http.StatusOK {
				t.Fatalf("29 minutes after the last request: %d", res.status)
			}
			s.clock.advance(31 * time.Minute)
			expectLogin(t, b, "after 31 idle minutes")
		})

		t.Run("logout, even for a copied cookie", func(t *testing.T) {
			b, thief := s.client(), s.client()
			b.login(adminName, adminPassword)
			u, _ := url.Parse(s.url + "/console/")
			thief.http.Jar.SetCookies(u, b.http.Jar.Cookies(u))
			if res := thief.get("/console/"); res.status != http.StatusOK {
				t.Fatalf("the copied cookie before logout: %d", res.status)
			}
			if res := b.post("/console/logout", url.Values{}); res.status != http.StatusSeeOther {
				t.Fatalf("logout: %d", res.status)
			}
			expectLogin(t, b, "after logout")
			expectLogin(t, thief, "a cookie copied before logout")
		})

		t.Run("disabled account", func(t *testing.T) {
			id := s.user("worker-off", "worker-password", service.RoleWorker)
			b := s.client()
			b.login("worker-off", "worker-password")
			disabled := true
			if _, err := s.svc.UpdateUser(ctx, admin, id, service.UserChanges{Disabled: &disabled}); err != nil {
				t.Fatal(err)
			}
			expectLogin(t, b, "after the account was disabled")
		})

		t.Run("password changed", func(t *testing.T) {
			id := s.user("worker-pw", "worker-password", service.RoleWorker)
			b := s.client()
			b.login("worker-pw", "worker-password")
			password := "another-password"
			if _, err := s.svc.UpdateUser(ctx, admin, id, service.UserChanges{Password: &password}); err != nil {
				t.Fatal(err)
			}
			expectLogin(t, b, "after the password changed")
		})

		t.Run("tampered cookie", func(t *testing.T) {
			b := s.client()
			b.login(adminName, adminPassword)
			u, _ := url.Parse(s.url + "/console/")
			for _, c := range b.http.Jar.Cookies(u) {
				if c.Name == "minyi_console" {
					parts := strings.Split(c.Value, ".")
					parts[1] = "9999999999" // claim a later last-seen time
					b.http.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: strings.Join(parts, "."), Path: "/console/"}})
				}
			}
			expectLogin(t, b, "a cookie with a changed time")
		})
	})
}

func TestConsoleKeepsTheServicesAuthorisation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "别人的小区", "other-estate"
		other, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		s.user("worker-a", "worker-password", service.RoleWorker)
		b := s.client()
		b.login("worker-a", "worker-password")
		if res := b.get("/console/users"); res.status != http.StatusForbidden {
			t.Errorf("a worker on the accounts page: %d, want 403", res.status)
		}
		if res := b.get("/console/estates/" + other.ID); res.status != http.StatusNotFound || strings.Contains(res.body, name) {
			t.Errorf("a worker on an estate they are not assigned to: %d, want 404 without its name", res.status)
		}
		b.get("/console/")
		if res := b.post("/console/users", url.Values{"username": {"intruder"}, "password": {"intruder-pass"}, "role": {"admin"}}); res.status != http.StatusForbidden {
			t.Errorf("a worker creating an admin: %d, want 403", res.status)
		}
		if users, _, _ := s.svc.ListUsers(ctx, system, service.Page{}); len(users) != 2 {
			t.Errorf("%d accounts after a worker's attempt, want 2", len(users))
		}
		// The JSON endpoints need the token too, in the header.
		req, _ := http.NewRequest(http.MethodPost, s.url+"/console/rounds/any/sync", strings.NewReader(`{"records":[]}`))
		req.Header.Set("Content-Type", "application/json")
		if res := b.do(req); res.status != http.StatusForbidden {
			t.Errorf("a sync without the CSRF header: %d, want 403", res.status)
		}
	})
}

func TestAdminManagesAccountsInTheConsole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		workerID := s.user("worker-m", "worker-password", service.RoleWorker)
		worker, admin := s.client(), s.client()
		worker.login("worker-m", "worker-password")
		admin.login(adminName, adminPassword)
		admin.get("/console/users")

		short := admin.post("/console/users/"+workerID, url.Values{"action": {"password"}, "password": {"short"}})
		if short.status != http.StatusUnprocessableEntity {
			t.Errorf("a 5-character password: %d, want 422", short.status)
		}
		if res := worker.get("/console/"); res.status != http.StatusOK {
			t.Fatalf("a refused password change ended the worker's session: %d", res.status)
		}
		if res := admin.post("/console/users/"+workerID, url.Values{"action": {"password"}, "password": {"new-worker-password"}}); res.status != http.StatusSeeOther {
			t.Fatalf("reset password: %d %s", res.status, res.body)
		}
		if res := worker.get("/console/"); res.status != http.StatusSeeOther {
			t.Errorf("after the reset the old session still works: %d", res.status)
		}
		worker.login("worker-m", "new-worker-password")
		if res := admin.post("/console/users/"+workerID, url.Values{"action": {"disable"}}); res.status != http.StatusSeeOther {
			t.Fatalf("disable: %d", res.status)
		}
		if res := worker.get("/console/"); res.status != http.StatusSeeOther {
			t.Errorf("after disabling, the worker's session still works: %d", res.status)
		}
		worker.get("/console/login")
		if res := worker.post("/console/login", url.Values{"username": {"worker-m"}, "password": {"new-worker-password"}}); res.status != http.StatusUnauthorized {
			t.Errorf("a disabled account logging in: %d, want 401", res.status)
		}
		events, _, err := s.svc.ListUsers(ctx, service.SystemActor(), service.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range events {
			if u.ID == workerID && !u.Disabled {
				t.Error("the account is not disabled")
			}
		}
	})
}
