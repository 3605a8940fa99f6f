package api

import (
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"minyi/model"
	"minyi/service"
)

// noticeClock is a clock the notice tests move by hand: snapshots of the
// public figures wait for 15 minutes of it.
type noticeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *noticeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *noticeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newNoticeServer is a test server whose service runs on a noticeClock,
// starting now.
func newNoticeServer(t *testing.T, db *model.DB) (*testServer, *noticeClock) {
	t.Helper()
	clock := &noticeClock{now: time.Now().UTC()}
	srv := newTestServer(t, db)
	srv.svc = service.New(db, service.Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)
	srv.handler, srv.api = New(srv.svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn",
		DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MetricsToken: testMetricsToken})
	return srv, clock
}

// publishAfter moves the clock past the snapshot interval, so that the next
// board asked for shows every change made so far (when at least 5 households changed).
func (c *noticeClock) publishAfter() { c.advance(service.NoticeBatchInterval + time.Second) }
