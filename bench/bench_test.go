package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/api"
	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

const testAdminPassword = "bench-admin-password"

// startServer runs the real router over db in this process, with the
// development login on and an admin account, as `minyi serve` would.
func startServer(t *testing.T, db *model.DB) *httptest.Server {
	t.Helper()
	server, _ := startCountingServer(t, db)
	return server
}

// servedCounter counts the requests a server answered, by kind of request
// (classifyRequest), so that a test can hold the generator's counts against them.
type servedCounter struct {
	mu     sync.Mutex
	byKind map[string]int
}

// classifyRequest names the measured requests of the tally and notice
// scenarios; other requests are not counted.
func classifyRequest(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/rounds/") && strings.HasSuffix(path, "/tally"):
		return "tally"
	case strings.HasPrefix(path, "/notice/"):
		return "notice page"
	case strings.HasPrefix(path, "/api/v1/public/estates/"):
		return "notice JSON"
	case path == "/healthz":
		return "healthz"
	}
	return ""
}

func (c *servedCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if kind := classifyRequest(r.URL.Path); kind != "" {
			c.mu.Lock()
			c.byKind[kind]++
			c.mu.Unlock()
		}
	})
}

// take returns the counts so far and starts again from zero.
func (c *servedCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	counts := c.byKind
	c.byKind = map[string]int{}
	return counts
}

// startCountingServer is startServer that also counts the answered requests.
func startCountingServer(t *testing.T, db *model.DB) (*httptest.Server, *servedCounter) {
	t.Helper()
	svc := service.New(db, service.Config{JWTSecret: []byte("bench-secret-bench-secret-bench-secret")}, nil)
	if _, _, err := svc.EnsureAdmin(context.Background(), "admin", testAdminPassword); err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	svc.AcceptDevLogins(slog.New(slog.NewTextHandler(io.Discard, nil)))
	router, _ := api.New(svc, api.Config{OpenAPI: spec, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	served := &servedCounter{byKind: map[string]int{}}
	server := httptest.NewServer(served.wrap(router))
	t.Cleanup(server.Close)
	return server, served
}

// TestScenarios runs every scenario very briefly against an in-process
// server, so that the generator keeps working as the API changes: each must
// finish without a failed request and with a non-zero throughput.
func TestScenarios(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		server, served := startCountingServer(t, db)
		tests := []struct {
			scenario string
			args     []string
			want     []string // measurements that must be in the report
		}{
			{"signoffs", []string{"-c", "2,4", "-households", "40"}, []string{"signoff PUT"}},
			{"tally", []string{"-c", "4", "-sizes", "30,120"}, []string{"tally 30 households", "tally 120 households"}},
			{"notice", []string{"-c", "8", "-households", "40"}, []string{"notice page", "notice JSON", "healthz"}},
			{"day", []string{"-households", "60"}, []string{"day: " + kindMySignOf, "day: " + kindSync, "day: " + kindAll}},
			{"memory", []string{"-households", "30", "-pid", strconv.Itoa(os.Getpid())}, []string{"memory", "day: " + kindAll}},
			{"sync", []string{"-households", "40", "-sync-records", "20"}, []string{"sync 20 records"}},
		}
		for _, tt := range tests {
			t.Run(tt.scenario, func(t *testing.T) {
				args := append([]string{"-url", server.URL, "-scenario", tt.scenario, "-d", "250ms", "-runs", "1",
					"-admin-password", testAdminPassword}, tt.args...)
				served.take()
				rep, out := runForTest(t, args)
				checkReport(t, rep, out, tt.want)
				if tt.scenario == "signoffs" {
					checkSignOffsReachedTheServer(t, db, rep)
				}
				if tt.scenario == "tally" || tt.scenario == "notice" {
					checkCountsMatchTheServer(t, rep, served.take(), out)
				}
			})
		}
	})
}

