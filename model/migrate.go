package model

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Models lists every table of the schema, in an order that satisfies references.
func Models() []any {
	return []any{
		&User{}, &RefreshToken{}, &Estate{}, &EstateStaff{}, &Household{},
		&Round{}, &RoundMember{}, &SignOff{}, &SignOffEvent{}, &TallyCounter{},
		&IdempotencyRecord{},
		&Objection{}, &ObjectionEvent{}, &Revision{}, &RevisionObjection{}, &Upload{}, &RoundOpenOverride{},
		&Resident{}, &ResidentBinding{}, &BindingCode{}, &BindingFailure{}, &ModerationItem{},
		&Visit{}, &SyncRecord{},
		&AuditChain{}, &AuditEvent{},
		&LoginFailure{},
		&LoginAddress{},
		&ResultObjection{},
		&HouseholdSigner{}, &ResidentSubscription{}, &Notification{}, &RoundReminder{},
		&NoticeSnapshot{},
		&Survey{}, &SurveyResponse{},
		&EstateStage{}, &EstatePrecondition{}, &EstateSite{},
		&Acceptance{}, &AcceptanceItem{}, &AcceptanceSignature{},
		&ProblemReport{},
	}
}

// The schema is built by versioned SQL migrations embedded in the binary,
// one set per dialect: migrations/<dialect>/NNNN_name.sql. They are
// generated from the models (go test ./model -run TestMigrationsMatchModels
// -update rewrites the newest, unreleased one) and applied in order; each
// applied version is recorded in schema_migrations.
//
//go:embed migrations/sqlite/*.sql migrations/mysql/*.sql
var migrationFiles embed.FS

// Migration is one embedded migration.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ErrSchemaNewer reports a database migrated by a newer release than this binary.
var ErrSchemaNewer = errors.New("the database schema is newer than this program")

// Migrations lists the embedded migrations of a dialect, oldest first.
func Migrations(dialect Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		number, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(number)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: the name must be NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: version, Name: strings.TrimSuffix(e.Name(), ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3, …", m.Name)
		}
	}
	return out, nil
}

// Migrate applies the migrations the database has not applied yet. It
// refuses (ErrSchemaNewer) a database whose schema a newer release migrated.
func (db *DB) Migrate(ctx context.Context) error {
	return db.MigrateTo(ctx, 0)
}

// MigrateTo applies the pending migrations up to and including version
// (0: all of them).
func (db *DB) MigrateTo(ctx context.Context, version int) error {
	migrations, err := Migrations(db.Dialect)
	if err != nil {
		return err
	}
	if version == 0 || version > len(migrations) {
		version = len(migrations)
	}
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate schema: %w", Translate(err))
	}
	defer conn.Close()
	if db.Dialect == MySQL {
		// Instances starting together migrate one after another.
		var locked sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('minyi_schema_migrations', 120)").Scan(&locked); err != nil || locked.Int64 != 1 {
			return fmt.Errorf("migrate schema: could not take the migration lock: %v", err)
		}
		defer conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK('minyi_schema_migrations')")
	} else {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	applied, err := appliedVersion(ctx, conn)
	if err != nil {
		return fmt.Errorf("migrate schema: %w", Translate(err))
	}
	if applied > len(migrations) {
		return fmt.Errorf("%w: the database is at schema version %d and this program knows versions up to %d; run the newer release",
			ErrSchemaNewer, applied, len(migrations))
	}
	for _, m := range migrations[applied:version] {
		if err := db.apply(ctx, conn, m); err != nil {
			return err
		}
	}
	if version == len(migrations) {
		return runDataMigrations(ctx, conn) // the schema is complete: transform rows once
	}
	return nil
}

// appliedVersion creates the migrations table if needed and returns the
// highest applied version. A database that has tables but no record was
// built by release 1 (which created its schema with GORM's AutoMigrate):
// it is recorded as being at version 1.
func appliedVersion(ctx context.Context, conn *sql.Conn) (int, error) {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at DATETIME NOT NULL)`); err != nil {
		return 0, err
	}
	var applied sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&applied); err != nil {
		return 0, err
	}
	if applied.Valid {
		return int(applied.Int64), nil
	}
	var probe int
	err := conn.QueryRowContext(ctx, "SELECT 1 FROM users LIMIT 1").Scan(&probe)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, nil // no users table: an empty database
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, ?, ?)",
		"0001_release_1 (found, built before migrations)", time.Now().UTC()); err != nil {
		return 0, err
	}
	return 1, nil
}

// apply runs one migration's statements and records it. On SQLite the
// migration is one transaction; MySQL commits each DDL statement itself, so a
// failed migration names its statement and must be repaired by hand.
func (db *DB) apply(ctx context.Context, conn *sql.Conn, m Migration) error {
	statements := SplitStatements(m.SQL)
	run := func(exec func(string, ...any) error) error {
		for i, st := range statements {
			if err := exec(st); err != nil {
				return fmt.Errorf("migration %s, statement %d: %w\n%s", m.Name, i+1, err, st)
			}
		}
		return exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, time.Now().UTC())
	}
	if db.Dialect == SQLite {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := run(func(q string, args ...any) error { _, err := tx.ExecContext(ctx, q, args...); return err }); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	return run(func(q string, args ...any) error { _, err := conn.ExecContext(ctx, q, args...); return err })
}

// SplitStatements splits a migration into statements: each ends with a
// semicolon at the end of a line; lines starting with "--" are comments.
func SplitStatements(text string) []string {
	var out []string
	var current strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		current.WriteString(line)
		current.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			st := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(current.String()), ";"))
			if st != "" {
				out = append(out, st)
			}
			current.Reset()
		}
	}
	if rest := strings.TrimSpace(current.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// AutoMigrate builds the schema straight from the models with GORM, the way
// release 1 did; the migration generator and the schema test compare the
// migrations' result with it.
func (db *DB) AutoMigrate(ctx context.Context) error {
	g := db.Gorm.WithContext(ctx)
	if db.Dialect == MySQL {
		g = g.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := g.AutoMigrate(Models()...); err != nil {
		return fmt.Errorf("migrate schema: %w", Translate(err))
	}
	return nil
}
