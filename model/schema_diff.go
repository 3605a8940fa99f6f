package model

import (
	"fmt"
	"strings"
)

// MigrationStatements returns the SQL that turns the schema from into the
// schema to: renamed tables (renames: old name → new name, which no
// comparison can guess), new tables, and per table the added, changed and
// removed columns and indexes. On MySQL a table's changes are one ALTER
// TABLE; on SQLite, which cannot change a column, a table whose columns
// change (beyond added nullable or defaulted ones) is rebuilt and its rows
// copied.
func MigrationStatements(from, to *Schema, renames map[string]string) []string {
	var out []string
	current := map[string]*Table{}
	for name, t := range from.Tables {
		current[name] = t
	}
	for _, old := range sortedKeys(renames) {
		renamed := renames[old]
		if t := current[old]; t != nil && current[renamed] == nil && to.Tables[renamed] != nil {
			if to.Dialect == MySQL {
				out = append(out, fmt.Sprintf("RENAME TABLE `%s` TO `%s`", old, renamed))
			} else {
				out = append(out, fmt.Sprintf("ALTER TABLE `%s` RENAME TO `%s`", old, renamed))
			}
			delete(current, old)
			current[renamed] = t
		}
	}
	for _, name := range sortedKeys(to.Tables) {
		want, have := to.Tables[name], current[name]
		switch {
		case have == nil:
			out = append(out, want.Create)
			if to.Dialect == SQLite {
				for _, ix := range sortedKeys(want.Indexes) {
					out = append(out, want.Indexes[ix].Definition)
				}
			}
		case to.Dialect == MySQL:
			out = append(out, alterMySQL(have, want)...)
		default:
			out = append(out, alterSQLite(have, want)...)
		}
	}
	for _, name := range sortedKeys(current) {
		if to.Tables[name] == nil {
			out = append(out, fmt.Sprintf("DROP TABLE `%s`", name))
		}
	}
	return out
}

func alterMySQL(have, want *Table) []string {
	var clauses []string
	for _, col := range want.Order {
		def, old := want.Columns[col], have.Columns[col]
		switch {
		case old == "":
			clauses = append(clauses, "ADD COLUMN "+def)
		case old != def:
			clauses = append(clauses, "MODIFY COLUMN "+def)
		}
	}
	for _, col := range have.Order {
		if _, ok := want.Columns[col]; !ok {
			clauses = append(clauses, fmt.Sprintf("DROP COLUMN `%s`", col))
		}
	}
	for _, key := range sortedKeys(want.Columns) {
		if strings.HasPrefix(key, "(") && have.Columns[key] != want.Columns[key] {
			clauses = append(clauses, "DROP PRIMARY KEY", "ADD "+want.Columns[key])
		}
	}
	for _, ix := range sortedKeys(have.Indexes) {
		if w, ok := want.Indexes[ix]; !ok || w.Definition != have.Indexes[ix].Definition {
			clauses = append(clauses, fmt.Sprintf("DROP INDEX `%s`", ix))
		}
	}
	for _, ix := range sortedKeys(want.Indexes) {
		if h, ok := have.Indexes[ix]; !ok || h.Definition != want.Indexes[ix].Definition {
			clauses = append(clauses, "ADD "+want.Indexes[ix].Definition)
		}
	}
	if have.Options != want.Options {
		clauses = append(clauses, want.Options)
	}
	if len(clauses) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("ALTER TABLE `%s`\n  %s", want.Name, strings.Join(clauses, ",\n  "))}
}

func alterSQLite(have, want *Table) []string {
	rebuild := false
	var added []string
	for col, def := range want.Columns {
		old, ok := have.Columns[col]
		switch {
		case !ok && strings.HasPrefix(col, "("):
			rebuild = true
		case !ok:
			upper := strings.ToUpper(def)
			if strings.Contains(upper, "NOT NULL") && !strings.Contains(upper, "DEFAULT") || strings.Contains(upper, "PRIMARY KEY") {
				rebuild = true
			}
			added = append(added, col)
		case old != def:
			rebuild = true
		}
	}
	for col := range have.Columns {
		if _, ok := want.Columns[col]; !ok {
			rebuild = true
		}
	}
	if rebuild {
		return rebuildSQLite(have, want)
	}
	var out []string
	for _, col := range want.Order {
		for _, a := range added {
			if a == col {
				out = append(out, fmt.Sprintf("ALTER TABLE `%s` ADD COLUMN %s", want.Name, want.Columns[col]))
			}
		}
	}
	for _, ix := range sortedKeys(have.Indexes) {
		if w, ok := want.Indexes[ix]; !ok || w.Definition != have.Indexes[ix].Definition {
			out = append(out, fmt.Sprintf("DROP INDEX `%s`", ix))
		}
	}
	for _, ix := range sortedKeys(want.Indexes) {
		if h, ok := have.Indexes[ix]; !ok || h.Definition != want.Indexes[ix].Definition {
			out = append(out, want.Indexes[ix].Definition)
		}
	}
	return out
}

// rebuildSQLite recreates a table with its wanted definition and copies its
// rows; a new NOT NULL column without a default gets its type's zero value.
func rebuildSQLite(have, want *Table) []string {
	temp := want.Name + "__new"
	create := strings.Replace(want.Create, "`"+want.Name+"`", "`"+temp+"`", 1)
	create = strings.Replace(create, `"`+want.Name+`"`, "`"+temp+"`", 1)
	var columns, values []string
	for _, col := range want.Order {
		def := strings.ToUpper(want.Columns[col])
		switch {
		case have.Columns[col] != "":
			columns, values = append(columns, "`"+col+"`"), append(values, "`"+col+"`")
		case strings.Contains(def, "NOT NULL") && !strings.Contains(def, "DEFAULT"):
			columns, values = append(columns, "`"+col+"`"), append(values, zeroValue(def))
		}
	}
	out := []string{
		create,
		fmt.Sprintf("INSERT INTO `%s` (%s) SELECT %s FROM `%s`", temp, strings.Join(columns, ", "), strings.Join(values, ", "), have.Name),
		fmt.Sprintf("DROP TABLE `%s`", have.Name),
		fmt.Sprintf("ALTER TABLE `%s` RENAME TO `%s`", temp, want.Name),
	}
	for _, ix := range sortedKeys(want.Indexes) {
		out = append(out, want.Indexes[ix].Definition)
	}
	return out
}

func zeroValue(upperDefinition string) string {
	for _, text := range []string{"CHAR", "TEXT", "CLOB", "BLOB"} {
		if strings.Contains(upperDefinition, text) {
			return "''"
		}
	}
	if strings.Contains(upperDefinition, "DATE") || strings.Contains(upperDefinition, "TIME") {
		return "'1970-01-01 00:00:00+00:00'"
	}
	return "0"
}
