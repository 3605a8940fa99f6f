// Package api is Minyi's HTTP layer: the Gin router, middleware, handlers,
// request and response types, and the one map from service errors to statuses.
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/console"
	"minyi/service"
)

// Config is what the HTTP layer needs besides the service.
type Config struct {
	// OpenAPI is the contract served at /openapi.yaml.
	OpenAPI []byte
	// PublicBaseURL is the base of public links (notice boards, QR codes).
	PublicBaseURL string
	// DataDir is where uploaded files live.
	DataDir string
	// Logger receives the access log and errors.
	Logger *slog.Logger
	// TrustedProxies are the proxies (IPs or CIDRs) whose X-Forwarded-For
	// names the client; none by default (MINYI_TRUSTED_PROXIES).
	TrustedProxies []string
	// MetricsToken is the bearer token /metrics asks of Prometheus
	// (MINYI_METRICS_TOKEN); empty: /metrics answers 404.
	MetricsToken string
}

// API holds the handlers' dependencies.
type API struct {
	svc     *service.Service
	cfg     Config
	metrics *metrics
}

// Route is one registered route with the action that guards it, so tests can
// try every route as every role.
type Route struct {
	Method string
	Path   string // Gin syntax, e.g. /api/v1/rounds/:round_id
	Action service.Action
	// Handler is the route's handler (without the shared middleware).
	Handler gin.HandlerFunc
}

// New builds the router with every route of the API.
func New(svc *service.Service, cfg Config) (*gin.Engine, *API) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	a := &API{svc: svc, cfg: cfg, metrics: newMetrics(svc, cfg.Logger)}
	svc.SetMetrics(a.metrics)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(securityHeaders(), withRequestID(), a.metrics.instrument(), recoverPanics(cfg.Logger), accessLog(cfg.Logger), limitBody(MaxBodyBytes), canonicalPathIDs())
	_ = r.SetTrustedProxies(cfg.TrustedProxies) // none by default: the client address is the peer's, not X-Forwarded-For
	staffConsole := console.New(svc, console.Config{PublicBaseURL: cfg.PublicBaseURL, UploadDir: a.uploadDir(), TrustedProxies: cfg.TrustedProxies, Logger: cfg.Logger})
	r.NoRoute(func(c *gin.Context) {
		if console.Owns(c.Request.URL.Path) { // the staff console (its own router; not part of the JSON API's spec)
			staffConsole.ServeHTTP(c.Writer, c.Request)
			return
		}
		abortWith(c, http.StatusNotFound, "route_not_found", nil, nil)
	})
	r.NoMethod(func(c *gin.Context) { abortWith(c, http.StatusMethodNotAllowed, "method_not_allowed", nil, nil) })
	for _, rt := range a.Routes() {
		handlers := []gin.HandlerFunc{}
		if rt.Action != service.ActPublic {
			handlers = append(handlers, a.authenticate(rt.Action))
			if rt.Method == http.MethodPost || rt.Method == http.MethodPut || rt.Method == http.MethodDelete || rt.Method == http.MethodPatch {
				handlers = append(handlers, a.idempotent())
			}
		}
		handlers = append(handlers, rt.Handler)
		r.Handle(rt.Method, rt.Path, handlers...)
	}
	return r, a
}

// Routes lists every route the API registers.
func (a *API) Routes() []Route {
	var all []Route
	all = append(all, a.coreRoutes()...)
	all = append(all, a.residentRoutes()...)
	all = append(all, a.objectionRoutes()...)
	all = append(all, a.publicRoutes()...)
	all = append(all, a.workerRoutes()...)
	all = append(all, a.auditRoutes()...)
	all = append(all, a.metricsRoutes()...)
	all = append(all, a.resultObjectionRoutes()...)
	all = append(all, a.surveyRoutes()...)
	all = append(all, a.lifecycleRoutes()...)
	all = append(all, a.acceptanceRoutes()...)
	all = append(all, a.reportRoutes()...)
	return all
}

func (a *API) coreRoutes() []Route {
	return []Route{
		{"GET", "/healthz", service.ActPublic, a.healthz},
		{"GET", "/readyz", service.ActPublic, a.readyz},
		{"GET", "/openapi.yaml", service.ActPublic, a.openapi},

		{"POST", "/api/v1/auth/login", service.ActPublic, a.login},
		{"POST", "/api/v1/auth/refresh", service.ActPublic, a.refresh},
		{"POST", "/api/v1/auth/logout", service.ActPublic, a.logout},
		{"GET", "/api/v1/me", service.ActAuthenticated, a.me},

		{"POST", "/api/v1/users", service.ActManageUsers, a.createUser},
		{"GET", "/api/v1/users", service.ActManageUsers, a.listUsers},
		{"PATCH", "/api/v1/users/:user_id", service.ActManageUsers, a.updateUser},

		{"POST", "/api/v1/estates", service.ActManageEstates, a.createEstate},
		{"GET", "/api/v1/estates", service.ActReadEstate, a.listEstates},
		{"GET", "/api/v1/estates/:estate_id", service.ActReadEstate, a.getEstate},
		{"PATCH", "/api/v1/estates/:estate_id", service.ActManageEstates, a.updateEstate},
		{"PUT", "/api/v1/estates/:estate_id/staff/:user_id", service.ActManageEstates, a.assignStaff},
		{"DELETE", "/api/v1/estates/:estate_id/staff/:user_id", service.ActManageEstates, a.unassignStaff},

		{"POST", "/api/v1/estates/:estate_id/households", service.ActEditRoster, a.createHouseholds},
		{"GET", "/api/v1/estates/:estate_id/households", service.ActReadRoster, a.listHouseholds},
		{"GET", "/api/v1/households/:household_id", service.ActReadRoster, a.getHousehold},
		{"PATCH", "/api/v1/households/:household_id", service.ActEditRoster, a.updateHousehold},

		{"POST", "/api/v1/estates/:estate_id/rounds", service.ActManageRounds, a.createRound},
		{"GET", "/api/v1/estates/:estate_id/rounds", service.ActReadRounds, a.listRounds},
		{"GET", "/api/v1/rounds/:round_id", service.ActReadRounds, a.getRound},
		{"PATCH", "/api/v1/rounds/:round_id", service.ActManageRounds, a.updateRound},
		{"POST", "/api/v1/rounds/:round_id/open", service.ActGovernRounds, a.openRound},
		{"POST", "/api/v1/rounds/:round_id/close", service.ActGovernRounds, a.closeRound},

		{"PUT", "/api/v1/rounds/:round_id/signoffs/:household_id", service.ActRecordSignOffs, a.recordSignOff},
		{"DELETE", "/api/v1/rounds/:round_id/signoffs/:household_id", service.ActRecordSignOffs, a.withdrawSignOff},
		{"GET", "/api/v1/rounds/:round_id/signoffs", service.ActReadSignOffs, a.listSignOffs},
		{"GET", "/api/v1/rounds/:round_id/signoffs/:household_id/history", service.ActReadSignOffs, a.signOffHistory},
		{"GET", "/api/v1/rounds/:round_id/tally", service.ActReadTally, a.tally},
	}
}
