package api

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// newClockedServer is a test server whose service runs on a clock the test moves.
func newClockedServer(t *testing.T, db *model.DB) (*testServer, *fixedClock) {
	t.Helper()
	clock := &fixedClock{now: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	svc := service.New(db, service.Config{JWTSecret: []byte(testJWTSecret)}, clock)
	handler, a := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &testServer{t: t, db: db, svc: svc, api: a, handler: handler}, clock
}

// TestUsernameSpellingsShareOneLoginBudget: "VICTIM", "victim " and the
// full-width "ｖｉｃｔｉｍ" are the account "victim" (MySQL's collation
// matched them to it while each got a fresh budget of ten guesses). Once the
// budget is spent every spelling answers 429 with Retry-After and a Chinese
// message saying when to retry; from another address the canonical account
// logs in with any spelling. Fails on the old code (the other spellings got
// 401 and a fresh budget).
func TestUsernameSpellingsShareOneLoginBudget(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s, clock := newClockedServer(t, db)
		admin := s.adminToken()
		created := s.must(http.StatusCreated, "POST", "/api/v1/users", admin,
			map[string]string{"username": " Victim ", "password": "password-victim", "role": "worker"})
		var u struct{ Username string }
		created.decode(t, &u)
		if u.Username != "victim" {
			t.Fatalf("stored username %q, want the canonical \"victim\"", u.Username)
		}
		expectError(t, s.call("POST", "/api/v1/users", admin,
			map[string]string{"username": "VICTIM", "password": "password-other", "role": "worker"}), http.StatusConflict, "duplicate_username")

		const attacker = "203.0.113.7:40000"
		for i := 0; i < service.LoginFailureLimit; i++ {
			expectError(t, loginFrom(t, s, attacker, "", "victim", "wrong-"+strconv.Itoa(i)), http.StatusUnauthorized, "invalid_credentials")
		}
		for _, spelling := range []string{"VICTIM", "victim ", "victim    ", "ｖｉｃｔｉｍ", "Victim"} {
			resp := loginFrom(t, s, attacker, "", spelling, "password-victim")
			env := expectError(t, resp, http.StatusTooManyRequests, "too_many_login_attempts")
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("%q: no Retry-After", spelling)
			}
			if !strings.Contains(env.Error.Message, "后重试") || !strings.Contains(env.Error.Message, "分") {
				t.Errorf("%q: message %q does not say in Chinese when to retry", spelling, env.Error.Message)
			}
		}
		// (after the account's one-second back-off, which ten failures start)
		clock.advance(time.Second)
		if resp := loginFrom(t, s, "198.51.100.2:50000", "", "ＶＩＣＴＩＭ ", "password-victim"); resp.Status != http.StatusOK {
			t.Errorf("another address, full-width upper-case spelling: status %d, want 200: %s", resp.Status, resp.Body)
		}
	})
}

// TestAccountBackoffCannotLockOutAWorker: guesses for one account from many
// addresses (ten each would stay under the per-address limits) make the
// account back off exponentially, but never lock it: the worker's own
// address, where they logged in before, is not slowed down, and a new
// address may try again once the back-off (which doubles per failure) has
// passed. Fails on the old code (no per-account limit: the 11th address
// was not slowed).
func TestAccountBackoffCannotLockOutAWorker(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s, clock := newClockedServer(t, db)
		admin := s.adminToken()
		s.staff(admin, "worker1", "worker")
		const office = "192.0.2.10:1000"
		if resp := loginFrom(t, s, office, "", "worker1", "password-worker1"); resp.Status != http.StatusOK {
			t.Fatalf("first login from the office: %d %s", resp.Status, resp.Body)
		}
		for i := 0; i < service.LoginAccountFreeFailures; i++ {
			expectError(t, loginFrom(t, s, "203.0.113."+strconv.Itoa(i)+":1", "", "worker1", "guess"), http.StatusUnauthorized, "invalid_credentials")
		}
		// The next failure is allowed (the back-off is 1 s after the latest
		// failure, and a second has passed), and then it doubles.
		clock.advance(time.Second)
		expectError(t, loginFrom(t, s, "203.0.113.100:1", "", "worker1", "guess"), http.StatusUnauthorized, "invalid_credentials")
		limited := loginFrom(t, s, "203.0.113.101:1", "", "worker1", "guess")
		expectError(t, limited, http.StatusTooManyRequests, "too_many_login_attempts")
		if got := limited.Header.Get("Retry-After"); got != "2" {
			t.Errorf("Retry-After %q after %d failures, want 2", got, service.LoginAccountFreeFailures+1)
		}
		// The worker at the office is not slowed down by the strangers' guesses.
		if resp := loginFrom(t, s, office, "", "worker1", "password-worker1"); resp.Status != http.StatusOK {
			t.Errorf("the worker's own address: status %d, want 200: %s", resp.Status, resp.Body)
		}
		// From a new address (the worker's phone), the back-off passes.
		clock.advance(2 * time.Second)
		if resp := loginFrom(t, s, "198.51.100.77:1", "", "worker1", "password-worker1"); resp.Status != http.StatusOK {
			t.Errorf("a new address after the back-off: status %d, want 200: %s", resp.Status, resp.Body)
		}
	})
}

// TestOneAddressCannotSprayManyAccounts: one address trying many usernames
// is limited after LoginAddressLimit failures, whatever the usernames.
// Fails on the old code (each username had its own budget).
func TestOneAddressCannotSprayManyAccounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s, _ := newClockedServer(t, db)
		s.adminToken()
		const sprayer = "203.0.113.50:1"
		for i := 0; i < service.LoginAddressLimit; i++ {
			expectError(t, loginFrom(t, s, sprayer, "", "user"+strconv.Itoa(i), "guess"), http.StatusUnauthorized, "invalid_credentials")
		}
		expectError(t, loginFrom(t, s, sprayer, "", "admin", "admin-password"), http.StatusTooManyRequests, "too_many_login_attempts")
		if resp := loginFrom(t, s, "198.51.100.1:1", "", "admin", "admin-password"); resp.Status != http.StatusOK {
			t.Errorf("another address: status %d, want 200", resp.Status)
		}
	})
}
