package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// trustFixture is an estate with households and an open round, built through the API.
type trustFixture struct {
	srv                  *testServer
	admin, worker        string
	estateID, roundID    string
	households           []string
	estateCode, workerID string
}

func newTrustFixture(t *testing.T, db *model.DB, households int) *trustFixture {
	t.Helper()
	s := newTestServer(t, db)
	f := &trustFixture{srv: s, admin: s.adminToken(), estateCode: "trust"}
	f.workerID, f.worker = s.staff(f.admin, "trust-worker", "worker")
	var estate estateResponse
	s.must(http.StatusCreated, "POST", "/api/v1/estates", f.admin, map[string]any{"name": "信任小区", "code": f.estateCode}).decode(t, &estate)
	f.estateID = estate.ID
	s.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+f.estateID+"/staff/"+f.workerID, f.admin, map[string]string{"role": "worker"})
	for start := 0; start < households; start += 200 {
		var items []string
		for i := start; i < households && i < start+200; i++ {
			items = append(items, fmt.Sprintf(`{"building":"%d","unit":"1","room":"%d","area_m2":%d.5}`, i%4+1, 100+i, 50+i%40))
		}
		var created createHouseholdsResponse
		s.must(http.StatusCreated, "POST", "/api/v1/estates/"+f.estateID+"/households", f.worker, `{"items":[`+strings.Join(items, ",")+`]}`).decode(t, &created)
		for _, h := range created.Items {
			f.households = append(f.households, h.ID)
		}
	}
	var round roundResponse
	s.must(http.StatusCreated, "POST", "/api/v1/estates/"+f.estateID+"/rounds", f.worker, map[string]any{"title": "加装电梯意愿征询", "kind": "willingness"}).decode(t, &round)
	f.roundID = round.ID
	s.must(http.StatusOK, "POST", "/api/v1/rounds/"+f.roundID+"/open", f.admin, nil)
	return f
}

func (f *trustFixture) signOffPath(i int) string {
	return "/api/v1/rounds/" + f.roundID + "/signoffs/" + f.households[i]
}

var receiptPattern = regexp.MustCompile(`^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$`)

func TestAuditLedgerOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newTrustFixture(t, db, 3)
		s := f.srv
		signed := s.must(http.StatusOK, "PUT", f.signOffPath(0), f.worker, map[string]string{"decision": "agree", "channel": "paper", "signer_name": "王五"},
			"X-Request-Id", "req-trust-1")
		serverRequestID := signed.Header.Get("X-Request-Id") // the ledger keeps the server's id, not the client's
		var page listResponse[auditEventResponse]
		s.must(http.StatusOK, "GET", "/api/v1/estates/"+f.estateID+"/audit?limit=500", f.admin, nil).decode(t, &page)
		var signOff *auditEventResponse
		for i := range page.Items {
			if page.Items[i].Action == "signoff.record" {
				signOff = &page.Items[i]
			}
		}
		if signOff == nil || signOff.RequestID != serverRequestID || signOff.ActorID != f.workerID || signOff.ActorRole != "worker" ||
			signOff.Channel != "api" || !strings.Contains(string(signOff.After), `"decision":"agree"`) || string(signOff.Before) != "null" {
			t.Fatalf("sign-off event: %+v", signOff)
		}
		expectError(t, s.call("GET", "/api/v1/estates/"+f.estateID+"/audit", f.worker, nil), http.StatusForbidden, "forbidden")
		expectError(t, s.call("GET", "/api/v1/estates/nope/audit", f.admin, nil), http.StatusNotFound, "estate_not_found")
		expectError(t, s.call("GET", "/api/v1/estates/"+f.estateID+"/audit?limit=0", f.admin, nil), http.StatusUnprocessableEntity, "validation_failed")
	})
}

func TestReceiptsAreListedWhenTheRoundCloses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newTrustFixture(t, db, 4)
		s := f.srv
		receipts := map[int]string{}
		for i, decision := range []string{"agree", "agree", "disagree"} {
			var so signOffResponse
			s.must(http.StatusOK, "PUT", f.signOffPath(i), f.worker, map[string]string{"decision": decision, "channel": "paper", "signer_name": "户主"}).decode(t, &so)
			if !receiptPattern.MatchString(so.Receipt) {
				t.Fatalf("receipt %q", so.Receipt)
			}
			receipts[i] = so.Receipt
		}
		// A changed decision gets a new receipt; the old one is no longer counted.
		var changed signOffResponse
		s.must(http.StatusOK, "PUT", f.signOffPath(1), f.worker, map[string]string{"decision": "abstain", "channel": "paper", "signer_name": "户主"}).decode(t, &changed)
		if changed.Receipt == receipts[1] {
			t.Fatal("a changed decision kept its receipt")
		}
		ctx := context.Background()
		if _, err := s.svc.CountedReceipts(ctx, f.roundID); err == nil || !strings.Contains(err.Error(), "round_not_closed") {
			t.Fatalf("receipts of an open round: %v", err)
		}
		s.must(http.StatusOK, "POST", "/api/v1/rounds/"+f.roundID+"/close", f.admin, nil)
		counted, err := s.svc.CountedReceipts(ctx, f.roundID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{receipts[0], receipts[2], changed.Receipt}
		sort.Strings(want)
		if !equalJSON(counted.Receipts, want) {
			t.Errorf("counted receipts %v, want %v (the changed decision's first receipt must not be counted)", counted.Receipts, want)
		}
		// The public notice board lists them under the closed round.
		var board struct {
			Rounds []struct {
				ID              string   `json:"id"`
				CountedReceipts []string `json:"counted_receipts"`
			} `json:"rounds"`
		}
		s.must(http.StatusOK, "GET", "/api/v1/public/estates/"+f.estateCode, "", nil).decode(t, &board)
		if len(board.Rounds) != 1 || !equalJSON(board.Rounds[0].CountedReceipts, want) {
			t.Fatalf("the notice board lists %+v, want %v", board.Rounds, want)
		}
	})
}

func TestResidentSeesTheReceiptOfTheirDecision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		token, _ := w.bind("receipt-openid", "101")
		var mine mySignOffResponse
		w.srv.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree"}).decode(t, &mine)
		if !receiptPattern.MatchString(mine.Receipt) {
			t.Fatalf("the resident's sign-off has receipt %q", mine.Receipt)
		}
		rounds := w.myRounds(token)
		var shown string
		for _, r := range rounds {
			if r.Round.ID == w.roundID && r.MyDecision != nil {
				shown = r.MyDecision.Receipt
			}
		}
		if shown != mine.Receipt {
			t.Fatalf("my rounds show receipt %q, the sign-off gave %q", shown, mine.Receipt)
		}
		w.srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+w.roundID+"/close", w.admin, nil)
		counted, err := w.srv.svc.CountedReceipts(context.Background(), w.roundID)
		if err != nil || len(counted.Receipts) != 1 || counted.Receipts[0] != mine.Receipt {
			t.Fatalf("counted receipts %+v (%v), want the resident's %s", counted, err, mine.Receipt)
		}
	})
}
