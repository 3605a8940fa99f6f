package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The few statements every subject needs, for any model type. Everything
// else is a method named for its subject (households.go, rounds.go, ...).

// ByID reads the row of type T with this id; model.ErrNotFound when none.
func ByID[T any](t *Tx, id string) (T, error) {
	var row T
	err := first(t.g.Where("id = ?", id), &row)
	return row, err
}

// LockByID reads the row of type T with this id and locks it until the
// transaction ends (SELECT ... FOR UPDATE; SQLite serialises writers anyway).
func LockByID[T any](t *Tx, id string) (T, error) {
	var row T
	err := first(t.locking().Where("id = ?", id), &row)
	return row, err
}

// Insert writes new rows: a pointer to one model value or a slice of them.
func (t *Tx) Insert(rows any) error { return result(t.g.Create(rows)) }

// locking is the transaction with FOR UPDATE on the next read.
func (t *Tx) locking() *gorm.DB {
	return t.g.Clauses(clause.Locking{Strength: "UPDATE"})
}
