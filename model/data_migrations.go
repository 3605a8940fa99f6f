package model

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DataMigration is a one-time transformation of rows that a schema
// migration made necessary. Each runs once, after the schema is complete,
// and is recorded by name in data_migrations.
type DataMigration struct {
	Name       string
	Statements []string
}

// dataMigrations are run in order, each once.
var dataMigrations = []DataMigration{
	{
		// Release 3 adds who may sign: bindings made before it become
		// owners (the column's default), and the household's first binding
		// becomes its designated signer.
		Name: "release_3_bindings_owner_and_first_signer",
		Statements: []string{
			`UPDATE resident_bindings SET relation = 'owner' WHERE relation = ''`,
			`INSERT INTO household_signers (household_id, resident_id, set_by, set_at)
			SELECT b.household_id, b.resident_id, '', b.created_at FROM resident_bindings b
			WHERE b.relation IN ('owner', 'co_owner')
			AND NOT EXISTS (SELECT 1 FROM household_signers s WHERE s.household_id = b.household_id)
			AND NOT EXISTS (SELECT 1 FROM resident_bindings o WHERE o.household_id = b.household_id
				AND o.relation IN ('owner', 'co_owner')
				AND (o.created_at < b.created_at OR (o.created_at = b.created_at AND o.id < b.id)))`,
		},
	},
}

// runDataMigrations runs the data migrations not yet recorded, each in one
// transaction with its record. The caller holds the migration lock.
func runDataMigrations(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS data_migrations (
		name VARCHAR(100) NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL)`); err != nil {
		return fmt.Errorf("data migrations: %w", err)
	}
	for _, m := range dataMigrations {
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM data_migrations WHERE name = ?", m.Name).Scan(&n); err != nil {
			return fmt.Errorf("data migration %s: %w", m.Name, err)
		}
		if n > 0 {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i, st := range m.Statements {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				tx.Rollback()
				return fmt.Errorf("data migration %s, statement %d: %w", m.Name, i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO data_migrations (name, applied_at) VALUES (?, ?)", m.Name, time.Now().UTC()); err != nil {
			tx.Rollback()
			return fmt.Errorf("data migration %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
