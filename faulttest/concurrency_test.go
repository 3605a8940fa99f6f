package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"minyi/api"
	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// routerServer serves the real router in this process (so -race sees the
// server's code) with real tokens, and returns an admin client.
func routerServer(t *testing.T, db *model.DB) (*apiClient, *service.Service) {
	t.Helper()
	svc := service.New(db, service.Config{JWTSecret: []byte(jwtSecret)}, nil)
	if _, _, err := svc.EnsureAdmin(context.Background(), adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	handler, _ := api.New(svc, api.Config{PublicBaseURL: "http://minyi.test", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	c := login(t, server.URL)
	c.http = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	return c, svc
}

// hammer sends one request from each of n clients at once and returns the statuses.
func hammer(n int, request func(i int) (*reply, error)) (map[int]int, []error) {
	var mu sync.Mutex
	statuses := map[int]int{}
	var errs []error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r, err := request(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			statuses[r.status]++
		}(i)
	}
	close(start)
	wg.Wait()
	return statuses, errs
}

// verifyLedger recomputes every audit chain and fails on a break.
func verifyLedger(t *testing.T, svc *service.Service) *service.AuditReport {
	t.Helper()
	report, err := svc.VerifyAudit(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Broken) > 0 {
		t.Fatalf("audit chains broken: %+v", report.Broken)
	}
	return report
}

func TestTwoHundredClientsOnOneHouseholdOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		c, svc := routerServer(t, db)
		k := openConsultation(t, c, "one", 10)
		decisions := []string{"agree", "disagree", "abstain"}
		statuses, errs := hammer(200, func(i int) (*reply, error) {
			return c.call(context.Background(), "PUT", k.signOffPath(3), map[string]string{
				"decision": decisions[i%3], "channel": "door", "signer_name": fmt.Sprintf("签字人%d", i)})
		})
		if len(errs) > 0 || statuses[http.StatusOK] != 200 {
			t.Fatalf("statuses %v, errors %v: want 200 × 200", statuses, errs)
		}
		var rows []model.SignOff
		if err := db.Gorm.Where("round_id = ? AND household_id = ?", k.roundID, k.households[3]).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d sign-off rows for the household, want exactly 1", len(rows))
		}
		var history struct {
			Items []struct {
				Version     int    `json:"version"`
				NewDecision string `json:"new_decision"`
				SignerName  string `json:"signer_name"`
			} `json:"items"`
		}
		c.must(t, http.StatusOK, "GET", k.signOffPath(3)+"/history", nil, &history)
		last := history.Items[len(history.Items)-1]
		if last.Version != rows[0].Version || last.NewDecision != rows[0].Decision || last.SignerName != rows[0].SignerName {
			t.Fatalf("the history's last entry %+v does not match the sign-off (v%d %s %s)", last, rows[0].Version, rows[0].Decision, rows[0].SignerName)
		}
		for i, e := range history.Items {
			if e.Version != i+1 {
				t.Fatalf("history entry %d has version %d: versions must run 1, 2, 3, …", i, e.Version)
			}
		}
		if participated := tallyMatchesRecount(t, c, k.roundID); participated != 1 {
			t.Fatalf("participated %d, want 1", participated)
		}
		report := verifyLedger(t, svc)
		t.Logf("one household, 200 clients: %d changes kept in order (v%d last); %d audit events verified", len(history.Items), last.Version, report.Events)
	})
}

func TestTwoHundredClientsOnDistinctHouseholdsOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		c, svc := routerServer(t, db)
		k := openConsultation(t, c, "many", 200)
		decisions := []string{"agree", "disagree", "abstain"}
		statuses, errs := hammer(200, func(i int) (*reply, error) {
			return c.call(context.Background(), "PUT", k.signOffPath(i), map[string]string{
				"decision": decisions[i%3], "channel": "paper", "signer_name": "户主"})
		})
		if len(errs) > 0 || statuses[http.StatusOK] != 200 {
			t.Fatalf("statuses %v, errors %v: want 200 × 200", statuses, errs)
		}
		var n int64
		db.Gorm.Model(&model.SignOff{}).Where("round_id = ?", k.roundID).Count(&n)
		if n != 200 {
			t.Fatalf("%d sign-offs, want exactly 200", n)
		}
		if participated := tallyMatchesRecount(t, c, k.roundID); participated != 200 {
			t.Fatalf("participated %d, want 200", participated)
		}
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		c.must(t, http.StatusOK, "GET", "/api/v1/rounds/"+k.roundID+"/signoffs?limit=500", nil, &page)
		if len(page.Items) != 200 {
			t.Fatalf("the list shows %d sign-offs, want 200", len(page.Items))
		}
		report := verifyLedger(t, svc)
		t.Logf("200 households, 200 clients: 200 sign-offs, tally == recount; %d audit events verified", report.Events)
	})
}
