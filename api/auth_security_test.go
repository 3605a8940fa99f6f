package api

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// testJWTSecret is the key newTestServer signs with.
const testJWTSecret = "test-secret-test-secret-test-secret!"

// forgeToken signs claims the way an attacker might: with method and key
// of their choosing.
func forgeToken(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// claimsOf decodes the payload of a token without checking it.
func claimsOf(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestForgedTokensAreRefused tries the usual JWT attacks on a real worker
// token: no algorithm, a wrong key, another HMAC size, a payload edited to
// claim the admin role (kept signature, or re-signed with a wrong key), an
// expired token; each answers 401. A role claim signed with the right key
// is still not trusted: the role is read from the account.
func TestForgedTokensAreRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newTestServer(t, db)
		admin := s.adminToken()
		workerID, worker := s.staff(admin, "forge-worker", "worker")
		s.must(http.StatusOK, "GET", "/api/v1/me", worker, nil)
		claims := claimsOf(t, worker)
		asAdmin := jwt.MapClaims{}
		for k, v := range claims {
			asAdmin[k] = v
		}
		asAdmin["role"] = "admin"
		editedPayload := func() string {
			parts := strings.Split(worker, ".")
			raw, _ := json.Marshal(asAdmin)
			parts[1] = base64.RawURLEncoding.EncodeToString(raw)
			return strings.Join(parts, ".")
		}()
		expired := jwt.MapClaims{}
		for k, v := range claims {
			expired[k] = v
		}
		expired["iat"] = time.Now().Add(-3 * time.Hour).Unix()
		expired["exp"] = time.Now().Add(-time.Hour).Unix()

		cases := []struct {
			name, token, code string
		}{
			{"alg none", forgeToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, asAdmin), "invalid_token"},
			{"alg none keeping the worker's claims", forgeToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims), "invalid_token"},
			{"wrong key", forgeToken(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-another!"), claims), "invalid_token"},
			{"right key but HS512", forgeToken(t, jwt.SigningMethodHS512, []byte(testJWTSecret), claims), "invalid_token"},
			{"role edited, signature kept", editedPayload, "invalid_token"},
			{"role edited, re-signed with a wrong key", forgeToken(t, jwt.SigningMethodHS256, []byte("guessed-secret-guessed-secret-guessed"), asAdmin), "invalid_token"},
			{"signature removed", strings.Join(strings.Split(worker, ".")[:2], ".") + ".", "invalid_token"},
			{"expired", forgeToken(t, jwt.SigningMethodHS256, []byte(testJWTSecret), expired), "token_expired"},
			{"another issuer", forgeToken(t, jwt.SigningMethodHS256, []byte(testJWTSecret), jwt.MapClaims{
				"knd": "user", "role": "admin", "sub": workerID, "iss": "elsewhere", "exp": time.Now().Add(time.Hour).Unix()}), "invalid_token"},
			{"no expiry", forgeToken(t, jwt.SigningMethodHS256, []byte(testJWTSecret), jwt.MapClaims{
				"knd": "user", "role": "worker", "sub": workerID, "iss": "minyi"}), "invalid_token"},
			{"unknown subject", forgeToken(t, jwt.SigningMethodHS256, []byte(testJWTSecret), jwt.MapClaims{
				"knd": "user", "role": "admin", "sub": "00000000-0000-7000-8000-000000000000", "iss": "minyi", "exp": time.Now().Add(time.Hour).Unix()}), "invalid_token"},
			{"resident kind for a staff id", forgeToken(t, jwt.SigningMethodHS256, []byte(testJWTSecret), jwt.MapClaims{
				"knd": "resident", "role": "resident", "sub": workerID, "iss": "minyi", "exp": time.Now().Add(time.Hour).Unix()}), "invalid_token"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, path := range []string{"/api/v1/me", "/api/v1/users"} {
					resp := s.call("GET", path, tc.token, nil)
					expectError(t, resp, http.StatusUnauthorized, tc.code)
					if !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
						t.Errorf("%s: WWW-Authenticate %q", path, resp.Header.Get("WWW-Authenticate"))
					}
				}
			})
		}

		// With the right key the role claim still does not count: the
		// account says worker, so the admin-only route stays closed.
		signedAdminClaim := forgeToken(t, jwt.SigningMethodHS256, []byte(testJWTSecret), asAdmin)
		expectError(t, s.call("GET", "/api/v1/users", signedAdminClaim, nil), http.StatusForbidden, "forbidden")

		// A disabled account's token stops working at once.
		s.must(http.StatusOK, "PATCH", "/api/v1/users/"+workerID, admin, map[string]any{"disabled": true})
		expectError(t, s.call("GET", "/api/v1/me", worker, nil), http.StatusUnauthorized, "account_disabled")
	})
}

