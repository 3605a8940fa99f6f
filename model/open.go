// Package model holds the GORM models, the schema migration and the code that
// opens the embedded SQLite database or a MySQL-compatible server.
package model

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/schema"

	"minyi/model/fieldcrypt"
)

// Dialect names the kind of database behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB is an open database with the knowledge of its dialect and, for SQLite,
// the lock that serialises writers (SQLite has one writer at a time).
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
	writeMu sync.Mutex
	health  health // see WatchHealth
	keys    *fieldcrypt.Keys
}

// Option is a setting of Open.
type Option func(*DB)

// WithKeys makes keys the database's data keys: its sealed columns are
// sealed and opened with them, its phone look-up hashes computed with them.
// Without this option the database gets a random keyring of its own
// (tests): nothing it seals opens on another handle.
func WithKeys(keys *fieldcrypt.Keys) Option { return func(db *DB) { db.keys = keys } }

// Keys is the database's keyring (see WithKeys).
func (db *DB) Keys() *fieldcrypt.Keys { return db.keys }

// Open connects to the database named by a URL: "sqlite:path/to/file.db" or
// "mysql://user:pass@host:3306/dbname".
func Open(databaseURL string, options ...Option) (*DB, error) {
	registerSecret.Do(func() { schema.RegisterSerializer("secret", secretSerializer{}) })
	cfg := &gorm.Config{
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(databaseURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, errors.New("sqlite database path is empty")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dsn := path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		g, err := gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
		return newDB(g, SQLite, options)
	case strings.HasPrefix(databaseURL, "mysql://"):
		// Statements are sent with their arguments interpolated by the
		// driver (one round trip each, no server-side prepare), and a
		// transaction may send several statements in one round trip
		// (DB.ExecBatch). Both keep the write path to few round trips.
		cfg.PrepareStmt = false
		dsn, err := MySQLDSN(databaseURL)
		if err != nil {
			return nil, err
		}
		driverCfg, err := mysqldriver.ParseDSN(dsn)
		if err != nil {
			return nil, fmt.Errorf("bad MySQL URL: %w", err)
		}
		connector, err := mysqldriver.NewConnector(driverCfg)
		if err != nil {
			return nil, err
		}
		sqlDB := sql.OpenDB(readCommitted{connector})
		g, err := gorm.Open(mysql.New(mysql.Config{Conn: sqlDB}), cfg)
		if err != nil {
			return nil, fmt.Errorf("open mysql: %w", err)
		}
		sqlDB.SetMaxOpenConns(100)
		sqlDB.SetMaxIdleConns(100)
		sqlDB.SetConnMaxLifetime(5 * time.Minute)
		return newDB(g, MySQL, options)
	default:
		return nil, fmt.Errorf("unsupported database URL %q: use sqlite:PATH or mysql://user:pass@host:port/db", redactURL(databaseURL))
	}
}

// newDB wraps an opened GORM handle and gives its statements the keys.
func newDB(g *gorm.DB, dialect Dialect, options []Option) (*DB, error) {
	db := &DB{Gorm: g, Dialect: dialect}
	for _, option := range options {
		option(db)
	}
	if db.keys == nil {
		db.keys = fieldcrypt.RandomKeys()
	}
	if err := attachKeys(g, db.keys); err != nil {
		if sqlDB, derr := g.DB(); derr == nil {
			sqlDB.Close()
		}
		return nil, err
	}
	return db, nil
}

// MySQLDSN turns mysql://user:pass@host:port/db?params into a go-sql-driver DSN
// with the settings the service relies on (utf8mb4, UTC times, timeouts).
func MySQLDSN(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme != "mysql" || u.Host == "" {
		return "", fmt.Errorf("bad MySQL URL %q: want mysql://user:pass@host:port/dbname", redactURL(databaseURL))
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return "", fmt.Errorf("bad MySQL URL %q: the database name is missing", redactURL(databaseURL))
	}
	user := u.User.Username()
	pass, _ := u.User.Password()
	host := u.Host
	if u.Port() == "" {
		host += ":3306"
	}
	params := url.Values{}
	params.Set("charset", "utf8mb4")
	params.Set("collation", "utf8mb4_unicode_ci")
	params.Set("parseTime", "true")
	params.Set("loc", "UTC")
	params.Set("timeout", "2s")
	params.Set("readTimeout", "30s")
	params.Set("writeTimeout", "30s")
	params.Set("interpolateParams", "true")
	params.Set("multiStatements", "true")
	for k, vs := range u.Query() {
		params[k] = vs
	}
	return fmt.Sprintf("%s:%s@tcp(%s)/%s?%s", user, pass, host, name, params.Encode()), nil
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Transaction runs fn in one database transaction; on SQLite, write
// transactions are serialised in the process so that they never fail with
// "database is locked".
func (db *DB) Transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	ctx, release, err := db.guardOutage(ctx)
	if err != nil {
		return err
	}
	defer release()
	if db.Dialect == SQLite {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	err = db.Gorm.WithContext(ctx).Transaction(fn)
	if err != nil && db.Down() {
		return wrap(ErrUnavailable, err) // aborted by the health watcher
	}
	return Translate(err)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return sqlDB.PingContext(ctx)
}

// Close releases the connections.
func (db *DB) Close() error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// ConnectTimeout bounds the opening of a MySQL connection: dial, handshake
// and session setup.
const ConnectTimeout = 1500 * time.Millisecond

// readCommitted sets READ COMMITTED on every new MySQL connection. Under the
// default REPEATABLE READ, locking a sign-off row that does not exist yet
// takes a gap lock, and two first sign-offs in the same gap deadlock; READ
// COMMITTED takes no gap locks (the unique index still guarantees one row per
// household). The statement is standard, so MySQL, MariaDB and TiDB accept it.
type readCommitted struct{ driver.Connector }

func (c readCommitted) Connect(ctx context.Context) (driver.Conn, error) {
	// The DSN's timeout bounds only the TCP dial; this bounds the handshake
	// too, so a database that accepts and never answers fails a request in
	// well under 2 s (503) instead of hanging until the read timeout.
	ctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	defer cancel()
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	execer, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("mysql connection cannot execute statements")
	}
	if _, err := execer.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", nil); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// Statement is one SQL statement with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// ExecBatch runs statements in order in the transaction tx and returns the
// rows affected by the last one. On MySQL they travel in one round trip.
func (db *DB) ExecBatch(tx *gorm.DB, statements []Statement) (int64, error) {
	if db.Dialect == MySQL && len(statements) > 1 {
		var sqlText strings.Builder
		var args []any
		for i, st := range statements {
			if i > 0 {
				sqlText.WriteString(";\n")
			}
			sqlText.WriteString(st.SQL)
			args = append(args, st.Args...)
		}
		res := tx.Exec(sqlText.String(), args...)
		return res.RowsAffected, res.Error
	}
	var affected int64
	for _, st := range statements {
		res := tx.Exec(st.SQL, st.Args...)
		if res.Error != nil {
			return 0, res.Error
		}
		affected = res.RowsAffected
	}
	return affected, nil
}
