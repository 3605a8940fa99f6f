package service

import (
	"context"
	"database/sql"
	"sync/atomic"

	"minyi/model"
	"minyi/store"
)

// Metrics receives counts of what the service committed, for monitoring.
// The HTTP layer sets a Prometheus implementation at start (SetMetrics); the
// service itself knows nothing of Prometheus.
type Metrics interface {
	// SignOffRecorded counts one committed change of a household's decision
	// (or a withdrawal) through a channel. The decision is deliberately not
	// passed: counters by decision would tell a watcher how a neighbour decided.
	SignOffRecorded(channel string)
}

// metricsHolder lets SetMetrics run while requests are served.
type metricsHolder struct{ m atomic.Pointer[Metrics] }

// SetMetrics sets where committed sign-offs are counted (nil: nowhere).
func (s *Service) SetMetrics(m Metrics) {
	if m == nil {
		s.metrics.m.Store(nil)
		return
	}
	s.metrics.m.Store(&m)
}

// noteSignOff counts a decision written in tx's transaction once it has
// committed (a transaction that rolls back counts nothing).
func (s *Service) noteSignOff(tx *store.Tx, so *model.SignOff) {
	channel := so.Channel
	tx.AfterCommit(func() {
		if p := s.metrics.m.Load(); p != nil {
			(*p).SignOffRecorded(channel)
		}
	})
}

// CountOpenRounds counts the rounds open now, in one COUNT query
// (for the rounds-open gauge, computed when metrics are scraped).
func (s *Service) CountOpenRounds(ctx context.Context) (int64, error) {
	n, err := s.read(ctx).CountRoundsInStatus(RoundOpen)
	if err != nil {
		return 0, AsError(err)
	}
	return n, nil
}

// SQLPool is the connection pool of the database, for its statistics.
func (s *Service) SQLPool() (*sql.DB, error) { return s.store.Pool() }
