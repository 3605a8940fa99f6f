package api

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	minyimodel "minyi/model"
	"minyi/model/testdb"
)

// testMetricsToken is the scrape token of the test servers.
const testMetricsToken = "test-metrics-token-0123456789"

// scrape reads /metrics with the scrape token and parses it as Prometheus's text format.
func scrape(t *testing.T, srv *testServer) map[string]*dto.MetricFamily {
	t.Helper()
	resp := srv.must(http.StatusOK, "GET", "/metrics", "", nil, "Authorization", "Bearer "+testMetricsToken)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("/metrics Content-Type = %q, want text/plain", ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(resp.Body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text format: %v\n%s", err, resp.Body)
	}
	return families
}

// series finds the metric of a family whose labels are exactly these.
func series(families map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	family := families[name]
	if family == nil {
		return nil
	}
	for _, m := range family.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if match {
			return m
		}
	}
	return nil
}

// value is a counter's, gauge's or histogram's count (-1 when absent).
func value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

func TestMetrics(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *minyimodel.DB) {
		w := newResidentWorld(t, db)
		srv := w.srv
		roundPath := "/api/v1/rounds/" + w.roundID

		for range 3 {
			srv.must(http.StatusOK, "GET", "/healthz", "", nil)
		}
		srv.must(http.StatusNotFound, "GET", "/no/such/page-1", "", nil)
		srv.must(http.StatusNotFound, "GET", "/no/such/page-2", "", nil)
		srv.must(http.StatusMethodNotAllowed, "POST", "/healthz", "", nil)

		w.staffSignOff("101", "agree", "张三")
		w.staffSignOff("101", "agree", "张三") // the same decision again changes nothing
		srv.must(http.StatusOK, "PUT", roundPath+"/signoffs/"+w.household["102"], w.worker,
			map[string]string{"decision": "disagree", "channel": "door", "signer_name": "李四"})
		srv.must(http.StatusNoContent, "DELETE", roundPath+"/signoffs/"+w.household["101"], w.worker, nil)
		resident, _ := w.bind("metrics-resident", "103")
		srv.must(http.StatusOK, "PUT", w.mySignOffPath(), resident, map[string]string{"decision": "agree"})
		// Refused writes are not counted: a household of another estate, a closed round.
		srv.must(http.StatusNotFound, "PUT", roundPath+"/signoffs/"+w.otherHouse, w.admin,
			map[string]string{"decision": "agree", "channel": "paper", "signer_name": "王五"})
		srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+w.otherRound+"/close", w.admin, nil)
		srv.must(http.StatusConflict, "PUT", "/api/v1/rounds/"+w.otherRound+"/signoffs/"+w.otherHouse, w.admin,
			map[string]string{"decision": "agree", "channel": "paper", "signer_name": "王五"})

		families := scrape(t, srv)

		t.Run("requests by route pattern, method and status", func(t *testing.T) {
			checks := []struct {
				name   string
				labels map[string]string
				want   float64
			}{
				{"healthz", map[string]string{"route": "/healthz", "method": "GET", "status": "200"}, 3},
				{"unknown paths share one label", map[string]string{"route": routeUnmatched, "method": "GET", "status": "404"}, 2},
				{"wrong method", map[string]string{"route": routeUnmatched, "method": "POST", "status": "405"}, 1},
				{"sign-offs by pattern", map[string]string{"route": "/api/v1/rounds/:round_id/signoffs/:household_id", "method": "PUT", "status": "200"}, 3},
				{"refused sign-off", map[string]string{"route": "/api/v1/rounds/:round_id/signoffs/:household_id", "method": "PUT", "status": "409"}, 1},
			}
			for _, c := range checks {
				if got := value(series(families, metricRequests, c.labels)); got != c.want {
					t.Errorf("%s: %s%v = %v, want %v", c.name, metricRequests, c.labels, got, c.want)
				}
				if got := value(series(families, metricRequestDuration, c.labels)); got != c.want {
					t.Errorf("%s: %s%v count = %v, want %v", c.name, metricRequestDuration, c.labels, got, c.want)
				}
			}
			for _, m := range families[metricRequests].GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "route" && strings.Contains(l.GetValue(), "page-") {
						t.Errorf("a raw path became a label value: %s", l.GetValue())
					}
				}
			}
			h := series(families, metricRequestDuration, map[string]string{"route": "/healthz", "method": "GET", "status": "200"})
			if h == nil || len(h.Histogram.GetBucket()) < len(latencyBuckets) || h.Histogram.GetSampleSum() <= 0 {
				t.Errorf("the latency histogram of /healthz has no buckets or no time: %v", h)
			}
		})

		t.Run("sign-offs counted after commit, by channel, never by decision", func(t *testing.T) {
			// A staff withdrawal through the API has the actor's channel, api.
			want := map[string]float64{"paper": 1, "api": 1, "door": 1, "online": 1}
			got := map[string]float64{}
			for _, m := range families[metricSignOffs].GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if _, ok := labels["decision"]; ok || len(labels) != 1 {
					t.Errorf("%s has labels %v; only channel is allowed", metricSignOffs, labels)
				}
				got[labels["channel"]] = m.GetCounter().GetValue()
			}
			if len(got) != len(want) {
				t.Errorf("sign-off series %v, want %v", keys(got), keys(want))
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s{%s} = %v, want %v", metricSignOffs, k, got[k], v)
				}
			}
		})

		t.Run("rounds open and the database pool", func(t *testing.T) {
			if got := value(series(families, metricRoundsOpen, map[string]string{})); got != 1 {
				t.Errorf("%s = %v, want 1 (one of the two rounds was closed)", metricRoundsOpen, got)
			}
			pool := map[string]string{"db_name": "minyi"}
			if got := value(series(families, "go_sql_max_open_connections", pool)); got < 1 {
				t.Errorf("go_sql_max_open_connections = %v, want the pool's limit", got)
			}
			if series(families, "go_sql_open_connections", pool) == nil {
				t.Error("no go_sql_open_connections series")
			}
			if families["process_resident_memory_bytes"] == nil || families["go_goroutines"] == nil {
				t.Error("no process or Go runtime metrics")
			}
		})

		t.Run("each router has its own registry", func(t *testing.T) {
			other := newTestServer(t, db)
			fresh := scrape(t, other)
			if got := value(series(fresh, metricRequests, map[string]string{"route": "/healthz", "method": "GET", "status": "200"})); got != -1 {
				t.Errorf("a new router reports the old router's requests: %v", got)
			}
		})
	})
}