// TestBareUpsert runs the bare MySQL transaction next to the sign-offs and
// checks the ratio is reported; it needs MySQL (MINYI_TEST_MYSQL_URL).
func TestBareUpsert(t *testing.T) {
	mysqlURL := testdb.MySQLURL(t)
	db := testdb.OpenSQLite(t)
	server := startServer(t, db)
	args := []string{"-url", server.URL, "-scenario", "signoffs", "-d", "400ms", "-runs", "2", "-c", "4",
		"-households", "40", "-mysql", mysqlURL, "-admin-password", testAdminPassword}
	rep, out := runForTest(t, args)
	checkReport(t, rep, out, []string{"signoff PUT", "bare upsert tx"})
	if ratio := rep.find("signoff PUT", 4).Extra["ratio_to_bare"]; ratio <= 0 {
		t.Errorf("ratio to the bare upsert = %v, want a positive number\n%s", ratio, out)
	}
	if !strings.Contains(out, "RATIO signoff/bare at c=4") {
		t.Errorf("the ratio is not printed:\n%s", out)
	}
	rep, out = runForTest(t, []string{"-scenario", "bare", "-d", "300ms", "-runs", "1", "-c", "2", "-mysql", mysqlURL})
	checkReport(t, rep, out, []string{"bare upsert tx"})
}

// checkSignOffsReachedTheServer compares the sign-offs the report counted
// as done with the history rows the server wrote: every counted PUT changed
// the decision, so each left one row; a PUT cut off by the end of a run is
// not counted but may still have been applied (at most one per client and
// run). A generator that counted operations it never sent, or lost, fails.
func checkSignOffsReachedTheServer(t *testing.T, db *model.DB, rep *report) {
	t.Helper()
	counted, slack := 0, 0
	for _, m := range rep.Measurements {
		if m.Name == "signoff PUT" {
			counted += m.Median.Ops - m.Median.Errors
			slack += m.Clients
		}
	}
	var written int64
	if err := db.Gorm.Model(&model.SignOffEvent{}).Count(&written).Error; err != nil {
		t.Fatal(err)
	}
	if counted == 0 || int(written) < counted || int(written) > counted+slack {
		t.Errorf("the report counted %d sign-offs, the server wrote %d history rows (allowed %d..%d)",
			counted, written, counted, counted+slack)
	}
}

// checkCountsMatchTheServer holds each measurement's operation count
// against the requests the server answered: every counted operation was
// answered, at most one per client was answered but cut off by the end of
// the run (plus one warm-up request per kind), and the run did more than the one operation per client that
// runLoad guarantees. A generator that counted requests it never sent, lost
// answered ones, or stopped after the first fails.
func checkCountsMatchTheServer(t *testing.T, rep *report, served map[string]int, out string) {
	t.Helper()
	counted, clients := map[string]int{}, map[string]int{}
	for _, m := range rep.Measurements {
		kind := classifyMeasurement(m.Name)
		counted[kind] += m.Median.Ops
		clients[kind] += m.Clients
		if m.Median.Ops <= m.Clients {
			t.Errorf("%s c=%d: %d operations, no more than the one per client the run guarantees\n%s", m.Name, m.Clients, m.Median.Ops, out)
		}
	}
	for kind, n := range counted {
		if most := n + clients[kind] + 1; served[kind] < n || served[kind] > most {
			t.Errorf("%s: the report counted %d requests, the server answered %d (allowed %d..%d)\n%s",
				kind, n, served[kind], n, most, out)
		}
	}
}

// classifyMeasurement maps a measurement's name to classifyRequest's kinds.
func classifyMeasurement(name string) string {
	if strings.HasPrefix(name, "tally ") {
		return "tally"
	}
	return name
}

