package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"sync/atomic"
	"syscall"
	"time"

	"minyi/model"
)

// bareTablePrefix names the scratch table of the bare upsert (one per
// bench process, dropped afterwards).
const bareTablePrefix = "bench_bare_signoffs_"

// bareUpsert is the floor a sign-off is compared with: one transaction that
// upserts one row on a unique key, through the same driver, connector and
// pool settings as the server (model.Open), with nothing else.
type bareUpsert struct {
	db         *model.DB
	sql        *sql.DB
	table      string
	roundID    string
	households int
	counter    atomic.Int64
}

// openBare connects to MySQL and creates the scratch table.
func openBare(ctx context.Context, mysqlURL string, households int) (*bareUpsert, error) {
	db, err := model.Open(mysqlURL)
	if err != nil {
		return nil, fmt.Errorf("-mysql: %w", err)
	}
	pool, err := db.Gorm.DB()
	if err != nil {
		return nil, err
	}
	table := bareTablePrefix + newSuffix()
	_, err = pool.ExecContext(ctx, `CREATE TABLE `+table+` (
		id varchar(36) NOT NULL PRIMARY KEY,
		round_id varchar(36) NOT NULL,
		household_id varchar(36) NOT NULL,
		decision varchar(16) NOT NULL,
		version int NOT NULL,
		recorded_at datetime(6) NOT NULL,
		UNIQUE KEY ux_bench_round_household (round_id, household_id)
	) CHARACTER SET utf8mb4`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("create %s: %w", table, err)
	}
	return &bareUpsert{db: db, sql: pool, table: table, roundID: randomID(), households: households}, nil
}

// op is one bare transaction: BEGIN; INSERT ... ON DUPLICATE KEY UPDATE; COMMIT.
func (b *bareUpsert) op(ctx context.Context, _ int) error {
	n := int(b.counter.Add(1) - 1)
	household := fmt.Sprintf("household-%08d", n%b.households)
	decision := decisions[(n/b.households)%len(decisions)]
	tx, err := b.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+b.table+` (id, round_id, household_id, decision, version, recorded_at)
		VALUES (?, ?, ?, ?, 1, ?)
		ON DUPLICATE KEY UPDATE decision = VALUES(decision), version = version + 1, recorded_at = VALUES(recorded_at)`,
		randomID(), b.roundID, household, decision, time.Now().UTC())
	if err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// close drops the scratch table and disconnects.
func (b *bareUpsert) close() {
	b.sql.Exec("DROP TABLE IF EXISTS " + b.table)
	b.db.Close()
}

// randomID is a random 36-character id, the size of the service's UUIDs.
func randomID() string {
	buf := make([]byte, 18)
	rand.Read(buf)
	return hex.EncodeToString(buf)
}

// tableSize is one table's exact row count and InnoDB's data and index bytes.
type tableSize struct {
	Name                   string
	Rows                   int64
	DataBytes, IndexBytes  int64
	BytesPerRowWithIndexes float64
}

// tableSizes refreshes the statistics of every table of the MySQL database
// and reads their sizes from information_schema (rows counted exactly).
func tableSizes(ctx context.Context, mysqlURL string) ([]tableSize, error) {
	db, err := model.Open(mysqlURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	pool, err := db.Gorm.DB()
	if err != nil {
		return nil, err
	}
	rows, err := pool.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, name)
	}
	rows.Close()
	var sizes []tableSize
	for _, name := range names {
		if _, err := pool.ExecContext(ctx, "ANALYZE TABLE `"+name+"`"); err != nil {
			return nil, err
		}
		t := tableSize{Name: name}
		if err := pool.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+name+"`").Scan(&t.Rows); err != nil {
			return nil, err
		}
		if err := pool.QueryRowContext(ctx, `SELECT data_length, index_length FROM information_schema.tables
			WHERE table_schema = DATABASE() AND table_name = ?`, name).Scan(&t.DataBytes, &t.IndexBytes); err != nil {
			return nil, err
		}
		if t.Rows > 0 {
			t.BytesPerRowWithIndexes = float64(t.DataBytes+t.IndexBytes) / float64(t.Rows)
		}
		sizes = append(sizes, t)
	}
	return sizes, nil
}

// printTableSizes writes the table sizes, largest first in the order read.
func printTableSizes(out io.Writer, sizes []tableSize) {
	fmt.Fprintf(out, "  %-24s %10s %12s %12s %10s\n", "table", "rows", "data bytes", "index bytes", "bytes/row")
	for _, t := range sizes {
		if t.Rows == 0 {
			continue
		}
		fmt.Fprintf(out, "  %-24s %10d %12d %12d %10.0f\n", t.Name, t.Rows, t.DataBytes, t.IndexBytes, t.BytesPerRowWithIndexes)
	}
}

// noteFileLimit warns when the open-file limit is too low for this many
// connections (each needs a descriptor in the client and in the server).
func noteFileLimit(out io.Writer, conns int) {
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		return
	}
	if limit.Cur < uint64(conns)+256 {
		fmt.Fprintf(out, "  WARNING: open-file limit %d is low for %d connections; raise it (ulimit -n 65536) in this shell and the server's\n", limit.Cur, conns)
	}
}
