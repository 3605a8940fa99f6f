// Package testdb gives each test its own fresh, migrated database: a temporary
// SQLite file and, when MINYI_TEST_MYSQL_URL is set, a new MySQL database.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql" // database/sql driver for creating test databases

	"minyi/model"
)

// Each runs fn as a subtest once per available database ("sqlite", "mysql"),
// the two in parallel: fn must not share unguarded state between its two
// runs, nor change process-wide state (the default logger, environment
// variables). Each database has a random data keyring of its own.
// MySQL runs when MINYI_TEST_MYSQL_URL is set; MINYI_TEST_REQUIRE_MYSQL=1
// makes its absence a failure instead of a skip.
func Each(t *testing.T, fn func(t *testing.T, db *model.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, OpenSQLite(t)) })
	t.Run("mysql", func(t *testing.T) { t.Parallel(); fn(t, OpenMySQL(t)) })
}

// EachInTurn runs fn as Each does, but the "mysql" subtest only after the
// "sqlite" one: for the few tests that must change process-wide state (the
// default logger whose output they inspect).
func EachInTurn(t *testing.T, fn func(t *testing.T, db *model.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, OpenMySQL(t)) })
}

// EachURL runs fn as a subtest once per available database, as Each does,
// with the URL of a fresh empty database instead of an open one: for tests
// that open it themselves, several times or with keys of their own (OpenURL).
func EachURL(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, SQLiteURL(t)) })
	t.Run("mysql", func(t *testing.T) { t.Parallel(); fn(t, MySQLURL(t)) })
}

// SQLiteURL is the URL of a SQLite database file in a temporary directory.
func SQLiteURL(t testing.TB) string { return "sqlite:" + t.TempDir() + "/test.db" }

// OpenURL opens and migrates the database at databaseURL with the options
// (model.WithKeys) and closes it when the test ends.
func OpenURL(t testing.TB, databaseURL string, options ...model.Option) *model.DB {
	t.Helper()
	db, err := model.Open(databaseURL, options...)
	if err != nil {
		t.Fatalf("open %s: %v", redacted(databaseURL), err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", redacted(databaseURL), err)
	}
	return db
}

// OpenSQLite opens a migrated SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *model.DB {
	t.Helper()
	return OpenURL(t, SQLiteURL(t))
}

// MySQLURL returns the URL of a fresh MySQL database created for this test
// (dropped when the test ends), or skips (or fails, when required) without one.
func MySQLURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("MINYI_TEST_MYSQL_URL")
	if base == "" {
		if os.Getenv("MINYI_TEST_REQUIRE_MYSQL") == "1" {
			t.Fatal("MINYI_TEST_REQUIRE_MYSQL=1 but MINYI_TEST_MYSQL_URL is not set")
		}
		t.Skip("MySQL tests skipped: set MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test to run them")
	}
	dsn, err := model.MySQLDSN(base)
	if err != nil {
		t.Fatalf("MINYI_TEST_MYSQL_URL: %v", err)
	}
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatalf("open mysql: %v", err)
	}
	defer admin.Close()
	buf := make([]byte, 6)
	rand.Read(buf)
	name := "t_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database (is MySQL up at %s?): %v", redacted(base), err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("mysql", dsn); err == nil {
			db.Exec("DROP DATABASE IF EXISTS " + name)
			db.Close()
		}
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

// OpenMySQL opens a migrated, fresh MySQL database for this test.
func OpenMySQL(t testing.TB) *model.DB {
	t.Helper()
	return OpenURL(t, MySQLURL(t))
}

func redacted(s string) string {
	if i := strings.Index(s, "@"); i >= 0 {
		return "mysql://…" + s[i:]
	}
	return s
}