func runForTest(t *testing.T, args []string) (*report, string) {
	t.Helper()
	o, err := parseOptions(args)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := scenarios[o.Scenario](ctx, o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return rep, out.String()
}

func checkReport(t *testing.T, rep *report, out string, want []string) {
	t.Helper()
	if rep.Errors() != 0 {
		t.Errorf("%d failed requests\n%s", rep.Errors(), out)
	}
	for _, name := range want {
		found := false
		for _, m := range rep.Measurements {
			if m.Name != name {
				continue
			}
			found = true
			if name == "memory" {
				if m.Extra["vm_hwm_bytes"] <= 0 || m.Extra["rss_peak_sampled_bytes"] <= 0 {
					t.Errorf("memory figures missing: %v", m.Extra)
				}
				continue
			}
			if m.Median.Throughput <= 0 || m.Median.Ops == 0 || m.Median.P99 <= 0 {
				t.Errorf("%s c=%d: no throughput or latency: %+v\n%s", name, m.Clients, m.Median, out)
			}
		}
		if !found {
			t.Errorf("no measurement %q in the report\n%s", name, out)
		}
	}
}

// TestScaleSeed seeds a tiny scale database (4 estates of 30 households, half
// the rounds closed) and checks it is what the service itself would have
// written: every estate's audit chains verify, every round's tally counters
// match a recount of its sign-offs, and the data is served (the scale
// scenario runs briefly over it without a failed request).
func TestScaleSeed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		server := startServer(t, db)
		// The seed writes through db, whose keys are the server's: no -data-key.
		o, err := parseOptions([]string{"-url", server.URL, "-scenario", "scale-seed", "-mysql", "unused", "-estates", "4",
			"-households", "120", "-seeders", "2", "-admin-password", testAdminPassword})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		ctx := context.Background()
		tag, err := seedScale(ctx, o, o.Seed, db, &out)
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		_, estates, staff, err := findScaleSeed(ctx, db, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(estates) != 4 || len(staff["worker"]) != 1 || len(staff["designer"]) != 1 {
			t.Fatalf("found %d estates, staff %v; want 4 estates, 1 worker, 1 designer", len(estates), staff)
		}
		verifier := service.New(db, service.Config{JWTSecret: []byte("bench-secret-bench-secret-bench-secret")}, nil)
		c := newClient(server.URL, 2)
		admin, err := c.login(ctx, "admin", testAdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		open, signed := 0, 0
		for _, e := range estates {
			if len(e.Households) != 30 {
				t.Errorf("estate %s has %d households, want 30", e.Code, len(e.Households))
			}
			audit, err := verifier.VerifyAudit(ctx, e.Code)
			if err != nil {
				t.Fatal(err)
			}
			// Per household a creation event, per sign-off a record event, plus the
			// estate's, the staff assignments' and the round's own events.
			if len(audit.Broken) != 0 || audit.Events < len(e.Households) {
				t.Errorf("estate %s: audit chains %d events, broken %+v", e.Code, audit.Events, audit.Broken)
			}
			var tally struct {
				Participated struct {
					Households int `json:"households"`
				} `json:"participated"`
				Recount struct {
					Matches bool `json:"matches"`
				} `json:"recount"`
			}
			if err := c.call(ctx, "GET", "/api/v1/rounds/"+e.RoundID+"/tally?recount=true", admin, nil, &tally); err != nil {
				t.Fatal(err)
			}
			var rows int64
			db.Gorm.Model(&model.SignOff{}).Where("round_id = ?", e.RoundID).Count(&rows)
			if !tally.Recount.Matches || tally.Participated.Households != int(rows) || rows == 0 {
				t.Errorf("estate %s: tally %+v, %d sign-off rows", e.Code, tally, rows)
			}
			signed += int(rows)
			if e.RoundOpen {
				open++
			}
		}
		if open != 2 {
			t.Errorf("%d rounds open, want 2 of 4", open)
		}
		if signed < 40 || signed > 110 {
			t.Errorf("%d households signed of 120, want about half of the open rounds' and 90%% of the closed ones'", signed)
		}
		o, err = parseOptions([]string{"-url", server.URL, "-scenario", "scale", "-mysql", "unused", "-tag", tag,
			"-c", "4", "-d", "300ms", "-runs", "1", "-admin-password", testAdminPassword, "-pid", strconv.Itoa(os.Getpid())})
		if err != nil {
			t.Fatal(err)
		}
		out.Reset()
		rep, err := scaleLoad(ctx, o, db, &out)
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		checkReport(t, rep, out.String(), []string{"scale: " + kindAll})
		o, err = parseOptions([]string{"-url", server.URL, "-scenario", "scale", "-mysql", "unused", "-tag", tag,
			"-rate", "40", "-each", "20ms", "-d", "300ms", "-runs", "1", "-admin-password", testAdminPassword})
		if err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if rep, err = scaleLoad(ctx, o, db, &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		checkReport(t, rep, out.String(), []string{"scale: " + kindAll, "scale alone: " + scaleEndpoints[0].name})
	})
}
