package model_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

var update = flag.Bool("update", false, "rewrite the unreleased migration of each dialect from the models")

// unreleased is the migration the generator rewrites: the changes since the
// last release. When it ships, add the next number here and never touch
// the released file again.
const unreleased = 3

// unreleasedName names the unreleased migration's file.
const unreleasedName = "0003_release_3.sql"

// renamedTables are renames since the last release, which no comparison can
// tell from a drop and a create.
var renamedTables = map[string]string{"estate_staffs": "estate_staff"}

// bareDatabases opens an empty database of each dialect (MySQL when
// MINYI_TEST_MYSQL_URL is set) without migrating it.
func bareDatabases(t *testing.T, fn func(t *testing.T, open func() *model.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func() *model.DB {
			db, err := model.Open("sqlite:" + filepath.Join(t.TempDir(), "bare.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		})
	})
	t.Run("mysql", func(t *testing.T) {
		fn(t, func() *model.DB {
			db, err := model.Open(testdb.MySQLURL(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		})
	})
}

func schemaOf(t *testing.T, db *model.DB) *model.Schema {
	t.Helper()
	s, err := model.SchemaOf(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigrationsMatchModels builds the schema with the migrations and with
// GORM's AutoMigrate from the models, and compares the two as the database
// reports them: tables, columns, keys, indexes. With -update it rewrites the
// unreleased migration instead.
func TestMigrationsMatchModels(t *testing.T) {
	bareDatabases(t, func(t *testing.T, open func() *model.DB) {
		ctx := context.Background()
		modeled := open()
		if err := modeled.AutoMigrate(ctx); err != nil {
			t.Fatal(err)
		}
		want := schemaOf(t, modeled)
		migrated := open()
		if *update {
			if err := migrated.MigrateTo(ctx, unreleased-1); err != nil {
				t.Fatal(err)
			}
			statements := model.MigrationStatements(schemaOf(t, migrated), want, renamedTables)
			path := filepath.Join("migrations", string(migrated.Dialect), unreleasedName)
			header := fmt.Sprintf("-- Release %d: the changes since the previous release, generated from the models by\n"+
				"--   go test ./model -run TestMigrationsMatchModels -update\n-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.\n\n", unreleased)
			if err := os.WriteFile(path, []byte(header+strings.Join(statements, ";\n\n")+";\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d statements)", path, len(statements))
			return
		}
		if err := migrated.MigrateTo(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if diff := schemaOf(t, migrated).Differences(want); len(diff) > 0 {
			t.Fatalf("the migrated schema differs from the models:\n  %s\n\nRegenerate the unreleased migration with\n"+
				"  MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test ./model -run TestMigrationsMatchModels -update\n"+
				"then run this test again.", strings.Join(diff, "\n  "))
		}
	})
}

func TestMigrateRefusesANewerSchema(t *testing.T) {
	bareDatabases(t, func(t *testing.T, open func() *model.DB) {
		ctx := context.Background()
		db := open()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrating twice: %v", err)
		}
		if err := db.Gorm.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', ?)", "2030-01-01 00:00:00").Error; err != nil {
			t.Fatal(err)
		}
		err := db.Migrate(ctx)
		if !errors.Is(err, model.ErrSchemaNewer) || !strings.Contains(err.Error(), "999") {
			t.Fatalf("migrating a schema at version 999: %v, want ErrSchemaNewer", err)
		}
	})
}

func TestMigrationsAreVersionedPerDialect(t *testing.T) {
	for _, d := range []model.Dialect{model.SQLite, model.MySQL} {
		ms, err := model.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) < unreleased || ms[0].Name != "0001_release_1" || ms[unreleased-1].Name+".sql" != unreleasedName {
			t.Fatalf("%s migrations: %+v", d, ms)
		}
	}
}
