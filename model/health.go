package model

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// health is what the watcher knows of the database: whether it answers,
// and a context that is cancelled when it stops answering, which aborts the
// transactions waiting on it (a partition gives no error, only silence).
type health struct {
	mu      sync.Mutex
	down    bool
	outage  context.Context
	cancel  context.CancelFunc
	started bool
}

// errNotAnswering is the cause of the fast failures while the database is down.
var errNotAnswering = errors.New("the database does not answer (health check)")

// WatchHealth pings the database every interval, each ping bounded by
// timeout, until ctx ends. When a ping fails, the database is marked down:
// transactions in flight are aborted and new ones fail at once with
// ErrUnavailable (a 503), instead of each waiting on a silent connection
// until the driver's read timeout. The first successful ping marks it up
// again. An embedded SQLite file cannot go silent: there it returns at once.
func (db *DB) WatchHealth(ctx context.Context, interval, timeout time.Duration, logger *slog.Logger) {
	if db.Dialect != MySQL {
		return
	}
	db.health.mu.Lock()
	if db.health.started {
		db.health.mu.Unlock()
		return
	}
	db.health.started = true
	db.health.mu.Unlock()
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return
	}
	// The watcher keeps a connection of its own, so that a pool busy with
	// requests never makes a ping wait (and a busy database look down).
	var conn *sql.Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	ping := func(ctx context.Context) error {
		if conn == nil {
			c, err := sqlDB.Conn(ctx)
			if err != nil {
				return err
			}
			conn = c
		}
		if err := conn.PingContext(ctx); err != nil {
			conn.Close()
			conn = nil
			return err
		}
		return nil
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		pingCtx, cancel := context.WithTimeout(ctx, timeout)
		err := ping(pingCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		db.health.mu.Lock()
		changed := (err != nil) != db.health.down
		if changed && err != nil {
			db.health.down = true
			if db.health.cancel != nil {
				db.health.cancel()
			}
		} else if changed {
			db.health.down = false
			db.health.outage, db.health.cancel = nil, nil
		}
		db.health.mu.Unlock()
		if changed && err != nil {
			logger.Error("database does not answer: writes fail with 503 until it does", "error", err.Error())
		} else if changed {
			logger.Info("database answers again")
		}
	}
}

// guardOutage fails at once while the database is marked down; otherwise it
// returns ctx, cancelled if the database goes down meanwhile, and its release.
func (db *DB) guardOutage(ctx context.Context) (context.Context, func(), error) {
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	if !db.health.started {
		return ctx, func() {}, nil
	}
	if db.health.down {
		return nil, nil, wrap(ErrUnavailable, errNotAnswering)
	}
	if db.health.outage == nil {
		db.health.outage, db.health.cancel = context.WithCancel(context.Background())
	}
	guarded, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(db.health.outage, cancel)
	return guarded, func() { stop(); cancel() }, nil
}

// Down tells whether the health watcher found the database not answering.
func (db *DB) Down() bool {
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	return db.health.down
}
