package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"gorm.io/gorm"

	"minyi/model"
)

// A write transaction collects, while its function runs, the audit events
// it queued and the work to do once it has committed; and the store notes
// the first table it changed, so that a write that forgot its audit event
// is refused instead of committed (the ledger must hold every change).

// QueuedAudit is an audit event queued in a write transaction, with the
// value its after-summary is encoded from when the event is written (so a
// call placed before a change records the state after it).
type QueuedAudit struct {
	Event *model.AuditEvent
	After any
}

// attempt is what one attempt of a write transaction collects.
type attempt struct {
	mu          sync.Mutex
	queued      []QueuedAudit
	audited     bool
	wrote       string // the first audited table written
	afterCommit []func()
}

// ErrUnaudited is returned by Write for a transaction that changed an
// audited table without an audit event.
var ErrUnaudited = errors.New("write without an audit event")

// unauditedTables are written without an audit event: credentials,
// idempotency bookkeeping, failed-attempt counters, the ledger itself, the
// subscribe-message outbox and the notice board's snapshots (a read model
// derived from audited sign-offs).
var unauditedTables = map[string]bool{
	"refresh_tokens": true, "idempotency_records": true, "binding_failures": true,
	"sync_records": true, "login_failures": true, "audit_events": true, "audit_chains": true,
	"notifications": true, "resident_subscriptions": true, "round_reminders": true,
	"notice_snapshots": true,
}

// Write runs fn in one write transaction. The transaction commits when fn
// returns nil and every change it made is audited (QueueAudit or
// MarkAudited); then the functions given to AfterCommit run, in order.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	a := &attempt{}
	ctx = context.WithValue(ctx, attemptKey{}, a)
	err := s.db.Transaction(ctx, func(g *gorm.DB) error {
		if err := fn(&Tx{g: g, db: s.db, attempt: a}); err != nil {
			return err
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.wrote != "" && !a.audited && len(a.queued) == 0 {
			slog.Error("audit ledger", "error", "a transaction wrote "+a.wrote+" without an audit event")
			return fmt.Errorf("%w: the transaction wrote %s", ErrUnaudited, a.wrote)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, hook := range a.afterCommit {
		hook()
	}
	return nil
}

// QueueAudit queues an audit event, written by the service just before the
// commit (TakeQueuedAudits). Outside a write transaction it fails the
// transaction's next statement.
func (t *Tx) QueueAudit(e *model.AuditEvent, after any) {
	if t.attempt == nil {
		t.g.AddError(errors.New("an audit event outside a write transaction"))
		return
	}
	t.attempt.mu.Lock()
	t.attempt.queued = append(t.attempt.queued, QueuedAudit{Event: e, After: after})
	t.attempt.mu.Unlock()
}

// TakeQueuedAudits returns the events queued so far and forgets them; the
// transaction counts as audited from then on.
func (t *Tx) TakeQueuedAudits() []QueuedAudit {
	if t.attempt == nil {
		return nil
	}
	t.attempt.mu.Lock()
	defer t.attempt.mu.Unlock()
	queued := t.attempt.queued
	t.attempt.queued = nil
	if len(queued) > 0 {
		t.attempt.audited = true
	}
	return queued
}

// MarkAudited notes that the transaction appended its audit events itself
// (in a batch of its own statements).
func (t *Tx) MarkAudited() {
	if t.attempt != nil {
		t.attempt.mu.Lock()
		t.attempt.audited = true
		t.attempt.mu.Unlock()
	}
}

// AfterCommit runs fn once the transaction has committed (never when it
// rolls back); outside a write transaction, at once.
func (t *Tx) AfterCommit(fn func()) {
	if t.attempt == nil {
		fn()
		return
	}
	t.attempt.mu.Lock()
	t.attempt.afterCommit = append(t.attempt.afterCommit, fn)
	t.attempt.mu.Unlock()
}

// attemptKey finds a statement's write attempt: the GORM callbacks see only
// the statement, which carries the transaction's context.
type attemptKey struct{}

// watchWrites installs, once per database handle, the callbacks that note
// the first audited table each write attempt changes.
func watchWrites(db *model.DB) {
	if db == nil || db.Gorm.Callback().Raw().Get("minyi:watch_writes") != nil {
		return
	}
	cb := db.Gorm.Callback()
	cb.Create().After("gorm:create").Register("minyi:watch_writes", noteWrite)
	cb.Update().After("gorm:update").Register("minyi:watch_writes", noteWrite)
	cb.Delete().After("gorm:delete").Register("minyi:watch_writes", noteWrite)
	cb.Raw().After("gorm:raw").Register("minyi:watch_writes", noteWrite)
}

func noteWrite(g *gorm.DB) {
	if g.Error != nil || g.Statement == nil || g.Statement.Context == nil || g.Statement.RowsAffected == 0 {
		return
	}
	a, _ := g.Statement.Context.Value(attemptKey{}).(*attempt)
	if a == nil {
		return
	}
	table := g.Statement.Table
	if table == "" {
		table = writtenTable(g.Statement.SQL.String())
	}
	if table == "" || unauditedTables[table] {
		return
	}
	a.mu.Lock()
	if a.wrote == "" {
		a.wrote = table
	}
	a.mu.Unlock()
}

// writtenTable is the table a raw INSERT, UPDATE, DELETE or REPLACE of the
// store writes (the statements of ExecBatch).
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
