// Package store owns every SQL statement of Minyi and every difference
// between its databases (SQLite, MySQL/MariaDB, TiDB). The service keeps the
// rules and calls typed methods on a Tx; it writes no SQL text of its own.
//
// A Tx is one view of the database: inside a write transaction (the one the
// service's write path opens) or, from Store.Read, outside any transaction
// for a read. Methods are named for what they return or change
// (HouseholdByID, LockSignOff, MoveCounters) and return model types; driver
// errors come back translated by model.Translate, so callers test for
// model.ErrNotFound and model.ErrConflict with errors.Is.
package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"minyi/model"
)

// Store is the database behind the service.
type Store struct {
	db *model.DB
}

// New wraps an open database.
func New(db *model.DB) *Store {
	watchWrites(db)
	return &Store{db: db}
}

// Dialect is the database's SQL dialect.
func (s *Store) Dialect() model.Dialect { return s.db.Dialect }

// Read is a Tx outside any transaction, for reads that need no snapshot.
func (s *Store) Read(ctx context.Context) *Tx {
	return &Tx{g: s.db.Gorm.WithContext(ctx), db: s.db}
}

// Tx runs statements in one transaction (or, from Store.Read, on the pool).
type Tx struct {
	g  *gorm.DB
	db *model.DB
	// attempt is the write transaction's collected work; nil for reads
	// and for Store.Transaction.
	attempt *attempt
}

// On wraps an open GORM transaction of db. The service's write path opens
// the transaction and hands the Tx to the rules.
func On(g *gorm.DB, db *model.DB) *Tx { return &Tx{g: g, db: db} }

// Dialect is the SQL dialect of the transaction's database.
func (t *Tx) Dialect() model.Dialect { return t.db.Dialect }

// MySQL reports whether the database speaks MySQL's dialect (MySQL, MariaDB, TiDB).
func (t *Tx) MySQL() bool { return t.db.Dialect == model.MySQL }

// Context is the context the transaction's statements run under.
func (t *Tx) Context() context.Context { return t.g.Statement.Context }

// result translates a GORM result's error.
func result(g *gorm.DB) error { return model.Translate(g.Error) }

// first reads the one row q finds into dest; model.ErrNotFound when none.
func first(q *gorm.DB, dest any) error {
	return model.Translate(q.Limit(1).Take(dest).Error)
}

// ExecBatch runs statements in order and returns the rows the last one
// affected; on MySQL they travel in one round trip.
func (t *Tx) ExecBatch(statements []model.Statement) (int64, error) {
	return t.db.ExecBatch(t.g, statements)
}

// Transaction runs fn in a transaction of its own, outside the service's
// audited write path: for bookkeeping that is not a change of the record
// (failed attempts, the janitor's purges).
func (s *Store) Transaction(ctx context.Context, fn func(tx *Tx) error) error {
	return s.db.Transaction(ctx, func(g *gorm.DB) error { return fn(On(g, s.db)) })
}

// Fail makes the transaction fail with err: its next statement returns
// err and the transaction rolls back (for a step that has no error to return).
func (t *Tx) Fail(err error) { t.g.AddError(err) }

// Pool is the database's connection pool, for its statistics.
func (s *Store) Pool() (*sql.DB, error) { return s.db.Gorm.DB() }

// IsAssignedToEstate tells whether a staff user is assigned to an estate in a role.
func (t *Tx) IsAssignedToEstate(estateID, userID, role string) (bool, error) {
	var n int64
	err := t.g.Model(&model.EstateStaff{}).Where("estate_id = ? AND user_id = ? AND role = ?", estateID, userID, role).
		Count(&n).Error
	return n > 0, model.Translate(err)
}

// CountRoundsInStatus counts the rounds in a status (all estates).
func (t *Tx) CountRoundsInStatus(status string) (int64, error) {
	var n int64
	err := t.g.Model(&model.Round{}).Where("status = ?", status).Count(&n).Error
	return n, model.Translate(err)
}
