package service

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"minyi/model"
	"minyi/store"
)

// The audit guard makes a forgotten audit call visible: GORM callbacks note
// every table a transaction of Service.inTx writes, and when the
// transaction wrote a table outside unauditedTables without calling
// s.audit, it fails (in tests) or logs an error (in production).

// unauditedTables are written without an audit event: credentials,
// idempotency bookkeeping, failed-attempt counters, the ledger itself and
// the notice board's snapshots (a read model derived from audited sign-offs).
var unauditedTables = map[string]bool{
	"refresh_tokens": true, "idempotency_records": true, "binding_failures": true,
	"sync_records": true, "login_failures": true, "audit_events": true, "audit_chains": true,
	// the subscribe-message outbox and its bookkeeping (notifications*.go)
	"notifications": true, "resident_subscriptions": true, "round_reminders": true,
	"notice_snapshots": true,
}

type auditScopeKey struct{}

// auditScope records, for one transaction attempt, what it wrote and whether it audited.
type auditScope struct {
	mu      sync.Mutex
	wrote   string
	audited bool
	pending []pendingEvent
}

// pendingEvent is an event queued by s.audit with its after-summary, which
// is encoded when the event is written.
type pendingEvent struct {
	event *model.AuditEvent
	after any
}

// scopeOf is the audit scope of tx's transaction, or nil outside inTx.
func scopeOf(tx *store.Tx) *auditScope {
	if tx.Gorm().Statement == nil || tx.Gorm().Statement.Context == nil {
		return nil
	}
	scope, _ := tx.Gorm().Statement.Context.Value(auditScopeKey{}).(*auditScope)
	return scope
}

// registerAuditGuard installs the callbacks once per database handle.
func registerAuditGuard(db *model.DB) {
	if db == nil || db.Gorm.Callback().Raw().Get("minyi:audit_guard") != nil {
		return
	}
	cb := db.Gorm.Callback()
	cb.Create().After("gorm:create").Register("minyi:audit_guard", noteWrite)
	cb.Update().After("gorm:update").Register("minyi:audit_guard", noteWrite)
	cb.Delete().After("gorm:delete").Register("minyi:audit_guard", noteWrite)
	cb.Raw().After("gorm:raw").Register("minyi:audit_guard", noteWrite)
}

func noteWrite(db *gorm.DB) {
	if db.Error != nil || db.Statement == nil || db.Statement.Context == nil {
		return
	}
	scope, _ := db.Statement.Context.Value(auditScopeKey{}).(*auditScope)
	if scope == nil || db.Statement.RowsAffected == 0 {
		return
	}
	table := db.Statement.Table
	if table == "" {
		table = writtenTable(db.Statement.SQL.String())
	}
	if table == "" || unauditedTables[table] {
		return
	}
	scope.mu.Lock()
	if scope.wrote == "" {
		scope.wrote = table
	}
	scope.mu.Unlock()
}

// writtenTable is the table a raw INSERT, UPDATE, DELETE or REPLACE writes.
func writtenTable(sql string) string {
	words := strings.Fields(sql)
	if len(words) < 2 {
		return ""
	}
	i := 1
	switch strings.ToUpper(words[0]) {
	case "INSERT", "REPLACE":
		if strings.EqualFold(words[1], "INTO") || strings.EqualFold(words[1], "IGNORE") {
			i = 2
		}
		if i < len(words) && strings.EqualFold(words[i], "INTO") {
			i++
		}
	case "DELETE":
		i = 2 // DELETE FROM t
	case "UPDATE":
	default:
		return ""
	}
	if i >= len(words) {
		return ""
	}
	name := strings.Trim(words[i], "`\"")
	if cut := strings.IndexAny(name, "( "); cut >= 0 {
		name = name[:cut]
	}
	return name
}

// markAudited notes that the transaction of tx appended an audit event.
func markAudited(tx *store.Tx) {
	if scope := scopeOf(tx); scope != nil {
		scope.mu.Lock()
		scope.audited = true
		scope.mu.Unlock()
	}
}

// guardAudit wraps one attempt of a transaction: it gives the transaction a
// fresh scope; after fn succeeded it writes the events fn queued with
// s.audit and refuses to commit writes that were not audited (in tests; in
// production the omission is logged).
func (s *Service) guardAudit(ctx context.Context, fn func(tx *store.Tx) error) (context.Context, func(tx *store.Tx) error) {
	scope := &auditScope{}
	ctx = context.WithValue(ctx, auditScopeKey{}, scope)
	return ctx, func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		scope.mu.Lock()
		pending := scope.pending
		scope.pending = nil
		scope.mu.Unlock()
		if err := s.writeAuditEvents(tx, pending); err != nil {
			return err
		}
		scope.mu.Lock()
		defer scope.mu.Unlock()
		if scope.wrote == "" || scope.audited || len(pending) > 0 {
			return nil
		}
		err := fmt.Errorf("transaction wrote %s without an audit event: call s.audit(tx, ...) before the transaction ends", scope.wrote)
		if testing.Testing() {
			return err
		}
		slog.Error("audit ledger", "error", err.Error())
		return nil
	}
}

// writeAuditEvents appends queued events: in one round trip on MySQL, one
// event after another on SQLite (each reads the head the previous one wrote).
func (s *Service) writeAuditEvents(tx *store.Tx, events []pendingEvent) error {
	if s.db.Dialect == model.MySQL {
		ensured := map[string]bool{}
		for _, p := range events {
			if !ensured[p.event.EstateID] {
				if err := s.ensureChainHeads(tx, p.event.EstateID); err != nil {
					return err
				}
				ensured[p.event.EstateID] = true
			}
		}
	}
	var batch []model.Statement
	for _, p := range events {
		p.event.AfterSummary = auditSummary(p.after)
		statements, err := s.appendAuditEvent(tx, p.event)
		if err != nil {
			return err
		}
		if s.db.Dialect == model.MySQL {
			batch = append(batch, statements...)
			continue
		}
		if _, err := tx.ExecBatch(statements); err != nil {
			return err
		}
	}
	if len(batch) > 0 {
		_, err := tx.ExecBatch(batch)
		return err
	}
	return nil
}
