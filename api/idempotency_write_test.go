package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// TestIdempotentWriteSurvivesDisconnect: a client that sends a write with an
// Idempotency-Key and goes away before the answer still has its write
// applied, and its retry gets the real response (not a stored 499).
func TestIdempotentWriteSurvivesDisconnect(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		admin := srv.adminToken()
		body := `{"name":"断线小区"}`

		gone, hangUp := context.WithCancel(context.Background())
		// The client hangs up as soon as the server has read its request.
		req := httptest.NewRequestWithContext(gone, "POST", "/api/v1/estates", &hangUpAfterBody{Reader: strings.NewReader(body), hangUp: hangUp})
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Idempotency-Key", "create-after-disconnect")
		srv.handler.ServeHTTP(httptest.NewRecorder(), req)
		if gone.Err() == nil {
			t.Fatal("the server never read the body: the client did not hang up mid-request")
		}

		var list struct {
			Items []estateResponse `json:"items"`
		}
		srv.must(http.StatusOK, "GET", "/api/v1/estates", admin, nil).decode(t, &list)
		var created []estateResponse
		for _, e := range list.Items {
			if e.Name == "断线小区" {
				created = append(created, e)
			}
		}
		if len(created) != 1 {
			t.Fatalf("after the disconnect %d estates were created, want the one the request asked for", len(created))
		}

		retry := srv.must(http.StatusCreated, "POST", "/api/v1/estates", admin, body, "Idempotency-Key", "create-after-disconnect")
		if retry.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the retry ran the write again instead of replaying it: %s", retry.Body)
		}
		var replayed estateResponse
		retry.decode(t, &replayed)
		if replayed.ID != created[0].ID {
			t.Fatalf("the retry answered estate %s, the write created %s", replayed.ID, created[0].ID)
		}
	})
}

// TestIdempotencyAfterCrashIsNeverInProgress: when the server stops between
// the write's commit and storing its response, a retry is told the write
// was applied (idempotency_response_lost) once the response could no
// longer be on its way, never "in progress" for the rest of the day; and
// the write is not applied twice.
func TestIdempotencyAfterCrashIsNeverInProgress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		clock := &workersClock{now: time.Now().UTC()}
		srv := newTestServerAt(t, db, clock)
		admin := srv.adminToken()
		body := map[string]string{"name": "停机小区"}
		srv.must(http.StatusCreated, "POST", "/api/v1/estates", admin, body, "Idempotency-Key", "create-before-crash")

		// The crash: the write and its key committed, the response was never stored.
		err := db.Gorm.Model(&model.IdempotencyRecord{}).Where("`key` = ?", "create-before-crash").
			Updates(map[string]any{"status": 0, "content_type": "", "body": nil}).Error
		if err != nil {
			t.Fatal(err)
		}
		expectError(t, srv.call("POST", "/api/v1/estates", admin, body, "Idempotency-Key", "create-before-crash"),
			http.StatusConflict, "idempotency_in_progress")
		clock.advance(2 * time.Minute)
		lost := expectError(t, srv.call("POST", "/api/v1/estates", admin, body, "Idempotency-Key", "create-before-crash"),
			http.StatusConflict, "idempotency_response_lost")
		if lost.Error.Message == "" {
			t.Fatal("the lost response has no message")
		}

		if got := strings.Count(string(srv.must(http.StatusOK, "GET", "/api/v1/estates", admin, nil).Body), "停机小区"); got != 1 {
			t.Fatalf("the estate appears %d times after the retries, want 1", got)
		}
	})
}

// hangUpAfterBody is a request body that cancels the request's context when
// the server has read all of it: a client that disconnects mid-request.
type hangUpAfterBody struct {
	io.Reader
	hangUp context.CancelFunc
}

func (b *hangUpAfterBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF {
		b.hangUp()
	}
	return n, err
}
