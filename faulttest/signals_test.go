package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// eachDatabase runs fn on a fresh SQLite file and, when MINYI_TEST_MYSQL_URL
// is set, on a fresh MySQL database.
func eachDatabase(t *testing.T, fn func(t *testing.T, databaseURL, dataDir string)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, "sqlite:"+dir+"/minyi.db", dir)
	})
	t.Run("mysql", func(t *testing.T) { fn(t, testdb.MySQLURL(t), t.TempDir()) })
}

// acknowledged is a sign-off the server answered with a 2xx.
type acknowledged struct {
	household int
	decision  string
	version   int
}

// burst has clients sign off their own households, changing decisions, until
// stop is closed or a request fails; it returns what was acknowledged and
// counts the answers by class.
type burst struct {
	acks     []acknowledged
	mu       sync.Mutex
	statuses map[int]int
	errors   []error
	wg       sync.WaitGroup
}

func startBurst(c *apiClient, k *consultation, clients int, stop <-chan struct{}) *burst {
	b := &burst{statuses: map[int]int{}}
	decisions := []string{"agree", "disagree", "abstain"}
	var seq atomic.Int64
	span := (len(k.households) - 1) / clients // the last household is left to the test
	for w := 0; w < clients; w++ {
		b.wg.Add(1)
		go func(w int) {
			defer b.wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				h := w + clients*(n%span)
				decision := decisions[(n+w)%3]
				r, err := c.call(context.Background(), "PUT", k.signOffPath(h),
					map[string]string{"decision": decision, "channel": "paper", "signer_name": "户主"},
					"Idempotency-Key", fmt.Sprintf("burst-%d", seq.Add(1)))
				b.mu.Lock()
				if err != nil {
					b.errors = append(b.errors, err)
					b.mu.Unlock()
					return
				}
				b.statuses[r.status]++
				if r.status == http.StatusOK {
					var so struct {
						Decision string `json:"decision"`
						Version  int    `json:"version"`
					}
					if decodeErr := json.Unmarshal(r.body, &so); decodeErr == nil {
						b.acks = append(b.acks, acknowledged{household: h, decision: so.Decision, version: so.Version})
					}
				}
				b.mu.Unlock()
				if r.status >= 500 {
					return
				}
			}
		}(w)
	}
	return b
}

// checkAcknowledged opens the database and checks that every acknowledged
// decision is in the sign-off history exactly once, and that each
// household's current version is its last acknowledged one (or one more,
// when the last request committed but its answer was lost).
func checkAcknowledged(t *testing.T, databaseURL string, k *consultation, acks []acknowledged) {
	t.Helper()
	db, err := model.Open(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last := map[int]acknowledged{}
	for _, a := range acks {
		var events []model.SignOffEvent
		if err := db.Gorm.Where("round_id = ? AND household_id = ? AND version = ?", k.roundID, k.households[a.household], a.version).
			Find(&events).Error; err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].NewDecision != a.decision {
			t.Fatalf("acknowledged %s v%d of household %d: %d history entries %+v", a.decision, a.version, a.household, len(events), events)
		}
		if a.version > last[a.household].version {
			last[a.household] = a
		}
	}
	for h, a := range last {
		var current model.SignOff
		if err := db.Gorm.Where("round_id = ? AND household_id = ?", k.roundID, k.households[h]).Take(&current).Error; err != nil {
			t.Fatalf("household %d: %v", h, err)
		}
		if current.Version != a.version && current.Version != a.version+1 {
			t.Fatalf("household %d is at version %d, its last acknowledged version is %d", h, current.Version, a.version)
		}
		if current.Version == a.version && current.Decision != a.decision {
			t.Fatalf("household %d: %s at version %d, acknowledged %s", h, current.Decision, current.Version, a.decision)
		}
	}
}

