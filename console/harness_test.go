package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/api"
	"minyi/model"
	"minyi/service"
)

// clock is a service clock the tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// site is the whole server (API and console, through the API's router) on a test database.
type site struct {
	t     testing.TB
	svc   *service.Service
	clock *clock
	url   string
}

const (
	adminName     = "admin1"
	adminPassword = "admin-password-1"
)

func newSite(t testing.TB, db *model.DB) *site {
	t.Helper()
	clk := &clock{now: time.Now().UTC()}
	svc := service.New(db, service.Config{JWTSecret: []byte("console-test-secret-console-test-secret")}, clk)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	handler, _ := api.New(svc, api.Config{PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(), Logger: logger})
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	s := &site{t: t, svc: svc, clock: clk, url: server.URL}
	s.user(adminName, adminPassword, service.RoleAdmin)
	return s
}

// user creates a staff account and returns its id.
func (s *site) user(username, password, role string) string {
	s.t.Helper()
	u, err := s.svc.CreateUser(context.Background(), service.SystemActor(), service.NewUser{Username: username, Password: password, Role: role, DisplayName: username})
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

// browserless is an HTTP client with a cookie jar that does not follow
// redirects, so tests see them; it remembers the last page's CSRF token.
type browserless struct {
	t    testing.TB
	site *site
	http *http.Client
	csrf string
}

func (s *site) client() *browserless {
	jar, _ := cookiejar.New(nil)
	return &browserless{t: s.t, site: s, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is what a request returned.
type response struct {
	status int
	header http.Header
	body   string
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browserless) do(req *http.Request) response {
	b.t.Helper()
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfPattern.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browserless) get(path string) response {
	req, _ := http.NewRequest(http.MethodGet, b.site.url+path, nil)
	return b.do(req)
}

// post sends a form with the remembered CSRF token (unless the form has one).
func (b *browserless) post(path string, form url.Values) response {
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.site.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// login signs in through the form and fails the test unless it worked.
func (b *browserless) login(username, password string) {
	b.t.Helper()
	b.get("/console/login")
	res := b.post("/console/login", url.Values{"username": {username}, "password": {password}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/console/" {
		b.t.Fatalf("login as %s: %d %s\n%s", username, res.status, res.header.Get("Location"), res.body)
	}
	if home := b.get("/console/"); home.status != http.StatusOK {
		b.t.Fatalf("after login the console answered %d", home.status)
	}
}

// mustContain fails unless the page contains every text.
func (r response) mustContain(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if !strings.Contains(r.body, text) {
			t.Errorf("the page (%d) lacks %q", r.status, text)
		}
	}
}
