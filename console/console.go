// Package console is the staff console: server-rendered pages under
// /console/ for admins, community workers and designers. It is a second face
// of the same service: every read and write goes through a service method
// with the signed-in staff member as the actor, so it adds no rule of its own.
package console

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// Prefix is where the console lives.
const Prefix = "/console"

// Config is what the console needs besides the service.
type Config struct {
	// PublicBaseURL is the base of public links (QR codes, notice boards);
	// empty or a localhost address (MINYI_PUBLIC_BASE_URL unset) shows admins
	// a warning banner.
	PublicBaseURL string
	// UploadDir is where uploaded files (photos of forms, drawings) are stored.
	UploadDir string
	// TrustedProxies name the proxies whose X-Forwarded-For is believed.
	TrustedProxies []string
	// IdleTimeout ends a session after this long without a request (30 minutes by default).
	IdleTimeout time.Duration
	// MaxSessionAge ends a session this long after login (12 hours by default).
	MaxSessionAge time.Duration
	// Logger receives errors.
	Logger *slog.Logger
}

// Console serves the staff console.
type Console struct {
	svc    *service.Service
	cfg    Config
	engine *gin.Engine
	key    []byte
	pages  pageSet
}

// New builds the console over the service.
func New(svc *service.Service, cfg Config) *Console {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxSessionAge == 0 {
		cfg.MaxSessionAge = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	c := &Console{svc: svc, cfg: cfg, key: svc.ConsoleSessionKey(), pages: mustParsePages()}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	_ = e.SetTrustedProxies(cfg.TrustedProxies)
	e.Use(consoleHeaders())
	c.routes(e)
	e.NoRoute(func(g *gin.Context) { c.notFound(g) })
	c.engine = e
	return c
}

// Owns tells whether a request path belongs to the console: everything under
// /console, the bare paths people type (/, /login, /admin) that it redirects,
// and /robots.txt and /favicon.ico.
func Owns(path string) bool {
	switch path {
	case "/", "/login", "/admin", "/console", "/robots.txt", "/favicon.ico":
		return true
	}
	return strings.HasPrefix(path, Prefix+"/")
}

// ServeHTTP answers a request the console owns.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.engine.ServeHTTP(w, r) }

// consolePolicy lets pages load only the console's own scripts, styles and images.
const consolePolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// consoleHeaders sets the console's security headers.
func consoleHeaders() gin.HandlerFunc {
	return func(g *gin.Context) {
		h := g.Writer.Header()
		h.Set("Content-Security-Policy", consolePolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if g.Request.Method != http.MethodGet || !strings.HasPrefix(g.Request.URL.Path, Prefix+"/static/") {
			h.Set("Cache-Control", "no-store")
		}
		g.Next()
	}
}

func (c *Console) routes(e *gin.Engine) {
	home := func(g *gin.Context) { g.Redirect(http.StatusFound, Prefix+"/") }
	for _, p := range []string{"/", "/login", "/admin", "/console"} {
		e.GET(p, home)
	}
	e.GET("/robots.txt", robots)
	e.GET("/favicon.ico", favicon)
	e.GET(Prefix+"/favicon.ico", favicon)
	e.GET(Prefix+"/robots.txt", robots)
	e.GET(Prefix+"/sw.js", serviceWorker)
	e.StaticFS(Prefix+"/static", staticFS())
	e.GET(Prefix+"/login", c.loginForm)
	e.POST(Prefix+"/login", c.login)

	s := e.Group(Prefix, c.requireSession())
	s.POST("/logout", c.logout)
	s.GET("/", c.dashboard)
	s.GET("/rule-example", c.ruleExampleJSON)
	c.adminRoutes(s)
	c.workerRoutes(s)
	c.designerRoutes(s)
	c.printRoutes(s)
	c.offlineRoutes(s)
	c.rosterRoutes(s)
	c.disputeRoutes(s)
	c.surveyRoutes(s)
	c.lifecycleRoutes(s)
	c.acceptanceRoutes(s)
	c.reportRoutes(s)
	c.uploadRoutes(s)
}
