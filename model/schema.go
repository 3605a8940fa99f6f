package model

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Schema describes the tables of a database as the database itself reports
// them, so that the schema the migrations build can be compared with the one
// GORM's AutoMigrate builds from the models, and the difference turned into
// a migration.
type Schema struct {
	Dialect Dialect
	Tables  map[string]*Table
}

// Table is one table: its CREATE statement and, by name, its column and
// index definitions.
type Table struct {
	Name    string
	Create  string
	Columns map[string]string // column name → its definition, as in the CREATE statement
	Order   []string          // column names in the table's order
	Indexes map[string]Index  // secondary indexes by name
	Options string            // MySQL table options (engine, charset, collation)
}

// Index is a secondary index.
type Index struct {
	Name       string
	Definition string // SQLite: CREATE INDEX …; MySQL: the KEY line of SHOW CREATE TABLE
}

// ignoredTables are not part of the compared schema.
var ignoredTables = map[string]bool{"schema_migrations": true, "data_migrations": true}

// SchemaOf reads the schema of the database.
func SchemaOf(ctx context.Context, db *DB) (*Schema, error) {
	s := &Schema{Dialect: db.Dialect, Tables: map[string]*Table{}}
	g := db.Gorm.WithContext(ctx)
	if db.Dialect == SQLite {
		var rows []struct{ Type, Name, TblName, SQL string }
		if err := g.Raw("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name").
			Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			switch {
			case ignoredTables[r.TblName]:
			case r.Type == "table":
				s.Tables[r.Name] = parseCreateTable(r.Name, r.SQL, SQLite)
			case r.Type == "index" && s.Tables[r.TblName] != nil:
				s.Tables[r.TblName].Indexes[r.Name] = Index{Name: r.Name, Definition: normalizeSpace(r.SQL)}
			}
		}
		return s, nil
	}
	var names []string
	if err := g.Raw("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name").
		Scan(&names).Error; err != nil {
		return nil, err
	}
	for _, name := range names {
		if ignoredTables[name] {
			continue
		}
		var create struct {
			Table       string `gorm:"column:Table"`
			CreateTable string `gorm:"column:Create Table"`
		}
		if err := g.Raw("SHOW CREATE TABLE `" + name + "`").Scan(&create).Error; err != nil {
			return nil, err
		}
		s.Tables[name] = parseCreateTable(name, create.CreateTable, MySQL)
	}
	return s, nil
}

// parseCreateTable splits a CREATE TABLE statement into column definitions,
// keys and options. SQLite's statements (as GORM writes them) keep their
// parts on one line separated by commas; MySQL's SHOW CREATE TABLE puts each
// part on its own line.
func parseCreateTable(name, create string, dialect Dialect) *Table {
	t := &Table{Name: name, Create: create, Columns: map[string]string{}, Indexes: map[string]Index{}}
	open, closing := strings.Index(create, "("), strings.LastIndex(create, ")")
	if open < 0 || closing < open {
		return t
	}
	t.Options = strings.TrimSpace(create[closing+1:])
	for _, part := range splitTopLevel(create[open+1 : closing]) {
		part = normalizeSpace(part)
		switch {
		case strings.HasPrefix(part, "`") || strings.HasPrefix(part, `"`):
			quote := part[:1]
			end := strings.Index(part[1:], quote)
			column := part[1 : end+1]
			t.Columns[column] = part
			t.Order = append(t.Order, column)
		case dialect == MySQL && (strings.HasPrefix(part, "KEY ") || strings.HasPrefix(part, "UNIQUE KEY ")):
			keyName := strings.Trim(strings.Fields(strings.TrimPrefix(part, "UNIQUE "))[1], "`")
			t.Indexes[keyName] = Index{Name: keyName, Definition: part}
		default: // PRIMARY KEY and other table constraints
			t.Columns["("+part+")"] = part
		}
	}
	if dialect == MySQL {
		t.Options = strings.Join(strings.Fields(removeAutoIncrement(t.Options)), " ")
	}
	return t
}

func removeAutoIncrement(options string) string {
	var kept []string
	for _, f := range strings.Fields(options) {
		if !strings.HasPrefix(f, "AUTO_INCREMENT=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

// splitTopLevel splits on commas outside parentheses and quotes.
func splitTopLevel(body string) []string {
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '`' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, body[start:i])
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(body[start:]); rest != "" {
		parts = append(parts, body[start:])
	}
	return parts
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// Differences lists, in words, how the schema differs from the wanted one;
// empty when they match (same tables, columns, keys, indexes and options).
func (s *Schema) Differences(want *Schema) []string {
	var out []string
	for _, name := range sortedKeys(want.Tables) {
		w, have := want.Tables[name], s.Tables[name]
		if have == nil {
			out = append(out, "table "+name+" is missing")
			continue
		}
		for _, col := range sortedKeys(w.Columns) {
			if have.Columns[col] != w.Columns[col] {
				out = append(out, fmt.Sprintf("table %s: %q, want %q", name, have.Columns[col], w.Columns[col]))
			}
		}
		for _, col := range sortedKeys(have.Columns) {
			if _, ok := w.Columns[col]; !ok {
				out = append(out, fmt.Sprintf("table %s: %q is not in the models", name, have.Columns[col]))
			}
		}
		for _, ix := range sortedKeys(w.Indexes) {
			if have.Indexes[ix].Definition != w.Indexes[ix].Definition {
				out = append(out, fmt.Sprintf("table %s: index %q, want %q", name, have.Indexes[ix].Definition, w.Indexes[ix].Definition))
			}
		}
		for _, ix := range sortedKeys(have.Indexes) {
			if _, ok := w.Indexes[ix]; !ok {
				out = append(out, fmt.Sprintf("table %s: index %s is not in the models", name, ix))
			}
		}
		if have.Options != w.Options {
			out = append(out, fmt.Sprintf("table %s: options %q, want %q", name, have.Options, w.Options))
		}
	}
	for _, name := range sortedKeys(s.Tables) {
		if want.Tables[name] == nil {
			out = append(out, "table "+name+" is not in the models")
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