// fixedClock is a clock the test moves by hand.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// loginFrom posts a login from a client address (and an optional
// X-Forwarded-For) and checks the response against the spec.
func loginFrom(t *testing.T, s *testServer, remoteAddr, forwardedFor, username, password string) *testResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = remoteAddr
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	resp := &testResponse{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	validateAgainstSpec(t, "POST", "/api/v1/auth/login", resp)
	return resp
}

// TestLoginBruteForceIsLimited checks the login limit: ten wrong passwords
// for one username from one address within ten minutes, and the eleventh
// try (even the right password) answers 429 with Retry-After; other
// addresses and other usernames are unaffected; X-Forwarded-For from an
// untrusted peer does not help; the window slides, so the right password
// works again once the oldest failure is ten minutes old.
func TestLoginBruteForceIsLimited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		clock := &fixedClock{now: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
		svc := service.New(db, service.Config{JWTSecret: []byte(testJWTSecret)}, clock)
		handler, a := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		s := &testServer{t: t, db: db, svc: svc, api: a, handler: handler}
		admin := s.adminToken()
		s.staff(admin, "guessed", "worker")
		const attacker, colleague = "203.0.113.7:40000", "198.51.100.2:50000"

		for i := 0; i < service.LoginFailureLimit; i++ {
			// Each try claims another address in X-Forwarded-For; the peer is not a trusted proxy.
			resp := loginFrom(t, s, attacker, "10.0.0."+strconv.Itoa(i), "guessed", "wrong-"+strconv.Itoa(i))
			expectError(t, resp, http.StatusUnauthorized, "invalid_credentials")
			clock.advance(30 * time.Second)
		}
		limited := loginFrom(t, s, attacker, "", "guessed", "password-guessed")
		expectError(t, limited, http.StatusTooManyRequests, "too_many_login_attempts")
		// The oldest failure was 5 minutes ago: it leaves the window in 5 minutes.
		if got := limited.Header.Get("Retry-After"); got != "300" {
			t.Errorf("Retry-After %q, want 300", got)
		}
		expectError(t, loginFrom(t, s, attacker, "", "guessed", "wrong-again"), http.StatusTooManyRequests, "too_many_login_attempts")

		if resp := loginFrom(t, s, colleague, "", "guessed", "password-guessed"); resp.Status != http.StatusOK {
			t.Errorf("another address: status %d, want 200: %s", resp.Status, resp.Body)
		}
		if resp := loginFrom(t, s, attacker, "", "admin", "admin-password"); resp.Status != http.StatusOK {
			t.Errorf("another username from the same address: status %d, want 200: %s", resp.Status, resp.Body)
		}

		clock.advance(4*time.Minute + 59*time.Second)
		expectError(t, loginFrom(t, s, attacker, "", "guessed", "password-guessed"), http.StatusTooManyRequests, "too_many_login_attempts")
		clock.advance(time.Second)
		if resp := loginFrom(t, s, attacker, "", "guessed", "password-guessed"); resp.Status != http.StatusOK {
			t.Fatalf("after the window: status %d, want 200: %s", resp.Status, resp.Body)
		}
		// A burst of concurrent guesses from a new address: at most the limit
		// of them reach the password check, whatever the interleaving.
		const burst = 30
		statuses := make(chan int, burst)
		var wg sync.WaitGroup
		for i := 0; i < burst; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- loginFrom(t, s, "203.0.113.99:1", "", "guessed", "burst-guess").Status
			}()
		}
		wg.Wait()
		close(statuses)
		counted := map[int]int{}
		for status := range statuses {
			counted[status]++
		}
		if counted[http.StatusUnauthorized] > service.LoginFailureLimit || counted[http.StatusUnauthorized]+counted[http.StatusTooManyRequests] != burst {
			t.Errorf("a burst of %d guesses: %v; at most %d may be checked, the rest answer 429", burst, counted, service.LoginFailureLimit)
		}
		t.Logf("a burst of %d concurrent guesses: %v", burst, counted)

		// Success forgets the failures: nine more wrong tries do not lock the account.
		for i := 0; i < service.LoginFailureLimit-1; i++ {
			expectError(t, loginFrom(t, s, attacker, "", "guessed", "wrong"), http.StatusUnauthorized, "invalid_credentials")
		}
		if resp := loginFrom(t, s, attacker, "", "guessed", "password-guessed"); resp.Status != http.StatusOK {
			t.Errorf("nine failures after a success: status %d, want 200", resp.Status)
		}
	})
}