func TestSIGTERMFinishesInFlightWritesAndExitsZero(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL, dataDir string) {
		server := startServer(t, databaseURL, dataDir)
		c := login(t, server.base)
		k := openConsultation(t, c, "term", 320)

		// A request in flight when the signal arrives: its body is still
		// being sent.
		body, writer := io.Pipe()
		payload := `{"decision":"agree","channel":"door","signer_name":"慢请求"}`
		slow := make(chan *reply, 1)
		go func() {
			req, _ := http.NewRequest("PUT", server.base+k.signOffPath(len(k.households)-1), body)
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = int64(len(payload))
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
			if err != nil {
				t.Errorf("the request in flight failed: %v", err)
				slow <- nil
				return
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			slow <- &reply{status: resp.StatusCode, body: got}
		}()
		writer.Write([]byte(payload[:10]))

		stop := make(chan struct{})
		b := startBurst(c, k, 16, stop)
		time.Sleep(500 * time.Millisecond)
		server.signal(syscall.SIGTERM)
		signalled := time.Now()

		// New connections are refused at once, while the slow request is still open.
		refused := false
		for time.Since(signalled) < 2*time.Second {
			fresh := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			if _, err := fresh.Get(server.base + "/healthz"); err != nil && isRefused(err) {
				refused = true
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !refused {
			t.Fatal("new connections were still accepted 2 s after SIGTERM")
		}
		time.Sleep(300 * time.Millisecond)
		writer.Write([]byte(payload[10:]))
		writer.Close()
		r := <-slow
		if r == nil || r.status != http.StatusOK {
			t.Fatalf("the request in flight at SIGTERM answered %+v, want 200", r)
		}
		if code := server.wait(30 * time.Second); code != 0 {
			t.Fatalf("exit code %d after SIGTERM, want 0", code)
		}
		close(stop)
		b.wg.Wait()
		for status, n := range b.statuses {
			if status >= 500 {
				t.Fatalf("%d answers %d during the shutdown", n, status)
			}
		}
		for _, err := range b.errors {
			if !isRefused(err) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
				t.Fatalf("a request failed otherwise than by a refused connection: %v", err)
			}
		}
		acks := append(b.acks, acknowledged{household: len(k.households) - 1, decision: "agree", version: 1})
		checkAcknowledged(t, databaseURL, k, acks)
		t.Logf("SIGTERM: %d sign-offs acknowledged, all in the database; statuses %v; %d clients refused afterwards",
			len(acks), b.statuses, len(b.errors))
	})
}

func TestSIGKILLLosesNoAcknowledgedSignOff(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL, dataDir string) {
		server := startServer(t, databaseURL, dataDir)
		c := login(t, server.base)
		k := openConsultation(t, c, "kill", 320)
		stop := make(chan struct{})
		b := startBurst(c, k, 16, stop)
		time.Sleep(800 * time.Millisecond)
		server.signal(syscall.SIGKILL)
		server.wait(10 * time.Second)
		close(stop)
		b.wg.Wait()
		if len(b.acks) == 0 {
			t.Fatal("no sign-off was acknowledged before the kill")
		}
		restarted := startServer(t, databaseURL, dataDir)
		checkAcknowledged(t, databaseURL, k, b.acks)
		c = login(t, restarted.base)
		tallyMatchesRecount(t, c, k.roundID)
		out, code := runCommand(t, databaseURL, dataDir, "audit", "verify")
		if code != 0 || !strings.Contains(out, "no break") {
			t.Fatalf("audit verify after the kill: exit %d\n%s", code, out)
		}
		t.Logf("SIGKILL: %d acknowledged sign-offs all present exactly once; tally == recount; %s", len(b.acks), strings.TrimSpace(out))
	})
}

// TestAuditVerifyCommandNamesTheAlteredEvent alters an audit event in the
// database directly and runs "minyi audit verify".
func TestAuditVerifyCommandNamesTheAlteredEvent(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL, dataDir string) {
		server := startServer(t, databaseURL, dataDir)
		c := login(t, server.base)
		k := openConsultation(t, c, "verify", 5)
		c.must(t, http.StatusOK, "PUT", k.signOffPath(0), map[string]string{"decision": "agree", "channel": "paper", "signer_name": "甲"}, nil)
		server.signal(syscall.SIGTERM)
		server.wait(30 * time.Second)
		if out, code := runCommand(t, databaseURL, dataDir, "audit", "verify", "--estate", k.estateCode); code != 0 {
			t.Fatalf("verify of an untouched ledger: exit %d\n%s", code, out)
		}
		db, err := model.Open(databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		var event model.AuditEvent
		if err := db.Gorm.Where("action = ?", "signoff.record").Take(&event).Error; err != nil {
			t.Fatal(err)
		}
		res := db.Gorm.Exec("UPDATE audit_events SET after_summary = ? WHERE id = ?", strings.Replace(event.AfterSummary, "agree", "disagree", 1), event.ID)
		db.Close()
		if res.Error != nil || res.RowsAffected != 1 {
			t.Fatalf("tamper: %v", res.Error)
		}
		out, code := runCommand(t, databaseURL, dataDir, "audit", "verify", "--estate", k.estateCode)
		if code != 1 || !strings.Contains(out, "BROKEN") || !strings.Contains(out, event.ID) {
			t.Fatalf("verify of an altered ledger: exit %d, want 1 naming event %s\n%s", code, event.ID, out)
		}
	})
}