func keys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestMetricsNeedTheScrapeToken fails on the code before the token, where
// anyone on the public listener read /metrics.
func TestMetricsNeedTheScrapeToken(t *testing.T) {
	db := testdb.OpenSQLite(t)
	srv := newTestServer(t, db)
	for _, header := range []string{"", "Bearer", "Bearer ", "Bearer wrong-token", "Bearer " + testMetricsToken + "x",
		"bearer " + testMetricsToken, "Basic " + testMetricsToken, testMetricsToken} {
		var resp *testResponse
		if header == "" {
			resp = srv.must(http.StatusNotFound, "GET", "/metrics", "", nil)
		} else {
			resp = srv.must(http.StatusNotFound, "GET", "/metrics", "", nil, "Authorization", header)
		}
		if resp.errorCode() != "route_not_found" || bytes.Contains(resp.Body, []byte(metricRequests)) {
			t.Fatalf("Authorization %q: %s", header, resp.Body)
		}
	}
	scrape(t, srv) // the right token: 200 and Prometheus text

	unset := newTestServer(t, db)
	unset.api.cfg.MetricsToken = ""
	if code := unset.must(http.StatusNotFound, "GET", "/metrics", "", nil, "Authorization", "Bearer ").errorCode(); code != "route_not_found" {
		t.Fatalf("without a configured token: %q", code)
	}
	if code := unset.must(http.StatusNotFound, "GET", "/metrics", "", nil, "Authorization", "Bearer "+testMetricsToken).errorCode(); code != "route_not_found" {
		t.Fatalf("without a configured token, any token: %q", code)
	}
}