// TestBodiesOverTheLimitAnswer413 sends a body one byte over the limit to
// several write routes, with and without a declared length.
func TestBodiesOverTheLimitAnswer413(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newTestServer(t, db)
		admin := s.adminToken()
		huge := `{"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
		for _, route := range []struct{ method, path, token string }{
			{"POST", "/api/v1/auth/login", ""},
			{"POST", "/api/v1/users", admin},
			{"POST", "/api/v1/estates", admin},
			{"POST", "/api/v1/auth/refresh", ""},
		} {
			expectError(t, s.call(route.method, route.path, route.token, huge), http.StatusRequestEntityTooLarge, "body_too_large")
			// Without Content-Length (chunked), the limit is met while reading.
			req := httptest.NewRequest(route.method, route.path, io.MultiReader(strings.NewReader(huge)))
			req.ContentLength = -1
			req.Header.Set("Content-Type", "application/json")
			if route.token != "" {
				req.Header.Set("Authorization", "Bearer "+route.token)
			}
			rec := httptest.NewRecorder()
			s.handler.ServeHTTP(rec, req)
			resp := &testResponse{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
			validateAgainstSpec(t, route.method, route.path, resp)
			expectError(t, resp, http.StatusRequestEntityTooLarge, "body_too_large")
		}
	})
}

// TestSecurityHeaders checks the headers of JSON answers, of the HTML
// notice board (whose own policy is kept) and of an HTML page whose handler
// set no policy.
func TestSecurityHeaders(t *testing.T) {
	db := testdb.OpenSQLite(t)
	s := newTestServer(t, db)
	admin := s.adminToken()
	s.must(http.StatusCreated, "POST", "/api/v1/estates", admin, map[string]any{"name": "头条小区", "code": "headers"})
	common := func(t *testing.T, resp *testResponse) {
		t.Helper()
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(name); got != want {
				t.Errorf("%s: %q, want %q", name, got, want)
			}
		}
	}
	t.Run("json", func(t *testing.T) {
		resp := s.must(http.StatusOK, "GET", "/api/v1/me", admin, nil)
		common(t, resp)
		common(t, s.call("GET", "/api/v1/me", "", nil))
	})
	t.Run("notice board keeps its policy", func(t *testing.T) {
		resp := s.must(http.StatusOK, "GET", "/notice/headers", "", nil)
		common(t, resp)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "img-src") {
			t.Errorf("notice CSP %q", csp)
		}
		common(t, s.call("GET", "/notice/no-such-estate", "", nil))
		if csp := s.call("GET", "/notice/no-such-estate", "", nil).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("notice error page CSP %q", csp)
		}
	})
	t.Run("html without a policy gets the default", func(t *testing.T) {
		r := ginWith(securityHeaders(), func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<p>hi</p>"))
		})
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if got := rec.Header().Get("Content-Security-Policy"); got != defaultHTMLPolicy {
			t.Errorf("CSP %q, want %q", got, defaultHTMLPolicy)
		}
		r = ginWith(securityHeaders(), func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte("png"))
		})
		rec = httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if got := rec.Header().Get("Content-Security-Policy"); got != "" {
			t.Errorf("an image got a CSP: %q", got)
		}
	})
}

// ginWith is a bare router with one middleware and a handler that writes
// through the standard interface, for middleware tests.
func ginWith(middleware gin.HandlerFunc, write func(w http.ResponseWriter)) *gin.Engine {
	r := gin.New()
	r.Use(middleware)
	r.GET("/", func(c *gin.Context) { write(c.Writer) })
	return r
}

// TestJWTSecretRotation checks what SECURITY.md says of a new JWT secret:
// access tokens signed with the old one answer 401 at once, while refresh
// tokens (random, stored hashed, not signed) still yield new access tokens;
// revoking the refresh tokens ends those sessions too.
func TestJWTSecretRotation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		before := newTestServer(t, db)
		before.adminToken()
		var login tokenResponse
		before.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "admin-password"}).decode(t, &login)
		var second tokenResponse
		before.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "admin-password"}).decode(t, &second)

		svc := service.New(db, service.Config{JWTSecret: []byte("a-brand-new-secret-a-brand-new-secret!")}, nil)
		handler, a := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		after := &testServer{t: t, db: db, svc: svc, api: a, handler: handler}
		expectError(t, after.call("GET", "/api/v1/me", login.AccessToken, nil), http.StatusUnauthorized, "invalid_token")
		var refreshed tokenResponse
		after.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": login.RefreshToken}).decode(t, &refreshed)
		after.must(http.StatusOK, "GET", "/api/v1/me", refreshed.AccessToken, nil)

		if err := db.Gorm.Exec("UPDATE refresh_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL").Error; err != nil {
			t.Fatal(err)
		}
		expectError(t, after.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}),
			http.StatusUnauthorized, "invalid_refresh_token")
	})
}
