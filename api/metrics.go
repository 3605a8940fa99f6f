package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"minyi/service"
)

// Metric names (Prometheus); the database pool's are go_sql_* with
// db_name="minyi", the process's process_* and the Go runtime's go_*.
const (
	metricRequests        = "minyi_http_requests_total"
	metricRequestDuration = "minyi_http_request_duration_seconds"
	metricInFlight        = "minyi_http_requests_in_flight"
	metricSignOffs        = "minyi_signoffs_recorded_total"
	metricRoundsOpen      = "minyi_rounds_open"
)

// routeUnmatched labels requests no route matched (404 and 405), so that
// raw paths never become label values.
const routeUnmatched = "unmatched"

// latencyBuckets are the upper bounds of the request-duration histogram, in
// seconds: fine below 100 ms, where the service is expected to answer.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics is one router's Prometheus registry and instruments. The registry
// is private (not Prometheus's global one), so tests can build many routers.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	signOffs *prometheus.CounterVec
	// serve answers GET /metrics in Prometheus's text format.
	serve http.Handler
}

// newMetrics builds the registry: HTTP requests, sign-offs by channel, the
// rounds open, the database pool, the process and the Go runtime.
func newMetrics(svc *service.Service, logger *slog.Logger) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricRequests, Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: metricRequestDuration, Help: "Time to answer an HTTP request, by route pattern, method and status.",
			Buckets: latencyBuckets,
		}, []string{"route", "method", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metricInFlight, Help: "HTTP requests being answered now.",
		}),
		signOffs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricSignOffs, Help: "Committed changes of households' decisions (and withdrawals), by channel; never by decision.",
		}, []string{"channel"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.inFlight, m.signOffs,
		&roundsOpenCollector{svc: svc, logger: logger},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool, err := svc.SQLPool(); err == nil {
		m.registry.MustRegister(collectors.NewDBStatsCollector(pool, "minyi"))
	} else {
		logger.Warn("metrics: no database pool statistics", "error", err)
	}
	// A collector that fails is left out of the scrape instead of failing it.
	m.serve = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return m
}

// SignOffRecorded counts a committed sign-off (service.Metrics). There is
// no decision label: a scrape right after a neighbour signed would tell how.
func (m *metrics) SignOffRecorded(channel string) {
	m.signOffs.WithLabelValues(channel).Inc()
}

// knownMethods bounds the method label: anything else is "other".
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// instrument counts and times every request by route pattern (never the raw
// path), method and status.
func (m *metrics) instrument() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = routeUnmatched
		}
		method := c.Request.Method
		if !knownMethods[method] {
			method = "other"
		}
		status := strconv.Itoa(c.Writer.Status())
		m.requests.WithLabelValues(route, method, status).Inc()
		m.duration.WithLabelValues(route, method, status).Observe(time.Since(start).Seconds())
	}
}

// metricsRoutes lists the Prometheus endpoint. It needs no user token but
// the scrape token (Config.MetricsToken), checked by serveMetrics.
func (a *API) metricsRoutes() []Route {
	return []Route{
		{"GET", "/metrics", service.ActPublic, a.serveMetrics},
	}
}

// serveMetrics answers the metrics only to a scraper that sends
// "Authorization: Bearer <MINYI_METRICS_TOKEN>"; to anyone else, and to
// everyone when no token is configured, it answers 404 as for an unknown route.
func (a *API) serveMetrics(c *gin.Context) {
	if !metricsTokenMatches(a.cfg.MetricsToken, c.GetHeader("Authorization")) {
		abortWith(c, http.StatusNotFound, "route_not_found", nil, nil)
		return
	}
	a.metrics.serve.ServeHTTP(c.Writer, c.Request)
}

// metricsTokenMatches compares the bearer token of an Authorization header
// with the configured token in constant time (hashed first, so that not
// even the length is compared early). An empty configured token matches nothing.
func metricsTokenMatches(token, authorization string) bool {
	if token == "" {
		return false
	}
	sent, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		return false
	}
	want, got := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(sent))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// roundsOpenCollector computes the rounds-open gauge at scrape time with one
// COUNT query, so the figure is right whichever instance opened the round.
type roundsOpenCollector struct {
	svc    *service.Service
	logger *slog.Logger
}

var roundsOpenDesc = prometheus.NewDesc(metricRoundsOpen, "Consultation rounds open now (all estates).", nil, nil)

// Describe sends the gauge's description.
func (r *roundsOpenCollector) Describe(ch chan<- *prometheus.Desc) { ch <- roundsOpenDesc }

// Collect counts the open rounds; when the database does not answer within
// two seconds the gauge is left out of this scrape and the failure logged.
func (r *roundsOpenCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := r.svc.CountOpenRounds(ctx)
	if err != nil {
		r.logger.Warn("metrics: cannot count the open rounds", "error", err.Error())
		return
	}
	ch <- prometheus.MustNewConstMetric(roundsOpenDesc, prometheus.GaugeValue, float64(n))
}
